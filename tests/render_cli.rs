//! `mm3gw fax encode` with images and text, `mm3gw fax to-images`, `mm3gw preview`, end to end
//! through the binary.
mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use mm3gw::fax::tiff_read::read;
use mm3gw::fax::{Limits, Resolution};

fn mm3gw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mm3gw")).args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm3gw-render-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn image(rel: &str) -> String {
    common::root().join("samples/interop/images").join(rel).display().to_string()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn encode_images_and_text_then_images_and_preview() {
    let dir = scratch("all");
    let txt = dir.join("note.txt");
    std::fs::write(&txt, "Bitte rufen Sie zurück.\nΚαλημέρα. Привет. 你好\n").unwrap();
    let tif = dir.join("out.tif").display().to_string();
    let o = mm3gw(&[
        "fax",
        "encode",
        "--profile",
        "S",
        "--resolution",
        "standard",
        "--subject",
        "Test",
        &image("jpeg/exif-orientation-6.jpg"),
        &image("gif/animated.gif"),
        &txt.display().to_string(),
        "-o",
        &tif,
    ]);
    ok(&o);
    // The CJK characters are reported, not dropped silently.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 characters in CJK Unified Ideographs"), "{err}");
    ok(&mm3gw(&["fax", "check", "--profile", "S", &tif]));
    let pages = read(&std::fs::read(&tif).unwrap(), &Limits::default()).unwrap();
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|p| p.info.resolution == Some(Resolution::STANDARD)));

    let out = dir.join("imgs");
    let o = mm3gw(&[
        "fax",
        "to-images",
        &tif,
        "-o",
        &out.display().to_string(),
        "--class",
        "image-rich",
    ]);
    ok(&o);
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().collect();
    assert!(files.len() >= 3, "{}", String::from_utf8_lossy(&o.stdout));
    let total: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    assert!(total <= 100 * 1024);

    let png = dir.join("preview.png");
    ok(&mm3gw(&["preview", &tif, "-o", &png.display().to_string()]));
    let img = image::open(&png).unwrap();
    // Three A4 pages side by side at 60 dpi: about 3 x 508 wide, 701 high.
    assert!(
        img.width() > 1500 && img.height() > 650 && img.height() < 760,
        "{}x{}",
        img.width(),
        img.height()
    );
}

#[test]
fn profile_f_and_errors() {
    let dir = scratch("f");
    let tif = dir.join("f.tif").display().to_string();
    ok(&mm3gw(&["fax", "encode", "--profile", "F", &image("png/rgb8.png"), "-o", &tif]));
    ok(&mm3gw(&["fax", "check", "--profile", "F", &tif]));
    let bad = dir.join("bad.png");
    std::fs::write(&bad, &std::fs::read(image("png/rgb8.png")).unwrap()[..200]).unwrap();
    let o = mm3gw(&["fax", "encode", &bad.display().to_string(), "-o", &tif]);
    assert_eq!(o.status.code(), Some(1));
    let o = mm3gw(&["fax", "to-images", &tif, "-o", &dir.display().to_string(), "--class", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn utf16_text_with_bom_is_read() {
    let dir = scratch("utf16");
    let txt = dir.join("note.txt");
    let mut bytes = vec![0xFF, 0xFE];
    for u in "Привет, 漢".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(&txt, bytes).unwrap();
    let tif = dir.join("t.tif").display().to_string();
    let o = mm3gw(&["fax", "encode", &txt.display().to_string(), "-o", &tif]);
    ok(&o);
    // Decoded as UTF-16: the Cyrillic draws, the one CJK character is named.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 characters in CJK Unified Ideographs"), "{err}");
}

/// `mm3gw preview` draws any message: a fax mail's pages, an MM's pictures and text, a voice
/// mail's sound and vCard as cards, each after a card of From, To and Subject.
#[test]
fn preview_draws_fax_mail_mm_and_voice_mail() {
    let dir = scratch("preview-messages");
    let sample = |case: &str| {
        common::root()
            .join("samples/interwork")
            .join(case)
            .join("expected.eml")
            .display()
            .to_string()
    };
    let draw = |case: &str| {
        let png = dir.join(format!("{case}.png"));
        ok(&mm3gw(&["preview", &sample(case), "-o", &png.display().to_string()]));
        image::open(&png).unwrap()
    };
    // Header card and three A4 pages at 60 dpi (about 508 x 701 each), one row.
    let fax = draw("fwd-slides-to-fax");
    assert!(
        fax.width() > 4 * 508 && fax.height() > 700 && fax.height() < 760,
        "{}x{}",
        fax.width(),
        fax.height()
    );
    // Header card, text card and two page pictures.
    let mm = draw("other-t37-simple-to-mm");
    assert!(mm.width() > 4 * 200, "{}x{}", mm.width(), mm.height());
    // Only cards: header, the sound (with its duration) and the vCard.
    let voice = draw("fwd-amr-voice-note-to-vpim");
    assert!(
        voice.width() > 3 * 508 && voice.height() < 300,
        "{}x{}",
        voice.width(),
        voice.height()
    );
    let empty = dir.join("empty.eml");
    std::fs::write(&empty, b"").unwrap();
    let o = mm3gw(&["preview", &empty.display().to_string(), "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(1), "an empty file is not a message");
    let _ = std::fs::remove_dir_all(&dir);
}
