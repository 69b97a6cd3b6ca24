//! An MM image → bilevel fax pages. The picture is sized in inches so that it prints with its
//! own proportions: 204 dots per inch across, the page's line density down (a 98-lpi page gets
//! about half as many rows per source row as columns, so a circle stays round on paper).
use super::decode::{self, DecodeError, DecodeLimits, Decoded};
use super::raster::{self, Grey};
use super::{FAX_WIDTH, FAX_X_DPI, Paper};
use crate::fax::{Limits, Page, PageError, Resolution};

/// How a picture becomes black and white.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Halftone {
    /// Chosen per image: photos are diffused, documents and line art thresholded.
    #[default]
    Auto,
    /// Error diffusion after the fax tone curve.
    Diffuse,
    /// Adaptive threshold.
    Threshold,
}

/// What to do with a picture taller than a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TallPolicy {
    /// Keep the width, continue on further pages.
    #[default]
    Split,
    /// Shrink until it fits one page.
    Shrink,
}

/// Profile settings for image pages.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageOptions {
    /// 98 (standard) or 196 (fine) lines per inch.
    pub y_dpi: u16,
    pub paper: Paper,
    /// White border on every side, inches.
    pub margin_in: f64,
    /// Turn landscape pictures a quarter turn when that prints them larger.
    pub rotate_landscape: bool,
    pub tall: TallPolicy,
    /// Never enlarge more than this many fax dots per source pixel (across).
    pub max_upscale: f64,
    pub halftone: Halftone,
    /// Each distinct GIF frame on its own page (otherwise only the first frame).
    pub gif_frames_as_pages: bool,
    /// Pages one picture may produce.
    pub max_pages: u32,
    pub limits: DecodeLimits,
}

impl Default for ImageOptions {
    fn default() -> Self {
        ImageOptions {
            y_dpi: 196,
            paper: Paper::A4,
            margin_in: 0.2,
            rotate_landscape: true,
            tall: TallPolicy::Split,
            max_upscale: 4.0,
            halftone: Halftone::Auto,
            gif_frames_as_pages: false,
            max_pages: 20,
            limits: DecodeLimits::default(),
        }
    }
}

/// Why an image could not become pages.
#[derive(Debug, thiserror::Error)]
pub enum ImageToFaxError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("{0} lines per inch is not a Profile S resolution (98 or 196)")]
    Resolution(u16),
    #[error("the picture needs {needed} pages, more than the limit of {max}")]
    TooManyPages { needed: u64, max: u32 },
    #[error("margins of {0} in leave no room on the page")]
    Margins(f64),
    #[error(transparent)]
    Page(#[from] PageError),
}

/// What was done, for logs and reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub pages: Vec<Page>,
    /// Whether the picture was turned a quarter turn.
    pub rotated: bool,
    /// The halftone used for each frame.
    pub halftone: Vec<Halftone>,
    /// Printed size of the picture in dots × rows.
    pub printed: (u32, u32),
}

/// Geometry of the printable area in dots and rows.
struct Area {
    width: u32,
    height: u32,
    margin_x: u32,
    margin_y: u32,
    page_rows: u32,
}

impl ImageOptions {
    fn area(&self) -> Result<Area, ImageToFaxError> {
        if self.y_dpi != 98 && self.y_dpi != 196 {
            return Err(ImageToFaxError::Resolution(self.y_dpi));
        }
        let y = f64::from(self.y_dpi);
        let margin_x = (self.margin_in * FAX_X_DPI).round();
        let margin_y = (self.margin_in * y).round();
        let page_rows = (self.paper.length_in() * y).round() as u32;
        let width = f64::from(FAX_WIDTH) - 2.0 * margin_x;
        let height = f64::from(page_rows) - 2.0 * margin_y;
        if !(margin_x >= 0.0 && width >= 64.0 && height >= 64.0) {
            return Err(ImageToFaxError::Margins(self.margin_in));
        }
        Ok(Area {
            width: width as u32,
            height: height as u32,
            margin_x: margin_x as u32,
            margin_y: margin_y as u32,
            page_rows,
        })
    }

    /// Printed size (dots, rows) for a `w`×`h` upright picture, and whether to rotate it.
    fn fit(&self, w: u32, h: u32, area: &Area) -> (u32, u32, bool) {
        let aspect = f64::from(self.y_dpi) / FAX_X_DPI;
        let size = |w: u32, h: u32| {
            let mut s = (f64::from(area.width) / f64::from(w)).min(self.max_upscale);
            if self.tall == TallPolicy::Shrink {
                s = s.min(f64::from(area.height) / (f64::from(h) * aspect));
            }
            let dots = (f64::from(w) * s).round().max(1.0) as u32;
            let rows = (f64::from(h) * s * aspect).round().max(1.0) as u32;
            (dots, rows)
        };
        let (dw, dh) = size(w, h);
        if self.rotate_landscape && w > h {
            let (rw, rh) = size(h, w);
            // Rotate only when the rotated picture fits one page and prints larger.
            let fits = rh <= area.height;
            if fits && u64::from(rw) * u64::from(rh) > u64::from(dw) * u64::from(dh) * 11 / 10 {
                return (rw, rh, true);
            }
        }
        (dw, dh, false)
    }
}

/// Decodes `data` and lays it out on Profile S pages (1728 dots, `opts.y_dpi`).
pub fn image_to_pages(data: &[u8], opts: &ImageOptions) -> Result<Rendered, ImageToFaxError> {
    let area = opts.area()?;
    // Size the DCT scaling for the printed size, in source pixels of the upright picture.
    let want = |w: u32, h: u32| {
        let (dots, rows, rot) = opts.fit(w, h, &area);
        let (pw, ph) = if rot { (rows, dots) } else { (dots, rows) };
        // Rows at 98 lpi are sparse: the denser axis decides how many pixels are needed.
        let s = (f64::from(pw) / f64::from(w)).max(f64::from(ph) / f64::from(h));
        ((f64::from(w) * s).ceil() as u32, (f64::from(h) * s).ceil() as u32)
    };
    let decoded = decode::decode(data, Some(&want), opts.gif_frames_as_pages, &opts.limits)?;
    frames_to_pages(decoded, opts, &area)
}

/// Lays out already-decoded greyscale pictures (one page set per frame).
pub fn grey_to_pages(frames: Vec<Grey>, opts: &ImageOptions) -> Result<Rendered, ImageToFaxError> {
    let area = opts.area()?;
    let d = Decoded { format: decode::Format::Png, frames, source_size: (0, 0), orientation: 1 };
    frames_to_pages(d, opts, &area)
}

fn frames_to_pages(
    decoded: Decoded,
    opts: &ImageOptions,
    area: &Area,
) -> Result<Rendered, ImageToFaxError> {
    let res = Resolution { x: 204, y: opts.y_dpi };
    let limits = Limits::default();
    let mut pages = Vec::new();
    let mut halftones = Vec::new();
    let (mut rotated, mut printed) = (false, (0, 0));
    for frame in decoded.frames {
        // The upright picture's size, as `fit` saw it in `want` (DCT scaling kept the aspect).
        let (dots, rows, rot) = opts.fit(frame.width(), frame.height(), area);
        let frame = if rot { frame.rotate(3) } else { frame };
        rotated = rot;
        printed = (dots, rows);
        let pages_needed = u64::from(rows).div_ceil(u64::from(area.height));
        if pages.len() as u64 + pages_needed > u64::from(opts.max_pages) {
            return Err(ImageToFaxError::TooManyPages {
                needed: pages.len() as u64 + pages_needed,
                max: opts.max_pages,
            });
        }
        let mut scaled = frame.resize(dots, rows);
        let ht = match opts.halftone {
            Halftone::Auto if frame.midtone_share() > 0.15 => Halftone::Diffuse,
            Halftone::Auto => Halftone::Threshold,
            h => h,
        };
        let mask = match ht {
            Halftone::Diffuse => {
                scaled.fax_tone();
                scaled.error_diffuse()
            }
            _ => scaled.adaptive_threshold(),
        };
        halftones.push(ht);
        let left = area.margin_x + (area.width - dots.min(area.width)) / 2;
        let mut y0 = 0;
        while y0 < rows {
            let band = (rows - y0).min(area.height);
            let mut page = Page::new(FAX_WIDTH, area.page_rows, &limits)?;
            let start = (y0 * dots) as usize;
            let slice = mask.get(start..start + (band * dots) as usize).unwrap_or(&[]);
            raster::place(slice, dots, band, left, area.margin_y, &mut page);
            page.resolution = Some(res);
            pages.push(page);
            y0 += band;
        }
    }
    Ok(Rendered { pages, rotated, halftone: halftones, printed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_proportions_and_caps_upscale() {
        let o = ImageOptions { rotate_landscape: false, ..ImageOptions::default() };
        let a = o.area().unwrap();
        let (d, r, rot) = o.fit(1000, 1000, &a);
        assert!(!rot);
        assert_eq!(d, a.width);
        // 196 lpi: rows ≈ dots × 196/204.
        assert!((f64::from(r) - f64::from(d) * 196.0 / 204.0).abs() <= 1.0);
        let (d, _, _) = o.fit(100, 50, &a);
        assert_eq!(d, 400);
        let o = ImageOptions::default();
        let (_, _, rot) = o.fit(4000, 3000, &a);
        assert!(rot);
    }
}
