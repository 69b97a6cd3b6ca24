//! Replays every input the mail fuzz targets ever crashed on (tests/fuzz_regressions/<target>/):
//! each must now parse or fail with an error, never panic. The directories may be empty: the
//! test still runs the parsers over the committed samples so it always exercises something.
mod common;

use std::path::Path;

use mm3gw::mail::{self, Kind, Limits, dsn, mdn, t37, vpim};
use mm3gw::mm;

fn tight() -> Limits {
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

/// Everything a mail fuzz target calls, minus the round-trip asserts.
fn exercise(data: &[u8]) {
    let limits = tight();
    if let Ok(mime) = mm::parse_mime(data, &limits.mime) {
        let _ = Kind::of(&mime);
    }
    if let Ok(d) = dsn::parse(data, &limits) {
        for r in &d.recipients {
            let _ = (r.mm_status(), r.recipient());
        }
    }
    if let Ok(m) = mdn::parse(data, &limits) {
        let _ = (m.read_status(), m.disposition.is_error());
        // As in the fuzz target: a disposition with clean tokens must build and read back.
        let clean = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && !b";/,(".contains(&b));
        let d = &m.disposition;
        if clean(d.kind.as_str()) && d.modifiers.iter().all(|x| clean(x)) {
            let report = mdn::MdnReport {
                head: mail::Head::new(mail::Mailbox::new("a@example.net"), 0, "id@example.net"),
                notification_to: "b@example.net".into(),
                reporting_ua: "example.net".into(),
                mdn_gateway: None,
                original_recipient: None,
                final_recipient: "a@example.net".into(),
                original_message_id: None,
                disposition: d.clone(),
                human_text: String::new(),
            };
            let built = mdn::build(&report).expect("a clean disposition builds");
            let again = mdn::parse(&built.bytes, &Limits::default()).expect("our MDN parses");
            assert_eq!(
                (&again.disposition.kind, &again.disposition.modifiers),
                (&d.kind, &d.modifiers)
            );
        }
    }
    if let Ok(v) = vpim::parse(data, &limits) {
        let _ = (v.refusal(), v.spoken_name(), v.message_audio());
    }
    let _ = t37::parse(data, &limits);
    let _ = mail::Importance::from_headers(&[(
        "X-Priority".into(),
        String::from_utf8_lossy(data).into(),
    )]);
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn crashers_stay_fixed() {
    let root = common::root().join("tests/fuzz_regressions");
    let mut n = 0;
    for target in ["mail_dsn", "mail_mdn", "mail_voice_fax"] {
        for f in files(&root.join(target)) {
            exercise(&std::fs::read(&f).unwrap());
            n += 1;
        }
    }
    eprintln!("{n} mail fuzz regressions replayed");
}

#[test]
fn truncations_of_the_samples_never_panic() {
    let mut inputs = files(&common::root().join("samples/mail"));
    inputs.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    assert!(inputs.len() >= 10);
    for f in inputs {
        let data = std::fs::read(&f).unwrap();
        // Every prefix on a coarse grid, plus a few byte flips: the shapes crashers take.
        let step = (data.len() / 64).max(1);
        for end in (0..data.len()).step_by(step) {
            exercise(&data[..end]);
        }
        let mut flipped = data.clone();
        for i in (0..flipped.len()).step_by(97) {
            flipped[i] ^= 0x20;
        }
        exercise(&flipped);
    }
}
