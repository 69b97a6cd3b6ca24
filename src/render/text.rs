//! Text → fax pages, drawn with the bundled DejaVu Sans (Latin, Greek, Cyrillic and more;
//! Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`). The text arrives as Unicode (the
//! MM model has already decoded the part's charset). Glyphs are rasterised at the page's own
//! densities (204 dots across, 98 or 196 rows per inch down) so letters keep their shape on
//! paper. Characters the font cannot draw are shown as a box and named in a note on the page.
use ab_glyph::{Font, FontRef, Glyph, GlyphId, PxScale, ScaleFont, point};

use super::{FAX_WIDTH, FAX_X_DPI, Paper};
use crate::fax::{Limits, Page, PageError, Resolution};

static FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The cover block printed above the text on the first page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cover {
    pub from: String,
    pub to: String,
    pub date: String,
    pub subject: String,
}

/// Profile settings for text pages.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TextOptions {
    pub y_dpi: u16,
    pub paper: Paper,
    /// Body size in points.
    pub font_pt: f64,
    pub margin_in: f64,
    /// "Page n of m" at the foot of every page.
    pub page_numbers: bool,
    pub max_pages: u32,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            y_dpi: 196,
            paper: Paper::A4,
            font_pt: 12.0,
            margin_in: 0.6,
            page_numbers: true,
            max_pages: 50,
        }
    }
}

/// Why text could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("{0} lines per inch is not a Profile S resolution (98 or 196)")]
    Resolution(u16),
    #[error("font size {0} pt does not fit the page")]
    FontSize(f64),
    #[error("the text needs {needed} pages, more than the limit of {max}")]
    TooManyPages { needed: usize, max: u32 },
    #[error("the bundled font cannot be read: {0}")]
    Font(String),
    #[error(transparent)]
    Page(#[from] PageError),
}

/// Rendered pages and what the font could not draw.
#[derive(Debug)]
pub struct TextPages {
    pub pages: Vec<Page>,
    /// (Unicode block name, characters) for every omitted script, in first-seen order.
    pub omitted: Vec<(&'static str, usize)>,
}

fn font() -> Result<FontRef<'static>, TextError> {
    FontRef::try_from_slice(FONT_DATA).map_err(|e| TextError::Font(e.to_string()))
}

/// One laid-out line: its text and size in points.
struct Line {
    text: String,
    pt: f64,
}

/// Renders `body` (and `cover`, when given) on as many pages as it takes.
pub fn text_to_pages(
    body: &str,
    cover: Option<&Cover>,
    opts: &TextOptions,
) -> Result<TextPages, TextError> {
    if opts.y_dpi != 98 && opts.y_dpi != 196 {
        return Err(TextError::Resolution(opts.y_dpi));
    }
    let font = font()?;
    let y_dpi = f64::from(opts.y_dpi);
    let margin_x = opts.margin_in * FAX_X_DPI;
    let text_w = f64::from(FAX_WIDTH) - 2.0 * margin_x;
    let page_rows = (opts.paper.length_in() * y_dpi).round();
    let foot = if opts.page_numbers { 2.0 * opts.font_pt / 72.0 * y_dpi } else { 0.0 };
    let text_h = page_rows - 2.0 * opts.margin_in * y_dpi - foot;
    if !(opts.font_pt >= 4.0 && opts.font_pt * 3.0 / 72.0 * y_dpi < text_h && text_w > 200.0) {
        return Err(TextError::FontSize(opts.font_pt));
    }

    // Undrawable characters become a box; their blocks are named in a note.
    let mut omitted: Vec<(&'static str, usize)> = Vec::new();
    let mut clean = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '\t' => "    ".to_string(),
                // Controls and invisible format marks (BOM, zero-width spaces, direction marks)
                // draw nothing on paper either.
                c if c.is_control() && c != '\n' => String::new(),
                '\u{FEFF}' | '\u{200B}'..='\u{200F}' | '\u{2060}' => String::new(),
                c if c == '\n' || font.glyph_id(c).0 != 0 => c.to_string(),
                c => {
                    let block = block_name(c);
                    match omitted.iter_mut().find(|o| o.0 == block) {
                        Some(o) => o.1 += 1,
                        None => omitted.push((block, 1)),
                    }
                    "\u{25AF}".to_string()
                }
            })
            .collect()
    };
    let cover = cover.map(|c| {
        [("From", &c.from), ("To", &c.to), ("Date", &c.date), ("Subject", &c.subject)]
            .map(|(k, v)| (k, clean(v)))
    });
    let body = clean(&body.replace("\r\n", "\n"));

    let body_pt = opts.font_pt;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(cover) = &cover {
        lines.push(Line { text: "FAX".into(), pt: body_pt * 2.0 });
        for (k, v) in cover {
            for (i, l) in wrap(&font, &format!("{k}: {v}"), body_pt, text_w).into_iter().enumerate()
            {
                let text = if i == 0 { l } else { format!("    {l}") };
                lines.push(Line { text, pt: body_pt });
            }
        }
        // The page count goes in once it is known; this line is its placeholder.
        lines.push(Line { text: "Pages: ?".into(), pt: body_pt });
        lines.push(Line { text: String::new(), pt: body_pt });
    }
    for para in body.split('\n') {
        for l in wrap(&font, para, body_pt, text_w) {
            lines.push(Line { text: l, pt: body_pt });
        }
    }
    if !omitted.is_empty() {
        let names: Vec<String> = omitted.iter().map(|(b, n)| format!("{n} in {b}")).collect();
        let note = format!(
            "[Omitted: characters this fax font cannot draw, shown as \u{25AF}: {}]",
            names.join(", ")
        );
        lines.push(Line { text: String::new(), pt: body_pt });
        for l in wrap(&font, &note, body_pt, text_w) {
            lines.push(Line { text: l, pt: body_pt });
        }
    }

    // Paginate by line height (1.25 × size).
    let row_h = |pt: f64| pt * 1.25 / 72.0 * y_dpi;
    let mut page_of = Vec::with_capacity(lines.len());
    let (mut page, mut used) = (0usize, 0.0);
    for l in &lines {
        let h = row_h(l.pt);
        if used + h > text_h && used > 0.0 {
            page += 1;
            used = 0.0;
        }
        page_of.push((page, used));
        used += h;
    }
    let count = page + 1;
    if count > opts.max_pages as usize {
        return Err(TextError::TooManyPages { needed: count, max: opts.max_pages });
    }
    if cover.is_some()
        && let Some(l) = lines.iter_mut().find(|l| l.text == "Pages: ?")
    {
        l.text = format!("Pages: {count}");
    }

    let res = Resolution { x: 204, y: opts.y_dpi };
    let limits = Limits::default();
    let top = opts.margin_in * y_dpi;
    let mut pages = Vec::with_capacity(count);
    // One coverage canvas at a time: a long text never holds more than one page of bytes.
    let mut canvas = vec![0u8; FAX_WIDTH as usize * page_rows as usize];
    for p in 0..count {
        canvas.iter_mut().for_each(|c| *c = 0);
        for (l, &(_, y)) in lines.iter().zip(&page_of).filter(|(_, (lp, _))| *lp == p) {
            let baseline = top + y + l.pt / 72.0 * y_dpi;
            draw_line(&font, &l.text, l.pt, y_dpi, margin_x, baseline, &mut canvas);
        }
        if opts.page_numbers {
            let text = format!("Page {} of {count}", p + 1);
            let w = measure(&font, &text, body_pt * 0.85);
            let baseline = page_rows - opts.margin_in * y_dpi;
            draw_line(
                &font,
                &text,
                body_pt * 0.85,
                y_dpi,
                margin_x + text_w - w,
                baseline,
                &mut canvas,
            );
        }
        pages.push(coverage_to_page(&canvas, page_rows as u32, res, &limits)?);
    }
    Ok(TextPages { pages, omitted })
}

fn scale(font: &FontRef<'_>, pt: f64, x_dpi: f64, y_dpi: f64) -> PxScale {
    let sx = font.pt_to_px_scale((pt * x_dpi / 72.0) as f32).map_or(1.0, |s| s.x);
    let sy = font.pt_to_px_scale((pt * y_dpi / 72.0) as f32).map_or(1.0, |s| s.y);
    PxScale { x: sx, y: sy }
}

/// Width in dots of `text` at `pt`, with kerning.
fn measure(font: &FontRef<'_>, text: &str, pt: f64) -> f64 {
    let sf = font.as_scaled(scale(font, pt, FAX_X_DPI, FAX_X_DPI));
    let mut w = 0.0f32;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            w += sf.kern(p, id);
        }
        w += sf.h_advance(id);
        prev = Some(id);
    }
    f64::from(w)
}

/// Greedy word wrap to `width` dots; words longer than a line are broken by characters.
fn wrap(font: &FontRef<'_>, para: &str, pt: f64, width: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in para.split(' ') {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if measure(font, &candidate, pt) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        // The word alone may still be too long.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if measure(font, &piece, pt) > width && piece.chars().count() > 1 {
                piece.pop();
                out.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        line = piece;
    }
    out.push(line);
    out
}

/// Draws `text` with its baseline at row `baseline`, accumulating coverage (0–255).
fn draw_line(
    font: &FontRef<'_>,
    text: &str,
    pt: f64,
    y_dpi: f64,
    left: f64,
    baseline: f64,
    canvas: &mut [u8],
) {
    let sc = scale(font, pt, FAX_X_DPI, y_dpi);
    let sf = font.as_scaled(sc);
    let w = FAX_WIDTH as i64;
    let h = canvas.len() as i64 / w;
    let mut x = left as f32;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        let glyph: Glyph = id.with_scale_and_position(sc, point(x, baseline as f32));
        x += sf.h_advance(id);
        prev = Some(id);
        let Some(outline) = font.outline_glyph(glyph) else { continue };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, cov| {
            let px = b.min.x as i64 + i64::from(gx);
            let py = b.min.y as i64 + i64::from(gy);
            if (0..w).contains(&px) && (0..h).contains(&py) {
                let i = (py * w + px) as usize;
                let v = u16::from(canvas[i]) + (cov.clamp(0.0, 1.0) * 255.0) as u16;
                canvas[i] = v.min(255) as u8;
            }
        });
    }
}

/// Thresholds glyph coverage into a page; 40 % coverage counts as ink so the thin horizontal
/// strokes of 98-lpi text survive.
fn coverage_to_page(
    canvas: &[u8],
    rows: u32,
    res: Resolution,
    limits: &Limits,
) -> Result<Page, TextError> {
    let stride = FAX_WIDTH as usize / 8;
    let mut data = vec![0u8; stride * rows as usize];
    for (i, &c) in canvas.iter().enumerate() {
        if c >= 102 {
            data[i / 8] |= 0x80 >> (i % 8);
        }
    }
    limits.check_page(u64::from(FAX_WIDTH), u64::from(rows))?;
    let mut page = Page::from_rows(FAX_WIDTH, rows, data)?;
    page.resolution = Some(res);
    Ok(page)
}

/// A name for the Unicode block of a character the font lacks.
fn block_name(c: char) -> &'static str {
    const BLOCKS: &[(u32, u32, &str)] = &[
        (0x0530, 0x058F, "Armenian"),
        (0x0590, 0x05FF, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"),
        (0x0900, 0x097F, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"),
        (0x0B80, 0x0BFF, "Tamil"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x10A0, 0x10FF, "Georgian"),
        (0x1100, 0x11FF, "Hangul Jamo"),
        (0x3040, 0x309F, "Hiragana"),
        (0x30A0, 0x30FF, "Katakana"),
        (0x3100, 0x312F, "Bopomofo"),
        (0x3400, 0x4DBF, "CJK Unified Ideographs Extension A"),
        (0x4E00, 0x9FFF, "CJK Unified Ideographs"),
        (0xAC00, 0xD7AF, "Hangul Syllables"),
        (0xFF00, 0xFFEF, "Halfwidth and Fullwidth Forms"),
        (0x1F300, 0x1FAFF, "Emoji and Pictographs"),
        (0x20000, 0x2FFFF, "CJK Unified Ideographs Extension B-F"),
    ];
    let u = c as u32;
    BLOCKS.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&u)).map_or("other scripts", |b| b.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_greek_cyrillic_drawn_cjk_named() {
        let f = font().unwrap();
        for c in ['A', 'é', 'Ω', 'Ж', 'ß'] {
            assert_ne!(f.glyph_id(c).0, 0, "{c}");
        }
        let r = text_to_pages("Hello Ωмега 漢字 한", None, &TextOptions::default()).unwrap();
        assert_eq!(r.pages.len(), 1);
        assert_eq!(r.omitted, vec![("CJK Unified Ideographs", 2), ("Hangul Syllables", 1)]);
    }

    #[test]
    fn long_text_paginates_and_wraps() {
        let body = "word ".repeat(4000);
        let o = TextOptions { y_dpi: 98, ..TextOptions::default() };
        let r = text_to_pages(&body, Some(&Cover::default()), &o).unwrap();
        assert!(r.pages.len() > 2);
        for p in &r.pages {
            assert_eq!(p.width(), 1728);
            assert_eq!(p.resolution, Some(Resolution::STANDARD));
            // Nothing drawn in the side margins.
            for y in 0..p.height() {
                assert!(!p.pixel(10, y) && !p.pixel(1720, y));
            }
        }
        let tight = TextOptions { max_pages: 1, ..o };
        assert!(matches!(text_to_pages(&body, None, &tight), Err(TextError::TooManyPages { .. })));
    }
}
