//! MM → VPIM v2 / IVM voice message (spec/vpim.md, spec/mms.md §8).
//!
//! Every voice part (AMR, WAV, MP3, AAC, G.711, G.726) is decoded to 8 kHz mono and the parts
//! are joined in SMIL order into one voice message: `audio/32kadpcm` for VPIM, µ-law
//! `audio/basic` for IVM. VPIM peers reject anything but audio, TIFF-F and message/rfc822, so
//! when the route's profile takes fax parts, images and text become one TIFF-F document (drawn
//! by `render`); otherwise they, and video always, are listed as omitted.
//!
//! The recipient is told what was left out where the message can say it: with fax parts, a last
//! fax page lists every omission ("Not included in this voice message"). VPIM has no text part
//! and a spoken notice would need speech synthesis, so a route without fax parts (IVM) cannot
//! tell the listener; the omissions are then only in the outcome (logs, `mm3gw convert`).
use crate::config::VoiceProfile;
use crate::mail::vcard::VCard;
use crate::mail::vpim::{self, Audio, AudioCoding, VoiceMail, VoiceRole};
use crate::mail::{Mailbox, Requests};
use crate::mm::address::MmsAddress;
use crate::mm::{Body, Mm4};
use crate::render::image_to_fax::{ImageOptions, image_to_pages};
use crate::render::text::{TextOptions, text_to_pages};
use crate::voice::{self, g711, g726};

use super::{Converted, Error, Limits, Omission, part_label, presentation_order};

/// What the caller decides for the outbound message.
#[derive(Debug, Clone)]
pub struct Outward {
    /// Unix seconds: `Date` when the MM has none, and the `Received` stamp.
    pub now: i64,
    /// The Message-ID to carry (without brackets): the gateway's report token.
    pub message_id: String,
    /// Our domain: an E.164 originator becomes `+E164@<gateway_domain>` (spec/mms.md §8).
    pub gateway_domain: String,
    /// Our system mailbox: `From` when the MM's originator is not a number or a mailbox.
    pub system_address: String,
    /// The voice mailboxes, already qualified with the peer's domain.
    pub recipients: Vec<String>,
    /// Where MDNs go when the MM asked for a read reply (`Disposition-Notification-To`).
    pub mdn_to: Option<String>,
}

/// Converts an MM4_forward.REQ into a VPIM v2 or IVM message.
pub fn mm_to_voice(
    mm: &Mm4,
    profile: &VoiceProfile,
    out: &Outward,
    limits: &Limits,
) -> Result<Converted, Error> {
    // The profile's shape (config checks it agrees with the route's `convert`).
    let kind = if profile.is_vpim() { vpim::Profile::Vpim } else { vpim::Profile::Ivm };
    let leaves = mm.leaves();
    let mut omissions = Vec::new();
    let mut pcm: Vec<i16> = Vec::new();
    let max_secs = limits.max_audio_secs.min(profile.max_audio_s.max(1));
    let max_samples = u64::from(max_secs) * u64::from(voice::RATE_8K);
    let mut carried = 0usize;
    let mut fax_pages: Vec<crate::fax::Page> = Vec::new();
    for i in presentation_order(mm) {
        let p = leaves[i];
        let mime = p.content_type.mime.to_ascii_lowercase();
        let omit = |reason: &str| Omission {
            part: part_label(p, i),
            media_type: mime.clone(),
            reason: reason.to_owned(),
        };
        if profile.fax_parts {
            // The route takes fax parts: images and text become TIFF-F pages (never text/plain
            // inside VPIM, spec/vpim.md).
            match (p.content_type.main_type(), &p.body) {
                ("image", _) => {
                    match image_to_pages(p.bytes(), &ImageOptions::default()) {
                        Ok(r) => fax_pages.extend(r.pages),
                        Err(e) => {
                            omissions.push(omit(&format!("the image cannot be rendered: {e}")))
                        }
                    }
                    continue;
                }
                ("text", Body::Text(t)) => {
                    match text_to_pages(t, None, &TextOptions::default()) {
                        Ok(r) => fax_pages.extend(r.pages),
                        Err(e) => {
                            omissions.push(omit(&format!("the text cannot be rendered: {e}")))
                        }
                    }
                    continue;
                }
                _ => {}
            }
        }
        if p.content_type.main_type() != "audio" {
            let why = match p.content_type.main_type() {
                "text" if kind == vpim::Profile::Ivm => {
                    "IVM carries only voice, and this route takes no fax parts"
                }
                "text" => {
                    "VPIM carries no text parts (spec/vpim.md) and this route takes no fax parts"
                }
                "image" => "this route takes no fax parts, so images cannot travel",
                "video" => "video cannot travel in voice mail",
                _ => "not audio: voice mail peers accept only audio, TIFF-F and message/rfc822",
            };
            omissions.push(omit(why));
            continue;
        }
        if matches!(mime.as_str(), "audio/sp-midi" | "audio/midi" | "audio/mid" | "audio/x-midi") {
            omissions.push(omit("MIDI is synthesiser music, not recorded sound: no voice to play"));
            continue;
        }
        let bytes = match &p.body {
            Body::Bytes(b) => b.as_slice(),
            Body::Text(t) => t.as_bytes(),
            Body::Multipart(_) => continue,
        };
        let mut warnings = Vec::new();
        let decoded = voice::detect(p.name.as_deref(), bytes)
            .and_then(|f| voice::read(bytes, f, &limits.voice, &mut warnings))
            .and_then(|(_, source)| voice::to_8k_mono(&source));
        match decoded {
            Ok(samples) if !samples.is_empty() => {
                if pcm.len() as u64 + samples.len() as u64 > max_samples {
                    return Err(Error::Limit(format!(
                        "more than {max_secs} s of audio for one voice message"
                    )));
                }
                pcm.extend_from_slice(&samples);
                carried += 1;
            }
            Ok(_) => omissions.push(omit("the audio part holds no samples")),
            Err(e) => omissions.push(omit(&format!("the audio cannot be decoded: {e}"))),
        }
    }
    if carried == 0 {
        return Err(Error::NothingToCarry("the MM has no audio a voice mailbox can play".into()));
    }
    if pcm.len() % 2 == 1 {
        // 32kadpcm packs two samples per octet (RFC 3802 §4).
        pcm.push(0);
    }
    // The profile names the audio (config checks VPIM's is 32kadpcm); IVM MAY carry 32kadpcm
    // toward peers known to play it (RFC 4239 §7).
    let (coding, bytes) = if profile.audio == "audio/basic" {
        (AudioCoding::MuLaw, g711::encode_all(g711::Law::Mu, &pcm))
    } else {
        (AudioCoding::Adpcm32k, g726::encode_linear_32k(&pcm, g726::Packing::Rfc3802))
    };
    let e = &mm.elements;
    let originator = match e.from.as_ref().and_then(|f| f.address.as_ref()) {
        Some(MmsAddress::Plmn(n)) if n.starts_with('+') => {
            Some((n.clone(), format!("{n}@{}", out.gateway_domain)))
        }
        Some(MmsAddress::Email(a)) => Some((String::new(), a.clone())),
        _ => None,
    };
    let from_address =
        originator.as_ref().map(|(_, a)| a.clone()).unwrap_or(out.system_address.clone());
    let head =
        super::outward_head(mm, &from_address, &out.message_id, &out.gateway_domain, out.now);
    let vcard = originator.as_ref().filter(|_| profile.vcard && kind == vpim::Profile::Vpim).map(
        |(number, address)| VCard {
            name: None,
            tel: if number.is_empty() { vec![] } else { vec![number.clone()] },
            email: vec![address.clone()],
            org: None,
        },
    );
    let requests = Requests {
        // The gateway adds the DSN parameters to the envelope itself (gateway::process).
        dsn_envid: None,
        mdn_to: (e.read_reply == Some(true))
            .then(|| out.mdn_to.clone())
            .flatten()
            .map(Mailbox::new),
    };
    if profile.fax_parts && !omissions.is_empty() {
        // Tell the recipient on a last fax page what the voice message does not carry.
        let mut notice = String::from("Not included in this voice message:\n");
        for o in &omissions {
            notice.push_str(&format!("- {o}\n"));
        }
        match text_to_pages(&notice, None, &TextOptions::default()) {
            Ok(r) => fax_pages.extend(r.pages),
            Err(e) => omissions.push(Omission {
                part: "notice".into(),
                media_type: "text/plain".into(),
                reason: format!("the list of omissions cannot be drawn: {e}"),
            }),
        }
    }
    let mut fax = Vec::new();
    if !fax_pages.is_empty() {
        match crate::fax::tiff_write::to_vec(
            &fax_pages,
            &crate::fax::tiff_write::WriteOptions::default(),
        ) {
            Ok(tiff) => fax.push(tiff),
            Err(e) => omissions.push(Omission {
                part: "fax pages".into(),
                media_type: "image/tiff".into(),
                reason: format!("the TIFF-F document cannot be written: {e}"),
            }),
        }
    }
    let msg = VoiceMail {
        head,
        mail_from: super::return_path(mm, &out.gateway_domain, &out.system_address),
        recipients: out.recipients.clone(),
        audio: vec![Audio {
            role: VoiceRole::VoiceMessage,
            coding,
            bytes,
            duration_secs: None,
            filename: None,
            language: None,
        }],
        fax,
        forwarded: Vec::new(),
        vcard,
        private: false,
        requests,
    };
    let built = vpim::build(&msg, kind).map_err(|e| Error::Mail(e.to_string()))?;
    Ok(Converted { envelope: built.envelope.envelope, bytes: built.bytes, omissions })
}
