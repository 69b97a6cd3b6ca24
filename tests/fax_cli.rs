//! `mm3gw fax decode|encode|check` end to end through the binary.
mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn mm3gw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mm3gw")).args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm3gw-fax-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn src(name: &str) -> String {
    common::root().join("samples/interop/fax").join(name).display().to_string()
}

#[test]
fn encode_check_decode_round_trip() {
    let dir = scratch("round");
    let tif = dir.join("out.tif").display().to_string();
    let (fine, std_) = (src("src/a4-fine.pbm"), src("src/letter-fine.pbm"));
    let o = mm3gw(&["fax", "encode", &fine, &std_, "-o", &tif, "--eol-align"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = mm3gw(&["fax", "check", &tif]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let out = dir.join("pages").display().to_string();
    let o = mm3gw(&["fax", "decode", &tif, "-o", &out]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(
            "page 1: 1728x2287, 204x196 dpi, MH (T.4 1-D), fill order lsb (2), bad lines 0"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("page 2: 1728x2200"), "{stdout}");
    for (n, want) in [(1, &fine), (2, &std_)] {
        let got = std::fs::read(dir.join(format!("pages/page-{n}.pbm"))).unwrap();
        assert!(got == std::fs::read(want).unwrap(), "page {n}");
    }
}

#[test]
fn mmr_encode_is_profile_f_not_s() {
    let dir = scratch("mmr");
    let tif = dir.join("out.tif").display().to_string();
    let o = mm3gw(&[
        "fax",
        "encode",
        &src("src/a4-std.pbm"),
        "-o",
        &tif,
        "--compression",
        "mmr",
        "--resolution",
        "standard",
        "--fill-order",
        "msb",
    ]);
    assert!(o.status.success());
    assert!(mm3gw(&["fax", "check", &tif, "--profile", "F"]).status.success());
    let o = mm3gw(&["fax", "check", &tif, "--profile", "S"]);
    assert_eq!(o.status.code(), Some(1));
    let lines = String::from_utf8_lossy(&o.stdout).lines().count();
    assert_eq!(lines, 2, "Compression and FillOrder: {}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn check_lists_one_line_per_violation_and_exits_1() {
    let file = src("tiff/a4-fine.mh.msb.tif");
    let o = mm3gw(&["fax", "check", &file]);
    assert_eq!(o.status.code(), Some(1));
    let expected =
        mm3gw::fax::check::check(&std::fs::read(&file).unwrap(), mm3gw::fax::check::Profile::S);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), expected.len());
}

#[test]
fn raw_g3_decodes() {
    let dir = scratch("raw");
    let out = dir.display().to_string();
    let o = mm3gw(&[
        "fax",
        "decode",
        "--raw-g3",
        "--width",
        "1728",
        "--fill-order",
        "lsb",
        &src("raw/a4-fine.pbmtog3-reversebits-align8.g3"),
        "-o",
        &out,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read(dir.join("page-1.pbm")).unwrap()
            == std::fs::read(src("src/a4-fine.pbm")).unwrap()
    );
}

#[test]
fn bad_width_and_bad_input_exit_1() {
    let dir = scratch("bad");
    let pbm = dir.join("narrow.pbm");
    std::fs::write(&pbm, b"P4\n16 2\n\0\0\0\0").unwrap();
    let tif = dir.join("x.tif").display().to_string();
    let o = mm3gw(&["fax", "encode", &pbm.display().to_string(), "-o", &tif]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a fax width"));
    let o = mm3gw(&["fax", "decode", &pbm.display().to_string(), "-o", &dir.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn corrupt_mmr_keeps_the_rows_before_the_damage_and_exits_1() {
    let dir = scratch("mmr-corrupt");
    let tif = dir.join("in.tif");
    let o = mm3gw(&[
        "fax",
        "encode",
        &src("src/a4-std.pbm"),
        "-o",
        &tif.display().to_string(),
        "--compression",
        "mmr",
        "--resolution",
        "standard",
    ]);
    assert!(o.status.success());
    let mut bytes = std::fs::read(&tif).unwrap();
    // Our layout: IFD at 8 (17 entries), two rationals, then the strip at 234.
    bytes[234 + 12_000..234 + 12_016].fill(0);
    std::fs::write(&tif, &bytes).unwrap();
    let out = dir.join("pages");
    let o = mm3gw(&["fax", "decode", &tif.display().to_string(), "-o", &out.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("page 1: MMR data corrupt at row"), "{err}");
    let got = std::fs::read(out.join("page-1.pbm")).unwrap();
    let want = std::fs::read(src("src/a4-std.pbm")).unwrap();
    let limits = mm3gw::fax::Limits::default();
    let (got, want) = (
        mm3gw::fax::Page::from_pbm(&got, &limits).unwrap(),
        mm3gw::fax::Page::from_pbm(&want, &limits).unwrap(),
    );
    assert!(got.height() > 10 && got.height() < want.height(), "{}", got.height());
    assert!((0..got.height() - 2).all(|y| got.row(y) == want.row(y)));
}
