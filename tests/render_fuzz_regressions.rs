//! Replays every saved fuzz input (tests/fuzz_regressions/render_image/) through the target's
//! own body in `mm3gw::render::fuzzing`. The folder must hold at least one input.
mod common;

#[test]
fn render_image() {
    let dir = common::root().join("tests/fuzz_regressions/render_image");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| mm3gw::render::fuzzing::image(&data));
        assert!(r.is_ok(), "{} panics", path.display());
        n += 1;
    }
    assert!(n > 0, "{} holds no inputs", dir.display());
}
