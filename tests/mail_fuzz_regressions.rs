//! Replays every input the mail fuzz targets ever crashed on (tests/fuzz_regressions/<target>/):
//! each must now parse or fail with an error, never panic, and pass the targets' round trips
//! (tests/fuzz_checks/mail.rs, shared with the targets). The directories may be empty: the
//! test still runs the parsers over the committed samples so it always exercises something.
mod common;

use std::path::Path;

#[path = "fuzz_checks/mail.rs"]
mod checks;

use mm3gw::mail;

/// Everything the mail fuzz targets check, with their round trips.
fn exercise(data: &[u8]) {
    checks::dsn(data);
    checks::mdn(data);
    checks::voice_fax(data);
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
