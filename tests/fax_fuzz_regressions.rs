//! Replays every saved fuzz input (tests/fuzz_regressions/<target>/) through the target's own
//! body in `mm3gw::fax::fuzzing`. Each directory must exist and hold at least one input, so a
//! renamed folder cannot turn this test into a no-op.
mod common;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = common::root().join("tests/fuzz_regressions").join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|f| f.to_string_lossy().starts_with('.')) {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| run(&data));
        assert!(r.is_ok(), "{} panics", path.display());
        n += 1;
    }
    assert!(n > 0, "{} holds no inputs", dir.display());
}

#[test]
fn fax_tiff() {
    replay("fax_tiff", mm3gw::fax::fuzzing::tiff);
}

#[test]
fn fax_t4() {
    replay("fax_t4", mm3gw::fax::fuzzing::t4);
}

#[test]
fn fax_t6() {
    replay("fax_t6", mm3gw::fax::fuzzing::t6);
}

#[test]
fn fax_roundtrip() {
    replay("fax_roundtrip", mm3gw::fax::fuzzing::roundtrip);
}
