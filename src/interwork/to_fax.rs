//! MM → T.37 fax mail, simple mode (spec/t37-fax.md, spec/mms.md §8).
//!
//! Images become TIFF-F pages through `render`, coded as the route profile says; text parts and
//! the MM's subject, originator and date go on a rendered cover page, as a `text/plain` part, or
//! both (receivers must accept text/plain, but many offramps print only the TIFF). Audio and video cannot be
//! faxed: they are named on the cover (or in the text part) and in the omissions, so the
//! recipient sees what was left out.
use crate::config::{FaxProfile, FaxText};
use crate::fax;
use crate::mail::Requests;
use crate::mail::t37::{self, Document, FaxMail, FaxMediaType};
use crate::mm::address::{FaxAddress, MmsAddress};
use crate::mm::{Body, Mm4};
use crate::render::image_to_fax::{ImageOptions, image_to_pages};
use crate::render::text::{Cover, TextOptions, text_to_pages};

use super::{Converted, Error, Omission, part_label, presentation_order};

/// Where the MM's text and the cover details go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextMode {
    /// As the route profile's `text` key says (`cover`, `part` or `both`).
    #[default]
    Profile,
    /// A rendered cover page (with the text) before the image pages.
    Cover,
    /// A `text/plain` part only (a cover page is still drawn when there is no image at all).
    Part,
    /// Both.
    Both,
}

impl TextMode {
    /// The mode in force: an explicit one, else the profile's.
    pub fn resolve(self, profile: &FaxProfile) -> TextMode {
        match (self, profile.text) {
            (TextMode::Profile, FaxText::Part) => TextMode::Part,
            (TextMode::Profile, FaxText::Both) => TextMode::Both,
            (TextMode::Profile, FaxText::Cover) => TextMode::Cover,
            (explicit, _) => explicit,
        }
    }
}

/// What the caller decides for the outbound fax mail.
#[derive(Debug, Clone)]
pub struct FaxOutward {
    pub now: i64,
    /// The Message-ID to carry (without brackets): the gateway's report token.
    pub message_id: String,
    pub gateway_domain: String,
    pub system_address: String,
    /// `FAX=+E164@offramp` recipients.
    pub recipients: Vec<FaxAddress>,
    pub text_mode: TextMode,
}

/// Converts an MM4_forward.REQ into a T.37 simple-mode fax mail.
pub fn mm_to_fax(mm: &Mm4, profile: &FaxProfile, out: &FaxOutward) -> Result<Converted, Error> {
    let y_dpi: u16 = if profile.y_dpi.contains(&196) { 196 } else { 98 };
    let text_mode = out.text_mode.resolve(profile);
    let leaves = mm.leaves();
    let mut omissions = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut image_pages: Vec<fax::Page> = Vec::new();
    let img_opts = ImageOptions { y_dpi, ..ImageOptions::default() };
    for i in presentation_order(mm) {
        let p = leaves[i];
        let mime = p.content_type.mime.to_ascii_lowercase();
        let omit =
            |reason: String| Omission { part: part_label(p, i), media_type: mime.clone(), reason };
        match (p.content_type.main_type(), &p.body) {
            ("text", Body::Text(t)) => texts.push(t.clone()),
            ("image", _) => match image_to_pages(p.bytes(), &img_opts) {
                Ok(r) => image_pages.extend(r.pages),
                Err(e) => omissions.push(omit(format!("the image cannot be rendered: {e}"))),
            },
            ("audio", _) => omissions.push(omit("sound cannot be faxed".into())),
            ("video", _) => omissions.push(omit("video cannot be faxed".into())),
            _ => omissions.push(omit("this media type cannot be faxed".into())),
        }
    }
    if image_pages.is_empty() && texts.is_empty() {
        return Err(Error::NothingToCarry("the MM has no image or text a fax can show".into()));
    }
    let e = &mm.elements;
    let from_address = match e.from.as_ref().and_then(|f| f.address.as_ref()) {
        Some(MmsAddress::Plmn(n)) if n.starts_with('+') => format!("{n}@{}", out.gateway_domain),
        Some(MmsAddress::Email(a)) => a.clone(),
        _ => out.system_address.clone(),
    };
    let shown_from = match e.from.as_ref().and_then(|f| f.address.as_ref()) {
        Some(MmsAddress::Plmn(n)) => n.clone(),
        _ => from_address.clone(),
    };
    let date = e.date.as_ref().and_then(|d| d.unix).unwrap_or(out.now);
    let mut body = texts.join("\n\n");
    if !omissions.is_empty() {
        body.push_str("\n\nNot included in this fax:\n");
        for o in &omissions {
            body.push_str(&format!("- {o}\n"));
        }
    }
    let cover_wanted = text_mode != TextMode::Part || image_pages.is_empty();
    let mut pages = Vec::new();
    if cover_wanted {
        let cover = Cover {
            from: shown_from,
            to: out.recipients.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            date: crate::mm::build::rfc5322_date(date),
            subject: e.subject.clone().unwrap_or_default(),
        };
        let t_opts = TextOptions { y_dpi, max_pages: profile.max_pages, ..TextOptions::default() };
        let r = text_to_pages(&body, Some(&cover), &t_opts)
            .map_err(|e| Error::NothingToCarry(format!("the cover page cannot be drawn: {e}")))?;
        for (block, n) in r.omitted {
            omissions.push(Omission {
                part: "text".into(),
                media_type: "text/plain".into(),
                reason: format!("{n} characters of {block} cannot be drawn by the fax font"),
            });
        }
        pages.extend(r.pages);
    }
    pages.extend(image_pages);
    if pages.len() as u64 > u64::from(profile.max_pages) {
        return Err(Error::Limit(format!(
            "{} fax pages, over the route's {}",
            pages.len(),
            profile.max_pages
        )));
    }
    let tiff = fax::tiff_write::to_vec(&pages, &profile.write_options())
        .map_err(|e| Error::Mail(format!("TIFF-F: {e}")))?;
    let head =
        super::outward_head(mm, &from_address, &out.message_id, &out.gateway_domain, out.now);
    let tiff_fx = profile.mime_type == "image/tiff-fx";
    let fax_mail = FaxMail {
        head,
        mail_from: super::return_path(mm, &out.gateway_domain, &out.system_address),
        recipients: out.recipients.clone(),
        text: (text_mode != TextMode::Cover).then_some(body),
        documents: vec![Document { tiff, filename: None }],
        media_type: if tiff_fx { FaxMediaType::TiffFx } else { FaxMediaType::Tiff },
        // `application=faxbw` is an image/tiff parameter (RFC 3302 §5.2).
        application_faxbw: profile.application.is_some() && !tiff_fx,
        // Fax has no read concept (spec/mms.md §8); the gateway adds the DSN request.
        requests: Requests::default(),
    };
    let built = t37::build(&fax_mail).map_err(|e| Error::Mail(e.to_string()))?;
    Ok(Converted { envelope: built.envelope.envelope, bytes: built.bytes, omissions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_mode_follows_the_profile_unless_given() {
        let mut p = match crate::config::Profiles::embedded().unwrap().get("tiff-f-s") {
            Some(crate::config::Profile::Fax(f)) => f.clone(),
            _ => unreachable!(),
        };
        assert_eq!(TextMode::Profile.resolve(&p), TextMode::Cover);
        p.text = FaxText::Part;
        assert_eq!(TextMode::Profile.resolve(&p), TextMode::Part);
        p.text = FaxText::Both;
        assert_eq!(TextMode::Profile.resolve(&p), TextMode::Both);
        assert_eq!(TextMode::Cover.resolve(&p), TextMode::Cover, "an explicit mode wins");
    }
}
