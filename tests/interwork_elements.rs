//! README's information-element table (TS 23.140 §8.3; spec/mms.md §8), one test per
//! direction, one block per row: recipients, originator, subject, message class, priority,
//! delivery report, read reply, expiry. Each MM carries every element, so a row that maps
//! shows up and a row that is dropped is asserted absent. The gateway's own share of a row
//! (DSN parameters, the retry bound from X-Mms-Expiry) is tested in gateway_e2e and
//! gateway::process (`hidden_senders_are_refused_and_expiry_bounds_retries`).
mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use mm3gw::cli::convert::{To, convert_message};
use mm3gw::config::{Config, Profiles};
use mm3gw::interwork::{Converted, Inward, Limits, from_fax, from_voice};
use mm3gw::mail::{t37, vpim};
use mm3gw::mm::{self, MessageClass, Priority};

const NOW: i64 = 1_704_103_260;

fn media(path: &str) -> String {
    let b = B64.encode(std::fs::read(common::root().join(path)).unwrap());
    b.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// An MM4_forward.REQ with every element of the table set, and one part.
fn mm_with_every_element(part_type: &str, part: &str) -> Vec<u8> {
    format!(
        "X-Mms-3GPP-MMS-Version: 6.10.0\r\nX-Mms-Message-Type: MM4_forward.REQ\r\n\
         X-Mms-Transaction-ID: T-ie\r\nX-Mms-Message-ID: M-ie@mms.example.net\r\n\
         X-Mms-Originator-System: system-user@mms.example.net\r\n\
         X-Mms-Message-Class: Auto\r\nX-Mms-Priority: High\r\nX-Mms-Delivery-Report: Yes\r\n\
         X-Mms-Read-Reply: Yes\r\nX-Mms-Expiry: 86400\r\n\
         From: +4917012345/TYPE=PLMN\r\nTo: +12125550100/TYPE=PLMN\r\nCc: +12125550199/TYPE=PLMN\r\n\
         Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nDate: Tue, 02 Jul 2024 09:30:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
         --b\r\nContent-Type: {part_type}\r\nContent-Transfer-Encoding: base64\r\n\r\n{part}\r\n--b--\r\n"
    )
    .into_bytes()
}

fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("").replace("\r\n ", " ");
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

fn outward(to: To) -> Converted {
    let raw = if to == To::Fax {
        mm_with_every_element("text/plain; charset=utf-8", &B64.encode("Hello"))
    } else {
        mm_with_every_element("audio/amr", &media("samples/interop/audio/speech.amr-4k75.amr"))
    };
    convert_message(
        &raw,
        Some(to),
        None,
        &Config::embedded().unwrap(),
        NOW,
        "m3.tok@mm3gw.localhost",
    )
    .unwrap()
}

/// Rows shared by MM → fax mail and MM → VPIM / IVM.
fn assert_outward_rows(c: &Converted, recipients: [&str; 2], subject: Option<String>) {
    // recipients: one envelope recipient per MM recipient (To and Cc), at the route's peer.
    assert_eq!(c.envelope.rcpt_to, recipients);
    // originator: +E164 at the gateway's domain in From (MAIL FROM: see `assert_return_paths`).
    assert_eq!(header(&c.bytes, "From").as_deref(), Some("+4917012345@mm3gw.localhost"));
    // subject: RFC 2047, decoded back to the MM's.
    assert_eq!(subject.as_deref(), Some("Grüße"));
    assert!(header(&c.bytes, "Subject").unwrap().starts_with("=?utf-8?"));
    // message class: Auto → Precedence: bulk and MAIL FROM:<> (asks for no DSN back).
    assert_eq!(header(&c.bytes, "Precedence").as_deref(), Some("bulk"));
    assert_eq!(c.envelope.mail_from, "");
    // priority: High → Importance: high.
    assert_eq!(header(&c.bytes, "Importance").as_deref(), Some("high"));
    // delivery report: asked for by the gateway in the envelope (NOTIFY, ENVID), never a header.
    assert_eq!(header(&c.bytes, "Return-Receipt-To"), None);
    // expiry: dropped (no DELIVER-BY, no header); the gateway's retries stop at it.
    for h in ["X-Mms-Expiry", "Expires", "Expiry-Date", "Deliver-By"] {
        assert_eq!(header(&c.bytes, h), None, "{h}");
    }
    // Nothing of MM4 itself leaks.
    assert_eq!(header(&c.bytes, "X-Mms-Message-Type"), None);
}

/// originator, in MAIL FROM: the number at our domain for a Personal MM, our system address for
/// an e-mail originator (its domain's DSNs and SPF are not ours).
fn assert_return_paths(to: To) {
    let raw = String::from_utf8(if to == To::Fax {
        mm_with_every_element("text/plain; charset=utf-8", &B64.encode("Hello"))
    } else {
        mm_with_every_element("audio/amr", &media("samples/interop/audio/speech.amr-4k75.amr"))
    })
    .unwrap()
    .replace("X-Mms-Message-Class: Auto", "X-Mms-Message-Class: Personal");
    let config = Config::embedded().unwrap();
    let c = convert_message(raw.as_bytes(), Some(to), None, &config, NOW, "m3.t@mm3gw.localhost")
        .unwrap();
    assert_eq!(c.envelope.mail_from, "+4917012345@mm3gw.localhost");
    assert_eq!(header(&c.bytes, "Precedence"), None, "Personal");
    let mail = raw.replace("From: +4917012345/TYPE=PLMN", "From: alice@example.org");
    let c = convert_message(mail.as_bytes(), Some(to), None, &config, NOW, "m3.t@mm3gw.localhost")
        .unwrap();
    assert_eq!(c.envelope.mail_from, "system-user@mm3gw.localhost");
    assert_eq!(header(&c.bytes, "From").as_deref(), Some("alice@example.org"));
}

#[test]
fn mm_to_fax_mail_maps_every_row() {
    let c = outward(To::Fax);
    let fax = t37::parse(&c.bytes, &Default::default()).unwrap();
    assert_outward_rows(
        &c,
        ["FAX=+12125550100@offramp.localhost", "FAX=+12125550199@offramp.localhost"],
        fax.common.subject.clone(),
    );
    assert_eq!(
        header(&c.bytes, "To").as_deref(),
        Some("FAX=+12125550100@offramp.localhost, FAX=+12125550199@offramp.localhost")
    );
    // read reply: dropped, fax has no read concept.
    assert_eq!(header(&c.bytes, "Disposition-Notification-To"), None);
    assert_return_paths(To::Fax);
}

#[test]
fn mm_to_vpim_and_ivm_map_every_row() {
    for to in [To::Vpim, To::Ivm] {
        let c = outward(to);
        let v = vpim::parse(&c.bytes, &Default::default()).unwrap();
        assert_outward_rows(
            &c,
            ["+12125550100@vm.localhost", "+12125550199@vm.localhost"],
            v.common.subject.clone(),
        );
        // read reply: the MDN comes back to our system address to be correlated.
        assert_eq!(
            header(&c.bytes, "Disposition-Notification-To").as_deref(),
            Some("system-user@mm3gw.localhost")
        );
        assert_return_paths(to);
    }
}

fn inward(mail_from: &str, delivery_report: bool) -> Inward {
    Inward {
        now: NOW,
        mm_id: "m3.tok@mm3gw.localhost".into(),
        transaction_id: "T-in".into(),
        message_id: "m3.tok@mm3gw.localhost".into(),
        system_address: "system-user@mm3gw.localhost".into(),
        gateway_domain: "mm3gw.localhost".into(),
        mmsc_domain: "mms.localhost".into(),
        recipients: vec!["+4917012345/TYPE=PLMN".into()],
        mail_from: mail_from.into(),
        delivery_report,
        reports: true,
        max_message_bytes: 300 * 1024,
    }
}

/// A mail with every element the inward rows read.
fn mail_with_every_element(from: &str, content_type: &str, part: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: +4917012345@mms.localhost\r\n\
         Subject: =?utf-8?q?R=C3=BCckruf?=\r\nDate: Tue, 02 Jul 2024 09:30:00 +0000\r\n\
         Message-ID: <in-1@peer.example>\r\nImportance: low\r\nExpires: Wed, 03 Jul 2024 09:30:00 +0000\r\n\
         Disposition-Notification-To: {from}\r\nMIME-Version: 1.0\r\n\
         Content-Type: {content_type}; boundary=b\r\n\r\n\
         --b\r\n{part}\r\n--b--\r\n"
    )
    .into_bytes()
}

fn assert_inward_rows(c: &Converted, from: &str) {
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    let e = &mm.elements;
    // recipients: from RCPT TO, as +E164/TYPE=PLMN, qualified in the envelope.
    assert_eq!(e.to.iter().map(|a| a.raw.as_str()).collect::<Vec<_>>(), ["+4917012345/TYPE=PLMN"]);
    assert_eq!(c.envelope.rcpt_to, ["+4917012345/TYPE=PLMN@mms.localhost"]);
    // originator: the number as an MMS address; MAIL FROM at the gateway's domain.
    assert_eq!(e.from.as_ref().unwrap().raw, from);
    assert_eq!(c.envelope.mail_from, format!("{from}@mm3gw.localhost"));
    // subject: kept (decoded).
    assert_eq!(e.subject.as_deref(), Some("Rückruf"));
    // message class: Personal with a return path (the `<>` case is below).
    assert_eq!(e.message_class, Some(MessageClass::Personal));
    // priority: Importance low → Low.
    assert_eq!(e.priority, Some(Priority::Low));
    // delivery report: the sender's NOTIFY=SUCCESS (Inward::delivery_report) → Yes.
    assert_eq!(e.delivery_report, Some(true));
    // read reply: Disposition-Notification-To naming the return path → Yes.
    assert_eq!(e.read_reply, Some(true));
    // expiry: none set, whatever the mail says (Expires is not a T.37/VPIM element).
    assert!(e.expiry.is_none());
    assert_eq!(header(&c.bytes, "X-Mms-Expiry"), None);
}

fn class() -> mm3gw::config::ContentClass {
    Profiles::embedded().unwrap().content_class("image-rich").unwrap().clone()
}

#[test]
fn fax_mail_to_mm_maps_every_row() {
    let part = format!(
        "Content-Type: image/tiff; application=faxbw\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
        media("samples/interop/fax/tiff/a4-std.mh.lsb.tif")
    );
    let raw = mail_with_every_element("FAX=+12125550100@onramp.example", "multipart/mixed", &part);
    let c = from_fax::fax_to_mm(
        &raw,
        &class(),
        &inward("FAX=+12125550100@onramp.example", true),
        &Limits::default(),
    )
    .unwrap();
    assert_inward_rows(&c, "+12125550100/TYPE=PLMN");
    let auto = from_fax::fax_to_mm(&raw, &class(), &inward("", false), &Limits::default()).unwrap();
    let mm = mm::parse(&auto.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm.elements.message_class, Some(MessageClass::Auto), "null return path");
    assert_eq!(mm.elements.delivery_report, Some(false));
}

#[test]
fn vpim_to_mm_maps_every_row() {
    let part = format!(
        "Content-Type: audio/32kadpcm\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: inline; voice=Voice-Message\r\nContent-Duration: 8\r\n\r\n{}",
        media("samples/interop/audio/speech.g726-32k-le.g726")
    );
    let raw = mail_with_every_element(
        "+12125550100@vm.example",
        "multipart/voice-message; version=2.0",
        &part,
    );
    let c =
        from_voice::voice_to_mm(&raw, &inward("+12125550100@vm.example", true), &Limits::default())
            .unwrap();
    assert_inward_rows(&c, "+12125550100/TYPE=PLMN");
    let auto = from_voice::voice_to_mm(&raw, &inward("", false), &Limits::default()).unwrap();
    let mm = mm::parse(&auto.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm.elements.message_class, Some(MessageClass::Auto), "null return path");
    // Importance high maps too (low above).
    let high = String::from_utf8(raw).unwrap().replace("Importance: low", "Importance: high");
    let c =
        from_voice::voice_to_mm(high.as_bytes(), &inward("a@b", true), &Limits::default()).unwrap();
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm.elements.priority, Some(Priority::High));
}
