//! Fax pages drawn as one greyscale PNG a person can look at: each page aspect-corrected
//! (98-lpi rows stretched), area-averaged to about 60 dpi, laid out left to right on a grey
//! background, four pages a row.
use super::fax_to_image::page_grey;
use crate::fax::Page;

/// Why a preview could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("no pages to draw")]
    NoPages,
    #[error("preview of {width}x{height} is too large")]
    TooLarge { width: u64, height: u64 },
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// Pixels per inch of the preview.
pub const PREVIEW_DPI: f64 = 60.0;
const GUTTER: u32 = 12;
const PER_ROW: usize = 4;

/// Draws `pages` into a PNG.
pub fn preview_png(pages: &[Page]) -> Result<Vec<u8>, PreviewError> {
    if pages.is_empty() {
        return Err(PreviewError::NoPages);
    }
    let tiles: Vec<_> = pages
        .iter()
        .map(|p| {
            let r = p.resolution.unwrap_or(crate::fax::Resolution::FINE);
            let w = (f64::from(p.width()) / f64::from(r.x.max(1)) * PREVIEW_DPI).round().max(1.0);
            let h = (f64::from(p.height()) / f64::from(r.y.max(1)) * PREVIEW_DPI).round().max(1.0);
            page_grey(p).resize(w.min(4096.0) as u32, h.min(8192.0) as u32)
        })
        .collect();
    let rows: Vec<&[_]> = tiles.chunks(PER_ROW).collect();
    let width = rows
        .iter()
        .map(|r| r.iter().map(|t| t.width() + GUTTER).sum::<u32>() + GUTTER)
        .max()
        .unwrap_or(1);
    let height: u32 =
        rows.iter().map(|r| r.iter().map(|t| t.height()).max().unwrap_or(0) + GUTTER).sum::<u32>()
            + GUTTER;
    if u64::from(width) * u64::from(height) > 64 << 20 {
        return Err(PreviewError::TooLarge { width: width.into(), height: height.into() });
    }
    let mut canvas = vec![160u8; width as usize * height as usize];
    let mut y = GUTTER;
    for r in rows {
        let mut x = GUTTER;
        for t in r {
            for (ty, row) in t.pixels().chunks_exact(t.width() as usize).enumerate() {
                let start = (y as usize + ty) * width as usize + x as usize;
                canvas[start..start + row.len()].copy_from_slice(row);
            }
            x += t.width() + GUTTER;
        }
        y += r.iter().map(|t| t.height()).max().unwrap_or(0) + GUTTER;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header().map_err(|e| PreviewError::Png(e.to_string()))?;
    wr.write_image_data(&canvas).map_err(|e| PreviewError::Png(e.to_string()))?;
    wr.finish().map_err(|e| PreviewError::Png(e.to_string()))?;
    Ok(out)
}
