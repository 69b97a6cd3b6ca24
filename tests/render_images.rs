//! MM image → fax pages: geometry on paper, orientation, decoding against reference decodes,
//! every interop image as Profile S pages (our checker and libtiff).
mod common;

use std::io::Cursor;
use std::path::PathBuf;

use mm3gw::fax::check::{Profile, check};
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::fax::{Page, Resolution};
use mm3gw::render::decode::{DecodeLimits, Format, decode};
use mm3gw::render::image_to_fax::{Halftone, ImageOptions, TallPolicy, image_to_pages};

fn images_dir() -> PathBuf {
    common::root().join("samples/interop/images")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(images_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every encoded image in the sample corpus (not the reference decodes).
fn corpus() -> Vec<String> {
    let manifest = std::fs::read_to_string(images_dir().join("MANIFEST.tsv")).unwrap();
    let list: Vec<String> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|p| !p.starts_with("images/ref/"))
        .map(|p| p.trim_start_matches("images/").to_string())
        .collect();
    assert!(list.len() >= 25, "{list:?}");
    list
}

fn png_bytes(img: image::GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// Black bounding box of a page in inches (width, height).
fn black_box_inches(p: &Page) -> (f64, f64) {
    let r = p.resolution.unwrap();
    let (mut x0, mut x1, mut y0, mut y1) = (u32::MAX, 0, u32::MAX, 0);
    for y in 0..p.height() {
        for x in 0..p.width() {
            if p.pixel(x, y) {
                (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            }
        }
    }
    assert!(x1 >= x0, "page is blank");
    (f64::from(x1 - x0 + 1) / f64::from(r.x), f64::from(y1 - y0 + 1) / f64::from(r.y))
}

#[test]
fn circle_is_round_on_paper_at_both_resolutions() {
    // A filled black disc, 300 px across, on white.
    let n = 400u32;
    let img = image::GrayImage::from_fn(n, n, |x, y| {
        let (dx, dy) = (f64::from(x) - 199.5, f64::from(y) - 199.5);
        image::Luma([if dx * dx + dy * dy <= 150.0 * 150.0 { 0 } else { 255 }])
    });
    let data = png_bytes(img);
    for y_dpi in [98, 196] {
        let r = image_to_pages(&data, &ImageOptions { y_dpi, ..ImageOptions::default() }).unwrap();
        assert_eq!(r.pages.len(), 1);
        let (w, h) = black_box_inches(&r.pages[0]);
        let ratio = w / h;
        assert!((ratio - 1.0).abs() <= 0.02, "{y_dpi} lpi: {w:.3} x {h:.3} in, ratio {ratio:.4}");
        // Fitted to the printable width: the disc is 300/400 of it.
        assert!(w > 5.5 && w < 6.5, "{w}");
    }
}

#[test]
fn exif_rotated_photo_comes_out_upright() {
    let limits = DecodeLimits::default();
    let rotated = decode(&read("jpeg/exif-orientation-6.jpg"), None, false, &limits).unwrap();
    assert_eq!(rotated.orientation, 6);
    let upright = &rotated.frames[0];
    // The upright picture is the 320x240 landscape source.
    assert_eq!((upright.width(), upright.height()), (320, 240));
    let reference = decode(&read("ref/exif-orientation-6.jpg.png"), None, false, &limits).unwrap();
    let diff = mean_abs_diff(upright.pixels(), reference.frames[0].pixels());
    assert!(diff < 4.0, "mean |diff| vs the djpeg+pnmflip reference: {diff}");
    // Upside down would be far off: the comparison does tell orientations apart.
    let wrong = upright.rotate(2);
    assert!(mean_abs_diff(wrong.pixels(), reference.frames[0].pixels()) > 4.0 * diff);
    // And on paper it prints landscape (not rotated back) when rotation is off.
    let o = ImageOptions { rotate_landscape: false, ..ImageOptions::default() };
    let r = image_to_pages(&read("jpeg/exif-orientation-6.jpg"), &o).unwrap();
    let (w, h) = black_box_inches(&r.pages[0]);
    assert!(w > h, "{w} x {h}");
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(&x, &y)| f64::from(x.abs_diff(y))).sum::<f64>() / a.len() as f64
}

#[test]
fn jpeg_variants_match_libjpeg_reference_decodes() {
    // Luma from jpeg-decoder's RGB differs from libjpeg-turbo's by about 3 levels on average
    // (chroma upsampling and colour conversion rounding); greyscale JPEG matches to 0.01.
    let limits = DecodeLimits::default();
    for (file, reference) in [
        ("jpeg/baseline.jpg", "ref/baseline.jpg.png"),
        ("jpeg/progressive.jpg", "ref/progressive.jpg.png"),
        ("jpeg/gray.jpg", "ref/gray.jpg.png"),
        ("jpeg/cmyk.jpg", "ref/cmyk.jpg.png"),
    ] {
        let ours = decode(&read(file), None, false, &limits).unwrap();
        let theirs = decode(&read(reference), None, false, &limits).unwrap();
        let diff = mean_abs_diff(ours.frames[0].pixels(), theirs.frames[0].pixels());
        assert!(diff < 4.0, "{file}: mean |diff| {diff}");
    }
}

#[test]
fn large_jpeg_decodes_at_reduced_dct_scale() {
    let data = read("jpeg/photo-medium.jpg");
    let limits = DecodeLimits::default();
    let want = |w: u32, h: u32| (w / 3, h / 3);
    let d = decode(&data, Some(&want), false, &limits).unwrap();
    assert_eq!(d.source_size, (1600, 1200));
    // 1/2 scale is the smallest that still gives 533 x 400.
    assert_eq!((d.frames[0].width(), d.frames[0].height()), (800, 600));
}

#[test]
fn alpha_is_composited_on_white_and_16_bit_reads() {
    let limits = DecodeLimits::default();
    let d = decode(&read("png/rgba8.png"), None, false, &limits).unwrap();
    // The corners are fully transparent.
    assert_eq!(d.frames[0].get(0, 0), 255);
    let d = decode(&read("png/rgb16.png"), None, false, &limits).unwrap();
    assert_eq!((d.frames[0].width(), d.frames[0].height()), (160, 120));
    let d = decode(&read("wbmp/mono.wbmp"), None, false, &limits).unwrap();
    assert_eq!(d.format, Format::Wbmp);
    let reference = decode(&read("png/bilevel1.png"), None, false, &limits).unwrap();
    assert_eq!(d.frames[0], reference.frames[0], "mono.wbmp is bilevel1.png's pixels");
}

#[test]
fn gif_frames_as_pages_by_profile() {
    let data = read("gif/animated.gif");
    let one = image_to_pages(&data, &ImageOptions::default()).unwrap();
    assert_eq!(one.pages.len(), 1);
    let all = ImageOptions { gif_frames_as_pages: true, ..ImageOptions::default() };
    let r = image_to_pages(&data, &all).unwrap();
    assert_eq!(r.pages.len(), 3);
    assert_ne!(r.pages[0], r.pages[1]);
}

#[test]
fn tall_images_split_or_shrink_and_upscale_is_capped() {
    // 100 x 1000: at 4x it is 400 dots by ~4000 rows at 196 lpi, about two A4 pages.
    let img = image::GrayImage::from_fn(100, 1000, |x, y| image::Luma([((x + y) % 256) as u8]));
    let data = png_bytes(img);
    let split = image_to_pages(&data, &ImageOptions::default()).unwrap();
    assert_eq!(split.pages.len(), 2);
    assert_eq!(split.printed.0, 400, "never more than 4 dots per source pixel");
    let shrink = ImageOptions { tall: TallPolicy::Shrink, ..ImageOptions::default() };
    let r = image_to_pages(&data, &shrink).unwrap();
    assert_eq!(r.pages.len(), 1);
    assert!(r.printed.1 <= 2292);
    let few = ImageOptions { max_pages: 1, ..ImageOptions::default() };
    assert!(image_to_pages(&data, &few).is_err());
}

#[test]
fn photos_are_diffused_documents_thresholded_and_override_works() {
    let photo = image_to_pages(&read("jpeg/photo-small.jpg"), &ImageOptions::default()).unwrap();
    assert_eq!(photo.halftone, vec![Halftone::Diffuse]);
    // A black-on-white drawing is line art.
    let img = image::GrayImage::from_fn(300, 200, |x, y| {
        image::Luma([if (x / 10 + y / 10) % 7 == 0 { 0 } else { 255 }])
    });
    let data = png_bytes(img);
    let art = image_to_pages(&data, &ImageOptions::default()).unwrap();
    assert_eq!(art.halftone, vec![Halftone::Threshold]);
    let forced = ImageOptions { halftone: Halftone::Diffuse, ..ImageOptions::default() };
    assert_eq!(image_to_pages(&data, &forced).unwrap().halftone, vec![Halftone::Diffuse]);
    // Thresholded line art has no stray dots in its white areas.
    let page = &art.pages[0];
    let black: u64 = page.data().iter().map(|b| u64::from(b.count_ones())).sum();
    assert!(black > 0);
}

#[test]
fn landscape_rotates_when_larger_by_profile() {
    let data = read("jpeg/photo-medium.jpg");
    let r = image_to_pages(&data, &ImageOptions::default()).unwrap();
    assert!(r.rotated);
    let (w, h) = black_box_inches(&r.pages[0]);
    assert!(h > w, "{w} x {h}");
    let keep = ImageOptions { rotate_landscape: false, ..ImageOptions::default() };
    let r = image_to_pages(&data, &keep).unwrap();
    assert!(!r.rotated);
}

/// Every interop image → Profile S pages at both resolutions that our checker accepts, and
/// (where installed) that libtiff reads.
#[test]
fn every_interop_image_becomes_profile_s_pages() {
    let libtiff = common::require_tool("tiffinfo", "-h") && common::require_tool("tiffcp", "-h");
    let tmp = std::env::temp_dir().join(format!("mm3gw-render-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for rel in corpus() {
        for y_dpi in [98, 196] {
            let o = ImageOptions { y_dpi, ..ImageOptions::default() };
            let r = image_to_pages(&read(&rel), &o).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert!(!r.pages.is_empty());
            for p in &r.pages {
                assert_eq!(p.width(), 1728);
                assert_eq!(p.resolution, Some(Resolution { x: 204, y: y_dpi }));
            }
            let tif = to_vec(&r.pages, &WriteOptions::default()).unwrap();
            let v = check(&tif, Profile::S);
            assert!(v.is_empty(), "{rel} at {y_dpi}: {v:?}");
            if libtiff {
                let path = tmp.join(format!("{}.tif", rel.replace('/', "_")));
                std::fs::write(&path, &tif).unwrap();
                let info =
                    std::process::Command::new("tiffinfo").arg("-D").arg(&path).output().unwrap();
                let err = String::from_utf8_lossy(&info.stderr);
                assert!(info.status.success() && !err.contains("rror"), "{rel}: tiffinfo: {err}");
                let out = tmp.join("copy.tif");
                let cp = std::process::Command::new("tiffcp")
                    .args(["-c", "none"])
                    .arg(&path)
                    .arg(&out)
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&cp.stderr);
                assert!(cp.status.success() && !err.contains("rror"), "{rel}: tiffcp: {err}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
