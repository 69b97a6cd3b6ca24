//! MM → T.37 fax mail through `interwork` (pages via `render`): Python's `email` finds no
//! defects, the TIFF passes `mm3gw fax check` (Profile S) and libtiff's tiffinfo reads every
//! page, audio is listed as omitted, the IE rows map as the README says, and MM → fax mail →
//! MM keeps the page count, the text and the subject.
mod common;

use common::interwork::{fax_outward, fax_profile, forward_req, inward, leaf, pages_of};

use std::io::Cursor;
use std::path::PathBuf;
use std::process::Command;

use mm3gw::config::{ContentClass, FaxProfile, Profiles};
use mm3gw::fax::{Coding, FillOrder};
use mm3gw::interwork::to_fax::{self, TextMode};
use mm3gw::interwork::{Error, Limits, from_fax};
use mm3gw::mail::t37;
use mm3gw::mm::{self, Body, Part};
use mm3gw::voice::amr;

const NOW: i64 = 1_764_000_000;
/// The fax number the MMs are addressed to.
const TO: &str = "+12125550100/TYPE=PLMN";

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mm3gw-interwork-tofax-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn class(name: &str) -> ContentClass {
    Profiles::embedded().unwrap().content_class(name).unwrap().clone()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        image::Luma([if (x / 20 + y / 20) % 2 == 0 { 0 } else { 255 }])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.split("\r\n\r\n").next().unwrap().lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn mm_to_fax_renders_cover_and_images_and_names_the_audio() {
    let mm = forward_req(
        TO,
        "Subject: Floor plan\r\nX-Mms-Priority: High\r\nX-Mms-Read-Reply: Yes\r\nX-Mms-Expiry: 86400\r\n",
        vec![
            Part::text("Here is the plan."),
            leaf("image/jpeg", "plan.jpg", jpeg(400, 300)),
            leaf(
                "audio/amr",
                "note.amr",
                amr::encode(&vec![0i16; 1600], amr::Mode::MR122, false).unwrap(),
            ),
        ],
    );
    let c = to_fax::mm_to_fax(&mm, &fax_profile("tiff-f-s"), &fax_outward(NOW, TextMode::Cover))
        .unwrap();
    assert_eq!(c.omissions.len(), 1, "{:?}", c.omissions);
    assert_eq!(c.omissions[0].media_type, "audio/amr");
    assert_eq!(c.omissions[0].part, "note.amr");
    // IE rows.
    assert_eq!(c.envelope.rcpt_to, ["FAX=+12125550100@offramp.test"]);
    assert_eq!(c.envelope.mail_from, "+4917012345@mm3gw.test");
    let text = String::from_utf8_lossy(&c.bytes).into_owned();
    assert_eq!(header(&text, "From"), Some("+4917012345@mm3gw.test"));
    assert_eq!(header(&text, "Subject"), Some("Floor plan"));
    assert_eq!(header(&text, "Importance"), Some("high"));
    assert_eq!(header(&text, "Message-ID"), Some("<m3.token@mm3gw.test>"));
    assert_eq!(header(&text, "Disposition-Notification-To"), None, "fax has no read reply");
    for h in ["X-Mms-Expiry", "X-Mms-Priority", "X-Mms-Read-Reply", "X-Mms-Message-Type"] {
        assert_eq!(header(&text, h), None, "{h} must not travel");
    }
    assert!(!text.contains("text/plain"), "cover mode: the text is on the cover page");
    let parsed = t37::parse(&c.bytes, &Default::default()).unwrap();
    assert_eq!(parsed.documents.len(), 1);
    let tiff = &parsed.documents[0].tiff;
    let pages = mm3gw::fax::tiff_read::read(tiff, &Default::default()).unwrap();
    assert!(pages.len() >= 2, "cover + picture: {}", pages.len());
    assert!(mm3gw::fax::check::check(tiff, mm3gw::fax::check::Profile::S).is_empty());
    let file = scratch("out.tif");
    std::fs::write(&file, tiff).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mm3gw"))
        .args(["fax", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    if common::require_tool("tiffinfo", "-h") {
        let out = Command::new("tiffinfo").arg(&file).output().unwrap();
        assert!(out.status.success());
        let info = String::from_utf8_lossy(&out.stdout);
        assert_eq!(info.matches("TIFF Directory").count(), pages.len(), "{info}");
        assert!(info.contains("CCITT Group 3"), "{info}");
    }
    if common::require_tool("python3", "--version") {
        let eml = scratch("out.eml");
        std::fs::write(&eml, &c.bytes).unwrap();
        let out = Command::new("python3")
            .args(["-c", "import email,sys\nm=email.message_from_binary_file(open(sys.argv[1],'rb'))\nprint([str(d) for p in m.walk() for d in p.defects])"])
            .arg(&eml)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    }
}

#[test]
fn text_part_mode_and_nothing_to_fax() {
    let mm = forward_req(
        TO,
        "X-Mms-Message-Class: Advertisement\r\n",
        vec![Part::text("only words"), leaf("image/jpeg", "a.jpg", jpeg(200, 200))],
    );
    let c = to_fax::mm_to_fax(&mm, &fax_profile("tiff-f-s"), &fax_outward(NOW, TextMode::Part))
        .unwrap();
    let head = String::from_utf8_lossy(&c.bytes).into_owned();
    assert_eq!(header(&head, "Precedence"), Some("bulk"), "class Advertisement");
    assert_eq!(header(&head, "Importance"), None, "no priority, no Importance");
    let parsed = t37::parse(&c.bytes, &Default::default()).unwrap();
    assert_eq!(parsed.texts.len(), 1);
    assert!(parsed.texts[0].contains("only words"));
    let pages =
        mm3gw::fax::tiff_read::read(&parsed.documents[0].tiff, &Default::default()).unwrap();
    assert_eq!(pages.len(), 1, "no cover page in text-part mode");
    let mm = forward_req(
        TO,
        "",
        vec![leaf("audio/amr", "a.amr", amr::encode(&[0; 160], amr::Mode::MR122, false).unwrap())],
    );
    assert!(matches!(
        to_fax::mm_to_fax(&mm, &fax_profile("tiff-f-s"), &fax_outward(NOW, TextMode::Cover)),
        Err(Error::NothingToCarry(_))
    ));
}

#[test]
fn mm_to_fax_to_mm_keeps_pages_text_and_subject() {
    let mm = forward_req(
        TO,
        "Subject: Two pictures\r\n",
        vec![
            Part::text("Look at these."),
            leaf("image/jpeg", "a.jpg", jpeg(300, 200)),
            leaf("image/jpeg", "b.jpg", jpeg(200, 300)),
        ],
    );
    let c = to_fax::mm_to_fax(&mm, &fax_profile("tiff-f-s"), &fax_outward(NOW, TextMode::Both))
        .unwrap();
    let parsed = t37::parse(&c.bytes, &Default::default()).unwrap();
    let fax_pages =
        mm3gw::fax::tiff_read::read(&parsed.documents[0].tiff, &Default::default()).unwrap().len();
    let inw = inward(NOW, "+4917012345@mm3gw.test", false);
    let back =
        from_fax::fax_to_mm(&c.bytes, &class("content-rich"), &inw, &Limits::default()).unwrap();
    assert!(back.omissions.is_empty(), "{:?}", back.omissions);
    let mm2 = mm::parse(&back.bytes, &mm::Limits::default()).unwrap().mm;
    assert_eq!(mm2.elements.subject.as_deref(), Some("Two pictures"));
    assert_eq!(mm2.elements.from.as_ref().unwrap().raw, "+4917012345/TYPE=PLMN");
    assert_eq!(pages_of(&mm2), fax_pages, "every fax page shown (cover included)");
    assert!(
        mm2.leaves()
            .iter()
            .any(|p| matches!(&p.body, Body::Text(t) if t.contains("Look at these.")))
    );
}

#[test]
fn the_route_profile_chooses_cover_page_or_text_part() {
    use mm3gw::cli::convert::{To, convert_message};
    let config = mm3gw::config::Config::from_toml(
        "[[route]]\nname = \"cover\"\nrecipients = [\"FAX=*@*\"]\nconvert = \"fax\"\n\
         peer_domain = \"offramp.test\"\nnext_hop = \"file:out\"\n\
         [[route]]\nname = \"part\"\nrecipients = [\"*@fax-part.test\"]\nconvert = \"fax\"\n\
         profile = \"tiff-f-s-part\"\npeer_domain = \"offramp.test\"\nnext_hop = \"file:out\"\n\
         [[route]]\nname = \"both\"\nrecipients = [\"*@fax-both.test\"]\nconvert = \"fax\"\n\
         profile = \"tiff-f-s-both\"\npeer_domain = \"offramp.test\"\nnext_hop = \"file:out\"\n",
        "t.toml",
    )
    .unwrap();
    let mm = forward_req(
        TO,
        "Subject: Modes\r\n",
        vec![Part::text("Printed or attached."), leaf("image/jpeg", "p.jpg", jpeg(200, 150))],
    );
    let raw = mm.to_bytes();
    // (route, text parts, pages): the cover adds a page, `part` sends the text instead.
    for (route, texts, pages) in [("cover", 0, 2), ("part", 1, 1), ("both", 1, 2)] {
        let c =
            convert_message(&raw, Some(To::Fax), Some(route), &config, NOW, "m@gw.test").unwrap();
        let fax = t37::parse(&c.bytes, &Default::default()).unwrap();
        assert_eq!(fax.texts.len(), texts, "{route}");
        if texts == 1 {
            assert!(fax.texts[0].contains("Printed or attached."), "{route}");
        }
        let n =
            mm3gw::fax::tiff_read::read(&fax.documents[0].tiff, &Default::default()).unwrap().len();
        assert_eq!(n, pages, "{route}");
    }
}

#[test]
fn the_route_profile_chooses_the_coding_and_fill_order() {
    let mm =
        forward_req(TO, "", vec![Part::text("coded"), leaf("image/jpeg", "a.jpg", jpeg(300, 200))]);
    let tiff_of = |p: &FaxProfile| {
        let c = to_fax::mm_to_fax(&mm, p, &fax_outward(NOW, TextMode::Cover)).unwrap();
        t37::parse(&c.bytes, &Default::default()).unwrap().documents.remove(0).tiff
    };
    let infos = |tiff: &[u8]| {
        let t = mm3gw::fax::tiff_read::Tiff::parse(tiff, &Default::default()).unwrap();
        (0..t.ifds.len()).map(|i| t.page_info(i).unwrap()).collect::<Vec<_>>()
    };
    let s = tiff_of(&fax_profile("tiff-f-s"));
    let f_profile = fax_profile("tiff-f-f");
    let f = tiff_of(&f_profile);
    for i in infos(&s) {
        assert_eq!((i.coding, i.fill_order, i.t4_options), (Coding::Mh, FillOrder::Lsb, 4));
    }
    for i in infos(&f) {
        assert_eq!((i.coding, i.fill_order), (Coding::Mmr, FillOrder::Lsb), "tiff-f-f prefers MMR");
    }
    let mr =
        FaxProfile { compressions: vec!["MR".into(), "MH".into()], fill_order: 1, ..f_profile };
    let r = tiff_of(&mr);
    for i in infos(&r) {
        assert_eq!((i.coding, i.fill_order, i.t4_options), (Coding::Mr, FillOrder::Msb, 5));
    }
    // The profile's media type names the part (RFC 3950's image/tiff-fx when asked for), and
    // application=faxbw, an image/tiff parameter, is not sent with it.
    let fx = FaxProfile { mime_type: "image/tiff-fx".into(), ..fax_profile("tiff-f-f") };
    let c = to_fax::mm_to_fax(&mm, &fx, &fax_outward(NOW, TextMode::Cover)).unwrap();
    let text = String::from_utf8_lossy(&c.bytes);
    assert!(text.contains("Content-Type: image/tiff-fx"), "{text}");
    assert!(!text.contains("Content-Type: image/tiff;"), "{text}");
    assert!(!text.contains("application=faxbw"), "{text}");
    // The same pixels whatever the coding.
    let pixels = |t: &[u8]| -> Vec<_> {
        let pages = mm3gw::fax::tiff_read::read(t, &Default::default()).unwrap();
        pages.into_iter().map(|p| p.page).collect()
    };
    assert_eq!(pixels(&s), pixels(&f));
    assert_eq!(pixels(&s), pixels(&r));
    assert!(mm3gw::fax::check::check(&f, mm3gw::fax::check::Profile::F).is_empty());
    if common::require_tool("tiffinfo", "-h") {
        for (tiff, want) in [(&f, "CCITT Group 4"), (&r, "CCITT Group 3")] {
            let file = scratch("coded.tif");
            std::fs::write(&file, tiff).unwrap();
            let out = Command::new("tiffinfo").arg(&file).output().unwrap();
            let info = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success() && info.contains(want), "{info}");
        }
    }
}
