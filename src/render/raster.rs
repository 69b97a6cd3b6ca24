//! The 8-bit greyscale image every conversion works on (0 = black, 255 = white), with
//! resampling, orientation, the fax tone curve, error diffusion and adaptive threshold.
use crate::fax::Page;

/// Greyscale pixels, row-major, 0 = black, 255 = white.
#[derive(Clone, PartialEq, Eq)]
pub struct Grey {
    width: u32,
    height: u32,
    px: Vec<u8>,
}

impl std::fmt::Debug for Grey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Grey({}x{})", self.width, self.height)
    }
}

impl Grey {
    /// Wraps `px`; `None` when its length is not `width * height` or a side is zero.
    pub fn from_vec(width: u32, height: u32, px: Vec<u8>) -> Option<Grey> {
        (width > 0 && height > 0 && px.len() as u64 == u64::from(width) * u64::from(height))
            .then_some(Grey { width, height, px })
    }
    /// An all-`value` image. Callers check sizes against their limits first.
    pub fn filled(width: u32, height: u32, value: u8) -> Grey {
        Grey { width, height, px: vec![value; width as usize * height as usize] }
    }
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn pixels(&self) -> &[u8] {
        &self.px
    }
    pub fn into_pixels(self) -> Vec<u8> {
        self.px
    }
    pub fn row(&self, y: u32) -> &[u8] {
        let w = self.width as usize;
        &self.px[y as usize * w..(y as usize + 1) * w]
    }
    pub fn get(&self, x: u32, y: u32) -> u8 {
        self.px[y as usize * self.width as usize + x as usize]
    }

    /// A copy of rows `y0..y1`, clamped to the image and never empty.
    pub fn rows(&self, y0: u32, y1: u32) -> Grey {
        let y1 = y1.clamp(1, self.height);
        let y0 = y0.min(y1 - 1);
        let w = self.width as usize;
        let px = self.px[y0 as usize * w..y1 as usize * w].to_vec();
        Grey { width: self.width, height: y1 - y0, px }
    }

    /// Resamples to `w`×`h`: area averaging where a side shrinks, linear interpolation where it
    /// grows. Separable, fixed-point.
    pub fn resize(&self, w: u32, h: u32) -> Grey {
        let (w, h) = (w.max(1), h.max(1));
        if (w, h) == (self.width, self.height) {
            return self.clone();
        }
        let xw = weights(self.width, w);
        let yw = weights(self.height, h);
        let sw = self.width as usize;
        // Vertical pass first on only the rows each output row needs, then horizontal.
        let mut out = Vec::with_capacity(w as usize * h as usize);
        let mut acc = vec![0i32; sw];
        let mut mid = vec![0u8; sw];
        for (y0, ws) in &yw {
            acc.iter_mut().for_each(|a| *a = 0);
            for (k, &wt) in ws.iter().enumerate() {
                let y = *y0 as usize + k;
                let row = &self.px[y * sw..(y + 1) * sw];
                for (a, &p) in acc.iter_mut().zip(row) {
                    *a += wt * i32::from(p);
                }
            }
            for (m, &a) in mid.iter_mut().zip(&acc) {
                *m = ((a + (1 << 13)) >> 14).clamp(0, 255) as u8;
            }
            for (x0, ws) in &xw {
                let x0 = *x0 as usize;
                let s: i32 =
                    ws.iter().zip(&mid[x0..x0 + ws.len()]).map(|(&wt, &p)| wt * i32::from(p)).sum();
                out.push(((s + (1 << 13)) >> 14).clamp(0, 255) as u8);
            }
        }
        Grey { width: w, height: h, px: out }
    }

    /// Rotated by 90° clockwise `quarter_turns` times.
    pub fn rotate(&self, quarter_turns: u8) -> Grey {
        let (w, h) = (self.width as usize, self.height as usize);
        match quarter_turns % 4 {
            0 => self.clone(),
            2 => {
                let mut px = self.px.clone();
                px.reverse();
                Grey { width: self.width, height: self.height, px }
            }
            q => {
                let mut px = vec![0u8; w * h];
                for y in 0..h {
                    for x in 0..w {
                        // Clockwise: (x, y) → (h-1-y, x); counter-clockwise: (y, w-1-x).
                        let (nx, ny) = if q == 1 { (h - 1 - y, x) } else { (y, w - 1 - x) };
                        px[ny * h + nx] = self.px[y * w + x];
                    }
                }
                Grey { width: self.height, height: self.width, px }
            }
        }
    }

    /// Mirrored left to right.
    pub fn flip_horizontal(&self) -> Grey {
        let w = self.width as usize;
        let mut px = self.px.clone();
        px.chunks_exact_mut(w).for_each(<[u8]>::reverse);
        Grey { width: self.width, height: self.height, px }
    }

    /// Applies an EXIF orientation (1–8) so the picture shows upright.
    pub fn orient(self, exif_orientation: u16) -> Grey {
        match exif_orientation {
            2 => self.flip_horizontal(),
            3 => self.rotate(2),
            4 => self.rotate(2).flip_horizontal(),
            5 => self.rotate(1).flip_horizontal(),
            6 => self.rotate(1),
            7 => self.rotate(3).flip_horizontal(),
            8 => self.rotate(3),
            _ => self,
        }
    }

    /// Share of pixels in the mid-tones (neither near white nor near black).
    pub fn midtone_share(&self) -> f64 {
        let mid = self.px.iter().filter(|&&p| (40..216).contains(&p)).count();
        mid as f64 / self.px.len().max(1) as f64
    }

    /// Stretches levels between the 0.5 % and 99.5 % points, then lightens mid-tones for fax
    /// printing (thermal and inkjet fax printers spread dots, so a plain dither prints dark).
    pub fn fax_tone(&mut self) {
        let mut hist = [0u64; 256];
        for &p in &self.px {
            hist[p as usize] += 1;
        }
        let n = self.px.len() as u64;
        let cut = n / 200;
        let (mut lo, mut acc) = (0usize, 0u64);
        while lo < 255 && acc + hist[lo] <= cut {
            acc += hist[lo];
            lo += 1;
        }
        let (mut hi, mut acc) = (255usize, 0u64);
        while hi > 0 && acc + hist[hi] <= cut {
            acc += hist[hi];
            hi -= 1;
        }
        if hi <= lo + 16 {
            (lo, hi) = (0, 255);
        }
        let mut lut = [0u8; 256];
        for (i, v) in lut.iter_mut().enumerate() {
            let t = ((i as f64 - lo as f64) / (hi - lo) as f64).clamp(0.0, 1.0);
            // Gamma 0.8 lightens mid-tones; the ends are pinned so paper stays clean.
            let g = t.powf(0.8);
            *v = if g > 0.96 {
                255
            } else if g < 0.04 {
                0
            } else {
                (g * 255.0).round() as u8
            };
        }
        for p in &mut self.px {
            *p = lut[*p as usize];
        }
    }

    /// Serpentine Floyd–Steinberg error diffusion to a bilevel mask (true = black).
    pub fn error_diffuse(&self) -> Vec<bool> {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut out = vec![false; w * h];
        let mut cur = vec![0i32; w + 2];
        let mut next = vec![0i32; w + 2];
        for y in 0..h {
            let row = &self.px[y * w..(y + 1) * w];
            let ltr = y % 2 == 0;
            for i in 0..w {
                let x = if ltr { i } else { w - 1 - i };
                let v = i32::from(row[x]) * 16 + cur[x + 1];
                let black = v < 128 * 16;
                out[y * w + x] = black;
                let e = if black { v } else { v - 255 * 16 };
                // Weights 7, 3, 5, 1 (/16); buffers carry errors scaled by 16.
                let (fwd, back) = if ltr { (x + 2, x) } else { (x, x + 2) };
                cur[fwd] += e * 7 / 16;
                next[back] += e * 3 / 16;
                next[x + 1] += e * 5 / 16;
                next[fwd] += e / 16;
            }
            std::mem::swap(&mut cur, &mut next);
            next.iter_mut().for_each(|e| *e = 0);
        }
        out
    }

    /// Bradley-style adaptive threshold for documents and line art (true = black): a pixel is
    /// black when it is clearly darker than its neighbourhood's mean, or darker than half the
    /// midpoint between Otsu's two class means (so solid black areas larger than the window
    /// stay black).
    pub fn adaptive_threshold(&self) -> Vec<bool> {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut integral = vec![0u32; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row_sum = 0u32;
            for x in 0..w {
                row_sum += u32::from(self.px[y * w + x]);
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row_sum;
            }
        }
        let otsu = u32::from(self.otsu_midpoint());
        let r = (w.max(h) / 24).clamp(4, 64);
        let mut out = vec![false; w * h];
        for y in 0..h {
            let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
            for x in 0..w {
                let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
                let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                    - integral[y0 * (w + 1) + x1]
                    - integral[y1 * (w + 1) + x0];
                let count = ((x1 - x0) * (y1 - y0)) as u32;
                let v = u32::from(self.px[y * w + x]);
                // v < 0.85 * mean, in integers.
                out[y * w + x] = v * count * 100 < sum * 85 || v * 2 < otsu;
            }
        }
        out
    }

    /// Otsu's split of the histogram into dark and light, as the midpoint of the two class
    /// means (128 for a flat image).
    pub fn otsu_midpoint(&self) -> u8 {
        let mut hist = [0u64; 256];
        for &p in &self.px {
            hist[p as usize] += 1;
        }
        let total = self.px.len() as f64;
        let sum_all: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
        let (mut w_b, mut sum_b, mut best, mut best_t) = (0.0, 0.0, 0.0, 128.0f64);
        for (t, &c) in hist.iter().enumerate() {
            w_b += c as f64;
            if w_b == 0.0 {
                continue;
            }
            let w_f = total - w_b;
            if w_f == 0.0 {
                break;
            }
            sum_b += t as f64 * c as f64;
            let (m_b, m_f) = (sum_b / w_b, (sum_all - sum_b) / w_f);
            let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
            if between > best {
                best = between;
                best_t = (m_b + m_f) / 2.0;
            }
        }
        best_t.round().clamp(0.0, 255.0) as u8
    }
}

/// Per output sample: the first source index and fixed-point weights (sum 1 << 14).
fn weights(src: u32, dst: u32) -> Vec<(u32, Vec<i32>)> {
    let scale = f64::from(dst) / f64::from(src);
    (0..dst)
        .map(|i| {
            let mut ws: Vec<(u32, f64)> = Vec::new();
            if scale < 1.0 {
                // Area average: the output pixel covers [a, b) of the source.
                let a = f64::from(i) / scale;
                let b = (f64::from(i + 1) / scale).min(f64::from(src));
                let mut s = a.floor() as u32;
                while f64::from(s) < b && s < src {
                    let lo = a.max(f64::from(s));
                    let hi = b.min(f64::from(s + 1));
                    if hi > lo {
                        ws.push((s, hi - lo));
                    }
                    s += 1;
                }
            } else {
                let c = ((f64::from(i) + 0.5) / scale - 0.5).clamp(0.0, f64::from(src - 1));
                let s = c.floor() as u32;
                let f = c - f64::from(s);
                ws.push((s, 1.0 - f));
                if s + 1 < src && f > 0.0 {
                    ws.push((s + 1, f));
                }
            }
            if ws.is_empty() {
                ws.push((((f64::from(i) / scale) as u32).min(src - 1), 1.0));
            }
            let total: f64 = ws.iter().map(|w| w.1).sum();
            let start = ws[0].0;
            let mut fixed: Vec<i32> =
                ws.iter().map(|w| (w.1 / total * f64::from(1 << 14)).round() as i32).collect();
            // Make the weights sum exactly to one so flat areas stay flat.
            let err = (1 << 14) - fixed.iter().sum::<i32>();
            if let Some(m) = fixed.iter_mut().max() {
                *m += err;
            }
            (start, fixed)
        })
        .collect()
}

/// Sets the black pixels of a `mask_w`×`mask_h` bilevel mask (true = black) on `page`, with
/// the mask's corner at (`left`, `top`); whatever falls off the page is dropped.
pub fn place(mask: &[bool], mask_w: u32, mask_h: u32, left: u32, top: u32, page: &mut Page) {
    let stride = page.stride();
    let (pw, ph) = (page.width(), page.height());
    let data = page.data_mut();
    for y in 0..mask_h {
        let py = top + y;
        if py >= ph {
            break;
        }
        let src = &mask[(y * mask_w) as usize..((y + 1) * mask_w) as usize];
        let row = &mut data[py as usize * stride..(py as usize + 1) * stride];
        for (x, &b) in src.iter().enumerate() {
            let px = left + x as u32;
            if px >= pw {
                break;
            }
            if b {
                row[px as usize / 8] |= 0x80 >> (px % 8);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_keeps_flat_areas_flat_and_averages() {
        let g = Grey::filled(100, 50, 200);
        let r = g.resize(33, 17);
        assert!(r.pixels().iter().all(|&p| p == 200));
        let up = g.resize(250, 120);
        assert!(up.pixels().iter().all(|&p| p == 200));
        // Two columns black, two white → area average of 4 → 1 is mid-grey.
        let g = Grey::from_vec(4, 1, vec![0, 0, 255, 255]).unwrap();
        assert_eq!(g.resize(1, 1).pixels(), &[128]);
    }

    #[test]
    fn rotation_and_orientation() {
        let g = Grey::from_vec(3, 2, vec![1, 2, 3, 4, 5, 6]).unwrap();
        let cw = g.rotate(1);
        assert_eq!((cw.width(), cw.height()), (2, 3));
        assert_eq!(cw.pixels(), &[4, 1, 5, 2, 6, 3]);
        assert_eq!(g.rotate(3).pixels(), &[3, 6, 2, 5, 1, 4]);
        assert_eq!(g.clone().orient(6), cw);
        assert_eq!(g.clone().orient(2).pixels(), &[3, 2, 1, 6, 5, 4]);
        assert_eq!(g.rotate(1).rotate(1), g.rotate(2));
    }

    #[test]
    fn dither_keeps_mean_and_threshold_keeps_solid_black() {
        let g = Grey::filled(64, 64, 128);
        let m = g.error_diffuse();
        let black = m.iter().filter(|&&b| b).count() as f64 / m.len() as f64;
        assert!((black - 0.5).abs() < 0.05, "{black}");
        let mut px = vec![255u8; 400 * 400];
        for y in 50..350 {
            for x in 50..350 {
                px[y * 400 + x] = 0;
            }
        }
        let t = Grey::from_vec(400, 400, px).unwrap().adaptive_threshold();
        assert!(t[200 * 400 + 200] && !t[10 * 400 + 10]);
    }
}
