//! MM ↔ voice mail (VPIM v2 / IVM) through `interwork`: the outputs are read by tools nobody here
//! wrote (Python's `email` package finds no defects and extracts the audio; ffmpeg decodes it
//! with the right duration), each information element of spec/mms.md §8 maps as the README
//! table says, and MM → VPIM → MM keeps the audio duration and the originator.
mod common;

use common::interwork::{forward_req, inward, leaf, voice_profile};

use std::path::{Path, PathBuf};
use std::process::Command;

use mm3gw::config::{Profiles, VoiceProfile};
use mm3gw::interwork::from_voice;
use mm3gw::interwork::to_voice::{self, Outward};
use mm3gw::interwork::{Error, Limits};
use mm3gw::mail::vpim;
use mm3gw::mm::{self, Body, Part, Priority};
use mm3gw::voice::{amr, wav};

const NOW: i64 = 1_764_000_000;
/// The voice mailbox the MMs are addressed to.
const TO: &str = "+4930123/TYPE=PLMN";

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mm3gw-interwork-voice-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn tone(secs_ms: u32, rate: u32) -> Vec<i16> {
    let n = (u64::from(secs_ms) * u64::from(rate) / 1000) as usize;
    (0..n)
        .map(|i| {
            ((i as f64 * 2.0 * std::f64::consts::PI * 440.0 / f64::from(rate)).sin() * 8000.0)
                as i16
        })
        .collect()
}

fn amr_clip(ms: u32) -> Vec<u8> {
    amr::encode(&tone(ms, 8000), amr::Mode::MR122, false).unwrap()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::GrayImage::from_fn(w, h, |x, y| image::Luma([((x + y) % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn wav_clip(ms: u32, rate: u32) -> Vec<u8> {
    wav::write_pcm16(&tone(ms, rate), rate, 1).unwrap()
}

fn outward() -> Outward {
    Outward {
        now: NOW,
        message_id: "m3.token@mm3gw.test".into(),
        gateway_domain: "mm3gw.test".into(),
        system_address: "system-user@mm3gw.test".into(),
        recipients: vec!["+4930123@vm.example".into()],
        mdn_to: Some("system-user@mm3gw.test".into()),
    }
}

/// Python's view of a message: its defects and the decoded audio parts written to files.
fn python_read(raw: &[u8], tag: &str) -> Option<(String, Vec<(String, PathBuf)>)> {
    if !common::require_tool("python3", "--version") {
        return None;
    }
    let input = scratch(&format!("{tag}.eml"));
    std::fs::write(&input, raw).unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            "import email,sys,os\n\
             m=email.message_from_binary_file(open(sys.argv[1],'rb'))\n\
             print('DEFECTS', [str(d) for p in m.walk() for d in p.defects])\n\
             for i,p in enumerate(m.walk()):\n\
             \x20 if p.get_content_maintype()=='audio':\n\
             \x20\x20 f=sys.argv[1]+'.%d'%i\n\
             \x20\x20 open(f,'wb').write(p.get_payload(decode=True))\n\
             \x20\x20 print('AUDIO', p.get_content_type(), f)\n",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let defects = text.lines().find_map(|l| l.strip_prefix("DEFECTS ")).unwrap().to_owned();
    let audio = text
        .lines()
        .filter_map(|l| l.strip_prefix("AUDIO "))
        .map(|l| {
            let (t, f) = l.split_once(' ').unwrap();
            (t.to_owned(), PathBuf::from(f))
        })
        .collect();
    Some((defects, audio))
}

/// Seconds ffmpeg decodes from a voice part, the test failing when it cannot.
fn ffmpeg_secs(file: &Path, content_type: &str) -> f64 {
    common::ffmpeg_secs(file, content_type).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_secs(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 0.020, "{what}: {got:.3} s, want {want:.3} s ±20 ms");
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next().unwrap();
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn mm_to_vpim_joins_every_voice_part_and_lists_the_rest() {
    let mm = forward_req(
        TO,
        "Subject: Hallo \u{e4}\r\nX-Mms-Priority: High\r\nX-Mms-Read-Reply: Yes\r\nX-Mms-Delivery-Report: Yes\r\nX-Mms-Expiry: 86400\r\n",
        vec![
            leaf("audio/amr", "a.amr", amr_clip(1500)),
            Part::text("see the picture"),
            leaf("image/jpeg", "p.jpg", jpeg(320, 240)),
            leaf("audio/wav", "b.wav", wav_clip(2000, 16000)),
            leaf("video/3gpp", "v.3gp", vec![0; 16]),
        ],
    );
    let c = to_voice::mm_to_voice(&mm, &voice_profile("vpim-v2"), &outward(), &Limits::default())
        .unwrap();
    let text = String::from_utf8_lossy(&c.bytes).into_owned();
    // The profile takes fax parts: text and image become one TIFF-F document; video is omitted.
    let omitted: Vec<&str> = c.omissions.iter().map(|o| o.media_type.as_str()).collect();
    assert_eq!(omitted, ["video/3gpp"], "{:?}", c.omissions);
    let v = vpim::parse(&c.bytes, &Default::default()).unwrap();
    assert_eq!(v.fax.len(), 1);
    assert!(mm3gw::fax::check::check(&v.fax[0], mm3gw::fax::check::Profile::S).is_empty());
    let pages = mm3gw::fax::tiff_read::read(&v.fax[0], &Default::default()).unwrap();
    assert_eq!(pages.len(), 3, "a text page, a picture page and the list of what was left out");
    assert!(c.omissions.iter().all(|o| !o.reason.is_empty()));
    // IE rows: recipients, originator, subject, priority, read reply, expiry, message id.
    assert_eq!(c.envelope.rcpt_to, ["+4930123@vm.example"]);
    assert_eq!(c.envelope.mail_from, "+4917012345@mm3gw.test");
    assert_eq!(header(&text, "From"), Some("+4917012345@mm3gw.test"));
    assert!(header(&text, "Subject").unwrap().starts_with("=?"), "RFC 2047 subject");
    assert_eq!(header(&text, "Importance"), Some("high"));
    assert_eq!(header(&text, "Disposition-Notification-To"), Some("system-user@mm3gw.test"));
    assert_eq!(header(&text, "Message-ID"), Some("<m3.token@mm3gw.test>"));
    assert!(header(&text, "Received").unwrap().contains("with MMS"));
    for h in [
        "X-Mms-Expiry",
        "X-Mms-Priority",
        "X-Mms-Delivery-Report",
        "X-Mms-Read-Reply",
        "Expiry-Date",
    ] {
        assert_eq!(header(&text, h), None, "{h} must not travel");
    }
    assert!(text.contains("multipart/voice-message; version=2.0"));
    assert!(!text.contains("text/plain"), "never text inside VPIM");
    let Some((defects, audio)) = python_read(&c.bytes, "vpim") else { return };
    assert_eq!(defects, "[]");
    assert_eq!(audio.len(), 1, "one voice message");
    assert_eq!(audio[0].0, "audio/32kadpcm");
    if common::require_tool("ffmpeg", "-version") {
        assert_secs(ffmpeg_secs(&audio[0].1, "audio/32kadpcm"), 3.5, "joined voice");
    }
    assert_eq!(header(&text, "Content-Duration"), None, "per part, not top level");
    assert!(text.contains("Content-Duration: 4"), "3.5 s rounds up");
}

#[test]
fn mm_to_ivm_is_mulaw_in_multipart_mixed() {
    let mm = forward_req(
        TO,
        "X-Mms-Priority: Low\r\nX-Mms-Message-Class: Auto\r\n",
        vec![leaf("audio/amr", "a.amr", amr_clip(1000)), Part::text("hello")],
    );
    let c =
        to_voice::mm_to_voice(&mm, &voice_profile("ivm"), &outward(), &Limits::default()).unwrap();
    let text = String::from_utf8_lossy(&c.bytes).into_owned();
    assert!(text.contains("Content-Type: multipart/mixed"));
    // The IVM profile takes no fax parts: the text is listed, not sent.
    assert_eq!(c.omissions.len(), 1, "{:?}", c.omissions);
    assert_eq!(c.omissions[0].media_type, "text/plain");
    assert_eq!(header(&text, "Importance"), Some("low"));
    assert_eq!(header(&text, "Precedence"), Some("bulk"), "class Auto");
    assert_eq!(header(&text, "Disposition-Notification-To"), None, "no read reply asked");
    assert!(text.contains("Content-Type: audio/basic"), "RFC 4239 §7's default");
    // An IVM profile naming 32kadpcm (peers known to play it) gets it, still multipart/mixed.
    let adpcm = VoiceProfile { audio: "audio/32kadpcm".into(), ..voice_profile("ivm") };
    let c32 = to_voice::mm_to_voice(&mm, &adpcm, &outward(), &Limits::default()).unwrap();
    let t32 = String::from_utf8_lossy(&c32.bytes).into_owned();
    assert!(t32.contains("Content-Type: multipart/mixed"), "{t32}");
    assert!(t32.contains("Content-Type: audio/32kadpcm"), "{t32}");
    assert!(!t32.contains("audio/basic"), "{t32}");
    let Some((defects, audio)) = python_read(&c.bytes, "ivm") else { return };
    assert_eq!(defects, "[]");
    assert_eq!(audio[0].0, "audio/basic");
    if common::require_tool("ffmpeg", "-version") {
        assert_secs(ffmpeg_secs(&audio[0].1, "audio/basic"), 1.0, "IVM voice");
    }
}

#[test]
fn normal_priority_sends_no_importance_and_no_audio_is_refused() {
    let mm = forward_req(
        TO,
        "X-Mms-Priority: Normal\r\n",
        vec![leaf("audio/amr", "a.amr", amr_clip(200))],
    );
    let c = to_voice::mm_to_voice(&mm, &voice_profile("vpim-v2"), &outward(), &Limits::default())
        .unwrap();
    assert_eq!(header(&String::from_utf8_lossy(&c.bytes), "Importance"), None);
    let mm = forward_req(TO, "", vec![Part::text("only text")]);
    let e = to_voice::mm_to_voice(&mm, &voice_profile("vpim-v2"), &outward(), &Limits::default())
        .unwrap_err();
    assert!(matches!(e, Error::NothingToCarry(_)), "{e}");
    // Undecodable audio is listed, not dropped silently.
    let mm = forward_req(
        TO,
        "",
        vec![
            leaf("audio/amr", "a.amr", amr_clip(200)),
            leaf("audio/amr", "bad.amr", b"#!AMR\n".to_vec()),
        ],
    );
    let c = to_voice::mm_to_voice(&mm, &voice_profile("vpim-v2"), &outward(), &Limits::default())
        .unwrap();
    assert_eq!(c.omissions.len(), 1, "{:?}", c.omissions);
    assert_eq!(c.omissions[0].part, "bad.amr");
}

fn vpim_message(extra: &[(&str, &str)], with_name: bool, dnt: bool) -> Vec<u8> {
    use mm3gw::mail::vcard::VCard;
    use mm3gw::mail::{Head, Importance, Mailbox, Requests};
    use mm3gw::voice::g726;
    let adpcm = |ms| g726::encode_linear_32k(&tone(ms, 8000), g726::Packing::Rfc3802);
    let mut head = Head::new(Mailbox::new("+12125550100@vm.example"), NOW - 60, "v1@vm.example");
    head.subject = Some("Call me".into());
    head.importance = Some(Importance::High);
    head.extra = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut audio = vec![vpim::Audio {
        role: vpim::VoiceRole::VoiceMessage,
        coding: vpim::AudioCoding::Adpcm32k,
        bytes: adpcm(2400),
        duration_secs: None,
        filename: None,
        language: None,
    }];
    if with_name {
        audio.push(vpim::Audio {
            role: vpim::VoiceRole::OriginatorSpokenName,
            coding: vpim::AudioCoding::Adpcm32k,
            bytes: adpcm(800),
            duration_secs: None,
            filename: None,
            language: None,
        });
    }
    let msg = vpim::VoiceMail {
        head,
        mail_from: "+12125550100@vm.example".into(),
        recipients: vec!["+4917012345@mm3gw.test".into()],
        audio,
        fax: vec![],
        forwarded: vec![],
        vcard: Some(VCard {
            name: Some("Jane Doe".into()),
            tel: vec!["+12125550100".into()],
            email: vec![],
            org: None,
        }),
        private: false,
        requests: Requests {
            dsn_envid: None,
            mdn_to: dnt.then(|| Mailbox::new("+12125550100@vm.example")),
        },
    };
    vpim::build(&msg, vpim::Profile::Vpim).unwrap().bytes
}

#[test]
fn vpim_to_mm_keeps_name_subject_card_priority() {
    let raw = vpim_message(&[], true, true);
    let c = from_voice::voice_to_mm(
        &raw,
        &inward(NOW, "+12125550100@vm.example", true),
        &Limits::default(),
    )
    .unwrap();
    assert!(c.omissions.is_empty(), "{:?}", c.omissions);
    // spec/mms.md §3 "Outbound MM": the originator qualified with our domain.
    assert_eq!(c.envelope.mail_from, "+12125550100/TYPE=PLMN@mm3gw.test");
    assert_eq!(c.envelope.rcpt_to, ["+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"]);
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    let e = &mm.elements;
    assert_eq!(mm.message_type, mm::MessageType::ForwardReq);
    assert_eq!(e.from.as_ref().unwrap().raw, "\"Jane Doe\" <+12125550100/TYPE=PLMN>");
    assert_eq!(e.to[0].raw, "+4917012345/TYPE=PLMN");
    assert_eq!(e.subject.as_deref(), Some("Call me"));
    assert_eq!(e.priority, Some(Priority::High));
    assert_eq!(e.message_class, Some(mm::MessageClass::Personal));
    assert_eq!(e.delivery_report, Some(true));
    assert_eq!(e.read_reply, Some(true), "Disposition-Notification-To → read reply");
    // RFC 3798 §2.1: no automatic MDN to an address other than the return path.
    let other =
        from_voice::voice_to_mm(&raw, &inward(NOW, "other@vm.example", true), &Limits::default());
    let other = mm::parse(&other.unwrap().bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(other.elements.read_reply, Some(false), "DNT is not the return path");
    assert_eq!(e.expiry, None, "no DELIVER-BY, no expiry");
    assert_eq!(e.message_id.as_ref().unwrap().raw(), "m9.token@mm3gw.test");
    assert_eq!(e.originator_system.as_deref(), Some("system-user@mm3gw.test"));
    assert_eq!(mm.presentation, mm::Presentation::Smil);
    // Slide 1: spoken name (+ the card text), slide 2: the message.
    assert_eq!(mm.slides.len(), 2, "{:?}", mm.slides);
    let leaves = mm.leaves();
    let kinds: Vec<&str> = leaves.iter().map(|p| p.content_type.mime.as_str()).collect();
    assert_eq!(kinds, ["application/smil", "audio/amr", "text/plain", "audio/amr"]);
    assert!(
        matches!(&leaves[2].body, Body::Text(t) if t.contains("Jane Doe") && t.contains("+12125550100"))
    );
    let Some((defects, audio)) = python_read(&c.bytes, "vpim2mm") else { return };
    assert_eq!(defects, "[]");
    if common::require_tool("ffmpeg", "-version") {
        assert_secs(ffmpeg_secs(&audio[0].1, "audio/amr"), 0.8, "spoken name");
        assert_secs(ffmpeg_secs(&audio[1].1, "audio/amr"), 2.4, "voice message");
    }
}

#[test]
fn vpim_class_and_refusals() {
    // A null return path makes the MM class Auto; no DNT, no read reply.
    let raw = vpim_message(&[], false, false);
    let mut inw = inward(NOW, "", true);
    inw.delivery_report = false;
    let c = from_voice::voice_to_mm(&raw, &inw, &Limits::default()).unwrap();
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm.elements.message_class, Some(mm::MessageClass::Auto));
    assert_eq!(mm.elements.read_reply, Some(false));
    assert_eq!(mm.elements.delivery_report, Some(false));
    // Sensitivity of any value: 5.6.0 (RFC 4356 §2.1.3.3).
    let raw = vpim_message(&[("Sensitivity", "Personal")], false, false);
    match from_voice::voice_to_mm(&raw, &inward(NOW, "a@b", true), &Limits::default()) {
        Err(Error::Refused { status, .. }) => assert_eq!(status, "5.6.0"),
        other => panic!("{other:?}"),
    }
    // Not voice mail at all.
    let raw = b"From: a@b\r\nSubject: x\r\n\r\nhello\r\n";
    assert!(matches!(
        from_voice::voice_to_mm(raw, &inward(NOW, "a@b", true), &Limits::default()),
        Err(Error::WrongKind { .. })
    ));
    // Over the content class's size.
    let mut small = inward(NOW, "a@b", true);
    small.max_message_bytes = 1000;
    assert!(matches!(
        from_voice::voice_to_mm(&vpim_message(&[], false, false), &small, &Limits::default()),
        Err(Error::Limit(_))
    ));
}

#[test]
fn mm_to_vpim_to_mm_keeps_duration_and_originator() {
    let mm = forward_req(
        TO,
        "Subject: round trip\r\n",
        vec![
            leaf("audio/amr", "a.amr", amr_clip(1200)),
            leaf("audio/amr", "b.amr", amr_clip(1000)),
        ],
    );
    let v = to_voice::mm_to_voice(&mm, &voice_profile("vpim-v2"), &outward(), &Limits::default())
        .unwrap();
    let back = from_voice::voice_to_mm(
        &v.bytes,
        &inward(NOW, "+4917012345@mm3gw.test", true),
        &Limits::default(),
    )
    .unwrap();
    let mm2 = mm::parse(&back.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm2.elements.from.as_ref().unwrap().raw, "\"+4917012345\" <+4917012345/TYPE=PLMN>");
    assert_eq!(mm2.elements.subject.as_deref(), Some("round trip"));
    let amr: Vec<&Part> =
        mm2.leaves().into_iter().filter(|p| p.content_type.mime == "audio/amr").collect();
    assert_eq!(amr.len(), 1);
    assert!(amr::summarize(amr[0].bytes()).is_ok());
    let Some((_, audio)) = python_read(&back.bytes, "roundtrip") else { return };
    if common::require_tool("ffmpeg", "-version") {
        assert_secs(ffmpeg_secs(&audio[0].1, "audio/amr"), 2.2, "round trip");
    }
}

#[test]
fn vpim_fax_parts_become_image_slides_when_the_class_is_known() {
    let raw = std::fs::read(common::root().join("samples/mail/vpim-name-vcard-fax.eml")).unwrap();
    let class = Profiles::embedded().unwrap().content_class("image-rich").unwrap().clone();
    let inw = inward(NOW, "vm@vm1.mycompany.com", true);
    let c = from_voice::voice_to_mm_in_class(&raw, Some(&class), &inw, &Limits::default()).unwrap();
    assert!(c.omissions.is_empty(), "{:?}", c.omissions);
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    let types: Vec<&str> = mm.leaves().iter().map(|p| p.content_type.mime.as_str()).collect();
    let amr = types.iter().filter(|t| **t == "audio/amr").count();
    let png = types.iter().filter(|t| **t == "image/png").count();
    assert!(amr == 2 && png >= 1, "{types:?}");
    assert!(c.bytes.len() as u64 <= class.max_message_bytes);
    // Without a class (the gateway's converter today) the fax is listed, never dropped silently.
    let c = from_voice::voice_to_mm(&raw, &inw, &Limits::default()).unwrap();
    assert_eq!(c.omissions.len(), 1);
    assert_eq!(c.omissions[0].media_type, "image/tiff");
}
