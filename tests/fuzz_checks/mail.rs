//! The properties the `mail_dsn`, `mail_mdn` and `mail_voice_fax` fuzz targets check, shared with
//! the regression test that replays their crashers (`tests/mail_fuzz_regressions.rs`), so both
//! check the same thing. Included by path from the fuzz targets; it may use only `mm3gw` and std.

use mm3gw::mail::dsn::{self, DsnRecipient, DsnReport};
use mm3gw::mail::mdn::{self, MdnReport};
use mm3gw::mail::t37::{self, Document, FaxMail, FaxMediaType};
use mm3gw::mail::vpim::{self, Audio, AudioCoding, Profile, VoiceMail, VoiceRole};
use mm3gw::mail::{Head, Kind, Limits, Mailbox, Requests};
use mm3gw::mm::{self, address::FaxAddress};

/// Tight limits, as fuzzing wants (a large input only costs time).
pub fn tight() -> Limits {
    Limits {
        mime: mm::Limits {
            max_message_bytes: 1 << 20,
            max_parts: 64,
            max_depth: 8,
            max_recipients: 64,
        },
        max_report_recipients: 32,
        max_report_part_bytes: 64 * 1024,
    }
}

/// DSN parser: whatever parses maps to an MM status without panicking, and rebuilding its
/// recipients as our own DSN parses back to the same actions and statuses.
pub fn dsn(data: &[u8]) {
    let limits = tight();
    let Ok(d) = dsn::parse(data, &limits) else { return };
    let recipients: Vec<DsnRecipient> = d
        .recipients
        .iter()
        .filter_map(|r| {
            let _ = r.mm_status();
            let status = r.status?;
            let addr = r.final_recipient.as_ref()?.address.clone();
            let ok = !addr.is_empty() && !addr.contains(['\r', '\n', '\0']);
            ok.then(|| DsnRecipient {
                original_recipient: None,
                final_recipient: addr,
                action: r.action.clone(),
                status,
                diagnostic_code: None,
                last_attempt_date: None,
            })
        })
        .filter(|r| !matches!(&r.action, dsn::Action::Other(a) if a.is_empty() || a.contains(['\r', '\n'])))
        .collect();
    if recipients.is_empty() {
        return;
    }
    let report = DsnReport {
        head: Head::new(Mailbox::new("a@example.net"), 0, "id@example.net"),
        return_path: "b@example.net".into(),
        reporting_mta: "example.net".into(),
        dsn_gateway: None,
        original_envelope_id: None,
        arrival_date: None,
        recipients: recipients.clone(),
        human_text: String::new(),
        original_headers: None,
    };
    let Ok(built) = dsn::build(&report) else { return };
    let again = dsn::parse(&built.bytes, &Limits::default()).expect("our DSN parses");
    let got: Vec<_> =
        again.recipients.iter().map(|r| (r.action.as_str().to_string(), r.status)).collect();
    let want: Vec<_> =
        recipients.iter().map(|r| (r.action.as_str().to_string(), Some(r.status))).collect();
    assert_eq!(got, want);
}

/// MDN parser: a parsed disposition with clean tokens, written back by our builder, parses to
/// the same type and modifiers.
pub fn mdn(data: &[u8]) {
    let limits = tight();
    let Ok(m) = mdn::parse(data, &limits) else { return };
    let _ = m.read_status();
    let _ = m.disposition.is_error();
    let report = MdnReport {
        head: Head::new(Mailbox::new("a@example.net"), 0, "id@example.net"),
        notification_to: "b@example.net".into(),
        reporting_ua: "example.net".into(),
        mdn_gateway: None,
        original_recipient: None,
        final_recipient: "a@example.net".into(),
        original_message_id: None,
        disposition: m.disposition.clone(),
        human_text: String::new(),
    };
    // Dispositions with line breaks or separators inside a token are refused or reparse
    // differently; only a clean one must survive.
    let clean = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && !b";/,(".contains(&b));
    let d = &m.disposition;
    if !(clean(d.kind.as_str()) && d.modifiers.iter().all(|x| clean(x))) {
        return;
    }
    let built = mdn::build(&report).expect("a clean disposition builds");
    let again = mdn::parse(&built.bytes, &Limits::default()).expect("our MDN parses");
    assert_eq!(again.disposition.kind, d.kind);
    assert_eq!(again.disposition.modifiers, d.modifiers);
}

/// VPIM/IVM and T.37 parsers (and the kind detection): audio and TIFF documents that parse are
/// rebuilt into our own VPIM and fax mail and must come back byte for byte.
pub fn voice_fax(data: &[u8]) {
    let limits = tight();
    if let Ok(mime) = mm::parse_mime(data, &limits.mime) {
        let _ = Kind::of(&mime);
    }
    if let Ok(v) = vpim::parse(data, &limits) {
        let _ = (v.refusal(), v.spoken_name(), v.message_audio());
        if !v.audio.is_empty() {
            let msg = VoiceMail {
                head: Head::new(Mailbox::new("a@example.net"), 0, "id@example.net"),
                mail_from: "a@example.net".into(),
                recipients: vec!["b@example.net".into()],
                audio: v
                    .audio
                    .iter()
                    .map(|a| Audio {
                        role: VoiceRole::VoiceMessage,
                        coding: AudioCoding::Adpcm32k,
                        bytes: a.bytes.clone(),
                        duration_secs: None,
                        filename: None,
                        language: None,
                    })
                    .collect(),
                fax: v.fax.clone(),
                forwarded: Vec::new(),
                vcard: v.vcards.first().cloned(),
                private: false,
                requests: Requests::default(),
            };
            let built = vpim::build(&msg, Profile::Vpim).expect("builds");
            let again = vpim::parse(&built.bytes, &Limits::default()).expect("our VPIM parses");
            let want: Vec<&[u8]> = v.audio.iter().map(|a| a.bytes.as_slice()).collect();
            let got: Vec<&[u8]> = again.audio.iter().map(|a| a.bytes.as_slice()).collect();
            assert_eq!(got, want);
            assert_eq!(again.fax, v.fax);
        }
    }
    if let Ok(f) = t37::parse(data, &limits) {
        if f.documents.is_empty() {
            return;
        }
        let fax = FaxMail {
            head: Head::new(Mailbox::new("a@example.net"), 0, "id@example.net"),
            mail_from: "a@example.net".into(),
            recipients: vec![FaxAddress::parse("FAX=+12025550100@example.net").expect("valid")],
            text: None,
            documents: f
                .documents
                .iter()
                .map(|d| Document { tiff: d.tiff.clone(), filename: None })
                .collect(),
            media_type: FaxMediaType::Tiff,
            application_faxbw: true,
            requests: Requests::default(),
        };
        let built = t37::build(&fax).expect("builds");
        let again = t37::parse(&built.bytes, &Limits::default()).expect("our fax mail parses");
        let got: Vec<&[u8]> = again.documents.iter().map(|d| d.tiff.as_slice()).collect();
        let want: Vec<&[u8]> = f.documents.iter().map(|d| d.tiff.as_slice()).collect();
        assert_eq!(got, want);
    }
}
