//! Our encoder's output read back by libtiff: for every compression × fill order × resolution,
//! `tiffinfo -D` reads it without a warning, `tiffcp -c none` decodes it pixel-exact, and it
//! passes `fax check` for its profile. Fails (not skips) under CI when libtiff-tools is missing.
mod common;

use std::path::PathBuf;
use std::process::Command;

use mm3gw::fax::check::{Profile, check};
use mm3gw::fax::tiff_read::read;
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::fax::{Coding, FillOrder, Limits, Page, Resolution};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm3gw-fax-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn source(name: &str, res: Resolution) -> Page {
    let path = common::root().join("samples/interop/fax/src").join(name);
    let mut p = Page::from_pbm(&std::fs::read(path).unwrap(), &Limits::default()).unwrap();
    p.resolution = Some(res);
    p
}

/// Decodes `file` with libtiff into an uncompressed MSB-first TIFF and reads its pixels.
fn libtiff_decode(file: &PathBuf) -> Vec<Page> {
    let out = file.with_extension("none.tif");
    let st = Command::new("tiffcp")
        .args(["-c", "none", "-f", "msb2lsb"])
        .arg(file)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success() && st.stderr.is_empty(),
        "tiffcp: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    read(&bytes, &Limits::default()).unwrap().into_iter().map(|d| d.page).collect()
}

fn tiffinfo_clean(file: &PathBuf) {
    let st = Command::new("tiffinfo").arg("-D").arg(file).output().unwrap();
    assert!(st.status.success(), "tiffinfo failed on {}", file.display());
    assert!(
        st.stderr.is_empty(),
        "tiffinfo warns on {}: {}",
        file.display(),
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn libtiff_reads_every_variant_we_write() {
    if !common::require_tool("tiffcp", "-h") || !common::require_tool("tiffinfo", "-h") {
        return;
    }
    let fine = source("a4-fine.pbm", Resolution::FINE);
    let std_ = source("a4-std.pbm", Resolution::STANDARD);
    let mut combos = 0;
    for coding in [Coding::Mh, Coding::Mr, Coding::Mmr] {
        for fill_order in [FillOrder::Msb, FillOrder::Lsb] {
            for (label, page) in [("fine", &fine), ("std", &std_)] {
                for align_eol in [false, true] {
                    if coding == Coding::Mmr && align_eol {
                        continue;
                    }
                    let opts = WriteOptions { coding, fill_order, align_eol };
                    let bytes = to_vec(std::slice::from_ref(page), &opts).unwrap();
                    let file =
                        scratch(&format!("{coding:?}-{fill_order:?}-{label}-{align_eol}.tif"));
                    std::fs::write(&file, &bytes).unwrap();
                    tiffinfo_clean(&file);
                    let back = libtiff_decode(&file);
                    assert_eq!(back.len(), 1);
                    assert!(
                        back[0].data() == page.data(),
                        "{}: libtiff decode differs",
                        file.display()
                    );
                    let profile = if coding == Coding::Mh && fill_order == FillOrder::Lsb {
                        Profile::S
                    } else {
                        Profile::F
                    };
                    let v = check(&bytes, profile);
                    assert!(v.is_empty(), "{}: {v:?}", file.display());
                    if profile == Profile::F {
                        assert!(!check(&bytes, Profile::S).is_empty(), "S must refuse {opts:?}");
                    }
                    combos += 1;
                }
            }
        }
    }
    assert_eq!(combos, 20);
}

#[test]
fn libtiff_reads_a_multi_page_profile_s_file() {
    if !common::require_tool("tiffcp", "-h") || !common::require_tool("tiffinfo", "-h") {
        return;
    }
    let pages = vec![
        source("a4-fine.pbm", Resolution::FINE),
        source("a4-std.pbm", Resolution::STANDARD),
        source("letter-fine.pbm", Resolution::FINE),
    ];
    let bytes = to_vec(&pages, &WriteOptions::default()).unwrap();
    assert_eq!(check(&bytes, Profile::S), vec![]);
    let file = scratch("multipage-s.tif");
    std::fs::write(&file, &bytes).unwrap();
    tiffinfo_clean(&file);
    let back = libtiff_decode(&file);
    assert_eq!(back.len(), 3);
    for (a, b) in back.iter().zip(&pages) {
        assert!(a.data() == b.data());
    }
}

#[test]
fn checker_flags_libtiff_default_g3_output() {
    // fax/tiff/a4-fine.mh.msb.tif is `tiffcp -c g3` default output (MANIFEST line kept with it).
    let path = common::root().join("samples/interop/fax/tiff/a4-fine.mh.msb.tif");
    let v: Vec<String> =
        check(&std::fs::read(path).unwrap(), Profile::S).iter().map(|v| v.to_string()).collect();
    let has = |s: &str| v.iter().any(|l| l.contains(s));
    assert!(has("first IFD at offset"), "{v:#?}");
    assert!(has("NewSubfileType (254) is missing"), "{v:#?}");
    assert!(has("FillOrder (266)"), "{v:#?}");
    assert!(has("T4Options (292) is missing"), "{v:#?}");
    assert!(has("PageNumber (297) is missing"), "{v:#?}");
    assert!(has("precedes its IFD"), "{v:#?}");
}

#[test]
fn checker_flags_tiffcp_g4_without_t6options_for_profile_f() {
    let path = common::root().join("samples/interop/fax/tiff/a4-fine.mmr.msb.tif");
    let v = check(&std::fs::read(path).unwrap(), Profile::F);
    assert!(v.iter().any(|v| v.to_string().contains("T6Options (293) is missing")), "{v:#?}");
    // Layout rules are SHOULD in Profile F: not flagged.
    assert!(!v.iter().any(|v| v.to_string().contains("precedes its IFD")), "{v:#?}");
}

#[test]
fn checker_flags_big_endian_for_profile_s_only() {
    // wild/fax2d.tif is a big-endian ("MM") file from libtiff's fax2tiff, PageNumber 1-based.
    let bytes = std::fs::read(common::root().join("samples/interop/fax/wild/fax2d.tif")).unwrap();
    let s: Vec<String> = check(&bytes, Profile::S).iter().map(|v| v.to_string()).collect();
    assert!(s.iter().any(|l| l.contains("byte order is MM")), "{s:#?}");
    assert!(s.iter().any(|l| l.contains("PageNumber is 1,1; expected 0,1")), "{s:#?}");
    let f: Vec<String> = check(&bytes, Profile::F).iter().map(|v| v.to_string()).collect();
    assert!(!f.iter().any(|l| l.contains("byte order")), "{f:#?}");
}
