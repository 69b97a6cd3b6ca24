//! Every third-party fax file in samples/interop/fax decodes pixel-exact to its reference PBM
//! (the MANIFEST's `reference` column, one PBM per page).
mod common;

use mm3gw::fax::tiff_read::{read, read_raw_g3};
use mm3gw::fax::{FillOrder, Limits, Page};

fn interop() -> std::path::PathBuf {
    common::root().join("samples/interop")
}

fn pbm(rel: &str) -> Page {
    let bytes = std::fs::read(interop().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Page::from_pbm(&bytes, &Limits::default()).unwrap()
}

/// (encoded file, its reference PBMs in page order) from the MANIFEST.
fn manifest_pairs() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(interop().join("fax/MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let refs = cols.get(5).copied().unwrap_or("").trim();
            (!refs.is_empty())
                .then(|| (cols[0].to_string(), refs.split(' ').map(str::to_string).collect()))
        })
        .collect()
}

fn first_diff(a: &Page, b: &Page) -> String {
    if (a.width(), a.height()) != (b.width(), b.height()) {
        return format!("{}x{} vs {}x{}", a.width(), a.height(), b.width(), b.height());
    }
    let y = (0..a.height()).find(|&y| a.row(y) != b.row(y)).unwrap_or(0);
    format!("first differing row {y}")
}

#[test]
fn every_interop_file_decodes_to_its_reference() {
    let pairs = manifest_pairs();
    let mut pages_checked = 0;
    let mut failures = Vec::new();
    for (file, refs) in &pairs {
        let bytes = std::fs::read(interop().join(file)).unwrap();
        let decoded: Vec<Page> = if file.ends_with(".g3") {
            let fill = if file.contains("reversebits") { FillOrder::Lsb } else { FillOrder::Msb };
            let d = read_raw_g3(&bytes, 1728, fill, false, &Limits::default()).unwrap();
            assert_eq!(d.bad_lines, 0, "{file}");
            assert!(d.rtc, "{file}: pbmtog3 ends with RTC");
            vec![d.page]
        } else {
            match read(&bytes, &Limits::default()) {
                Ok(pages) => {
                    for p in &pages {
                        assert_eq!(p.bad_lines, 0, "{file}");
                    }
                    pages.into_iter().map(|p| p.page).collect()
                }
                Err(e) => {
                    failures.push(format!("{file}: {e}"));
                    continue;
                }
            }
        };
        assert_eq!(decoded.len(), refs.len(), "{file}: page count");
        for (i, (got, r)) in decoded.iter().zip(refs).enumerate() {
            let want = pbm(r);
            if (got.width(), got.height(), got.data()) != (want.width(), want.height(), want.data())
            {
                failures.push(format!("{file} page {i}: {}", first_diff(got, &want)));
            }
            pages_checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 41 TIFF pages + 2 raw streams (DECODE-CHECK.tsv) + 6 wild files.
    assert_eq!(pages_checked, 49);
}
