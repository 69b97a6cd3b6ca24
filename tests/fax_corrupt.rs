//! Corrupted input gives a typed error or a page with counted bad lines, never a panic:
//! truncation, bit flips, wrong strip counts, missing tags, absurd dimensions.
mod common;

use mm3gw::fax::check::{Profile, check};
use mm3gw::fax::tiff_read::{ErrorClass, Tiff, TiffReadError, read, read_raw_g3};
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::fax::{Coding, FillOrder, Limits, Page, PageError};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(common::root().join("samples/interop/fax").join(name)).unwrap()
}

fn small_page() -> Page {
    let stride = 216;
    let data = (0..stride * 60)
        .map(|i| if (i / stride) % 9 < 4 { (i * 37 % 256) as u8 } else { 0 })
        .collect();
    let mut p = Page::from_rows(1728, 60, data).unwrap();
    p.resolution = Some(mm3gw::fax::Resolution::FINE);
    p
}

/// Decodes everything it can; the point is that it returns.
fn exercise(bytes: &[u8]) {
    let limits = Limits { max_total_pixels: 1 << 24, ..Limits::default() };
    if let Ok(t) = Tiff::parse(bytes, &limits) {
        for i in 0..t.ifds.len() {
            let _ = t.decode_page(i);
        }
    }
    let _ = check(bytes, Profile::S);
    let _ = check(bytes, Profile::F);
}

/// Finds an IFD entry's byte position in one of our (little-endian, IFD at 8) files.
fn entry_pos(bytes: &[u8], tag: u16) -> usize {
    let n = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    (0..n)
        .map(|k| 10 + 12 * k)
        .find(|&at| u16::from_le_bytes([bytes[at], bytes[at + 1]]) == tag)
        .unwrap()
}

#[test]
fn truncated_files_never_panic_and_mh_keeps_rows() {
    for name in [
        "tiff/a4-std.mh.lsb.tif",
        "tiff/a4-std.mr-fill.msb.tif",
        "tiff/a4-std.mmr.lsb.tif",
        "wild/fax2d.tif",
    ] {
        let bytes = sample(name);
        for cut in (0..bytes.len()).step_by(997) {
            exercise(&bytes[..cut]);
        }
    }
    // A Profile S file cut in the middle of its strip: the page keeps its height, the missing
    // rows are counted as bad.
    let page = small_page();
    let bytes = to_vec(std::slice::from_ref(&page), &WriteOptions::default()).unwrap();
    let strip_len =
        u32::from_le_bytes(bytes[entry_pos(&bytes, 279) + 8..][..4].try_into().unwrap()) as usize;
    let mut cut = bytes[..bytes.len() - strip_len / 2].to_vec();
    let at = entry_pos(&cut, 279) + 8;
    cut[at..at + 4].copy_from_slice(&((strip_len - strip_len / 2) as u32).to_le_bytes());
    let d = read(&cut, &Limits::default()).unwrap();
    assert_eq!(d[0].page.height(), 60);
    assert!(d[0].bad_lines >= 20, "{}", d[0].bad_lines);
    for y in 0..20 {
        assert_eq!(d[0].page.row(y), page.row(y), "row {y} before the cut");
    }
}

#[test]
fn bit_flips_in_mh_and_mr_become_counted_bad_lines() {
    let page = small_page();
    for coding in [Coding::Mh, Coding::Mr] {
        let opts = WriteOptions { coding, fill_order: FillOrder::Lsb, align_eol: true };
        let clean = to_vec(std::slice::from_ref(&page), &opts).unwrap();
        let strip_at =
            u32::from_le_bytes(clean[entry_pos(&clean, 273) + 8..][..4].try_into().unwrap())
                as usize;
        let mut damaged_pages = 0;
        for k in 0..64usize {
            let mut bytes = clean.clone();
            let at = strip_at + 50 + (k * 7919) % (bytes.len() - strip_at - 60);
            bytes[at] ^= 1 << (k % 8);
            let d = read(&bytes, &Limits::default()).unwrap();
            let p = &d[0];
            assert_eq!(p.page.height(), 60);
            let wrong = (0..60).filter(|&y| p.page.row(y) != page.row(y)).count() as u32;
            if wrong > 0 {
                damaged_pages += 1;
                assert!(
                    p.bad_lines > 0 || coding == Coding::Mr || wrong <= 1,
                    "{coding:?} flip {k}: {wrong} rows differ, none counted"
                );
            }
            assert!(p.consecutive_bad_lines <= p.bad_lines);
        }
        assert!(damaged_pages > 0);
    }
}

#[test]
fn bit_flips_in_mmr_name_the_row() {
    let page = small_page();
    let opts = WriteOptions { coding: Coding::Mmr, fill_order: FillOrder::Msb, align_eol: false };
    let clean = to_vec(std::slice::from_ref(&page), &opts).unwrap();
    let strip_at =
        u32::from_le_bytes(clean[entry_pos(&clean, 273) + 8..][..4].try_into().unwrap()) as usize;
    let mut errors = 0;
    for k in 0..64usize {
        let mut bytes = clean.clone();
        let at = strip_at + 20 + (k * 104_729) % (bytes.len() - strip_at - 30);
        bytes[at] ^= 0x10 >> (k % 5);
        match read(&bytes, &Limits::default()) {
            Ok(_) => {}
            Err(TiffReadError::MmrCorrupt { row, partial, .. }) => {
                errors += 1;
                assert_eq!(partial.page.height(), row);
                assert!(row < 60);
            }
            Err(e) => panic!("flip {k}: unexpected {e}"),
        }
    }
    assert!(errors > 0);
}

#[test]
fn wrong_strip_counts_and_missing_tags_are_typed_errors() {
    let bytes = to_vec(&[small_page()], &WriteOptions::default()).unwrap();
    // StripByteCounts claims two values: the arrays disagree.
    let mut b = bytes.clone();
    let at = entry_pos(&b, 279);
    b[at + 4..at + 8].copy_from_slice(&2u32.to_le_bytes());
    b[at + 8..at + 12].copy_from_slice(&8u32.to_le_bytes());
    assert!(matches!(
        read(&b, &Limits::default()),
        Err(TiffReadError::StripCountMismatch { offsets: 1, counts: 2, .. })
    ));
    // ImageWidth renamed to an unknown tag: missing.
    let mut b = bytes.clone();
    let at = entry_pos(&b, 256);
    b[at..at + 2].copy_from_slice(&65000u16.to_le_bytes());
    assert!(matches!(
        read(&b, &Limits::default()),
        Err(TiffReadError::MissingTag { tag: 256, .. })
    ));
    // StripOffsets pointing past the end.
    let mut b = bytes.clone();
    let at = entry_pos(&b, 273);
    b[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(read(&b, &Limits::default()), Err(TiffReadError::OutOfFile { .. })));
    // An IFD chain that loops.
    let mut b = bytes.clone();
    let n = u16::from_le_bytes([b[8], b[9]]) as usize;
    let next = 10 + 12 * n;
    b[next..next + 4].copy_from_slice(&8u32.to_le_bytes());
    assert!(matches!(read(&b, &Limits::default()), Err(TiffReadError::IfdLoop { offset: 8 })));
    // Not TIFF at all.
    assert!(matches!(read(b"GIF89a", &Limits::default()), Err(TiffReadError::NotTiff)));
    // BigTIFF is refused as unsupported, not as corrupt.
    let big = read(b"II\x2b\x00\x08\x00\x00\x00", &Limits::default()).unwrap_err();
    assert_eq!(big.class(), ErrorClass::Unsupported);
}

#[test]
fn absurd_dimensions_are_refused_before_allocation() {
    let bytes = to_vec(&[small_page()], &WriteOptions::default()).unwrap();
    for (tag, value) in [(257u16, 1_000_000_000u32), (256, 4_000_000_000), (257, 0)] {
        let mut b = bytes.clone();
        let at = entry_pos(&b, tag);
        b[at + 8..at + 12].copy_from_slice(&value.to_le_bytes());
        match read(&b, &Limits::default()) {
            Err(TiffReadError::Page {
                source: PageError::TooLarge { .. } | PageError::Empty,
                ..
            }) => {}
            other => panic!("{tag}={value}: {other:?}"),
        }
    }
    // Raw G3 with an absurd width.
    assert!(
        read_raw_g3(&[0, 1, 0xFF], 1 << 30, FillOrder::Msb, false, &Limits::default()).is_err()
    );
}

#[test]
fn random_garbage_never_panics() {
    let mut x = 0x0123_4567_89AB_CDEF_u64;
    let template =
        to_vec(&[small_page()], &WriteOptions { coding: Coding::Mr, ..WriteOptions::default() })
            .unwrap();
    for round in 0..300 {
        let mut b = template.clone();
        for _ in 0..1 + round % 16 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = (x as usize) % b.len();
            b[at] = (x >> 32) as u8;
        }
        exercise(&b);
        let _ = read_raw_g3(&b, 1728, FillOrder::Lsb, round % 2 == 0, &Limits::default());
    }
}

#[test]
fn overlapping_ifds_with_huge_entry_counts_are_refused() {
    // 1000 IFDs at offsets 8, 10, 12, … each claiming 65 535 entries: without a cap this would
    // allocate gigabytes of entries from an 800 KB file.
    let mut b = vec![0u8; 8 + 12 * 65_535 + 8];
    b[..8].copy_from_slice(b"II\x2a\x00\x08\x00\x00\x00");
    b[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    let e = read(&b, &Limits::default()).unwrap_err();
    assert!(matches!(e, TiffReadError::TooManyEntries { entries: 65_535, .. }), "{e}");
    assert_eq!(e.class(), ErrorClass::TooLarge);
}
