//! Replays every input kept in `tests/fuzz_regressions/{smil,address,mm4}/` (crashers found by
//! `cargo fuzz run smil|address|mm4`, and hand-made edge cases) through the same checks the fuzz
//! targets run, so a fixed crash stays fixed.

#[path = "fuzz_checks/mm.rs"]
mod checks;

use std::{fs, panic, path::PathBuf};

/// Runs `check` on every file of `tests/fuzz_regressions/<target>/` except READMEs; fails naming
/// each input that panics, and when the folder held no input at all.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(target);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && !p.file_name().is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
        })
        .collect();
    paths.sort();
    let mut failed = Vec::new();
    for path in &paths {
        let data = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(!paths.is_empty(), "no inputs in {}", dir.display());
    assert!(failed.is_empty(), "{} of {} inputs failed: {failed:#?}", failed.len(), paths.len());
}

#[test]
fn smil_regressions() {
    replay("smil", checks::smil);
}

#[test]
fn address_regressions() {
    replay("address", checks::address);
}

#[test]
fn mm4_regressions() {
    replay("mm4", checks::mm4);
}
