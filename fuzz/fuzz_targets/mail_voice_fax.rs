//! VPIM/IVM and T.37 parsers (and the kind detection) on arbitrary bytes. Audio and TIFF
//! documents that parse are rebuilt into our own VPIM and fax mail and must come back byte for
//! byte.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mm3gw::mail::t37::{self, Document, FaxMail, FaxMediaType};
use mm3gw::mail::vpim::{self, Audio, AudioCoding, Profile, VoiceMail, VoiceRole};
use mm3gw::mail::{Head, Kind, Limits, Mailbox, Requests};
use mm3gw::mm::{self, address::FaxAddress};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        mime: mm::Limits {
            max_message_bytes: 1 << 20,
            max_parts: 64,
            max_depth: 8,
            max_recipients: 64,
        },
        max_report_recipients: 32,
        max_report_part_bytes: 64 * 1024,
    };
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
});
