//! T.37 fax mail → MM4_forward.REQ (spec/t37-fax.md, spec/mms.md §3 "Outbound MM", §8).
//!
//! Each TIFF page becomes an image slide sized for the MMSC's content class: the bilevel page
//! is area-averaged into greyscale (which keeps thin strokes legible at phone resolution),
//! its physical aspect kept (fax pixels are not square: 204×98 or 204×196 dpi), shrunk until
//! the whole MM fits the class's size. Text parts are kept as their own slides before the
//! pages; the `FAX=` originator becomes `+E164/TYPE=PLMN`; a fax without a subject gets
//! "Fax from <number>, N pages". Until the rendering issue lands this is the page renderer.
use std::io::Cursor;

use crate::config::ContentClass;
use crate::fax::{self, Page};
use crate::mail::t37::{self, Originator};
use crate::mail::{self, Importance};
use crate::mm::address::FaxNumber;
use crate::mm::{ContentType, Part};

use super::{Converted, Error, Inward, Limits, MmHead, Omission, from_voice::mms_originator};

/// Room kept for headers, SMIL and MIME framing when sharing the class's size among pages.
const FRAMING_BYTES: u64 = 4096;
/// Pages narrower than this are not worth sending; the page is listed as omitted instead.
const MIN_IMAGE_WIDTH: u32 = 96;
/// Each retry shrinks the image to this fraction (percent) of its previous size.
const SHRINK_PERCENT: u32 = 80;
/// Grey levels kept: 16 levels compress far better in PNG and look the same on a phone.
const GREY_LEVELS: u8 = 16;

/// Converts a T.37 fax mail into an MM4_forward.REQ for the content class `class`.
pub fn fax_to_mm(
    raw: &[u8],
    class: &ContentClass,
    inw: &Inward,
    limits: &Limits,
) -> Result<Converted, Error> {
    if is_voice(raw, &limits.mail) {
        return Err(Error::WrongKind { expected: "fax mail", reason: "a voice message".into() });
    }
    let f = t37::parse(raw, &limits.mail).map_err(|e| Error::Corrupt(e.to_string()))?;
    if f.documents.is_empty() {
        return Err(Error::WrongKind { expected: "fax mail", reason: "no TIFF part".into() });
    }
    let mut omissions = Vec::new();
    let mut pages: Vec<(String, Page)> = Vec::new();
    for (d, doc) in f.documents.iter().enumerate() {
        let label = doc.name.clone().unwrap_or_else(|| format!("fax document {}", d + 1));
        match fax::tiff_read::read(&doc.tiff, &limits.fax) {
            Ok(decoded) => {
                for (i, p) in decoded.into_iter().enumerate() {
                    pages.push((format!("{label} page {}", i + 1), p.page));
                }
            }
            Err(e) => omissions.push(Omission {
                part: label,
                media_type: doc.content_type.clone(),
                reason: format!("the TIFF cannot be read: {e}"),
            }),
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    for (i, t) in f.texts.iter().enumerate() {
        let name = format!("text{}.txt", i + 1);
        parts.push(Part::text(t).with_content_id(&format!("<{name}>")).with_location(&name));
    }
    let format = if allows(class, "image/png") {
        Some(image::ImageFormat::Png)
    } else if allows(class, "image/jpeg") {
        Some(image::ImageFormat::Jpeg)
    } else {
        None
    };
    let text_bytes: u64 = f.texts.iter().map(|t| t.len() as u64 * 4 / 3 + 200).sum();
    let budget = class.max_message_bytes.min(inw.max_message_bytes);
    let per_page =
        budget.saturating_sub(FRAMING_BYTES + text_bytes) / (pages.len().max(1) as u64) * 3 / 4; // base64 grows the image by a third
    let [max_w, max_h] = class.max_image.unwrap_or([640, 480]);
    let page_count = pages.len();
    let mut carried = 0usize;
    for (n, (label, page)) in pages.iter().enumerate() {
        let Some(format) = format else {
            omissions.push(Omission {
                part: label.clone(),
                media_type: "image/tiff".into(),
                reason: format!("the content class {} takes neither PNG nor JPEG", class.name),
            });
            continue;
        };
        match render(page, max_w, max_h, per_page, format) {
            Some((bytes, mime, ext)) => {
                let name = format!("page{}.{ext}", n + 1);
                let mut p = Part::leaf(ContentType::new(mime), bytes)
                    .with_content_id(&format!("<{name}>"))
                    .with_location(&name);
                p.name = Some(name);
                parts.push(p);
                carried += 1;
            }
            None => omissions.push(Omission {
                part: label.clone(),
                media_type: "image/tiff".into(),
                reason: format!(
                    "the page does not fit the content class's {} bytes even at {MIN_IMAGE_WIDTH} px wide",
                    class.max_message_bytes
                ),
            }),
        }
    }
    if carried == 0 && f.texts.is_empty() {
        return Err(Error::NothingToCarry("no fax page could be converted".into()));
    }
    for o in &f.others {
        omissions.push(Omission {
            part: o.name.clone().unwrap_or_else(|| "attachment".into()),
            media_type: o.content_type.clone(),
            reason: "not part of a fax mail an MMS content class carries".into(),
        });
    }
    let c = &f.common;
    let (from, number) = match &f.originator {
        Some(Originator::Fax(a)) => match &a.number {
            FaxNumber::Global(e) => (format!("{}/TYPE=PLMN", e.as_str()), e.as_str().to_owned()),
            FaxNumber::Local(n) => (inw.system_address.clone(), n.clone()),
        },
        Some(Originator::Mail(m)) => {
            let a = mms_originator(&m.address);
            (a.clone(), m.name.clone().unwrap_or(a))
        }
        None => (inw.system_address.clone(), "an unknown sender".to_owned()),
    };
    let subject = c.subject.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| {
        let s = if page_count == 1 { "" } else { "s" };
        format!("Fax from {number}, {page_count} page{s}")
    });
    let head = MmHead {
        from,
        subject: Some(subject),
        date: c.date,
        priority: c.importance.and_then(Importance::to_priority),
        read_reply: c.disposition_notification_to.is_some(),
    };
    super::assemble(parts, head, inw, omissions)
}

fn allows(class: &ContentClass, mime: &str) -> bool {
    class.formats.iter().any(|f| f.eq_ignore_ascii_case(mime))
}

/// Whether the mail is a voice message (those go to the voice conversion, even with fax parts).
fn is_voice(raw: &[u8], limits: &mail::Limits) -> bool {
    let Ok(mime) = crate::mm::parse_mime(raw, &limits.mime) else { return false };
    crate::mail::vpim::find_voice_message(&mime.body).is_some()
        || mime
            .header("Message-Context")
            .is_some_and(|c| c.trim().to_ascii_lowercase().starts_with("voice-message"))
        || mime.body.leaves().iter().any(|p| p.content_type.main_type() == "audio")
}

/// The page as a greyscale image within `max_w`×`max_h` and `budget` bytes, shrinking until it
/// fits; `None` when even [`MIN_IMAGE_WIDTH`] does not.
fn render(
    page: &Page,
    max_w: u32,
    max_h: u32,
    budget: u64,
    format: image::ImageFormat,
) -> Option<(Vec<u8>, &'static str, &'static str)> {
    let res = page.resolution.unwrap_or(fax::Resolution::STANDARD);
    let (xdpi, ydpi) = (f64::from(res.x.max(1)), f64::from(res.y.max(1)));
    let (pw, ph) = (f64::from(page.width()) / xdpi, f64::from(page.height()) / ydpi);
    if pw <= 0.0 || ph <= 0.0 {
        return None;
    }
    let mut scale = (f64::from(max_w) / pw).min(f64::from(max_h) / ph);
    loop {
        let w = ((pw * scale).round() as u32).clamp(1, max_w.max(1));
        let h = ((ph * scale).round() as u32).clamp(1, max_h.max(1));
        if w < MIN_IMAGE_WIDTH.min(max_w) {
            return None;
        }
        let grey = area_average(page, w, h);
        let mut out = Cursor::new(Vec::new());
        let ok = match format {
            image::ImageFormat::Jpeg => {
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
                    .encode_image(&grey)
                    .is_ok()
            }
            _ => grey.write_to(&mut out, image::ImageFormat::Png).is_ok(),
        };
        let bytes = out.into_inner();
        if ok && bytes.len() as u64 <= budget {
            return Some(match format {
                image::ImageFormat::Jpeg => (bytes, "image/jpeg", "jpg"),
                _ => (bytes, "image/png", "png"),
            });
        }
        scale = scale * f64::from(SHRINK_PERCENT) / 100.0;
    }
}

/// Box filter: each output pixel is the share of white in the source rectangle it covers.
fn area_average(page: &Page, w: u32, h: u32) -> image::GrayImage {
    let (sw, sh) = (u64::from(page.width()), u64::from(page.height()));
    let mut sums = vec![0u64; (w as usize) * (h as usize)];
    let mut counts = vec![0u64; (w as usize) * (h as usize)];
    let col_of: Vec<usize> = (0..sw).map(|x| (x * u64::from(w) / sw) as usize).collect();
    for y in 0..page.height() {
        let oy = (u64::from(y) * u64::from(h) / sh) as usize;
        let row = page.row(y);
        for (x, &ox) in col_of.iter().enumerate() {
            // Bilevel rows are packed MSB first, 1 = black (fax::page).
            let black = row.get(x / 8).is_some_and(|b| b & (0x80 >> (x % 8)) != 0);
            let i = oy * w as usize + ox;
            sums[i] += u64::from(!black) * 255;
            counts[i] += 1;
        }
    }
    let step = 255 / u64::from(GREY_LEVELS - 1);
    image::GrayImage::from_fn(w, h, |x, y| {
        let i = y as usize * w as usize + x as usize;
        let v = sums[i].checked_div(counts[i]).unwrap_or(255);
        image::Luma([((v + step / 2) / step * step).min(255) as u8])
    })
}
