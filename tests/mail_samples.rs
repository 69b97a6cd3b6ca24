//! Third-party mail (samples/mail/, samples/interop/mime/: written by Python's email package in
//! the shapes deployed peers send) read by the mail parsers, with the values each must yield.
mod common;

use mm3gw::mail::dsn::{self, Action, StatusCode, TypedAddress};
use mm3gw::mail::mdn::{self, DispositionType};
use mm3gw::mail::t37::{self, Originator};
use mm3gw::mail::vpim::{self, Profile, Sensitivity, VoiceRole};
use mm3gw::mail::{Importance, Kind, Limits};
use mm3gw::mm::{self, MmStatus, ReadStatus};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(common::root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn every_sample_is_classified() {
    let cases = [
        ("samples/interop/mime/t37-simple.eml", Kind::FaxMail),
        ("samples/interop/mime/vpim-voice.eml", Kind::Vpim),
        ("samples/interop/mime/mms-related.eml", Kind::Other),
        ("samples/mail/dsn-postfix-failed.eml", Kind::Dsn),
        ("samples/mail/dsn-delivered-relayed.eml", Kind::Dsn),
        ("samples/mail/dsn-exim-expired.eml", Kind::Dsn),
        ("samples/mail/mdn-fax-dispatched.eml", Kind::Mdn),
        ("samples/mail/mdn-fax-processed-error.eml", Kind::Mdn),
        ("samples/mail/mdn-vpim-deleted-expired.eml", Kind::Mdn),
        ("samples/mail/vpim-name-vcard-fax.eml", Kind::Vpim),
        ("samples/mail/vpim-private.eml", Kind::Vpim),
        ("samples/mail/vpim-in-mixed.eml", Kind::Vpim),
        ("samples/mail/ivm-basic.eml", Kind::Ivm),
        ("samples/mail/fax-cisco-onramp.eml", Kind::FaxMail),
        ("samples/mail/fax-single-tiff.eml", Kind::FaxMail),
        ("samples/mail/fax-swaks.eml", Kind::FaxMail),
    ];
    for (path, kind) in cases {
        let mime = mm::parse_mime(&read(path), &limits().mime).unwrap();
        assert_eq!(Kind::of(&mime), kind, "{path}");
    }
}

#[test]
fn interop_fax_mail() {
    let f = t37::parse(&read("samples/interop/mime/t37-simple.eml"), &limits()).unwrap();
    assert_eq!(f.common.subject.as_deref(), Some("Fax von Müller & Söhne, 3 Seiten"));
    match &f.originator {
        Some(Originator::Mail(m)) => {
            assert_eq!(m.address, "sender@example.org");
            assert_eq!(m.name.as_deref(), Some("Jörg Müller"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.common.to[0].address, "FAX=+12125550100@fax.example.net");
    assert_eq!(f.texts, ["Fax message, see the attached TIFF-F file.\n"]);
    assert_eq!(f.documents.len(), 1);
    assert_eq!(f.documents[0].application.as_deref(), Some("faxbw"));
    assert_eq!(f.documents[0].name.as_deref(), Some("fax.tif"));
    assert!(f.documents[0].tiff.starts_with(b"II*\0"));
    assert!(f.others.is_empty());
}

#[test]
fn onramp_fax_mail() {
    let f = t37::parse(&read("samples/mail/fax-cisco-onramp.eml"), &limits()).unwrap();
    match &f.originator {
        Some(Originator::Fax(a)) => {
            assert_eq!(a.to_string(), "FAX=+12025550199@onramp.example.com")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.documents.len(), 1, "multipart/fax-message read as mixed");
    assert_eq!(f.documents[0].name.as_deref(), Some("Cisco_fax.tif"));

    let f = t37::parse(&read("samples/mail/fax-single-tiff.eml"), &limits()).unwrap();
    assert_eq!(f.common.subject.as_deref(), Some("Fax über 3 Seiten"));
    assert_eq!(f.common.importance, Some(Importance::Low), "X-Priority 5");
    assert_eq!(f.documents.len(), 1);
    assert!(f.texts.is_empty());
    match &f.originator {
        Some(Originator::Mail(m)) => assert_eq!(m.address, "noreply@onramp.example.com"),
        other => panic!("{other:?}"),
    }
    // Other kinds are not fax mail: no document, a finding says so.
    let f = t37::parse(&read("samples/interop/mime/mms-related.eml"), &limits()).unwrap();
    assert!(f.documents.is_empty());
    assert!(f.findings.iter().any(|x| x.what.contains("no TIFF")));
    assert!(f.others.iter().any(|o| o.content_type == "image/jpeg"));
}

#[test]
fn swaks_fax_mail() {
    let f = t37::parse(&read("samples/mail/fax-swaks.eml"), &limits()).unwrap();
    assert_eq!(f.common.subject.as_deref(), Some("Fax via swaks"));
    assert_eq!(f.common.message_id.as_deref(), Some("swaks-1@example.net"));
    assert_eq!(f.common.to[0].address, "FAX=+12025550100@offramp.example.net");
    match &f.originator {
        Some(Originator::Mail(m)) => assert_eq!(m.address, "fax-user@mm3gw.example.net"),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.texts.len(), 1);
    assert_eq!(f.texts[0].trim_end(), "Cover note from swaks");
    assert_eq!(f.documents.len(), 1);
    assert_eq!(f.documents[0].application, None, "never required on input");
    let reference = t37::parse(&read("samples/interop/mime/t37-simple.eml"), &limits()).unwrap();
    assert_eq!(f.documents[0].tiff, reference.documents[0].tiff, "upper-case BASE64 decoded");
}

#[test]
fn interop_vpim() {
    let v = vpim::parse(&read("samples/interop/mime/vpim-voice.eml"), &limits()).unwrap();
    assert_eq!(v.profile, Profile::Vpim);
    assert_eq!(v.version.as_deref(), Some("2.0"));
    assert_eq!(v.audio.len(), 1);
    let a = &v.audio[0];
    assert_eq!(a.role, Some(VoiceRole::VoiceMessage));
    assert_eq!(a.duration_secs, Some(7));
    assert_eq!(a.name.as_deref(), Some("msg.726"));
    // 7 s declared (rounded by the sender); the data is the authority: 4000 octets a second.
    assert_eq!((a.bytes.len() as f64 / 4000.0).round(), 7.0);
    assert!(v.refusal().is_none());
}

#[test]
fn vpim_with_spoken_name_vcard_and_fax() {
    let v = vpim::parse(&read("samples/mail/vpim-name-vcard-fax.eml"), &limits()).unwrap();
    assert_eq!(v.common.importance, Some(Importance::High));
    assert_eq!(
        v.common.disposition_notification_to.as_ref().map(|m| m.address.as_str()),
        Some("+16137637582@vm1.mycompany.com")
    );
    let name = v.spoken_name().unwrap();
    assert_eq!((name.duration_secs, name.bytes.len()), (Some(2), 8000));
    assert_eq!(name.content_id.as_deref(), Some("part1@VM2-4321"));
    assert_eq!(v.message_audio().len(), 1);
    assert!(v.spoken_subject().is_none());
    assert_eq!(v.vcards.len(), 1);
    let card = &v.vcards[0];
    assert_eq!(card.display_name(), Some("Mr. Glenn Parsons"), "from N: no FN in the card");
    assert_eq!(card.tel, ["+1-613-763-7582"]);
    assert_eq!(v.fax.len(), 1);
    assert!(v.fax[0].starts_with(b"II*\0"));
    assert!(v.refusal().is_none());
}

#[test]
fn vpim_private_is_refused_with_5_6_0() {
    let v = vpim::parse(&read("samples/mail/vpim-private.eml"), &limits()).unwrap();
    assert_eq!(v.sensitivity, Some(Sensitivity::Private));
    let r = v.refusal().unwrap();
    assert_eq!(r.status, "5.6.0");
}

#[test]
fn vpim_inside_mixed_and_ivm() {
    let v = vpim::parse(&read("samples/mail/vpim-in-mixed.eml"), &limits()).unwrap();
    assert_eq!(v.profile, Profile::Vpim);
    assert_eq!(v.texts, ["Please call back.\n"]);
    assert_eq!(v.message_audio()[0].duration_secs, Some(7), "`7 (seconds)`: comment dropped");

    let v = vpim::parse(&read("samples/mail/ivm-basic.eml"), &limits()).unwrap();
    assert_eq!(v.profile, Profile::Ivm);
    assert_eq!(v.audio.len(), 1);
    assert_eq!(v.audio[0].content_type, "audio/basic");
    assert_eq!(v.audio[0].bytes.len(), 16000);
    assert_eq!(v.audio[0].duration_secs, Some(2));
    assert_eq!(v.texts, ["You have a new voice message.\n"]);
    assert_eq!(v.common.from.as_ref().and_then(|m| m.name.as_deref()), Some("Voicemail"));
}

#[test]
fn postfix_failure_dsn() {
    let d = dsn::parse(&read("samples/mail/dsn-postfix-failed.eml"), &limits()).unwrap();
    assert_eq!(d.reporting_mta.as_deref(), Some("dns; offramp.example.net"));
    assert_eq!(d.original_envelope_id.as_deref(), Some("mm3gw.TOKEN-1"));
    assert_eq!(d.arrival_date, Some(1_719_993_598));
    assert_eq!(d.recipients.len(), 1);
    let r = &d.recipients[0];
    assert_eq!(r.action, Action::Failed);
    assert_eq!(r.status, Some(StatusCode::new(5, 1, 1)));
    assert_eq!(
        r.original_recipient,
        Some(TypedAddress::rfc822("FAX=+12125550100@offramp.example.net"))
    );
    assert_eq!(
        r.diagnostic_code.as_deref(),
        Some("X-Fax; number unobtainable (no answer after 3 attempts)")
    );
    assert_eq!(r.remote_mta.as_deref(), Some("dns; faxmodem.offramp.example.net"));
    assert_eq!(r.mm_status(), Some(MmStatus::Rejected));
    assert_eq!(d.returned_message_id.as_deref(), Some("mm3gw.TOKEN-1.full@mm3gw.example.net"));
    assert!(d.human_text.as_deref().unwrap().contains("could not"));
}

#[test]
fn success_dsn_with_two_recipients() {
    let d = dsn::parse(&read("samples/mail/dsn-delivered-relayed.eml"), &limits()).unwrap();
    let got: Vec<_> = d.recipients.iter().map(|r| (r.action.clone(), r.mm_status())).collect();
    assert_eq!(
        got,
        [
            (Action::Delivered, Some(MmStatus::Retrieved)),
            (Action::Relayed, Some(MmStatus::Forwarded))
        ]
    );
    // The DR names the original recipient when there is one, else the final one.
    assert_eq!(d.recipients[0].recipient().unwrap().address, "+12125550100@vm.example.com");
    assert_eq!(d.recipients[1].recipient().unwrap().address, "2125550101@legacy.example.com");
    assert_eq!(d.recipients[0].last_attempt_date, Some(1_719_993_599));
    assert_eq!(d.returned_message_id.as_deref(), Some("mm3gw.TOKEN-2.full@mm3gw.example.net"));
}

#[test]
fn exim_style_dsn_without_group_separators() {
    let d = dsn::parse(&read("samples/mail/dsn-exim-expired.eml"), &limits()).unwrap();
    assert_eq!(d.recipients.len(), 2);
    assert_eq!(
        d.recipients[0].original_recipient.as_ref().map(|a| a.address.as_str()),
        Some("FAX=+33188335215@fax.example.org"),
        "xtext left in by the peer is undone"
    );
    assert_eq!(d.recipients[0].mm_status(), Some(MmStatus::Expired));
    assert_eq!(d.recipients[1].action, Action::Delayed);
    assert_eq!(d.recipients[1].mm_status(), None, "delayed DSNs give no DR");
    assert_eq!(d.recipients[1].will_retry_until, Some(1_720_080_000));
    assert!(d.returned_message_id.is_none());
}

#[test]
fn fax_full_mode_mdns() {
    let m = mdn::parse(&read("samples/mail/mdn-fax-dispatched.eml"), &limits()).unwrap();
    assert_eq!(m.disposition.kind, DispositionType::Dispatched);
    assert!(!m.disposition.is_error());
    assert_eq!(m.read_status(), None);
    assert_eq!(m.original_message_id.as_deref(), Some("mm3gw.TOKEN-3.full@mm3gw.example.net"));
    assert_eq!(m.reporting_ua.as_deref(), Some("offramp.example.net; FaxGate 4.2"));
    assert_eq!(
        m.final_recipient.as_ref().map(|a| a.address.as_str()),
        Some("FAX=+12125550100@offramp.example.net")
    );

    let m = mdn::parse(&read("samples/mail/mdn-fax-processed-error.eml"), &limits()).unwrap();
    assert_eq!(m.disposition.kind, DispositionType::Processed);
    assert!(m.disposition.is_error());
    assert_eq!(m.errors, ["busy after 5 attempts"]);
    assert_eq!(m.read_status(), None);

    let m = mdn::parse(&read("samples/mail/mdn-vpim-deleted-expired.eml"), &limits()).unwrap();
    assert_eq!(m.disposition.kind, DispositionType::Deleted);
    assert_eq!(m.disposition.modifiers, ["expired"]);
    assert_eq!(m.read_status(), Some(ReadStatus::DeletedWithoutBeingRead));
}

#[test]
fn the_inspect_samples_too() {
    let d = dsn::parse(&read("samples/inspect/dsn-delivered/input.eml"), &limits()).unwrap();
    assert_eq!(d.recipients[0].mm_status(), Some(MmStatus::Retrieved));
    let m = mdn::parse(&read("samples/inspect/mdn-displayed/input.eml"), &limits()).unwrap();
    assert_eq!(m.read_status(), Some(ReadStatus::Read));
    assert_eq!(m.original_message_id.as_deref(), Some("x@mm3gw.example.net"));
}

#[test]
fn wrong_kinds_are_errors_not_panics() {
    let fax = read("samples/interop/mime/t37-simple.eml");
    assert_eq!(dsn::parse(&fax, &limits()), Err(dsn::Error::NoStatusPart));
    assert_eq!(mdn::parse(&fax, &limits()), Err(mdn::Error::NoNotificationPart));
    assert_eq!(vpim::parse(&fax, &limits()).err(), Some(vpim::Error::NotVoiceMail));
}
