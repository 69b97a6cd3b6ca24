//! Fax pages → MM images: every interop fax file (each distinct decoded document once) meets
//! every image content class's limits: total size within the budget, each image within the
//! maximum resolution and in a format the class accepts, and each image decodes to its size.
mod common;

use std::collections::HashSet;

use mm3gw::fax::tiff_read::read;
use mm3gw::fax::{Limits, Page, Resolution};
use mm3gw::render::decode::{DecodeLimits, decode};
use mm3gw::render::fax_to_image::{ClassLimits, OutFormat, ToImageOptions, pages_to_images};

/// Every interop fax file, decoded; identical documents (the same page coded several ways)
/// are kept once.
fn documents() -> Vec<(String, Vec<Page>)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for sub in ["tiff", "wild"] {
        let dir = common::root().join("samples/interop/fax").join(sub);
        let mut files: Vec<_> =
            std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if !f.extension().is_some_and(|e| e == "tif" || e == "tiff") {
                continue;
            }
            let data = std::fs::read(&f).unwrap();
            let pages: Vec<Page> = read(&data, &Limits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                .into_iter()
                .map(|mut d| {
                    d.page.resolution.get_or_insert(Resolution::FINE);
                    d.page
                })
                .collect();
            let key: Vec<(u32, u32, Vec<u8>)> =
                pages.iter().map(|p| (p.width(), p.height(), p.data().to_vec())).collect();
            if seen.insert(key) {
                out.push((f.file_name().unwrap().to_string_lossy().into_owned(), pages));
            }
        }
    }
    assert!(out.len() >= 5, "{}", out.len());
    out
}

fn check_class(class: &ClassLimits, opts: &ToImageOptions, docs: &[(String, Vec<Page>)]) {
    for (name, pages) in docs {
        let images = pages_to_images(pages, class, opts)
            .unwrap_or_else(|e| panic!("{name} -> {}: {e}", class.name));
        let total: u64 = images.iter().map(|i| i.bytes.len() as u64).sum();
        assert!(
            total <= class.max_bytes - opts.reserve_bytes,
            "{name} -> {}: {total} bytes",
            class.name
        );
        for img in &images {
            assert!(class.formats.contains(&img.format), "{name}: {:?}", img.format);
            assert!(
                img.width <= class.max_width && img.height <= class.max_height,
                "{name}: {img:?}"
            );
            let d = decode(&img.bytes, None, false, &DecodeLimits::default())
                .unwrap_or_else(|e| panic!("{name} -> {} {:?}: {e}", class.name, img.format));
            let f = &d.frames[0];
            assert_eq!((f.width(), f.height()), (img.width, img.height), "{name}");
        }
        // Every page is shown.
        let shown: HashSet<usize> = images.iter().map(|i| i.page).collect();
        assert_eq!(shown.len(), pages.len(), "{name}");
    }
}

#[test]
fn every_interop_page_fits_image_rich() {
    let docs = documents();
    check_class(&ClassLimits::named("image-rich").unwrap(), &ToImageOptions::default(), &docs);
    let whole = ToImageOptions { crop: false, strips: false, ..ToImageOptions::default() };
    check_class(&ClassLimits::named("image-rich").unwrap(), &whole, &docs);
}

#[test]
fn every_interop_page_fits_megapixel_and_video_rich() {
    let docs = documents();
    check_class(&ClassLimits::named("megapixel").unwrap(), &ToImageOptions::default(), &docs);
    check_class(&ClassLimits::named("video-rich").unwrap(), &ToImageOptions::default(), &docs);
}

#[test]
fn every_interop_page_fits_image_basic() {
    // 160x120 and 30 KB: nothing is legible, but the limits still hold.
    check_class(
        &ClassLimits::named("image-basic").unwrap(),
        &ToImageOptions::default(),
        &documents(),
    );
}

#[test]
fn a_class_with_only_jpeg_gets_jpeg_and_legibility_is_reported() {
    let class =
        ClassLimits { formats: vec![OutFormat::Jpeg], ..ClassLimits::named("image-rich").unwrap() };
    let docs = documents();
    let (_, pages) = &docs[0];
    let images = pages_to_images(pages, &class, &ToImageOptions::default()).unwrap();
    assert!(images.iter().all(|i| i.format == OutFormat::Jpeg && i.legible));
    let basic = ClassLimits::named("image-basic").unwrap();
    let images = pages_to_images(pages, &basic, &ToImageOptions::default()).unwrap();
    assert!(images.iter().all(|i| !i.legible));
}

#[test]
fn standard_pages_are_stretched_not_squashed() {
    // The same A4 page at 98 and 196 lpi gives images of the same shape.
    let docs = documents();
    let find = |n: &str| docs.iter().find(|d| d.0.starts_with(n)).map(|d| d.1.clone()).unwrap();
    let opts = ToImageOptions { crop: false, ..ToImageOptions::default() };
    let class = ClassLimits::named("megapixel").unwrap();
    let std = pages_to_images(&find("a4-std"), &class, &opts).unwrap();
    let fine = pages_to_images(&find("a4-fine"), &class, &opts).unwrap();
    let ratio = |i: &mm3gw::render::fax_to_image::MmImage| f64::from(i.height) / f64::from(i.width);
    assert!(
        (ratio(&std[0]) - ratio(&fine[0])).abs() < 0.01,
        "{:?} {:?}",
        std[0].width,
        fine[0].width
    );
    assert!((ratio(&fine[0]) - 297.0 / 215.0).abs() < 0.02);
}
