//! Messages drawn as one greyscale PNG a person can look at: fax pages (each aspect-corrected,
//! 98-lpi rows stretched, area-averaged to about 60 dpi), pictures, text and a card for each
//! sound or other part, laid out left to right on a grey background, four tiles a row. A
//! message starts with a card of its From, To and Subject; the HTML report of
//! `mm3gw samples run` shows expected and actual this way.
use super::fax_to_image::page_grey;
use super::raster::Grey;
use super::text::{TextOptions, text_to_pages};
use crate::fax::{Page, tiff_read};

/// Why a preview could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("no pages to draw")]
    NoPages,
    #[error("preview of {width}x{height} is too large")]
    TooLarge { width: u64, height: u64 },
    #[error("PNG encoding failed: {0}")]
    Png(String),
    #[error("not a message: {0}")]
    Message(String),
}

/// Pixels per inch of the preview.
pub const PREVIEW_DPI: f64 = 60.0;
const GUTTER: u32 = 12;
const PER_ROW: usize = 4;
/// Tiles drawn at most (fax pages count one each); the rest is named on one or two last cards.
const MAX_TILES: usize = 24;
/// Pictures are shrunk to fit this square.
const PICTURE_SIDE: u32 = 480;

/// Draws `pages` into a PNG.
pub fn preview_png(pages: &[Page]) -> Result<Vec<u8>, PreviewError> {
    if pages.is_empty() {
        return Err(PreviewError::NoPages);
    }
    compose(&pages.iter().map(page_tile).collect::<Vec<_>>())
}

/// Draws any message (MM4, fax mail, voice mail, e-mail) into a PNG: a header card, then each
/// leaf part in order.
pub fn preview_message(raw: &[u8]) -> Result<Vec<u8>, PreviewError> {
    let tiles = message_tiles(raw)?;
    if tiles.is_empty() {
        return Err(PreviewError::NoPages);
    }
    compose(&tiles)
}

/// The tiles of a message: at most [`MAX_TILES`], then cards naming what was left out.
fn message_tiles(raw: &[u8]) -> Result<Vec<Grey>, PreviewError> {
    let mime = crate::mm::parse_mime(raw, &crate::mm::Limits::default())
        .map_err(|e| PreviewError::Message(e.to_string()))?;
    let mut tiles = Vec::new();
    let subject = mail_parser::MessageParser::new()
        .parse_headers(raw)
        .and_then(|m| m.subject().map(str::to_owned));
    let mut head = String::new();
    for (name, value) in [
        ("From", mime.header("From").map(str::to_owned)),
        ("To", mime.header("To").map(str::to_owned)),
        ("Subject", subject),
    ] {
        if let Some(v) = value {
            head.push_str(&format!(
                "{name}: {}\n",
                v.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    tiles.extend(card(&head));
    let leaves = mime.body.leaves();
    for (i, part) in leaves.iter().enumerate() {
        if tiles.len() >= MAX_TILES {
            tiles.extend(card(&format!("… {} more parts", leaves.len() - i)));
            break;
        }
        let mime_type = part.content_type.mime.as_str();
        let bytes = part.bytes();
        let name = part.name.as_deref().unwrap_or("");
        let about = |what: &str| format!("{mime_type} {name}\n{what}");
        let is_tiff = bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*");
        if is_tiff {
            match tiff_read::read(bytes, &crate::fax::Limits::default()) {
                Ok(pages) => {
                    let room = MAX_TILES.saturating_sub(tiles.len());
                    tiles.extend(pages.iter().take(room).map(|p| page_tile(&p.page)));
                    if pages.len() > room {
                        let more = pages.len() - room;
                        let s = if more == 1 { "" } else { "s" };
                        tiles.extend(card(&about(&format!("… {more} more page{s}"))));
                        if i + 1 < leaves.len() {
                            tiles.extend(card(&format!("… {} more parts", leaves.len() - i - 1)));
                        }
                        break;
                    }
                }
                Err(e) => tiles.extend(card(&about(&format!("unreadable: {e}")))),
            }
        } else if mime_type.starts_with("image/") {
            let limits = super::DecodeLimits::default();
            match super::decode::decode(bytes, None, false, &limits) {
                Ok(d) => tiles.extend(d.frames.into_iter().next().map(fit_picture)),
                Err(e) => tiles.extend(card(&about(&format!("unreadable: {e}")))),
            }
        } else if mime_type == "application/smil" {
            continue;
        } else if mime_type.starts_with("text/") || matches!(part.body, crate::mm::Body::Text(_)) {
            tiles.extend(card(&String::from_utf8_lossy(bytes)));
        } else if mime_type.starts_with("audio/") {
            let limits = crate::voice::Limits::default();
            let what =
                match crate::voice::read_part(bytes, mime_type, part.name.as_deref(), &limits) {
                    Ok((info, _)) => {
                        format!("sound, {:.1} s ({})", info.duration_secs(), info.codec)
                    }
                    Err(e) => format!("sound, unreadable: {e}"),
                };
            tiles.extend(card(&about(&what)));
        } else {
            tiles.extend(card(&about(&format!("{} bytes", bytes.len()))));
        }
    }
    Ok(tiles)
}

fn page_tile(p: &Page) -> Grey {
    let r = p.resolution.unwrap_or(crate::fax::Resolution::FINE);
    let w = (f64::from(p.width()) / f64::from(r.x.max(1)) * PREVIEW_DPI).round().max(1.0);
    let h = (f64::from(p.height()) / f64::from(r.y.max(1)) * PREVIEW_DPI).round().max(1.0);
    page_grey(p).resize(w.min(4096.0) as u32, h.min(8192.0) as u32)
}

fn fit_picture(g: Grey) -> Grey {
    let (w, h) = (g.width().max(1), g.height().max(1));
    if w <= PICTURE_SIDE && h <= PICTURE_SIDE {
        return g;
    }
    let scale = f64::from(PICTURE_SIDE) / f64::from(w.max(h));
    let nw = (f64::from(w) * scale).round().max(1.0) as u32;
    let nh = (f64::from(h) * scale).round().max(1.0) as u32;
    g.resize(nw, nh)
}

/// Text on a card: the first lines rendered with the bundled font, cropped below the last line.
fn card(text: &str) -> Option<Grey> {
    let mut short: Vec<String> = text
        .lines()
        .take(24)
        .map(|l| {
            if l.chars().count() > 70 {
                l.chars().take(70).chain(['…']).collect()
            } else {
                l.to_owned()
            }
        })
        .collect();
    while short.last().is_some_and(|l| l.trim().is_empty()) {
        short.pop();
    }
    if short.is_empty() {
        return None;
    }
    let opts = TextOptions {
        y_dpi: 98,
        font_pt: 16.0,
        margin_in: 0.25,
        page_numbers: false,
        max_pages: 2,
        ..TextOptions::default()
    };
    let pages = text_to_pages(&short.join("\n"), None, &opts).ok()?.pages;
    let page = pages.into_iter().next()?;
    let last = (0..page.height()).rev().find(|&y| page.row(y).iter().any(|&b| b != 0))?;
    let rows = (last + 1 + 24).min(page.height());
    let data = page.data()[..page.stride() * rows as usize].to_vec();
    let mut cropped = Page::from_rows(page.width(), rows, data).ok()?;
    cropped.resolution = page.resolution;
    Some(page_tile(&cropped))
}

/// Lays tiles out four a row on grey and encodes the PNG.
fn compose(tiles: &[Grey]) -> Result<Vec<u8>, PreviewError> {
    if tiles.is_empty() {
        return Err(PreviewError::NoPages);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn size(png: &[u8]) -> (u32, u32) {
        let d = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        (d.info().width, d.info().height)
    }

    #[test]
    fn any_message_draws() {
        let text = b"From: a@b\r\nTo: c@d\r\nSubject: Hi\r\n\r\nHello there\r\n";
        let (w, h) = size(&preview_message(text).unwrap());
        assert!(w > 100 && h > 20, "{w}x{h}");
        assert!(matches!(preview_message(b""), Err(PreviewError::Message(_))));
    }

    #[test]
    fn tiles_are_capped_however_many_pages_and_parts() {
        use base64::Engine;
        let mut page = crate::fax::Page::new(1728, 40, &Default::default()).unwrap();
        page.resolution = Some(crate::fax::Resolution::FINE);
        let opts = crate::fax::tiff_write::WriteOptions::default();
        let tiff = |n: usize| {
            let pages = vec![page.clone(); n];
            let b = crate::fax::tiff_write::to_vec(&pages, &opts).unwrap();
            base64::engine::general_purpose::STANDARD.encode(b)
        };
        let part = |body: &str| {
            format!(
                "--b\r\nContent-Type: image/tiff\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n"
            )
        };
        // A 10-page TIFF, then a 30-page one: 1 + 10 + 13 pages, a card for the other 17 pages
        // and one for the part after.
        let msg = format!(
            "From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{}{}--b\r\nContent-Type: text/plain\r\n\r\nafter\r\n--b--\r\n",
            part(&tiff(10)),
            part(&tiff(30))
        );
        let tiles = message_tiles(msg.as_bytes()).unwrap();
        assert_eq!(tiles.len(), MAX_TILES + 2);
        // Many small parts: the cap plus one card.
        let many: String = (0..40).map(|_| part(&tiff(1))).collect();
        let msg = format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{many}--b--\r\n"
        );
        let tiles = message_tiles(msg.as_bytes()).unwrap();
        assert_eq!(tiles.len(), MAX_TILES + 1);
    }
}
