//! Every MM4 message type we emit parses back to the same model, and Python's `email` package
//! (a third-party parser) reads each with no defects in any part.
mod common;

use std::process::Command;

use mm3gw::mm::address::MmsAddress;
use mm3gw::mm::build::{self, Outcome, Stamp};
use mm3gw::mm::smil::{self, Length, MediaKind, MediaRef, Presentation, Region, RootLayout};
use mm3gw::mm::{
    AddressField, ContentType, DateField, Elements, Envelope, Expiry, Id, MessageClass,
    MessageType, Mm4, MmStatus, Part, Priority, ReadStatus, RequestStatus,
};

fn field(raw: &str) -> AddressField {
    AddressField { raw: raw.into(), address: MmsAddress::parse(raw).ok() }
}

fn stamp(n: u32) -> Stamp {
    Stamp {
        system_address: "system-user@mm3gw.example.net".into(),
        now: 1_704_103_200 + i64::from(n),
        transaction_id: format!("mm3gw-t{n}"),
        message_id: format!("mm3gw-m{n}@mm3gw.example.net"),
    }
}

/// A forward request with every optional element, three slides and non-ASCII text.
fn forward_req() -> Mm4 {
    let mut mm = Mm4::new(MessageType::ForwardReq);
    mm.elements = Elements {
        mms_version: Some("6.16.0".into()),
        transaction_id: Some(Id("\"T-42@mms.example.net\"".into())),
        message_id: Some(Id("<M-42@mms.example.net>".into())),
        // Device addresses qualified with their MMSE domain (Mbuni's form): valid RFC 5322.
        from: Some(field("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs")),
        to: vec![field("+12125550100/TYPE=PLMN@mm3gw.example.net"), field("alice@example.org")],
        cc: vec![field("Bob <bob@example.org>")],
        subject: Some("Grüße – Fax für dich ✓".into()),
        date: Some(DateField {
            raw: build::rfc5322_date(1_704_103_200),
            unix: Some(1_704_103_200),
        }),
        message_class: Some(MessageClass::Personal),
        priority: Some(Priority::High),
        expiry: Some(Expiry::RelativeSeconds(86400)),
        delivery_report: Some(true),
        read_reply: Some(true),
        ack_request: Some(true),
        originator_system: Some("system-user@mms.mnc002.mcc262.gprs".into()),
        rfc822_message_id: Some("<abc@mms.mnc002.mcc262.gprs>".into()),
        extra: vec![("X-Mms-Vendor-Thing".into(), "kept as is".into())],
        ..Elements::default()
    };
    let slides = vec![
        smil::Slide {
            dur_ms: Some(5000),
            media: vec![
                media(MediaKind::Image, "cid:img1", "Image"),
                media(MediaKind::Text, "cid:txt1", "Text"),
            ],
        },
        smil::Slide { dur_ms: Some(8000), media: vec![media(MediaKind::Audio, "cid:aud1", "")] },
        smil::Slide { dur_ms: Some(3000), media: vec![media(MediaKind::Text, "cid:txt2", "Text")] },
    ];
    let presentation = Presentation {
        root_layout: Some(RootLayout { width: 176, height: 208 }),
        regions: vec![region("Image", 0, 0, 176, 144), region("Text", 0, 144, 176, 64)],
        slides,
    };
    let smil_part =
        Part::leaf(ContentType::new("application/smil"), smil::write(&presentation).into_bytes())
            .with_content_id("<smil>")
            .with_location("smil.xml");
    let jpeg: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let amr: Vec<u8> = b"#!AMR\n".iter().copied().chain([0x04u8; 130]).collect();
    let mut root = Part::leaf(
        ContentType::new("multipart/related")
            .with_param("type", "application/smil")
            .with_param("start", "<smil>"),
        Vec::new(),
    );
    let mut image = Part::leaf(ContentType::new("image/jpeg"), jpeg)
        .with_content_id("<img1>")
        .with_location("photo.jpg");
    image.name = Some("photo.jpg".into());
    root.body = mm3gw::mm::Body::Multipart(vec![
        smil_part,
        image,
        Part::text("Grüße aus Köln\nzweite Zeile =_ mit Gleichheitszeichen\n")
            .with_content_id("<txt1>"),
        Part::leaf(ContentType::new("audio/amr"), amr)
            .with_content_id("<aud1>")
            .with_location("voice.amr"),
        Part::text("plain ascii line\n").with_content_id("<txt2>"),
    ]);
    mm.body = Some(root);
    let findings = mm.present();
    assert!(findings.is_empty(), "the built MM presents cleanly: {findings:?}");
    mm
}

fn region(id: &str, left: u32, top: u32, width: u32, height: u32) -> Region {
    Region {
        id: id.into(),
        left: Some(Length::Px(left)),
        top: Some(Length::Px(top)),
        width: Some(Length::Px(width)),
        height: Some(Length::Px(height)),
        fit: None,
    }
}

fn media(kind: MediaKind, src: &str, region: &str) -> MediaRef {
    MediaRef {
        kind,
        src: src.into(),
        region: (!region.is_empty()).then(|| region.into()),
        alt: None,
        begin_ms: None,
        end_ms: None,
    }
}

/// One message of each of the six types, built the way the gateway builds them.
fn all_types() -> Vec<(Mm4, Option<Envelope>)> {
    let req = forward_req();
    let from = Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs");
    let (fwd_res, fwd_res_env) =
        build::acknowledge(&req, from, RequestStatus::Ok, Some("accepted"), &stamp(1))
            .expect("fwd.RES");
    let delivered = Outcome {
        recipient: "+12125550100/TYPE=PLMN@mm3gw.example.net".into(),
        status: MmStatus::Retrieved,
        status_text: Some("fax sent, 2 pages".into()),
        at: 1_704_103_500,
    };
    let (dr, dr_env) = build::delivery_report(&req, from, &delivered, &stamp(2)).expect("DR");
    let read = Outcome {
        recipient: "+12125550100/TYPE=PLMN@mm3gw.example.net".into(),
        status: ReadStatus::DeletedWithoutBeingRead,
        status_text: None,
        at: 1_704_103_600,
    };
    let (rr, rr_env) = build::read_reply_report(&req, from, &read, &stamp(3)).expect("RR");
    let mut dr_asking = dr.clone();
    dr_asking.elements.ack_request = Some(true);
    let (dr_res, dr_res_env) =
        build::acknowledge(&dr_asking, None, RequestStatus::MessageNotFound, None, &stamp(4))
            .expect("DR.RES");
    let (rr_res, rr_res_env) =
        build::acknowledge(&rr, None, RequestStatus::Ok, Some("Ümlaut status"), &stamp(5))
            .expect("RR.RES");
    let fwd_env = build::forward_envelope(
        &req,
        "mm3gw.example.net",
        "mms.example.net",
        "system-user@mm3gw.example.net",
    );
    vec![
        (req, Some(fwd_env)),
        (fwd_res, Some(fwd_res_env)),
        (dr, Some(dr_env)),
        (dr_res, Some(dr_res_env)),
        (rr, Some(rr_env)),
        (rr_res, Some(rr_res_env)),
    ]
}

#[test]
fn each_emitted_type_parses_back_to_the_same_model() {
    let built = all_types();
    let types: Vec<_> = built.iter().map(|(m, _)| m.message_type.clone()).collect();
    assert_eq!(types, MessageType::ALL.to_vec(), "one message of each of the six types");
    for (mm, _) in &built {
        let bytes = mm.to_bytes();
        let back = mm3gw::mm::parse(&bytes, &Default::default()).unwrap_or_else(|e| {
            panic!("{}: {e}\n{}", mm.message_type, String::from_utf8_lossy(&bytes))
        });
        assert_eq!(&back.mm, mm, "{} round trip", mm.message_type);
        let unexpected: Vec<_> =
            back.findings.iter().filter(|f| f.severity != mm3gw::mm::Severity::Info).collect();
        assert!(unexpected.is_empty(), "{}: {unexpected:?}", mm.message_type);
        assert!(bytes.split(|&b| b == b'\n').all(|l| l.len() <= 998), "line length");
        assert!(bytes.windows(2).all(|w| w[1] != b'\n' || w[0] == b'\r'), "CRLF only");
        assert!(bytes.is_ascii(), "{}: 7-bit clean", mm.message_type);
    }
}

#[test]
fn builders_follow_the_mm4_addressing_rules() {
    let built = all_types();
    let (req, fwd_env) = (&built[0].0, built[0].1.as_ref().expect("env"));
    assert_eq!(fwd_env.mail_from, "+4917012345/TYPE=PLMN@mm3gw.example.net");
    assert_eq!(
        fwd_env.rcpt_to,
        ["+12125550100/TYPE=PLMN@mms.example.net", "alice@example.org", "bob@example.org"]
    );
    let (res, res_env) = (&built[1].0, built[1].1.as_ref().expect("env"));
    assert_eq!(res_env.rcpt_to, ["system-user@mms.mnc002.mcc262.gprs"]);
    assert_eq!(res_env.mail_from, "system-user@mm3gw.example.net");
    assert_eq!(res.elements.transaction_id, req.elements.transaction_id, "echoed verbatim");
    assert_eq!(res.elements.message_id.as_ref().map(Id::raw), Some("<M-42@mms.example.net>"));
    let text = String::from_utf8(res.to_bytes()).expect("ascii");
    assert!(text.contains("X-Mms-Transaction-ID: \"T-42@mms.example.net\"\r\n"), "{text}");
    assert!(text.contains("X-Mms-Request-Status-Code: Ok\r\n"), "{text}");
    assert!(text.contains("X-Mms-3GPP-MMS-Version: 6.16.0\r\n"), "{text}");
    let dr = &built[2].0;
    assert_eq!(dr.elements.forward_to_originator_ua, Some(true));
    assert_eq!(dr.elements.to, req.elements.from.iter().cloned().collect::<Vec<_>>());
    assert_eq!(
        dr.elements.message_id, req.elements.message_id,
        "the original MM id, byte for byte"
    );
    let rr_res = &built[5].0;
    assert_eq!(rr_res.elements.message_id, None, "RR.RES carries no MM id");
    let mut no_reports = req.clone();
    no_reports.elements.delivery_report = None;
    no_reports.elements.read_reply = Some(false);
    let outcome =
        Outcome { recipient: "x@y".into(), status: MmStatus::Rejected, status_text: None, at: 0 };
    assert!(build::delivery_report(&no_reports, None, &outcome, &stamp(9)).is_none());
    no_reports.elements.originator_rs_delivery_report = Some(true);
    let (dr, _) = build::delivery_report(&no_reports, None, &outcome, &stamp(9)).expect("R/S DR");
    assert_eq!(dr.elements.forward_to_originator_ua, Some(false));
}

const PYTHON_CHECK: &str = r#"
import sys
from email import policy
from email.parser import BytesParser
bad = []
for path in sys.argv[1:]:
    msg = BytesParser(policy=policy.default).parse(open(path, "rb"))
    for part in msg.walk():
        for d in part.defects:
            bad.append("%s: %s: %r" % (path, part.get_content_type(), d))
        for name, value in part.items():
            for d in getattr(value, "defects", ()):
                bad.append("%s: header %s: %r" % (path, name, d))
        if not part.is_multipart():
            part.get_content()
    if msg["X-Mms-Message-Type"] is None:
        bad.append(path + ": no X-Mms-Message-Type")
print("\n".join(bad))
sys.exit(1 if bad else 0)
"#;

#[test]
fn python_email_reads_every_emitted_type_without_defects() {
    if !common::require_tool("python3", "--version") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("mm3gw-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut paths = Vec::new();
    for (i, (mm, _)) in all_types().iter().enumerate() {
        let p = dir.join(format!("{i}.eml"));
        std::fs::write(&p, mm.to_bytes()).expect("write");
        paths.push(p);
    }
    let out =
        Command::new("python3").arg("-c").arg(PYTHON_CHECK).args(&paths).output().expect("python3");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "Python's email package found defects:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
