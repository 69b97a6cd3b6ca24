//! Every mail kind we build (T.37 simple and full mode, VPIM v2, IVM, DSN, MDN) parses back
//! through our own parsers to the same meaning, and Python's `email` package (a third-party
//! parser) reads each with no defects in any part or header and sees the structure the
//! standards ask for.
mod common;

use std::process::Command;

use mm3gw::mail::dsn::{self, Action, DsnRecipient, DsnReport, StatusCode};
use mm3gw::mail::mdn::{self, MdnReport};
use mm3gw::mail::t37::{self, Document, FaxMail, FaxMediaType};
use mm3gw::mail::vcard::VCard;
use mm3gw::mail::vpim::{self, Audio, AudioCoding, Profile, VoiceMail, VoiceRole};
use mm3gw::mail::{Built, Head, Importance, Limits, Mailbox, Received, Requests};
use mm3gw::mm::address::{E164, FaxAddress};
use mm3gw::mm::{MmStatus, ReadStatus};
use serde_json::Value;

const T0: i64 = 1_720_000_000;

/// A small but real TIFF-F file and G.726 audio from the interop corpus copy.
fn tiff() -> Vec<u8> {
    let raw = std::fs::read(common::root().join("samples/interop/mime/t37-simple.eml")).unwrap();
    let fax = t37::parse(&raw, &Limits::default()).unwrap();
    fax.documents.into_iter().next().unwrap().tiff
}

fn adpcm() -> Vec<u8> {
    let raw = std::fs::read(common::root().join("samples/interop/mime/vpim-voice.eml")).unwrap();
    let v = vpim::parse(&raw, &Limits::default()).unwrap();
    v.audio.into_iter().next().unwrap().bytes
}

fn head(from: Mailbox, subject: &str, id: &str) -> Head {
    let mut h = Head::new(from, T0, id);
    h.subject = Some(subject.into());
    h
}

fn fax_mail(full: bool) -> FaxMail {
    let number = E164::parse("+12025550100", &Default::default()).unwrap();
    let mut h = head(
        Mailbox::new("+4917012345@mm3gw.example.net").with_name("Jörg Müller"),
        "Fax für dich – 2 Seiten",
        "mm3gw.tok1@mm3gw.example.net",
    );
    h.importance = Some(Importance::High);
    h.received = Some(Received {
        from: "mmsc.example.org".into(),
        by: "mm3gw.example.net".into(),
        id: Some("q1".into()),
        date: T0,
    });
    FaxMail {
        head: h,
        mail_from: "+4917012345@mm3gw.example.net".into(),
        recipients: vec![FaxAddress::new(number, "offramp.example.net")],
        text: Some("Von: +49 170 12345\nBetreff: Fax für dich\nGrüße\n".into()),
        documents: vec![
            Document { tiff: tiff(), filename: None },
            Document { tiff: tiff(), filename: Some("seite 2.tif".into()) },
        ],
        media_type: FaxMediaType::Tiff,
        application_faxbw: true,
        requests: if full {
            Requests {
                dsn_envid: Some("mm3gw.tok1".into()),
                mdn_to: Some(Mailbox::new("system-user@mm3gw.example.net")),
            }
        } else {
            Requests::default()
        },
    }
}

fn voice_mail(private: bool, vcard: bool) -> VoiceMail {
    let audio = adpcm();
    let forwarded = b"From: a@example.org\r\nSubject: earlier\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nolder message\r\n".to_vec();
    VoiceMail {
        head: head(
            Mailbox::new("+4917012345@mm3gw.example.net").with_name("+49 170 12345"),
            "Voice Message",
            "mm3gw.tok2@mm3gw.example.net",
        ),
        mail_from: "+4917012345@mm3gw.example.net".into(),
        recipients: vec!["+12125550100@vm.example.com".into()],
        audio: vec![
            Audio {
                role: VoiceRole::VoiceMessage,
                coding: AudioCoding::Adpcm32k,
                bytes: audio.clone(),
                duration_secs: None,
                filename: None,
                language: Some("de".into()),
            },
            Audio {
                role: VoiceRole::SpokenSubject,
                coding: AudioCoding::Adpcm32k,
                bytes: audio[..6000].to_vec(),
                duration_secs: None,
                filename: None,
                language: None,
            },
            Audio {
                role: VoiceRole::OriginatorSpokenName,
                coding: AudioCoding::Adpcm32k,
                bytes: audio[..4000].to_vec(),
                duration_secs: None,
                filename: None,
                language: None,
            },
        ],
        fax: vec![tiff()],
        forwarded: vec![forwarded],
        vcard: vcard.then(|| VCard {
            name: Some("Jörg Müller".into()),
            tel: vec!["+4917012345".into()],
            email: vec!["+4917012345@mm3gw.example.net".into()],
            org: None,
        }),
        private,
        requests: Requests {
            dsn_envid: Some("mm3gw.tok2".into()),
            mdn_to: Some(Mailbox::new("system-user@mm3gw.example.net")),
        },
    }
}

fn ivm_mail() -> VoiceMail {
    let mut v = voice_mail(false, true);
    v.audio = vec![Audio {
        role: VoiceRole::VoiceMessage,
        coding: AudioCoding::MuLaw,
        bytes: vec![0xff; 8000 * 3 + 10],
        duration_secs: None,
        filename: None,
        language: None,
    }];
    v.fax.clear();
    v.forwarded.clear();
    v
}

fn dsn_report() -> DsnReport {
    let (action, status) = dsn::dsn_for_mm_status(&MmStatus::Rejected).unwrap();
    let (a2, s2) = dsn::dsn_for_mm_status(&MmStatus::Retrieved).unwrap();
    DsnReport {
        head: head(
            Mailbox::new("+4917012345/TYPE=PLMN@mm3gw.example.net"),
            "Delivery Status Notification",
            "mm3gw.dsn1@mm3gw.example.net",
        ),
        return_path: "FAX=+12025550199@onramp.example.com".into(),
        reporting_mta: "mm3gw.example.net".into(),
        dsn_gateway: Some("mmsc.example.org".into()),
        original_envelope_id: Some("ONRAMP-77".into()),
        arrival_date: Some(T0 - 60),
        recipients: vec![
            DsnRecipient {
                original_recipient: Some("+4917012345@mm3gw.example.net".into()),
                final_recipient: "+4917012345/TYPE=PLMN@mm3gw.example.net".into(),
                action,
                status,
                diagnostic_code: Some("X-MM4; Rejected (handset refused the message)".into()),
                last_attempt_date: Some(T0),
            },
            DsnRecipient {
                original_recipient: None,
                final_recipient: "+4917012346/TYPE=PLMN@mm3gw.example.net".into(),
                action: a2,
                status: s2,
                diagnostic_code: None,
                last_attempt_date: Some(T0),
            },
        ],
        human_text: "Your fax to +49 170 12345 was rejected by the handset.\n".into(),
        original_headers: Some(
            "From: FAX=+12025550199@onramp.example.com\r\nMessage-ID: <onramp-1@onramp.example.com>\r\nSubject: Fax\r\n"
                .into(),
        ),
    }
}

fn mdn_report() -> MdnReport {
    MdnReport {
        head: head(
            Mailbox::new("+4917012345/TYPE=PLMN@mm3gw.example.net"),
            "Read: Voice message",
            "mm3gw.mdn1@mm3gw.example.net",
        ),
        notification_to: "+16137637582@vm1.mycompany.com".into(),
        reporting_ua: "mm3gw.example.net".into(),
        mdn_gateway: Some("mmsc.example.org".into()),
        original_recipient: None,
        final_recipient: "+4917012345/TYPE=PLMN@mm3gw.example.net".into(),
        original_message_id: Some("vpim-full@vm1.mycompany.com".into()),
        disposition: mdn::disposition_for_read_status(&ReadStatus::Read).unwrap(),
        human_text: "The voice message was read on the handset.\n".into(),
    }
}

fn all_built() -> Vec<(&'static str, Built)> {
    vec![
        ("t37-simple", t37::build(&fax_mail(false)).unwrap()),
        ("t37-full", t37::build(&fax_mail(true)).unwrap()),
        ("vpim", vpim::build(&voice_mail(false, false), Profile::Vpim).unwrap()),
        ("vpim-private-vcard", vpim::build(&voice_mail(true, true), Profile::Vpim).unwrap()),
        ("ivm", vpim::build(&ivm_mail(), Profile::Ivm).unwrap()),
        ("dsn", dsn::build(&dsn_report()).unwrap()),
        ("mdn", mdn::build(&mdn_report()).unwrap()),
    ]
}

#[test]
fn fax_mail_round_trip() {
    let built = t37::build(&fax_mail(true)).unwrap();
    let got = t37::parse(&built.bytes, &Limits::default()).unwrap();
    assert_eq!(got.common.subject.as_deref(), Some("Fax für dich – 2 Seiten"));
    assert_eq!(got.common.from.as_ref().and_then(|m| m.name.as_deref()), Some("Jörg Müller"));
    assert_eq!(got.common.importance, Some(Importance::High));
    assert_eq!(got.common.message_id.as_deref(), Some("mm3gw.tok1@mm3gw.example.net"));
    assert_eq!(got.common.date, Some(T0));
    assert_eq!(
        got.common.disposition_notification_to.map(|m| m.address).as_deref(),
        Some("system-user@mm3gw.example.net")
    );
    assert_eq!(got.texts, ["Von: +49 170 12345\nBetreff: Fax für dich\nGrüße\n"]);
    let names: Vec<_> = got.documents.iter().map(|d| d.name.as_deref()).collect();
    assert_eq!(names, [Some("fax.tif"), Some("seite 2.tif")]);
    assert!(got.documents.iter().all(|d| d.tiff == tiff()));
    assert!(got.findings.is_empty(), "{:?}", got.findings);
    let text = String::from_utf8_lossy(&built.bytes);
    assert!(
        text.starts_with("Received: from mmsc.example.org by mm3gw.example.net with MMS id q1;")
    );
    assert_eq!(built.envelope.envelope.mail_from, "+4917012345@mm3gw.example.net");
    assert_eq!(built.envelope.mail_params(), ["RET=HDRS", "ENVID=mm3gw.tok1"]);
    assert_eq!(
        built.envelope.rcpt_params(0),
        ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;FAX+3D+2B12025550100@offramp.example.net"]
    );
}

#[test]
fn vpim_round_trip() {
    let msg = voice_mail(true, true);
    let built = vpim::build(&msg, Profile::Vpim).unwrap();
    let got = vpim::parse(&built.bytes, &Limits::default()).unwrap();
    assert_eq!(got.profile, Profile::Vpim);
    assert_eq!(got.version.as_deref(), Some("2.0"));
    let roles: Vec<_> = got.audio.iter().map(|a| a.role.clone().unwrap()).collect();
    assert_eq!(
        roles,
        [VoiceRole::OriginatorSpokenName, VoiceRole::SpokenSubject, VoiceRole::VoiceMessage]
    );
    let audio = adpcm();
    assert_eq!(got.message_audio()[0].bytes, audio);
    assert_eq!(got.message_audio()[0].duration_secs, Some((audio.len() as u64).div_ceil(4000)));
    assert_eq!(got.message_audio()[0].language.as_deref(), Some("de"));
    assert_eq!(got.spoken_name().map(|a| a.duration_secs), Some(Some(1)));
    assert_eq!(got.spoken_subject().map(|a| a.duration_secs), Some(Some(2)));
    assert_eq!(got.fax, [tiff()]);
    assert_eq!(got.forwarded.len(), 1);
    assert!(String::from_utf8_lossy(&got.forwarded[0]).contains("older message"));
    assert_eq!(got.vcards.len(), 1);
    assert_eq!(got.vcards[0].name.as_deref(), Some("Jörg Müller"));
    assert_eq!(got.refusal().map(|r| r.status), Some("5.6.0"));
    assert!(got.texts.is_empty() && got.others.is_empty());
}

#[test]
fn reports_round_trip_and_map() {
    let built = dsn::build(&dsn_report()).unwrap();
    assert_eq!(built.envelope.envelope.mail_from, "");
    assert_eq!(built.envelope.envelope.rcpt_to, ["FAX=+12025550199@onramp.example.com"]);
    let d = dsn::parse(&built.bytes, &Limits::default()).unwrap();
    assert_eq!(d.reporting_mta.as_deref(), Some("dns; mm3gw.example.net"));
    assert_eq!(d.dsn_gateway.as_deref(), Some("dns; mmsc.example.org"));
    assert_eq!(d.original_envelope_id.as_deref(), Some("ONRAMP-77"));
    assert_eq!(d.arrival_date, Some(T0 - 60));
    assert_eq!(d.recipients.len(), 2);
    assert_eq!(d.recipients[0].action, Action::Failed);
    assert_eq!(d.recipients[0].status, Some(StatusCode::new(5, 0, 0)));
    assert_eq!(d.recipients[0].mm_status(), Some(MmStatus::Rejected));
    assert_eq!(
        d.recipients[0].recipient().map(|a| a.address.as_str()),
        Some("+4917012345@mm3gw.example.net")
    );
    assert_eq!(d.recipients[1].mm_status(), Some(MmStatus::Retrieved));
    assert_eq!(d.returned_message_id.as_deref(), Some("onramp-1@onramp.example.com"));
    assert!(d.human_text.unwrap().contains("rejected by the handset"));

    let built = mdn::build(&mdn_report()).unwrap();
    assert_eq!(built.envelope.envelope.mail_from, "");
    let m = mdn::parse(&built.bytes, &Limits::default()).unwrap();
    assert_eq!(m.read_status(), Some(ReadStatus::Read));
    assert_eq!(m.original_message_id.as_deref(), Some("vpim-full@vm1.mycompany.com"));
    assert_eq!(m.mdn_gateway.as_deref(), Some("dns; mmsc.example.org"));
    assert_eq!(m.disposition.value(), "manual-action/MDN-sent-automatically; displayed");
}

#[test]
fn builds_are_reproducible() {
    let a = t37::build(&fax_mail(true)).unwrap();
    let b = t37::build(&fax_mail(true)).unwrap();
    assert_eq!(a, b);
}

/// Reads each file with Python's email package and prints, per file, the defects found and a
/// summary of the structure as JSON.
const PYTHON_SUMMARY: &str = r#"
import sys, json
from email import policy
from email.parser import BytesParser
out = {}
for path in sys.argv[1:]:
    msg = BytesParser(policy=policy.default).parse(open(path, "rb"))
    bad, parts = [], []
    for part in msg.walk():
        for d in part.defects:
            bad.append("%s: %r" % (part.get_content_type(), d))
        for name, value in part.items():
            for d in getattr(value, "defects", ()):
                bad.append("header %s: %r" % (name, d))
        disp = part.get("Content-Disposition")
        parts.append({
            "type": part.get_content_type(),
            "params": {k: v for k, v in part.get_params() or [] if v},
            "disposition": part.get_content_disposition(),
            "voice": part.get_param("voice", header="content-disposition"),
            "handling": part.get_param("handling", header="content-disposition"),
            "filename": part.get_filename(),
            "duration": part.get("Content-Duration"),
            "cte": part.get("Content-Transfer-Encoding"),
            "size": len(part.get_content()) if not part.is_multipart() and part.get_content_maintype() != "message" else None,
        })
    out[path] = {
        "defects": bad,
        "headers": {k: str(v) for k, v in msg.items()},
        "parts": parts,
    }
print(json.dumps(out))
"#;

#[test]
fn python_email_reads_everything_we_build() {
    if !common::require_tool("python3", "--version") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("mm3gw-mail-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let built = all_built();
    let mut paths = Vec::new();
    for (name, b) in &built {
        let p = dir.join(format!("{name}.eml"));
        std::fs::write(&p, &b.bytes).unwrap();
        paths.push(p);
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYTHON_SUMMARY)
        .args(&paths)
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let get = |name: &str| -> &Value {
        let key = paths.iter().find(|p| p.ends_with(format!("{name}.eml"))).unwrap();
        &json[key.to_str().unwrap()]
    };
    for (name, _) in &built {
        let v = get(name);
        assert_eq!(v["defects"], Value::Array(vec![]), "{name}: {}", v["defects"]);
    }
    let types = |name: &str| -> Vec<String> {
        get(name)["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["type"].as_str().unwrap().to_string())
            .collect()
    };

    // T.37: mixed, text first, then the TIFFs as base64 attachments with application=faxbw.
    assert_eq!(types("t37-full"), ["multipart/mixed", "text/plain", "image/tiff", "image/tiff"]);
    let fax = get("t37-full");
    assert_eq!(fax["headers"]["Subject"], "Fax für dich – 2 Seiten");
    assert_eq!(fax["headers"]["Importance"], "high");
    assert_eq!(fax["headers"]["To"], "FAX=+12025550100@offramp.example.net");
    assert_eq!(fax["headers"]["Disposition-Notification-To"], "system-user@mm3gw.example.net");
    let tiff_part = &fax["parts"][2];
    assert_eq!(tiff_part["params"]["application"], "faxbw");
    assert_eq!(tiff_part["cte"], "base64");
    assert_eq!(tiff_part["disposition"], "attachment");
    assert_eq!(tiff_part["size"], tiff().len());
    assert_eq!(fax["parts"][3]["filename"], "seite 2.tif");
    assert!(get("t37-simple")["headers"].get("Disposition-Notification-To").is_none());

    // VPIM: voice-message 2.0; name, subject, message; fax; forwarded message; no vCard unless
    // asked.
    assert_eq!(
        types("vpim"),
        [
            "multipart/voice-message",
            "audio/32kadpcm",
            "audio/32kadpcm",
            "audio/32kadpcm",
            "image/tiff",
            "message/rfc822",
            "text/plain"
        ]
    );
    let v = get("vpim");
    assert_eq!(v["headers"]["MIME-Version"], "1.0 (Voice 2.0)");
    assert_eq!(v["headers"]["Message-Context"], "voice-message");
    assert!(v["headers"].get("Sensitivity").is_none());
    assert_eq!(v["parts"][0]["params"]["version"], "2.0");
    let voices: Vec<&str> = (1..=3).map(|i| v["parts"][i]["voice"].as_str().unwrap()).collect();
    assert_eq!(voices, ["Originator-Spoken-Name", "Spoken-Subject", "Voice-Message"]);
    for i in 1..=3 {
        assert_eq!(v["parts"][i]["disposition"], "inline");
        assert_eq!(v["parts"][i]["cte"], "base64");
        assert!(v["parts"][i]["duration"].as_str().unwrap().parse::<u64>().unwrap() >= 1);
    }
    assert_eq!(v["parts"][3]["size"], adpcm().len());
    assert_eq!(v["parts"][4]["params"]["application"], "faxbw");
    assert_eq!(v["parts"][5]["cte"], "7bit");
    let pv = get("vpim-private-vcard");
    assert_eq!(pv["headers"]["Sensitivity"], "Private");
    assert!(types("vpim-private-vcard").contains(&"text/directory".to_string()));

    // IVM: mixed, audio/basic critical, vCard optional, Message-Context.
    assert_eq!(types("ivm"), ["multipart/mixed", "audio/basic", "text/directory"]);
    let i = get("ivm");
    assert_eq!(i["headers"]["Message-Context"], "voice-message");
    assert_eq!(i["parts"][1]["handling"], "required");
    assert_eq!(i["parts"][1]["duration"], "4");
    assert_eq!(i["parts"][2]["handling"], "optional");

    // Reports: multipart/report with the right report-type, human part first.
    assert_eq!(
        types("dsn"),
        [
            "multipart/report",
            "text/plain",
            "message/delivery-status",
            "text/plain",
            "text/plain",
            "text/plain",
            "text/rfc822-headers"
        ]
    );
    assert_eq!(get("dsn")["parts"][0]["params"]["report-type"], "delivery-status");
    assert_eq!(get("dsn")["headers"]["Auto-Submitted"], "auto-replied");
    assert_eq!(
        types("mdn")[..3],
        ["multipart/report", "text/plain", "message/disposition-notification"]
    );
    assert_eq!(get("mdn")["parts"][0]["params"]["report-type"], "disposition-notification");
}
