//! T.37 fax mail → MM through `interwork`: one image slide per page within the content class's
//! resolution and size, text kept, the FAX= originator as an MMS address, the default subject;
//! outputs read by Python's `email` (no defects) and ffprobe (image sizes).
mod common;

use common::interwork::{inward, pages_of};

use std::process::Command;

use mm3gw::config::{ContentClass, Profiles};
use mm3gw::fax::{self, Page, Resolution};
use mm3gw::interwork::from_fax;
use mm3gw::interwork::{Error, Limits};
use mm3gw::mail::t37::{self, Document, FaxMail};
use mm3gw::mail::{Head, Importance, Mailbox, Requests};
use mm3gw::mm::address::FaxAddress;
use mm3gw::mm::{self, Body, Priority};

const NOW: i64 = 1_764_000_000;

/// What the gateway decides for a fax mail from the onramp.
fn onramp() -> mm3gw::interwork::Inward {
    inward(NOW, "FAX=+12125550100@onramp.example", false)
}

fn class(name: &str) -> ContentClass {
    Profiles::embedded().unwrap().content_class(name).unwrap().clone()
}

/// An A4-ish standard-resolution page with `n` thick black bars (so pages differ).
fn page(n: u32) -> Page {
    let (w, h) = (1728u32, 1145u32);
    let stride = (w / 8) as usize;
    let mut data = vec![0u8; stride * h as usize];
    for bar in 0..n {
        let y0 = 100 + bar * 120;
        for y in y0..(y0 + 40).min(h) {
            for b in &mut data[y as usize * stride + 20..y as usize * stride + 190] {
                *b = 0xFF;
            }
        }
    }
    let mut p = Page::from_rows(w, h, data).unwrap();
    p.resolution = Some(Resolution::STANDARD);
    p
}

fn fax_mail(pages: usize, subject: Option<&str>, text: Option<&str>) -> Vec<u8> {
    let pages: Vec<Page> = (0..pages).map(|i| page(i as u32 + 1)).collect();
    let tiff = fax::tiff_write::to_vec(&pages, &fax::tiff_write::WriteOptions::default()).unwrap();
    let from = "FAX=+12125550100@onramp.example";
    let mut head = Head::new(Mailbox::new(from), NOW - 100, "f1@onramp.example");
    head.subject = subject.map(str::to_owned);
    head.importance = Some(Importance::Low);
    let m = FaxMail {
        head,
        mail_from: from.into(),
        recipients: vec![FaxAddress::parse("FAX=+4917012345@mm3gw.test").unwrap()],
        text: text.map(str::to_owned),
        documents: vec![Document { tiff, filename: None }],
        media_type: t37::FaxMediaType::Tiff,
        application_faxbw: true,
        requests: Requests { dsn_envid: None, mdn_to: None },
    };
    t37::build(&m).unwrap().bytes
}

fn python_defects(raw: &[u8], tag: &str) -> Option<String> {
    if !common::require_tool("python3", "--version") {
        return None;
    }
    let f = std::env::temp_dir().join(format!("mm3gw-iwfax-{tag}-{}.eml", std::process::id()));
    std::fs::write(&f, raw).unwrap();
    let out = Command::new("python3")
        .args(["-c", "import email,sys\nm=email.message_from_binary_file(open(sys.argv[1],'rb'))\nprint([str(d) for p in m.walk() for d in p.defects])"])
        .arg(&f)
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Width and height of an image as ffprobe reads it.
fn ffprobe_size(bytes: &[u8], tag: &str) -> Option<(u32, u32)> {
    if !common::require_tool("ffprobe", "-version") {
        return None;
    }
    let f = std::env::temp_dir().join(format!("mm3gw-iwfax-{tag}-{}.png", std::process::id()));
    std::fs::write(&f, bytes).unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(&f)
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let (w, h) = s.split_once(',')?;
    Some((w.parse().ok()?, h.parse().ok()?))
}

#[test]
fn three_page_fax_becomes_three_image_slides_and_a_text() {
    let raw = fax_mail(3, None, Some("Please sign page 2."));
    let cls = class("image-rich");
    let c = from_fax::fax_to_mm(&raw, &cls, &onramp(), &Limits::default()).unwrap();
    assert!(c.omissions.is_empty(), "{:?}", c.omissions);
    assert!(c.bytes.len() as u64 <= cls.max_message_bytes, "{} bytes", c.bytes.len());
    assert_eq!(c.envelope.rcpt_to, ["+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"]);
    assert_eq!(c.envelope.mail_from, "+12125550100/TYPE=PLMN@mm3gw.test");
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    let e = &mm.elements;
    assert_eq!(e.from.as_ref().unwrap().raw, "+12125550100/TYPE=PLMN");
    assert_eq!(e.subject.as_deref(), Some("Fax from +12125550100, 3 pages"));
    assert_eq!(e.priority, Some(Priority::Low));
    assert_eq!(e.message_class, Some(mm::MessageClass::Personal));
    assert_eq!(e.read_reply, Some(false));
    assert_eq!(mm.presentation, mm::Presentation::Smil);
    let images: Vec<&mm::Part> =
        mm.leaves().into_iter().filter(|p| p.content_type.main_type() == "image").collect();
    assert_eq!(pages_of(&mm), 3);
    assert_eq!(mm.slides.len(), images.len(), "one slide per image, the text on the first");
    assert!(
        mm.leaves().iter().any(|p| matches!(&p.body, Body::Text(t) if t.contains("sign page 2")))
    );
    if let Some(d) = python_defects(&c.bytes, "3p") {
        assert_eq!(d, "[]");
    }
    for (i, img) in images.iter().enumerate() {
        if let Some((w, h)) = ffprobe_size(img.bytes(), &format!("p{i}")) {
            let [mw, mh] = cls.max_image.unwrap();
            assert!(w <= mw && h <= mh, "{w}x{h} within {mw}x{mh}");
        }
    }
    // The pages differ (1, 2, 3 bars): the images do too.
    assert_ne!(images[0].bytes(), images[images.len() - 1].bytes());
}

#[test]
fn subject_kept_and_mmr_from_libtiff_read() {
    let raw = fax_mail(1, Some("Vertrag \u{fc}berarbeitet"), None);
    let c = from_fax::fax_to_mm(&raw, &class("image-rich"), &onramp(), &Limits::default()).unwrap();
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm.elements.subject.as_deref(), Some("Vertrag \u{fc}berarbeitet"));
    // The sample fax mail (3 pages, written by Python's email package).
    let sample = std::fs::read(format!(
        "{}/samples/inspect/other-t37-simple/input.eml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let c =
        from_fax::fax_to_mm(&sample, &class("image-rich"), &onramp(), &Limits::default()).unwrap();
    let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
    let n = pages_of(&mm);
    let tiff = t37::parse(&sample, &Default::default()).unwrap().documents[0].tiff.clone();
    let pages = fax::tiff_read::read(&tiff, &Default::default()).unwrap().len();
    assert_eq!(n, pages);
    // An MMR (T.6) file written by libtiff's tiffcp reads the same way.
    if common::require_tool("tiffcp", "-h") {
        let dir = std::env::temp_dir();
        let a = dir.join(format!("mm3gw-iwfax-mh-{}.tif", std::process::id()));
        let b = dir.join(format!("mm3gw-iwfax-mmr-{}.tif", std::process::id()));
        let pages = vec![page(2), page(4)];
        std::fs::write(&a, fax::tiff_write::to_vec(&pages, &Default::default()).unwrap()).unwrap();
        let st = Command::new("tiffcp").args(["-c", "g4"]).arg(&a).arg(&b).status().unwrap();
        assert!(st.success());
        let mmr = std::fs::read(&b).unwrap();
        let raw = String::from_utf8(fax_mail(1, Some("x"), None)).unwrap();
        let t = t37::parse(raw.as_bytes(), &Default::default()).unwrap();
        let old = base64_lines(&t.documents[0].tiff);
        let raw = raw.replace(&old, &base64_lines(&mmr));
        let c = from_fax::fax_to_mm(
            raw.as_bytes(),
            &class("image-rich"),
            &onramp(),
            &Limits::default(),
        )
        .unwrap();
        let mm = mm::parse(&c.bytes, &mm::Limits::default()).unwrap().mm;
        assert_eq!(pages_of(&mm), 2);
    }
}

/// Base64 in 76-column CRLF lines, as the mail builder writes it.
fn base64_lines(b: &[u8]) -> String {
    use base64::Engine;
    let s = base64::engine::general_purpose::STANDARD.encode(b);
    s.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn not_fax_and_nothing_to_carry() {
    let plain = b"From: a@b\r\nSubject: hi\r\n\r\nhello\r\n";
    assert!(matches!(
        from_fax::fax_to_mm(plain, &class("image-rich"), &onramp(), &Limits::default()),
        Err(Error::WrongKind { .. })
    ));
    // A class with no still images: every page listed, the text still carried.
    let raw = fax_mail(2, None, Some("cover"));
    let c = from_fax::fax_to_mm(&raw, &class("text"), &onramp(), &Limits::default()).unwrap();
    assert_eq!(c.omissions.len(), 2, "{:?}", c.omissions);
    assert!(c.omissions.iter().all(|o| o.part.contains("page")));
    // No text either: nothing to carry.
    let raw = fax_mail(1, None, None);
    assert!(matches!(
        from_fax::fax_to_mm(&raw, &class("text"), &onramp(), &Limits::default()),
        Err(Error::NothingToCarry(_))
    ));
}
