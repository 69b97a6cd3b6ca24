//! Builders shared by the interworking tests: MM4 requests made from parts, the gateway's
//! decisions for a conversion into MMS, and what an MM shows of fax pages.
use mm3gw::config::{FaxProfile, Profile, Profiles, VoiceProfile};
use mm3gw::interwork::Inward;
use mm3gw::interwork::to_fax::{FaxOutward, TextMode};
use mm3gw::mm::address::FaxAddress;
use mm3gw::mm::{self, Body, ContentType, Mm4, Part};

/// A media part named `name` (Content-ID `<name>` and a file name).
pub fn leaf(mime: &str, name: &str, bytes: Vec<u8>) -> Part {
    let mut p = Part::leaf(ContentType::new(mime), bytes).with_content_id(&format!("<{name}>"));
    p.name = Some(name.into());
    p
}

/// An MM4_forward.REQ to `to` with the given headers and parts, read back by our parser (so its
/// slides are what the gateway would see).
pub fn forward_req(to: &str, extra_headers: &str, parts: Vec<Part>) -> Mm4 {
    let mut body = Part::leaf(ContentType::new("multipart/mixed"), Vec::new());
    body.body = Body::Multipart(parts);
    let mut m = Mm4::new(mm::MessageType::ForwardReq);
    m.body = Some(body);
    // Headers are easier to read as text; put them in front of the built body.
    let text = String::from_utf8(m.to_bytes()).unwrap();
    let (_, rest) = text.split_once("MIME-Version").unwrap();
    let raw = format!(
        "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_forward.REQ\r\n\
         X-Mms-Transaction-ID: T-1\r\nX-Mms-Message-ID: M-1@mmsc.example\r\n\
         From: +4917012345/TYPE=PLMN\r\nTo: {to}\r\nDate: Mon, 24 Nov 2025 10:00:00 +0000\r\n\
         X-Mms-Originator-System: system-user@mms.mnc002.mcc262.gprs\r\n{extra_headers}MIME-Version{rest}"
    );
    mm::parse(raw.as_bytes(), &mm::Limits::default()).unwrap().mm
}

/// What the gateway decides for a conversion into MMS at `now`, from the return path
/// `mail_from` (and whether the sender asked for NOTIFY=SUCCESS).
pub fn inward(now: i64, mail_from: &str, delivery_report: bool) -> Inward {
    Inward {
        now,
        mm_id: "m9.token@mm3gw.test".into(),
        transaction_id: "T-9".into(),
        message_id: "m9.token@mm3gw.test".into(),
        system_address: "system-user@mm3gw.test".into(),
        gateway_domain: "mm3gw.test".into(),
        mmsc_domain: "mms.mnc002.mcc262.gprs".into(),
        recipients: vec!["+4917012345/TYPE=PLMN".into()],
        mail_from: mail_from.into(),
        delivery_report,
        reports: true,
        max_message_bytes: 300 * 1024,
    }
}

/// What the gateway decides for an MM leaving as fax mail to `FAX=+12125550100@offramp.test`.
pub fn fax_outward(now: i64, mode: TextMode) -> FaxOutward {
    FaxOutward {
        now,
        message_id: "m3.token@mm3gw.test".into(),
        gateway_domain: "mm3gw.test".into(),
        system_address: "system-user@mm3gw.test".into(),
        recipients: vec![FaxAddress::parse("FAX=+12125550100@offramp.test").unwrap()],
        text_mode: mode,
    }
}

/// Fax pages shown in an MM: distinct `pageN` numbers of its image parts (a page too tall to be
/// legible whole is sent as strips `pageN-S`).
pub fn pages_of(mm: &Mm4) -> usize {
    let mut pages: Vec<String> = mm
        .leaves()
        .iter()
        .filter(|p| p.content_type.main_type() == "image")
        .filter_map(|p| p.name.clone())
        .map(|n| n.split(['-', '.']).next().unwrap_or_default().to_owned())
        .collect();
    pages.sort();
    pages.dedup();
    pages.len()
}

/// An embedded fax route profile.
pub fn fax_profile(name: &str) -> FaxProfile {
    match Profiles::embedded().unwrap().get(name) {
        Some(Profile::Fax(f)) => f.clone(),
        _ => panic!("no fax profile {name}"),
    }
}

/// An embedded voice route profile.
pub fn voice_profile(name: &str) -> VoiceProfile {
    match Profiles::embedded().unwrap().get(name) {
        Some(Profile::Voice(v)) => v.clone(),
        _ => panic!("no voice profile {name}"),
    }
}
