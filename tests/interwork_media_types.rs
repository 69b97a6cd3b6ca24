//! Nothing is silently lost (issue 6, Done when): an MM carrying one part of every media type
//! the OMA MMS content classes allow (the union of `formats` over profiles/*.toml, so a format
//! added there is tested here) goes to fax mail, VPIM v2 and IVM. Every part is either carried
//! (an image or text on fax pages, audio in the voice) or listed in the outcome's omissions,
//! and the recipient is shown the list where the format can show it: on the fax cover page
//! (and in the text part when the route asks for one), on a last fax page of the VPIM message.
//! IVM carries only voice, so its listener cannot be told (README, Interworking).
mod common;

use std::collections::BTreeSet;

use mm3gw::config::{CONTENT_CLASSES, Profiles};
use mm3gw::fax::Page;
use mm3gw::interwork::to_fax::{self, TextMode};
use mm3gw::interwork::{Converted, Limits, to_voice};
use mm3gw::mail::{t37, vpim};
use mm3gw::mm::{self, Mm4};
use mm3gw::render::text::{Cover, TextOptions, text_to_pages};

const NOW: i64 = 1_764_000_000;

fn media(path: &str) -> Vec<u8> {
    std::fs::read(common::root().join(path)).unwrap()
}

/// Every media type of every content class, except the presentation itself.
fn class_formats() -> BTreeSet<String> {
    let profiles = Profiles::embedded().unwrap();
    let mut all = BTreeSet::new();
    for name in CONTENT_CLASSES {
        all.extend(profiles.content_class(name).unwrap().formats.iter().cloned());
    }
    all.remove("application/smil");
    all
}

/// A sample of a media type: third-party files where there are some, else a minimal body.
fn sample(mime: &str) -> (String, Vec<u8>) {
    let (name, bytes) = match mime {
        "text/plain" => ("note.txt", b"Text part MARKER-PLAIN.\r\n".to_vec()),
        "image/jpeg" => ("photo.jpg", media("samples/interop/images/jpeg/photo-small.jpg")),
        "image/gif" => ("anim.gif", media("samples/interop/images/gif/animated.gif")),
        "image/png" => ("chart.png", media("samples/interop/images/png/palette.png")),
        "image/vnd.wap.wbmp" => ("icon.wbmp", media("samples/interop/images/wbmp/mono.wbmp")),
        "audio/amr" => ("voice.amr", media("samples/interop/audio/speech.amr-4k75.amr")),
        "video/3gpp" => ("clip.3gp", media("samples/interwork/media/clip.3gp")),
        "text/x-vcard" => (
            "card.vcf",
            b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:MARKER-VCARD\r\nTEL:+4917012345\r\nEND:VCARD\r\n"
                .to_vec(),
        ),
        "text/x-vcalendar" => (
            "meeting.vcs",
            b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:MARKER-VCAL\r\n\
              DTSTART:20240705T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                .to_vec(),
        ),
        "audio/sp-midi" => {
            let track = [0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00];
            let mut b = b"MThd\0\0\0\x06\0\0\0\x01\0\x60MTrk\0\0\0\x0c".to_vec();
            b.extend_from_slice(&track);
            ("tune.mid", b)
        }
        "application/xhtml+xml" => (
            "page.xhtml",
            b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body>\
              <p>MARKER-XHTML</p></body></html>"
                .to_vec(),
        ),
        "application/vnd.oma.drm.message" => (
            "locked.dm",
            b"--drm\r\nContent-Type: text/plain\r\n\r\nforward-locked\r\n--drm--\r\n".to_vec(),
        ),
        other => panic!("{other}: a content class allows it, give this test a sample"),
    };
    (name.to_owned(), bytes)
}

/// The MM: one base64 part per media type, named so the omissions can be matched.
fn every_type_mm() -> (Mm4, Vec<(String, String)>) {
    let mut parts = Vec::new();
    let mut body = String::new();
    for mime in class_formats() {
        let (name, bytes) = sample(&mime);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let lines: Vec<&str> =
            b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
        body.push_str(&format!(
            "--b\r\nContent-Type: {mime}; name={name}\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Location: {name}\r\n\r\n{}\r\n",
            lines.join("\r\n")
        ));
        parts.push((name, mime));
    }
    let raw = format!(
        "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_forward.REQ\r\n\
         X-Mms-Transaction-ID: T-1\r\nX-Mms-Message-ID: M-1@mmsc.example\r\n\
         From: +4917012345/TYPE=PLMN\r\nTo: +12125550100/TYPE=PLMN\r\n\
         Date: Mon, 24 Nov 2025 10:00:00 +0000\r\nSubject: Every type\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n{body}--b--\r\n"
    );
    (mm::parse(raw.as_bytes(), &mm::Limits::default()).unwrap().mm, parts)
}

fn pages(tiff: &[u8]) -> Vec<Page> {
    mm3gw::fax::tiff_read::read(tiff, &Default::default())
        .unwrap()
        .into_iter()
        .map(|d| {
            let mut p = d.page;
            p.resolution = None;
            p
        })
        .collect()
}

fn drawn(body: &str, cover: Option<&Cover>) -> Vec<Page> {
    text_to_pages(body, cover, &TextOptions::default())
        .unwrap()
        .pages
        .into_iter()
        .map(|mut p| {
            p.resolution = None;
            p
        })
        .collect()
}

fn omitted<'a>(c: &'a Converted, name: &str) -> Option<&'a str> {
    c.omissions.iter().find(|o| o.part == name).map(|o| o.reason.as_str())
}

fn to_fax(mm: &Mm4, mode: TextMode) -> Converted {
    let out = common::interwork::fax_outward(NOW, mode);
    to_fax::mm_to_fax(mm, &common::interwork::fax_profile("tiff-f-s"), &out).unwrap()
}

#[test]
fn every_content_class_type_to_fax_is_printed_or_listed_on_the_cover() {
    let (mm, parts) = every_type_mm();
    let both = to_fax(&mm, TextMode::Both);
    let fax = t37::parse(&both.bytes, &Default::default()).unwrap();
    let text = &fax.texts[0];
    let pages = pages(&fax.documents[0].tiff);
    let mut images = 0;
    for (name, mime) in &parts {
        match omitted(&both, name) {
            Some(reason) => {
                assert!(!mime.starts_with("image/"), "{name} ({mime}) omitted: {reason}");
                assert!(
                    text.contains(&format!("- {name} ({mime}): {reason}")),
                    "{name} not listed in\n{text}"
                );
            }
            None if mime.starts_with("image/") => images += 1,
            None => {
                // Text-like parts are printed: their marker is in the text the cover shows.
                assert!(mime.starts_with("text/"), "{name} ({mime}) neither carried nor listed");
                let marker = String::from_utf8(sample(mime).1).unwrap();
                let marker = marker.split("MARKER").nth(1).map(|m| &m[..5]).unwrap_or("");
                assert!(text.contains(&format!("MARKER{marker}")), "{name} not printed");
            }
        }
    }
    assert_eq!(images, 4, "JPEG, GIF, PNG and WBMP each become a page");
    for kind in ["audio/amr", "audio/sp-midi", "video/3gpp", "application/xhtml+xml"] {
        assert!(both.omissions.iter().any(|o| o.media_type == kind), "{kind} not listed");
    }
    // What the recipient sees: the cover pages are the text (with the list) drawn under the
    // cover block, pixel for pixel, followed by one page per image.
    let cover = Cover {
        from: "+4917012345".into(),
        to: "FAX=+12125550100@offramp.test".into(),
        date: "Mon, 24 Nov 2025 10:00:00 +0000".into(),
        subject: "Every type".into(),
    };
    let expected_cover = drawn(text, Some(&cover));
    assert_eq!(pages.len(), expected_cover.len() + images);
    assert!(pages[..expected_cover.len()] == expected_cover[..], "the cover shows the list");
    // Cover mode draws the same cover and sends no text part.
    let cover_only = to_fax(&mm, TextMode::Cover);
    let fax = t37::parse(&cover_only.bytes, &Default::default()).unwrap();
    assert!(fax.texts.is_empty());
    assert_eq!(self::pages(&fax.documents[0].tiff), pages);
    assert_eq!(cover_only.omissions, both.omissions);
}

fn to_voice(mm: &Mm4, profile: &str) -> Converted {
    let out = to_voice::Outward {
        now: NOW,
        message_id: "m3.token@mm3gw.test".into(),
        gateway_domain: "mm3gw.test".into(),
        system_address: "system-user@mm3gw.test".into(),
        recipients: vec!["+12125550100@vm.test".into()],
        mdn_to: None,
    };
    to_voice::mm_to_voice(mm, &common::interwork::voice_profile(profile), &out, &Limits::default())
        .unwrap()
}

#[test]
fn every_content_class_type_to_vpim_is_voiced_drawn_or_listed_on_a_fax_page() {
    let (mm, parts) = every_type_mm();
    let c = to_voice(&mm, "vpim-v2");
    let v = vpim::parse(&c.bytes, &Default::default()).unwrap();
    assert_eq!(v.audio.len(), 1, "the AMR part is the voice message");
    assert!(v.texts.is_empty(), "never text/plain inside VPIM");
    let mut drawn_parts = 0;
    for (name, mime) in &parts {
        match omitted(&c, name) {
            Some(_) => assert!(
                !mime.starts_with("image/") && !mime.starts_with("text/") && mime != "audio/amr",
                "{name} ({mime}) should have been carried"
            ),
            None if mime == "audio/amr" => {}
            None => {
                assert!(mime.starts_with("image/") || mime.starts_with("text/"), "{name}");
                drawn_parts += 1;
            }
        }
    }
    for kind in ["audio/sp-midi", "video/3gpp", "application/xhtml+xml"] {
        assert!(c.omissions.iter().any(|o| o.media_type == kind), "{kind} not listed");
    }
    // The fax part: one or more pages per image/text part, then the list of omissions.
    let fax = pages(&v.fax[0]);
    let mut notice = String::from("Not included in this voice message:\n");
    for o in &c.omissions {
        notice.push_str(&format!("- {o}\n"));
    }
    let notice_pages = drawn(&notice, None);
    assert!(fax.len() >= drawn_parts + notice_pages.len());
    assert!(fax[fax.len() - notice_pages.len()..] == notice_pages[..], "the last page lists them");
}

#[test]
fn every_content_class_type_to_ivm_keeps_the_voice_and_lists_the_rest() {
    let (mm, parts) = every_type_mm();
    let c = to_voice(&mm, "ivm");
    let v = vpim::parse(&c.bytes, &Default::default()).unwrap();
    assert_eq!(v.audio.len(), 1);
    assert!(v.fax.is_empty() && v.texts.is_empty());
    for (name, mime) in &parts {
        if mime != "audio/amr" {
            assert!(omitted(&c, name).is_some(), "{name} ({mime}) silently dropped");
        }
    }
    assert_eq!(c.omissions.len(), parts.len() - 1);
}
