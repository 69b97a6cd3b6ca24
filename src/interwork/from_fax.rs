//! T.37 fax mail → MM4_forward.REQ (spec/t37-fax.md, spec/mms.md §3 "Outbound MM", §8).
//!
//! Each TIFF page becomes one image slide (or several strips when it cannot be shown legibly
//! whole) sized for the MMSC's content class by `render::fax_to_image`, all within the class's
//! size. Text parts are kept as their own slides before the pages; the `FAX=` originator
//! becomes `+E164/TYPE=PLMN`; a fax without a subject gets "Fax from <number>, N pages".
use crate::config::ContentClass;
use crate::fax::{self, Page};
use crate::mail::t37::{self, Originator};
use crate::mail::{self, Importance};
use crate::mm::address::FaxNumber;
use crate::mm::{ContentType, Part};
use crate::render::fax_to_image::{ClassLimits, ToImageOptions, pages_to_images};

use super::{Converted, Error, Inward, Limits, MmHead, Omission, from_voice::mms_originator};

/// Room kept for headers, SMIL and MIME framing when sharing the class's size among pages.
const FRAMING_BYTES: u64 = 4096;

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
    let text_bytes: u64 = f.texts.iter().map(|t| t.len() as u64 * 4 / 3 + 200).sum();
    let page_count = pages.len();
    let images = pages_to_parts(&pages, class, inw, text_bytes, &mut omissions);
    let carried = images.len();
    parts.extend(images);
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
            (super::with_display_name(&a, m.name.as_deref()), m.name.clone().unwrap_or(a))
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
        read_reply: inw.reports
            && c.disposition_notification_to
                .as_ref()
                .is_some_and(|m| super::read_report_allowed(&m.address, &inw.mail_from)),
    };
    super::assemble(parts, head, inw, omissions)
}

/// Fax pages as image parts (`pageN.png`, `pageN-S.png` for strips) sized for the content
/// class within its size, `reserve` bytes of which are kept for the other parts; the pages that
/// cannot be shown are listed in `omissions`. Shared by fax mail and the fax parts of VPIM.
pub(super) fn pages_to_parts(
    pages: &[(String, Page)],
    class: &ContentClass,
    inw: &Inward,
    reserve: u64,
    omissions: &mut Vec<Omission>,
) -> Vec<Part> {
    let mut omit_all = |reason: String| {
        for (label, _) in pages {
            omissions.push(Omission {
                part: label.clone(),
                media_type: "image/tiff".into(),
                reason: reason.clone(),
            });
        }
    };
    if pages.is_empty() {
        return Vec::new();
    }
    let Some(mut limits) = ClassLimits::from_class(class) else {
        omit_all(format!("the content class {} has no still-image format", class.name));
        return Vec::new();
    };
    // The size checked is the MM4's (`assemble`), where images travel base64 in 76-column
    // lines: 57 bytes of image take 78 bytes of message.
    limits.max_bytes = limits.max_bytes.min(inw.max_message_bytes).saturating_mul(57) / 78;
    let opts =
        ToImageOptions { reserve_bytes: FRAMING_BYTES + reserve, ..ToImageOptions::default() };
    let bilevel: Vec<Page> = pages
        .iter()
        .map(|(_, p)| {
            let mut p = p.clone();
            p.resolution.get_or_insert(fax::Resolution::STANDARD);
            p
        })
        .collect();
    match pages_to_images(&bilevel, &limits, &opts) {
        Ok(images) => images
            .into_iter()
            .map(|img| {
                let name = match img.strip {
                    Some((s, _)) => {
                        format!("page{}-{}.{}", img.page + 1, s + 1, img.format.extension())
                    }
                    None => format!("page{}.{}", img.page + 1, img.format.extension()),
                };
                let mut p = Part::leaf(ContentType::new(img.format.mime()), img.bytes)
                    .with_content_id(&format!("<{name}>"))
                    .with_location(&name);
                p.name = Some(name);
                p
            })
            .collect(),
        Err(e) => {
            omit_all(format!("the pages cannot be shown: {e}"));
            Vec::new()
        }
    }
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
