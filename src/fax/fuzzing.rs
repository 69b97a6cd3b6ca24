//! The bodies of the cargo-fuzz targets (`fuzz/fuzz_targets/fax_*.rs`), here so that
//! `tests/fax_fuzz_regressions.rs` replays saved crashers through exactly the same code.
//! Each returns normally for any input; a panic is a bug. Tight [`Limits`] keep runs fast.
use super::check::{Profile, check};
use super::t4::{self, T4Encode, T4Params};
use super::t6::{self, T6Error};
use super::tiff_read::Tiff;
use super::{Limits, Page};

fn tight() -> Limits {
    Limits {
        max_width: 5000,
        max_height: 5000,
        max_pages: 16,
        max_strip_bytes: 1 << 20,
        max_total_pixels: 1 << 22,
    }
}

/// TIFF reader, every page decoder behind it, the checker, and the PBM reader.
pub fn tiff(data: &[u8]) {
    let _ = Page::from_pbm(data, &tight());
    if let Ok(t) = Tiff::parse(data, &tight()) {
        for i in 0..t.ifds.len() {
            let _ = t.decode_page(i);
        }
    }
    if data.len() < 1 << 16 {
        let _ = check(data, Profile::S);
        let _ = check(data, Profile::F);
    }
}

/// MH/MR decoder; the first two bytes pick width, rows and mode.
pub fn t4(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let width = 1 + u32::from(*a) * 19;
    let params = T4Params {
        width,
        rows: (b & 1 == 1).then_some(u32::from(b >> 3) + 1),
        two_d: b & 2 != 0,
        byte_aligned_rows: b & 4 != 0,
    };
    if let Ok(d) = t4::decode(rest, &params, &tight()) {
        assert_eq!(d.page.width(), width);
        assert!(d.consecutive_bad_lines <= d.bad_lines);
    }
}

/// MMR decoder; the first two bytes pick width and rows.
pub fn t6(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let width = 1 + u32::from(*a) * 19;
    let rows = 1 + u32::from(*b) * 4;
    match t6::decode(rest, width, rows, &tight()) {
        Ok(p) => assert_eq!((p.width(), p.height()), (width, rows)),
        Err(T6Error::Corrupt { row, partial, .. } | T6Error::Short { row, partial, .. }) => {
            assert_eq!(partial.height(), row)
        }
        Err(_) => {}
    }
}

/// Encode → decode compares pixels (not bitstreams) for arbitrary page content.
pub fn roundtrip(data: &[u8]) {
    let [a, b, rest @ ..] = data else { return };
    let width = 1 + u32::from(*a) * 7;
    let stride = width.div_ceil(8) as usize;
    let height = (rest.len() / stride).min(64) as u32;
    if height == 0 {
        return;
    }
    let Ok(page) = Page::from_rows(width, height, rest[..stride * height as usize].to_vec()) else {
        return;
    };
    let limits = tight();
    let k = [None, Some(2), Some(4)][usize::from(b % 3)];
    let opts = T4Encode { k, align_eol: b & 8 != 0, rtc: b & 16 != 0 };
    let coded = t4::encode(&page, &opts);
    let params =
        T4Params { width, rows: Some(height), two_d: k.is_some(), byte_aligned_rows: false };
    let d = t4::decode(&coded, &params, &limits).expect("own T.4 output decodes");
    assert!(d.page == page && d.bad_lines == 0, "T.4 round trip differs");
    let coded = t6::encode(&page);
    let back = t6::decode(&coded, width, height, &limits).expect("own T.6 output decodes");
    assert!(back == page, "T.6 round trip differs");
}
