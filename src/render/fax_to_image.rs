//! Fax pages → greyscale MM images for a content class. A page is measured in inches from its
//! own densities (so 98-lpi rows are stretched, never squashed), optionally cropped to its
//! content, area-averaged into greyscale at the largest density the class allows (a bilevel
//! shrink to one bit loses text; grey keeps it), and encoded in whichever accepted format is
//! smallest. When the message budget is exceeded the density steps down, but not below the
//! legibility floor unless nothing else fits. A page that cannot be shown legibly whole is cut
//! into overlapping horizontal strips, cut where the page is blank, one slide each.
use std::borrow::Cow;

use super::raster::Grey;
use crate::fax::Page;

/// An MM image format the class may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutFormat {
    Jpeg,
    Png,
    Gif,
    Wbmp,
}

impl OutFormat {
    pub fn mime(self) -> &'static str {
        match self {
            OutFormat::Jpeg => "image/jpeg",
            OutFormat::Png => "image/png",
            OutFormat::Gif => "image/gif",
            OutFormat::Wbmp => "image/vnd.wap.wbmp",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Jpeg => "jpg",
            OutFormat::Png => "png",
            OutFormat::Gif => "gif",
            OutFormat::Wbmp => "wbmp",
        }
    }
}

/// A content class's limits for images (spec `mms.md` §6), taken from the class's profile
/// (`profiles/*.toml`, [`crate::config::ContentClass`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ClassLimits {
    pub name: String,
    /// Whole-message size in bytes.
    pub max_bytes: u64,
    pub max_width: u32,
    pub max_height: u32,
    pub formats: Vec<OutFormat>,
}

impl ClassLimits {
    /// The image limits of a content-class profile; `None` for a class without still images.
    pub fn from_class(c: &crate::config::ContentClass) -> Option<ClassLimits> {
        let [max_width, max_height] = c.max_image?;
        let formats: Vec<OutFormat> = c
            .formats
            .iter()
            .filter_map(|m| match m.to_ascii_lowercase().as_str() {
                "image/jpeg" => Some(OutFormat::Jpeg),
                "image/png" => Some(OutFormat::Png),
                "image/gif" => Some(OutFormat::Gif),
                "image/vnd.wap.wbmp" => Some(OutFormat::Wbmp),
                _ => None,
            })
            .collect();
        (!formats.is_empty()).then(|| ClassLimits {
            name: c.name.clone(),
            max_bytes: c.max_message_bytes,
            max_width,
            max_height,
            formats,
        })
    }

    /// A class from the embedded profiles by its token (`image-rich`, `megapixel`, …).
    pub fn named(name: &str) -> Option<ClassLimits> {
        let profiles = crate::config::Profiles::embedded().ok()?;
        Self::from_class(profiles.content_class(name)?)
    }
}

/// Profile switches for fax → MM images.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToImageOptions {
    /// Crop white margins to the content (plus a small border).
    pub crop: bool,
    /// Cut pages that cannot be shown legibly whole into strips.
    pub strips: bool,
    /// Below this many pixels per inch 10-pt text stops being readable on a handset.
    pub min_legible_dpi: f64,
    /// How far strips overlap, inches.
    pub strip_overlap_in: f64,
    /// Bytes of the class budget kept for SMIL, text parts and headers.
    pub reserve_bytes: u64,
}

impl Default for ToImageOptions {
    fn default() -> Self {
        ToImageOptions {
            crop: true,
            strips: true,
            min_legible_dpi: 72.0,
            strip_overlap_in: 0.3,
            reserve_bytes: 4096,
        }
    }
}

/// One MM image made from a page (or a strip of one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MmImage {
    pub format: OutFormat,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// 0-based page index.
    pub page: usize,
    /// (strip index, strips on this page) when the page was cut.
    pub strip: Option<(u32, u32)>,
    /// Whether the image is at or above the legibility floor.
    pub legible: bool,
}

/// Why pages could not become images within the class.
#[derive(Debug, thiserror::Error)]
pub enum ToImageError {
    #[error("no pages")]
    NoPages,
    #[error("page {page} has no resolution")]
    NoResolution { page: usize },
    #[error("class {class} lists no image format")]
    NoFormat { class: String },
    #[error("class {class}: {needed} bytes needed at the smallest size tried, budget {budget}")]
    OverBudget { class: String, needed: u64, budget: u64 },
    #[error("encoding {format:?} failed: {reason}")]
    Encode { format: OutFormat, reason: String },
}

/// A piece of a page to show: source rows and columns.
struct Piece {
    page: usize,
    x0: u32,
    x1: u32,
    y0: u32,
    y1: u32,
    strip: Option<(u32, u32)>,
    /// Pixels per inch the piece is shown at before any step-down.
    dpi: f64,
}

/// Converts `pages` into images for `class`, all of them together within its byte budget.
pub fn pages_to_images(
    pages: &[Page],
    class: &ClassLimits,
    opts: &ToImageOptions,
) -> Result<Vec<MmImage>, ToImageError> {
    if pages.is_empty() {
        return Err(ToImageError::NoPages);
    }
    if !class
        .formats
        .iter()
        .any(|f| matches!(f, OutFormat::Jpeg | OutFormat::Png | OutFormat::Gif | OutFormat::Wbmp))
    {
        return Err(ToImageError::NoFormat { class: class.name.clone() });
    }
    let mut pieces = Vec::new();
    let mut greys = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let res = p.resolution.ok_or(ToImageError::NoResolution { page: i })?;
        let (xd, yd) = (f64::from(res.x.max(1)), f64::from(res.y.max(1)));
        let ink = row_ink(p);
        let (x0, x1, y0, y1) =
            if opts.crop { content_box(p, &ink, xd, yd) } else { (0, p.width(), 0, p.height()) };
        let (w_in, h_in) = (f64::from(x1 - x0) / xd, f64::from(y1 - y0) / yd);
        // Never show more pixels per inch than the page has across.
        let cap = xd;
        let whole =
            (f64::from(class.max_width) / w_in).min(f64::from(class.max_height) / h_in).min(cap);
        if whole >= opts.min_legible_dpi || !opts.strips {
            pieces.push(Piece { page: i, x0, x1, y0, y1, strip: None, dpi: whole });
        } else {
            let dpi = (f64::from(class.max_width) / w_in).min(cap);
            let span = ((f64::from(class.max_height) / dpi * yd).floor() as u32).max(1);
            let overlap = ((opts.strip_overlap_in * yd) as u32).min(span / 3);
            let cuts = strip_cuts(&ink, y0, y1, span, overlap);
            let n = cuts.len() as u32;
            for (k, (a, b)) in cuts.into_iter().enumerate() {
                pieces.push(Piece {
                    page: i,
                    x0,
                    x1,
                    y0: a,
                    y1: b,
                    strip: Some((k as u32, n)),
                    dpi,
                });
            }
        }
        greys.push(page_grey(p));
    }
    let budget = class.max_bytes.saturating_sub(opts.reserve_bytes);
    let mut step = 1.0f64;
    let mut smallest = u64::MAX;
    // Step the density down 10 % at a time; stop trying past a twentieth of the original.
    // JPEG quality only matters when JPEG is allowed.
    let qualities: &[u8] =
        if class.formats.contains(&OutFormat::Jpeg) { &[85, 70, 55] } else { &[85] };
    while step > 0.05 {
        for &q in qualities {
            let mut out = Vec::with_capacity(pieces.len());
            let mut total = 0u64;
            for pc in &pieces {
                let img = render_piece(
                    &greys[pc.page],
                    pages[pc.page].resolution,
                    pc,
                    step,
                    q,
                    class,
                    opts,
                )?;
                total += img.bytes.len() as u64;
                out.push(img);
            }
            smallest = smallest.min(total);
            if total <= budget {
                return Ok(out);
            }
        }
        step *= 0.9;
    }
    Err(ToImageError::OverBudget { class: class.name.clone(), needed: smallest, budget })
}

fn render_piece(
    grey: &Grey,
    res: Option<crate::fax::Resolution>,
    pc: &Piece,
    step: f64,
    quality: u8,
    class: &ClassLimits,
    opts: &ToImageOptions,
) -> Result<MmImage, ToImageError> {
    let res = res.ok_or(ToImageError::NoResolution { page: pc.page })?;
    let (xd, yd) = (f64::from(res.x.max(1)), f64::from(res.y.max(1)));
    let dpi = pc.dpi * step;
    let w_in = f64::from(pc.x1 - pc.x0) / xd;
    let h_in = f64::from(pc.y1 - pc.y0) / yd;
    let w = ((w_in * dpi).round() as u32).clamp(1, class.max_width);
    let h = ((h_in * dpi).round() as u32).clamp(1, class.max_height);
    let crop = crop(grey, pc.x0, pc.x1, pc.y0, pc.y1);
    let g = crop.resize(w, h);
    let mut best: Option<(OutFormat, Vec<u8>)> = None;
    for &f in &class.formats {
        let bytes = encode(&g, f, quality)?;
        if best.as_ref().is_none_or(|b| bytes.len() < b.1.len()) {
            best = Some((f, bytes));
        }
    }
    let (format, bytes) = best.ok_or(ToImageError::NoFormat { class: class.name.clone() })?;
    Ok(MmImage {
        format,
        bytes,
        width: w,
        height: h,
        page: pc.page,
        strip: pc.strip,
        legible: dpi >= opts.min_legible_dpi,
    })
}

/// The page as greyscale (black 0, white 255).
pub fn page_grey(p: &Page) -> Grey {
    let (w, h) = (p.width(), p.height());
    let mut px = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h {
        let row = p.row(y);
        for x in 0..w as usize {
            px.push(if row[x / 8] & (0x80 >> (x % 8)) != 0 { 0 } else { 255 });
        }
    }
    // A page is never empty (fax::Page refuses zero sizes), so this cannot fail.
    Grey::from_vec(w, h, px).unwrap_or_else(|| Grey::filled(1, 1, 255))
}

fn crop(g: &Grey, x0: u32, x1: u32, y0: u32, y1: u32) -> Grey {
    let rows = g.rows(y0, y1);
    if x0 == 0 && x1 >= g.width() {
        return rows;
    }
    let w = rows.width() as usize;
    let px: Vec<u8> = rows
        .pixels()
        .chunks_exact(w)
        .flat_map(|r| r[x0 as usize..(x1 as usize).min(w)].iter().copied())
        .collect();
    Grey::from_vec(x1.min(rows.width()) - x0, rows.height(), px).unwrap_or(rows)
}

/// Black pixels per row.
fn row_ink(p: &Page) -> Vec<u32> {
    (0..p.height()).map(|y| p.row(y).iter().map(|b| b.count_ones()).sum()).collect()
}

/// The box around everything black, widened by 0.15 in, or the whole page when blank.
fn content_box(p: &Page, ink: &[u32], xd: f64, yd: f64) -> (u32, u32, u32, u32) {
    let (w, h) = (p.width(), p.height());
    let Some(top) = ink.iter().position(|&n| n > 0) else { return (0, w, 0, h) };
    let bottom = ink.iter().rposition(|&n| n > 0).map_or(h, |b| b as u32 + 1);
    let (mut left, mut right) = (w, 0u32);
    for y in top as u32..bottom {
        let row = p.row(y);
        if let Some(i) = row.iter().position(|&b| b != 0) {
            left = left.min(i as u32 * 8 + row[i].leading_zeros());
        }
        if let Some(i) = row.iter().rposition(|&b| b != 0) {
            right = right.max(i as u32 * 8 + 8 - row[i].trailing_zeros());
        }
    }
    let (bx, by) = ((0.15 * xd) as u32, (0.15 * yd) as u32);
    (
        left.saturating_sub(bx),
        (right + bx).min(w),
        (top as u32).saturating_sub(by),
        (bottom + by).min(h),
    )
}

/// Row ranges of overlapping strips of at most `span` rows, each ending and the next beginning
/// on the least inked row near the cut so text lines stay whole in at least one strip.
fn strip_cuts(ink: &[u32], y0: u32, y1: u32, span: u32, overlap: u32) -> Vec<(u32, u32)> {
    let quiet = |lo: u32, hi: u32, fallback: u32| -> u32 {
        // The last row with the least ink in [lo, hi].
        (lo..=hi)
            .filter_map(|y| ink.get(y as usize).map(|&n| (n, y)))
            .min_by_key(|&(n, y)| (n, u32::MAX - y))
            .map_or(fallback, |(_, y)| y)
    };
    let mut out = Vec::new();
    let mut start = y0;
    loop {
        if y1 - start <= span {
            out.push((start, y1));
            break;
        }
        let nominal = start + span;
        let end = quiet(start + span * 3 / 4, nominal, nominal).max(start + 1);
        out.push((start, end));
        let lo = end.saturating_sub(overlap + span / 8).max(start + 1);
        let hi = end.saturating_sub(overlap).max(lo);
        let next = quiet(lo, hi, hi);
        start = if next > start { next } else { end };
    }
    out
}

fn encode(g: &Grey, f: OutFormat, quality: u8) -> Result<Vec<u8>, ToImageError> {
    let err = |e: &dyn std::fmt::Display| ToImageError::Encode { format: f, reason: e.to_string() };
    let (w, h) = (g.width(), g.height());
    let mut out = Vec::new();
    match f {
        OutFormat::Jpeg => {
            let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            enc.encode(g.pixels(), w, h, image::ExtendedColorType::L8).map_err(|e| err(&e))?;
        }
        OutFormat::Png => {
            // 16 grey levels: anti-aliased text keeps its shape and the file halves.
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Four);
            enc.set_compression(png::Compression::High);
            let mut wr = enc.write_header().map_err(|e| err(&e))?;
            let stride = (w as usize).div_ceil(2);
            let mut data = vec![0u8; stride * h as usize];
            for (y, row) in g.pixels().chunks_exact(w as usize).enumerate() {
                for (x, &v) in row.iter().enumerate() {
                    let q = (u16::from(v) + 8) / 17;
                    data[y * stride + x / 2] |= (q as u8) << if x % 2 == 0 { 4 } else { 0 };
                }
            }
            wr.write_image_data(&data).map_err(|e| err(&e))?;
            wr.finish().map_err(|e| err(&e))?;
        }
        OutFormat::Gif => {
            let palette: Vec<u8> = (0..16u8).flat_map(|i| [i * 17; 3]).collect();
            let (gw, gh) =
                (u16::try_from(w).map_err(|e| err(&e))?, u16::try_from(h).map_err(|e| err(&e))?);
            let mut enc = gif::Encoder::new(&mut out, gw, gh, &palette).map_err(|e| err(&e))?;
            let idx: Vec<u8> =
                g.pixels().iter().map(|&v| ((u16::from(v) + 8) / 17) as u8).collect();
            let frame = gif::Frame {
                width: gw,
                height: gh,
                buffer: Cow::Owned(idx),
                ..gif::Frame::default()
            };
            enc.write_frame(&frame).map_err(|e| err(&e))?;
        }
        OutFormat::Wbmp => {
            out.push(0);
            out.push(0);
            for v in [w, h] {
                let mut groups = Vec::new();
                let mut n = v;
                loop {
                    groups.push((n & 0x7F) as u8);
                    n >>= 7;
                    if n == 0 {
                        break;
                    }
                }
                for (i, gr) in groups.iter().enumerate().rev() {
                    out.push(if i > 0 { gr | 0x80 } else { *gr });
                }
            }
            for row in g.pixels().chunks_exact(w as usize) {
                let mut bytes = vec![0u8; (w as usize).div_ceil(8)];
                for (x, &v) in row.iter().enumerate() {
                    if v >= 128 {
                        bytes[x / 8] |= 0x80 >> (x % 8);
                    }
                }
                out.extend_from_slice(&bytes);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_overlap_and_cover_everything() {
        // Text lines of 20 inked rows every 40 rows.
        let ink: Vec<u32> = (0..1000).map(|y| if y % 40 < 20 { 50 } else { 0 }).collect();
        let cuts = strip_cuts(&ink, 0, 1000, 300, 60);
        assert_eq!(cuts.first().map(|c| c.0), Some(0));
        assert_eq!(cuts.last().map(|c| c.1), Some(1000));
        for w in cuts.windows(2) {
            assert!(w[1].0 < w[0].1, "strips overlap: {cuts:?}");
            assert!(w[0].1 - w[0].0 <= 300);
            // Cuts land on blank rows.
            assert_eq!(ink[w[0].1 as usize], 0);
            assert_eq!(ink[w[1].0 as usize], 0);
        }
    }

    #[test]
    fn classes() {
        let c = ClassLimits::named("image-rich").unwrap();
        assert_eq!((c.max_bytes, c.max_width, c.max_height), (102_400, 640, 480));
        assert!(ClassLimits::named("text").is_none());
    }
}
