//! Legibility measured by a real OCR engine (Debian's tesseract-ocr, English model), as issue 4
//! asks: accuracy = Python difflib's ratio over whitespace-normalised text.
//! - our text pages at 98 and 196 lpi, decoded by libtiff (98-lpi pages stretched 2× down):
//!   ≥ 98 %;
//! - fax pages with 10–12 pt text made by ImageMagick (not by us), converted to Image Rich and
//!   Megapixel images, upscaled 3× with Lanczos: ≥ 95 %.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use mm3gw::fax::tiff_read::read;
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::fax::{Limits, Page};
use mm3gw::render::fax_to_image::{ClassLimits, ToImageOptions, pages_to_images};
use mm3gw::render::text::{Cover, TextOptions, text_to_pages};

const BODY: &str = "Please find attached the signed contract for the new office lease. The landlord \
agreed to reduce the monthly rent to 2,450 EUR from the first of March, and the deposit stays at \
three months. Kindly review clauses 4.2 and 7.1 before Friday and call me at +49 30 1234 5678 if \
anything is unclear.\nThe keys can be collected at the front desk between 9:00 and 17:30. Our \
accountant will send the invoice for the moving company separately next week.";

/// The lines ImageMagick draws: three each at 10, 11 and 12 pt.
const IM_LINES: [&str; 9] = [
    "Please find attached the signed contract for the new office lease.",
    "The landlord agreed to reduce the monthly rent to 2,450 EUR from March.",
    "Kindly review clauses 4.2 and 7.1 before Friday and call me back.",
    "The keys can be collected at the front desk between 9:00 and 17:30.",
    "Our accountant will send the invoice for the moving company next week.",
    "Reference number 2024/07-A, total amount 1,234.56 EUR, due in 30 days.",
    "Sphinx of black quartz, judge my vow. The quick brown fox jumps.",
    "Telephone +1 212 555 0100, extension 42, ask for the facilities team.",
    "Please sign page two and fax it back to us before the end of the month.",
];

fn tools() -> bool {
    common::require_tool("tesseract", "--version")
        && common::require_tool("convert", "-version")
        && common::require_tool("tiffcp", "-h")
        && common::require_tool("python3", "--version")
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mm3gw-ocr-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Tesseract's text for an image file.
fn ocr(image: &Path) -> String {
    run(Command::new("tesseract").arg(image).arg("stdout").env("OMP_THREAD_LIMIT", "1"))
}

/// difflib.SequenceMatcher ratio over whitespace-normalised text, in percent.
fn accuracy(expected: &str, got: &str, dir: &Path) -> f64 {
    let (a, b) = (dir.join("expected.txt"), dir.join("got.txt"));
    std::fs::write(&a, expected).unwrap();
    std::fs::write(&b, got).unwrap();
    let script = "import sys, difflib\n\
        n = lambda p: ' '.join(open(p, encoding='utf-8').read().split())\n\
        print(difflib.SequenceMatcher(None, n(sys.argv[1]), n(sys.argv[2])).ratio() * 100)";
    run(Command::new("python3").arg("-c").arg(script).arg(&a).arg(&b)).trim().parse().unwrap()
}

fn our_text_page(y_dpi: u16) {
    if !tools() {
        return;
    }
    let dir = scratch(&format!("text{y_dpi}"));
    let cover = Cover {
        from: "Joerg Mueller <+4930123456>".into(),
        to: "+4940987654".into(),
        date: "Tue, 24 Nov 2026 10:00:00 +0100".into(),
        subject: "Lease contract".into(),
    };
    let r = text_to_pages(BODY, Some(&cover), &TextOptions { y_dpi, ..TextOptions::default() })
        .unwrap();
    assert_eq!(r.pages.len(), 1);
    let tif = dir.join("ours.tif");
    std::fs::write(&tif, to_vec(&r.pages, &WriteOptions::default()).unwrap()).unwrap();
    // libtiff decodes the MH page; ImageMagick only rescales the uncompressed result.
    let raw = dir.join("raw.tif");
    run(Command::new("tiffcp").args(["-c", "none"]).arg(&tif).arg(&raw));
    let png = dir.join("page.png");
    let stretch = if y_dpi == 98 { "100%x200%" } else { "100%" };
    run(Command::new("convert").arg(&raw).args(["-resize", stretch]).arg(&png));
    let expected = format!(
        "FAX From: {} To: {} Date: {} Subject: {} Pages: 1 {BODY} Page 1 of 1",
        cover.from, cover.to, cover.date, cover.subject
    );
    let acc = accuracy(&expected, &ocr(&png), &dir);
    eprintln!("OCR: our text page at {y_dpi} lpi: {acc:.2} %");
    assert!(acc >= 98.0, "{y_dpi} lpi: {acc:.2} %");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn our_text_pages_ocr_at_98_lpi() {
    our_text_page(98);
}

#[test]
fn our_text_pages_ocr_at_196_lpi() {
    our_text_page(196);
}

/// An A4 fax page drawn by ImageMagick with `IM_LINES` at 10, 11 and 12 pt: in one block, or
/// `spread` down two thirds of the page so strips have to cut between lines.
fn imagemagick_page(y_dpi: u32, spread: bool, dir: &Path) -> Vec<Page> {
    let rows = if y_dpi == 196 { 2287 } else { 1143 };
    let tif = dir.join("im.tif");
    let mut cmd = Command::new("convert");
    cmd.args(["-size", &format!("1728x{rows}"), "xc:white", "-density"])
        .arg(format!("204x{y_dpi}"))
        .args(["-units", "PixelsPerInch", "-fill", "black", "-font", "DejaVu-Sans"]);
    let ys = if spread {
        [200, 360, 520, 680, 840, 1000, 1160, 1320, 1480]
    } else {
        [200, 240, 280, 340, 384, 428, 496, 544, 592]
    };
    for (i, (line, y)) in IM_LINES.iter().zip(ys).enumerate() {
        if i % 3 == 0 {
            cmd.args(["-pointsize", &(10 + i / 3).to_string()]);
        }
        cmd.args(["-annotate", &format!("+100+{}", y * y_dpi / 196), line]);
    }
    cmd.args(["-threshold", "50%", "-compress", "Fax"]).arg(&tif);
    run(&mut cmd);
    let data = std::fs::read(&tif).unwrap();
    read(&data, &Limits::default()).unwrap().into_iter().map(|d| d.page).collect()
}

fn imagemagick_page_to_class(y_dpi: u32, class: &str, opts: ToImageOptions, tag: &str) {
    let spread = tag.contains("spread");
    if !tools() {
        return;
    }
    let dir = scratch(&format!("{class}-{y_dpi}-{tag}"));
    let pages = imagemagick_page(y_dpi, spread, &dir);
    let limits = ClassLimits::named(class).unwrap();
    let images = pages_to_images(&pages, &limits, &opts).unwrap();
    let mut text = String::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, img) in images.iter().enumerate() {
        assert!(img.width <= limits.max_width && img.height <= limits.max_height);
        let file = dir.join(format!("img{i}.{}", img.format.extension()));
        std::fs::write(&file, &img.bytes).unwrap();
        let up = dir.join(format!("up{i}.png"));
        run(Command::new("convert")
            .arg(&file)
            .args(["-filter", "Lanczos", "-resize", "300%"])
            .arg(&up));
        // Strips overlap by whole lines: a line read twice is kept once.
        for line in ocr(&up).lines() {
            let norm = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if !norm.is_empty() && !seen.contains(&norm) {
                text.push_str(&norm);
                text.push('\n');
                seen.push(norm);
            }
        }
    }
    let acc = accuracy(&IM_LINES.join("\n"), &text, &dir);
    eprintln!(
        "OCR: ImageMagick 10-12 pt page at {y_dpi} lpi -> {class} ({tag}, {} images): {acc:.2} %",
        images.len()
    );
    assert!(acc >= 95.0, "{class} {y_dpi} lpi {tag}: {acc:.2} %\n{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn imagemagick_pages_ocr_as_image_rich() {
    imagemagick_page_to_class(196, "image-rich", ToImageOptions::default(), "cropped");
    imagemagick_page_to_class(98, "image-rich", ToImageOptions::default(), "cropped");
}

#[test]
fn imagemagick_pages_ocr_as_megapixel() {
    imagemagick_page_to_class(196, "megapixel", ToImageOptions::default(), "cropped");
    imagemagick_page_to_class(98, "megapixel", ToImageOptions::default(), "cropped");
}

#[test]
fn imagemagick_page_ocr_uncropped_strips_and_whole() {
    let whole = ToImageOptions { crop: false, ..ToImageOptions::default() };
    imagemagick_page_to_class(196, "image-rich", whole.clone(), "uncropped strips");
    imagemagick_page_to_class(98, "image-rich", ToImageOptions::default(), "spread lines, strips");
    imagemagick_page_to_class(98, "megapixel", whole, "uncropped whole page");
}
