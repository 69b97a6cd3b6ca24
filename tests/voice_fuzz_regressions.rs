//! Replays every saved fuzz input of the voice targets (tests/fuzz_regressions/voice_*/): each
//! must go through its target's entry point without a panic. Hand-made edge cases sit beside
//! crashers the fuzzer found, so every folder is non-empty and the test proves it read them.

mod common;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = common::root().join("tests/fuzz_regressions").join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut replayed = 0;
    for entry in entries {
        let path = entry.expect("dir entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        run(&data);
        replayed += 1;
    }
    assert!(replayed > 0, "{}: no inputs replayed", dir.display());
}

#[test]
fn voice_wav_regressions() {
    replay("voice_wav", mm3gw::voice::fuzzing::wav);
}

#[test]
fn voice_amr_regressions() {
    replay("voice_amr", mm3gw::voice::fuzzing::amr);
}

#[test]
fn voice_g726_regressions() {
    replay("voice_g726", mm3gw::voice::fuzzing::g726);
}
