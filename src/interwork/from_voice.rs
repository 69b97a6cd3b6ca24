//! VPIM v2 / IVM voice message → MM4_forward.REQ (spec/vpim.md, spec/mms.md §3 "Outbound MM", §8).
//!
//! Audio becomes AMR-NB (the one voice format every MMS content class allows), the spoken name
//! and spoken subject each on their own slide before the message; a vCard gives the originator's
//! display name and travels as a text part; Importance maps to priority; a message with any
//! `Sensitivity` is refused with 5.6.0 (RFC 4356 §2.1.3.3).
use crate::config::ContentClass;
use crate::mail::Importance;
use crate::mail::vpim::{self, ReceivedAudio, VoiceRole};
use crate::mm::address::VpimAddress;
use crate::mm::{ContentType, Part};
use crate::voice::{self, Format};

use super::{Converted, Error, Limits, MmHead, Omission};

pub use super::Inward;

/// The MMS form of a mail originator: `+E164/TYPE=PLMN` when the mailbox is a number (a VPIM
/// mailbox or `+E164@…`), else the e-mail address (spec/mms.md §3 "Outbound MM").
pub fn mms_originator(address: &str) -> String {
    let bare = super::bare_address(address);
    if let Ok(v) = VpimAddress::parse(&bare)
        && let Some(n) = v.e164()
    {
        return format!("{}/TYPE=PLMN", n.as_str());
    }
    bare
}

fn audio_format(a: &ReceivedAudio) -> Result<Format, Error> {
    let mime = a.content_type.to_ascii_lowercase();
    let by_type = match mime.as_str() {
        "audio/32kadpcm" => Some(Format::Adpcm32k),
        "audio/basic" | "audio/pcmu" => Some(Format::ULaw),
        "audio/pcma" => Some(Format::ALaw),
        "audio/amr" => Some(Format::Amr),
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Some(Format::Wav),
        "audio/mpeg" | "audio/mp3" => Some(Format::Mp3),
        "audio/mp4" | "audio/aac" | "audio/3gpp" | "audio/m4a" => Some(Format::Mp4),
        _ => None,
    };
    match by_type {
        Some(f) => Ok(f),
        None => Ok(voice::detect(a.name.as_deref(), &a.bytes)?),
    }
}

/// Converts a VPIM v2 or IVM message into an MM4_forward.REQ for the MMSC; fax parts are
/// listed as omitted (no content class to draw them for: see [`voice_to_mm_in_class`]).
pub fn voice_to_mm(raw: &[u8], inw: &Inward, limits: &Limits) -> Result<Converted, Error> {
    voice_to_mm_in_class(raw, None, inw, limits)
}

/// Converts a VPIM v2 or IVM message into an MM4_forward.REQ for the MMSC; with the MMSC's
/// content class, the pages of its fax parts follow the voice as image slides (as fax mail's).
pub fn voice_to_mm_in_class(
    raw: &[u8],
    class: Option<&ContentClass>,
    inw: &Inward,
    limits: &Limits,
) -> Result<Converted, Error> {
    let v = vpim::parse(raw, &limits.mail).map_err(|e| match e {
        vpim::Error::NotVoiceMail => {
            Error::WrongKind { expected: "voice message", reason: e.to_string() }
        }
        other => Error::Corrupt(other.to_string()),
    })?;
    if let Some(r) = v.refusal() {
        return Err(Error::Refused { status: r.status, reason: r.reason });
    }
    let mut omissions = Vec::new();
    // Presentation order: spoken name, spoken subject, then the message (RFC 3801 App. B).
    let mut ordered: Vec<&ReceivedAudio> = Vec::new();
    ordered.extend(v.spoken_name());
    ordered.extend(v.spoken_subject());
    ordered.extend(v.message_audio());
    for a in &v.audio {
        if !ordered.iter().any(|o| std::ptr::eq(*o, a)) {
            ordered.push(a);
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    let options = voice::Options { limits: limits.voice.clone(), ..voice::Options::default() };
    for (i, a) in ordered.iter().enumerate() {
        let stem = match a.role {
            Some(VoiceRole::OriginatorSpokenName) => "name",
            Some(VoiceRole::SpokenSubject) => "subject",
            _ => "voice",
        };
        let label = a.name.clone().unwrap_or_else(|| format!("{stem}{}", i + 1));
        let converted =
            audio_format(a).and_then(|f| Ok(voice::convert(&a.bytes, f, Format::Amr, &options)?));
        match converted {
            Ok((_, enc, _)) => {
                let name = format!("{stem}{}.amr", i + 1);
                let mut p = Part::leaf(ContentType::new("audio/amr"), enc.bytes)
                    .with_content_id(&format!("<{name}>"))
                    .with_location(&name);
                p.name = Some(name);
                parts.push(p);
            }
            Err(e) => omissions.push(Omission {
                part: label,
                media_type: a.content_type.clone(),
                reason: format!("the audio cannot be converted to AMR-NB: {e}"),
            }),
        }
    }
    if parts.is_empty() {
        return Err(Error::NothingToCarry("no audio part could be converted".into()));
    }
    let card = v.vcards.first();
    let display = card.and_then(|c| c.display_name()).map(str::to_owned);
    if let Some(c) = card {
        let mut text = String::new();
        if let Some(n) = c.display_name() {
            text.push_str(n);
            text.push('\n');
        }
        for t in &c.tel {
            text.push_str(&format!("Tel: {t}\n"));
        }
        for e in &c.email {
            text.push_str(&format!("E-mail: {e}\n"));
        }
        if let Some(o) = &c.org {
            text.push_str(&format!("Org: {o}\n"));
        }
        // Right after the spoken name, so the sender's card shows with their name.
        let at = usize::from(v.spoken_name().is_some()).min(parts.len());
        parts.insert(
            at,
            Part::text(&text).with_content_id("<sender.txt>").with_location("sender.txt"),
        );
    }
    for (i, t) in v.texts.iter().enumerate() {
        let name = format!("text{}.txt", i + 1);
        parts.push(Part::text(t).with_content_id(&format!("<{name}>")).with_location(&name));
    }
    let mut pages = Vec::new();
    for (i, tiff) in v.fax.iter().enumerate() {
        let label = format!("fax document {}", i + 1);
        let read = match class {
            None => Err("no MMS content class to draw the pages for".to_owned()),
            Some(_) => crate::fax::tiff_read::read(tiff, &limits.fax).map_err(|e| e.to_string()),
        };
        match read {
            Ok(decoded) => pages.extend(
                decoded
                    .into_iter()
                    .enumerate()
                    .map(|(n, p)| (format!("{label} page {}", n + 1), p.page)),
            ),
            Err(why) => omissions.push(Omission {
                part: label,
                media_type: "image/tiff".into(),
                reason: format!("the fax pages cannot be shown: {why}"),
            }),
        }
    }
    if let Some(class) = class {
        // The voice and texts already built keep their room in the class's size.
        let reserve: u64 = parts.iter().map(|p| p.bytes().len() as u64 * 4 / 3 + 300).sum();
        parts.extend(super::from_fax::pages_to_parts(&pages, class, inw, reserve, &mut omissions));
    }
    for (i, _) in v.forwarded.iter().enumerate() {
        omissions.push(Omission {
            part: format!("forwarded message {}", i + 1),
            media_type: "message/rfc822".into(),
            reason: "MMS has no forwarded-message part".into(),
        });
    }
    for o in &v.others {
        omissions.push(Omission {
            part: o.name.clone().unwrap_or_else(|| "attachment".into()),
            media_type: o.content_type.clone(),
            reason: "not a media type the MMS content class carries".into(),
        });
    }
    let c = &v.common;
    let from_address = c.from.as_ref().map(|m| mms_originator(&m.address));
    // The vCard's name, else the display name of the mail's From.
    let display = display.or_else(|| c.from.as_ref().and_then(|m| m.name.clone()));
    let from_raw = match &from_address {
        Some(a) => super::with_display_name(a, display.as_deref()),
        None => inw.system_address.clone(),
    };
    let head = MmHead {
        from: from_raw,
        subject: c.subject.clone(),
        date: c.date,
        priority: c.importance.and_then(Importance::to_priority),
        read_reply: inw.reports
            && c.disposition_notification_to
                .as_ref()
                .is_some_and(|m| super::read_report_allowed(&m.address, &inw.mail_from)),
    };
    super::assemble(parts, head, inw, omissions)
}
