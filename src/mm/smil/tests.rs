use super::*;

fn media(kind: MediaKind, src: &str, region: Option<&str>) -> MediaRef {
    MediaRef {
        kind,
        src: src.to_owned(),
        region: region.map(str::to_owned),
        alt: None,
        begin_ms: None,
        end_ms: None,
    }
}

fn region(id: &str, l: Length, t: Length, w: Length, h: Length) -> Region {
    Region {
        id: id.to_owned(),
        left: Some(l),
        top: Some(t),
        width: Some(w),
        height: Some(h),
        fit: None,
    }
}

fn part(ct: &str, id: Option<&str>, loc: Option<&str>) -> PartRef {
    PartRef {
        content_type: ct.to_owned(),
        content_id: id.map(str::to_owned),
        content_location: loc.map(str::to_owned),
    }
}

fn parse_ok(xml: &str) -> Presentation {
    match parse(xml.as_bytes(), &SmilLimits::default()) {
        Ok(p) => p,
        Err(e) => panic!("parse failed: {e}\n{xml}"),
    }
}

use Length::{Percent, Px};
use MediaKind::{Audio, Image, Ref, Text, Video};

/// The example of spec/mms.md §6.
const SPEC_EXAMPLE: &str = r#"<smil>
 <head><layout>
  <root-layout width="176" height="208"/>
  <region id="Image" left="0" top="0" width="176" height="144"/>
  <region id="Text" left="0" top="144" width="176" height="64"/>
 </layout></head>
 <body>
  <par dur="6000ms"><img src="cid:page1" region="Image"/><text src="cid:caption1" region="Text"/></par>
  <par dur="12s"><audio src="cid:voice1"/><text src="cid:caption2" region="Text"/></par>
 </body>
</smil>"#;

/// The SMIL part of shared/interop/mime/mms-related.eml, base64-decoded.
const INTEROP_MMS_RELATED: &str = r#"<smil><head><layout><root-layout width="160" height="120"/><region id="Image" top="0" left="0" height="75%" width="100%"/><region id="Text" top="75%" left="0" height="25%" width="100%"/></layout></head><body><par dur="8000ms"><img src="cid:img1" region="Image"/><text src="cid:txt1" region="Text"/><audio src="cid:aud1"/></par></body></smil>"#;

#[test]
fn spec_example() {
    let p = parse_ok(SPEC_EXAMPLE);
    assert_eq!(
        p,
        Presentation {
            root_layout: Some(RootLayout { width: 176, height: 208 }),
            regions: vec![
                region("Image", Px(0), Px(0), Px(176), Px(144)),
                region("Text", Px(0), Px(144), Px(176), Px(64)),
            ],
            slides: vec![
                Slide {
                    dur_ms: Some(6000),
                    media: vec![
                        media(Image, "cid:page1", Some("Image")),
                        media(Text, "cid:caption1", Some("Text")),
                    ],
                },
                Slide {
                    dur_ms: Some(12000),
                    media: vec![
                        media(Audio, "cid:voice1", None),
                        media(Text, "cid:caption2", Some("Text")),
                    ],
                },
            ],
        }
    );
}

#[test]
fn interop_mms_related() {
    let p = parse_ok(INTEROP_MMS_RELATED);
    assert_eq!(p.root_layout, Some(RootLayout { width: 160, height: 120 }));
    assert_eq!(
        p.regions,
        vec![
            region("Image", Px(0), Px(0), Percent(100), Percent(75)),
            region("Text", Px(0), Percent(75), Percent(100), Percent(25)),
        ]
    );
    assert_eq!(
        p.slides,
        vec![Slide {
            dur_ms: Some(8000),
            media: vec![
                media(Image, "cid:img1", Some("Image")),
                media(Text, "cid:txt1", Some("Text")),
                media(Audio, "cid:aud1", None),
            ],
        }]
    );
    // The part list of that message, in its order: the SMIL, text, image, audio.
    let parts = [
        part("application/smil", Some("smil"), None),
        part("text/plain", Some("txt1"), Some("text.txt")),
        part("image/jpeg", Some("img1"), Some("photo.jpg")),
        part("audio/amr", Some("aud1"), Some("voice.amr")),
    ];
    let resolved: Vec<Option<usize>> =
        p.slides[0].media.iter().map(|m| resolve(&m.src, &parts)).collect();
    assert_eq!(resolved, [Some(2), Some(1), Some(3)]);
}

#[test]
fn clock_values() {
    let cases: &[(&str, Option<u32>)] = &[
        ("5000ms", Some(5000)),
        ("5s", Some(5000)),
        ("5.5s", Some(5500)),
        ("0.25s", Some(250)),
        (" 12S ", Some(12000)),
        ("5", Some(5000)),
        ("2.5", Some(2500)),
        ("5000", Some(5000)),
        ("8000", Some(8000)),
        ("1.5min", Some(90_000)),
        ("1h", Some(3_600_000)),
        ("00:00:05", Some(5000)),
        ("01:02:03.5", Some(3_723_500)),
        ("02:03", Some(123_000)),
        ("+3s", Some(3000)),
        ("0ms", Some(0)),
        ("1.0009s", Some(1000)),
        ("indefinite", None),
        ("media", None),
        ("img1.end", None),
        ("-1s", None),
        ("", None),
        ("s", None),
        (".", None),
        ("1:2:3:4", None),
        ("99999999999999999999ms", Some(u32::MAX)),
        ("99999999999h", Some(u32::MAX)),
        ("5 s", Some(5000)),
        ("abc", None),
        ("١s", None),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_clock(input), *expected, "clock value {input:?}");
    }
}

#[test]
fn lengths_and_fit() {
    let cases: &[(&str, Option<Length>)] = &[
        ("176", Some(Px(176))),
        ("176px", Some(Px(176))),
        (" 75% ", Some(Percent(75))),
        ("33.3%", Some(Percent(33))),
        ("-5", None),
        ("auto", None),
        ("", None),
    ];
    for (input, expected) in cases {
        assert_eq!(Length::parse(input), *expected, "length {input:?}");
    }
    assert_eq!(Fit::parse("Meet"), Some(Fit::Meet));
    assert_eq!(Fit::parse("scroll"), Some(Fit::Scroll));
    assert_eq!(Fit::parse("stretch"), None);
}

/// Real-world deviations, each with the slides it must produce as `(kind, src)` per slide and
/// the slide durations.
/// Slides as `(dur_ms, [(kind, src)])`, for compact comparisons.
type Slides = Vec<(Option<u32>, Vec<(MediaKind, String)>)>;

#[test]
fn tolerated_deviations() {
    type Expect = &'static [(Option<u32>, &'static [(MediaKind, &'static str)])];
    let cases: &[(&str, &str, Expect)] = &[
        (
            "namespace and prefix",
            r#"<smil xmlns="http://www.w3.org/2001/SMIL20/Language"><body><par dur="5s"><img src="a.jpg"/></par></body></smil>"#,
            &[(Some(5000), &[(Image, "a.jpg")])],
        ),
        (
            "prefixed elements",
            r#"<s:smil xmlns:s="http://www.w3.org/2001/SMIL20/Language"><s:body><s:par dur="5s"><s:img src="a.jpg"/></s:par></s:body></s:smil>"#,
            &[(Some(5000), &[(Image, "a.jpg")])],
        ),
        (
            "declaration, doctype and comments",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE smil PUBLIC \"-//W3C//DTD SMIL 2.0//EN\" \"http://www.w3.org/2001/SMIL20/SMIL20.dtd\">\n<!-- made by a phone --><smil><body><par><text src=\"t.txt\"/></par></body></smil>",
            &[(None, &[(Text, "t.txt")])],
        ),
        (
            "upper-case names and mixed-case end tags",
            r#"<SMIL><HEAD><LAYOUT><ROOT-LAYOUT WIDTH="100" HEIGHT="80"/></LAYOUT></HEAD><BODY><PAR DUR="3000MS"><IMG SRC="cid:x" REGION="Image"/></par></Body></SMIL>"#,
            &[(Some(3000), &[(Image, "cid:x")])],
        ),
        (
            "attributes in any order, single quotes",
            r#"<smil><body><par dur='2s'><img region='Image' alt='pic' src='p.gif'/></par></body></smil>"#,
            &[(Some(2000), &[(Image, "p.gif")])],
        ),
        (
            "nested seq and par",
            r#"<smil><body><seq><par dur="1s"><img src="1.jpg"/></par><seq><par dur="2s"><img src="2.jpg"/><par><text src="2.txt"/></par></par></seq></seq></body></smil>"#,
            &[
                (Some(1000), &[(Image, "1.jpg")]),
                (Some(2000), &[(Image, "2.jpg"), (Text, "2.txt")]),
            ],
        ),
        (
            "media directly in the body are slides of their own",
            r#"<smil><body><img src="1.jpg" dur="4s"/><audio src="a.amr"/></body></smil>"#,
            &[(Some(4000), &[(Image, "1.jpg")]), (None, &[(Audio, "a.amr")])],
        ),
        (
            "par without dur takes its longest media dur or end",
            r#"<smil><body><par><img src="1.jpg" dur="3s"/><audio src="a.amr" end="7s"/></par></body></smil>"#,
            &[(Some(7000), &[(Image, "1.jpg"), (Audio, "a.amr")])],
        ),
        (
            "switch reads only its first alternative",
            r#"<smil><body><par dur="1s"><switch><video src="v.3gp"/><img src="v.jpg"/></switch><text src="t.txt"/></par></body></smil>"#,
            &[(Some(1000), &[(Video, "v.3gp"), (Text, "t.txt")])],
        ),
        (
            "ref, animation, textstream and image element names",
            r#"<smil><body><par><ref src="c.vcf"/><animation src="a.gif"/><textstream src="t.rt"/><image src="i.png"/></par></body></smil>"#,
            &[(None, &[(Ref, "c.vcf"), (Ref, "a.gif"), (Text, "t.rt"), (Image, "i.png")])],
        ),
        (
            "media with children and without src",
            r#"<smil><body><par><img src="i.jpg"><param name="x" value="y"/></img><text/><audio src=""/></par></body></smil>"#,
            &[(None, &[(Image, "i.jpg")])],
        ),
        (
            "unclosed media closed by the par end tag, stray end tags",
            r#"<smil><body><par dur="1s"><img src="i.jpg"></par></video><par dur="2s"><text src="t.txt"/></par></body></smil>"#,
            &[(Some(1000), &[(Image, "i.jpg")]), (Some(2000), &[(Text, "t.txt")])],
        ),
        (
            "entities and whitespace in values",
            r#"<smil><body><par dur=" 4000ms "><img src=" cid:a&amp;b " alt="x &unknown; y"/></par></body></smil>"#,
            &[(Some(4000), &[(Image, "cid:a&b")])],
        ),
        (
            "unknown elements in the root and body are skipped",
            r#"<smil><meta name="a"/><body><a href="x"><par><img src="i.jpg"/></par></a><prefetch src="p"/></body><extra><par><img src="no.jpg"/></par></extra></smil>"#,
            &[(None, &[(Image, "i.jpg")])],
        ),
        (
            "trailing garbage after the root",
            r#"<smil><body><par><img src="i.jpg"/></par></body></smil>garbage<<<"#,
            &[(None, &[(Image, "i.jpg")])],
        ),
        (
            "duplicate attributes: the first wins",
            r#"<smil><body><par><img src="a.jpg" src="b.jpg"/></par></body></smil>"#,
            &[(None, &[(Image, "a.jpg")])],
        ),
        ("empty body", "<smil><head/><body/></smil>", &[]),
        ("no body", "<smil/>", &[]),
        ("empty par kept", r#"<smil><body><par dur="1s"/></body></smil>"#, &[(Some(1000), &[])]),
    ];
    for (name, xml, expected) in cases {
        let p = parse_ok(xml);
        let got: Slides = p
            .slides
            .iter()
            .map(|s| (s.dur_ms, s.media.iter().map(|m| (m.kind, m.src.clone())).collect()))
            .collect();
        let want: Slides = expected
            .iter()
            .map(|(d, m)| (*d, m.iter().map(|(k, s)| (*k, (*s).to_owned())).collect()))
            .collect();
        assert_eq!(got, want, "case {name:?}");
    }
}

#[test]
fn attributes_are_kept() {
    let p = parse_ok(
        r#"<smil><head><layout><region id="Image" fit="meet" left="0"/><region id="Image" left="9"/><region left="1"/></layout></head><body><par><img src="i.jpg" region="Image" alt="A &lt;pic&gt;" begin="500ms" end="4s"/></par></body></smil>"#,
    );
    assert_eq!(
        p.regions,
        vec![Region {
            id: "Image".to_owned(),
            left: Some(Px(0)),
            top: None,
            width: None,
            height: None,
            fit: Some(Fit::Meet),
        }],
        "first region of an id wins; a region without id is dropped"
    );
    assert_eq!(
        p.slides[0].media[0],
        MediaRef {
            kind: Image,
            src: "i.jpg".to_owned(),
            region: Some("Image".to_owned()),
            alt: Some("A <pic>".to_owned()),
            begin_ms: Some(500),
            end_ms: Some(4000),
        }
    );
    assert_eq!(p.root_layout, None);
}

#[test]
fn root_layout_needs_both_pixel_sizes() {
    let cases: &[(&str, Option<RootLayout>)] = &[
        (r#"<root-layout width="10" height="20"/>"#, Some(RootLayout { width: 10, height: 20 })),
        (
            r#"<root-layout width="10px" height="20px"/>"#,
            Some(RootLayout { width: 10, height: 20 }),
        ),
        (r#"<root-layout width="10"/>"#, None),
        (r#"<root-layout width="100%" height="20"/>"#, None),
    ];
    for (element, expected) in cases {
        let xml = format!("<smil><head><layout>{element}</layout></head></smil>");
        assert_eq!(parse_ok(&xml).root_layout, *expected, "{element}");
    }
}

#[test]
fn encodings() {
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(SPEC_EXAMPLE.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(SPEC_EXAMPLE.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let utf16le_nobom: Vec<u8> = SPEC_EXAMPLE.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be_nobom: Vec<u8> = SPEC_EXAMPLE.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let utf8_bom: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(SPEC_EXAMPLE.bytes()).collect();
    let expected = parse_ok(SPEC_EXAMPLE);
    for (name, bytes) in [
        ("utf-16le", utf16le),
        ("utf-16be", utf16be),
        ("utf-16le without BOM", utf16le_nobom),
        ("utf-16be without BOM", utf16be_nobom),
        ("utf-8 with BOM", utf8_bom),
    ] {
        assert_eq!(parse(&bytes, &SmilLimits::default()).as_ref(), Ok(&expected), "{name}");
    }
    // A lone surrogate is not UTF-16.
    let bad: Vec<u8> = [0xFF, 0xFE, b'<', 0, 0x00, 0xD8, b'a', 0].to_vec();
    assert!(matches!(
        parse(&bad, &SmilLimits::default()),
        Err(SmilError::Encoding { encoding: "UTF-16LE", .. })
    ));
    // Latin-1 bytes in a value are read lossily, not refused.
    let latin1 = b"<smil><body><par><img src=\"caf\xe9.jpg\"/></par></body></smil>";
    let p = parse(latin1, &SmilLimits::default()).expect("latin-1 value");
    assert_eq!(p.slides[0].media[0].src, "caf\u{FFFD}.jpg");
}

#[test]
fn errors() {
    let limits = SmilLimits::default();
    type Check = fn(&SmilError) -> bool;
    let cases: &[(&str, Check)] = &[
        ("", |e| *e == SmilError::Empty),
        ("   \n", |e| *e == SmilError::Empty),
        ("just text", |e| *e == SmilError::Empty),
        ("<html><body/></html>", |e| *e == SmilError::NotSmil { root: "html".to_owned() }),
        (
            "<smil><body><par>",
            |e| matches!(e, SmilError::Truncated { element, .. } if element == "par"),
        ),
        ("<smil><body><par dur=\"5", |e| matches!(e, SmilError::Xml { .. })),
        ("<smil><body><par><img src=\"a\"/></par></body><", |e| matches!(e, SmilError::Xml { .. })),
        ("<smil><body><!-- unterminated", |e| matches!(e, SmilError::Xml { .. })),
        ("<smil><body><par></smil", |e| matches!(e, SmilError::Xml { .. })),
    ];
    for (xml, check) in cases {
        match parse(xml.as_bytes(), &limits) {
            Err(e) => assert!(check(&e), "{xml:?} gave {e:?}"),
            Ok(p) => panic!("{xml:?} parsed: {p:?}"),
        }
    }
    // The XML error names where and what.
    let Err(SmilError::Xml { position, snippet, .. }) = parse(b"<smil><body><par dur=\"5", &limits)
    else {
        panic!("expected an XML error");
    };
    assert!(position > 0 && !snippet.is_empty(), "{position} {snippet:?}");
}

#[test]
fn limits() {
    let tight = SmilLimits { max_bytes: 200, max_slides: 2, max_depth: 4, max_media_per_slide: 2 };
    let big = format!("<smil>{}</smil>", " ".repeat(300));
    assert_eq!(
        parse(big.as_bytes(), &tight),
        Err(SmilError::TooLarge { size: big.len(), limit: 200 })
    );
    let slides = "<smil><body><par/><par/><par/></body></smil>";
    assert_eq!(parse(slides.as_bytes(), &tight), Err(SmilError::TooManySlides { limit: 2 }));
    let media =
        r#"<smil><body><par><ref src="1"/><ref src="2"/><ref src="3"/></par></body></smil>"#;
    assert_eq!(
        parse(media.as_bytes(), &tight),
        Err(SmilError::TooManyMedia { slide: 1, limit: 2 })
    );
    let deep = "<smil><body><par><seq><par>";
    assert!(matches!(
        parse(deep.as_bytes(), &tight),
        Err(SmilError::TooDeep { limit: 4, ref element, .. }) if element == "par"
    ));
    // At the limits exactly, it parses.
    let ok = r#"<smil><body><par><seq/><img src="1"/></par><par/></body></smil>"#;
    assert_eq!(parse(ok.as_bytes(), &tight).map(|p| p.slides.len()), Ok(2));
    // Depth is bounded for skipped content too.
    let skipped = format!("<smil><extra>{}</extra></smil>", "<x>".repeat(100));
    assert!(matches!(
        parse(skipped.as_bytes(), &SmilLimits::default()),
        Err(SmilError::TooDeep { .. })
    ));
}

#[test]
fn write_spec_example_round_trips() {
    let p = parse_ok(SPEC_EXAMPLE);
    let written = write(&p);
    assert_eq!(parse_ok(&written), p, "{written}");
    assert_eq!(
        written,
        r#"<smil>
 <head>
  <layout>
   <root-layout width="176" height="208"/>
   <region id="Image" left="0" top="0" width="176" height="144"/>
   <region id="Text" left="0" top="144" width="176" height="64"/>
  </layout>
 </head>
 <body>
  <par dur="6000ms">
   <img src="cid:page1" region="Image"/>
   <text src="cid:caption1" region="Text"/>
  </par>
  <par dur="12000ms">
   <audio src="cid:voice1"/>
   <text src="cid:caption2" region="Text"/>
  </par>
 </body>
</smil>
"#
    );
}

#[test]
fn write_round_trips_profile_presentations() {
    let full = MediaRef {
        kind: Video,
        src: "cid:a\"b<c>&'d\ne".to_owned(),
        region: Some("Image".to_owned()),
        alt: Some("tab\there & \"quoted\" ünïcode".to_owned()),
        begin_ms: Some(0),
        end_ms: Some(u32::MAX),
    };
    let cases = [
        Presentation::default(),
        parse_ok(INTEROP_MMS_RELATED),
        Presentation {
            root_layout: None,
            regions: vec![
                region("Image", Px(0), Px(0), Px(10), Px(10)),
                Region {
                    id: "Text".to_owned(),
                    left: Some(Percent(0)),
                    top: None,
                    width: Some(Percent(100)),
                    height: Some(Px(1)),
                    fit: Some(Fit::Slice),
                },
            ],
            slides: vec![
                Slide { dur_ms: Some(10), media: vec![full, media(Text, "t", Some("Text"))] },
                Slide { dur_ms: None, media: vec![media(Audio, "a", None)] },
                Slide { dur_ms: Some(0), media: vec![] },
                Slide { dur_ms: Some(1), media: vec![media(Ref, "x.vcf", None)] },
            ],
        },
        derive(&[
            part("image/jpeg", Some("i@x"), None),
            part("text/plain", None, Some("t.txt")),
            part("audio/amr", None, None),
        ]),
    ];
    for p in cases {
        let written = write(&p);
        assert_eq!(parse_ok(&written), p, "{written}");
    }
}

#[test]
fn write_makes_out_of_profile_input_valid() {
    let p = Presentation {
        root_layout: Some(RootLayout { width: 1, height: 2 }),
        regions: vec![
            region("Image", Px(0), Px(0), Px(1), Px(1)),
            region("Banner", Px(0), Px(0), Px(1), Px(1)),
        ],
        slides: vec![Slide {
            dur_ms: Some(3000),
            media: vec![
                media(Image, "1.jpg", Some("Image")),
                media(Image, "2.jpg", Some("Banner")),
                media(Audio, "a.amr", None),
                media(Video, "v.3gp", None),
                media(Text, "t1", None),
                media(Text, "t2", None),
            ],
        }],
    };
    let back = parse_ok(&write(&p));
    assert_eq!(back.regions.len(), 1, "only Image/Text regions are written");
    let pars: Vec<Vec<(MediaKind, &str, Option<&str>)>> = back
        .slides
        .iter()
        .map(|s| s.media.iter().map(|m| (m.kind, m.src.as_str(), m.region.as_deref())).collect())
        .collect();
    assert_eq!(
        pars,
        vec![
            vec![(Image, "1.jpg", Some("Image")), (Audio, "a.amr", None), (Text, "t1", None)],
            vec![(Image, "2.jpg", None), (Text, "t2", None)],
            vec![(Video, "v.3gp", None)],
        ]
    );
    assert!(back.slides.iter().all(|s| s.dur_ms == Some(3000)));
}

#[test]
fn derive_rule() {
    type Expect = &'static [&'static [(MediaKind, &'static str)]];
    let cases: &[(&str, Vec<PartRef>, Expect)] = &[
        ("nothing", vec![], &[]),
        ("only SMIL", vec![part("application/smil", Some("s"), None)], &[]),
        (
            "photo, caption, voice",
            vec![
                part("application/smil", Some("s"), None),
                part("image/jpeg", Some("img1"), Some("photo.jpg")),
                part("text/plain", Some("<txt1>"), None),
                part("audio/amr", None, Some("voice.amr")),
            ],
            &[&[(Image, "cid:img1"), (Text, "cid:txt1"), (Audio, "voice.amr")]],
        ),
        (
            "caption before its picture stays with it",
            vec![part("text/plain", Some("t"), None), part("image/gif", Some("i"), None)],
            &[&[(Text, "cid:t"), (Image, "cid:i")]],
        ),
        (
            "each image is a slide",
            vec![
                part("image/jpeg", Some("1"), None),
                part("image/jpeg", Some("2"), None),
                part("text/plain", Some("t2"), None),
                part("text/plain", Some("t3"), None),
            ],
            &[&[(Image, "cid:1")], &[(Image, "cid:2"), (Text, "cid:t2")], &[(Text, "cid:t3")]],
        ),
        (
            "video and audio do not share a slide",
            vec![
                part("audio/amr", Some("a"), None),
                part("video/3gpp", Some("v"), None),
                part("audio/amr", Some("b"), None),
            ],
            &[&[(Audio, "cid:a")], &[(Video, "cid:v")], &[(Audio, "cid:b")]],
        ),
        (
            "vCard and unknown parts take the ref slot",
            vec![
                part("image/png", Some("p"), None),
                part("text/x-vcard", Some("vc"), None),
                part("application/octet-stream", None, Some("x.bin")),
            ],
            &[&[(Image, "cid:p"), (Ref, "cid:vc")], &[(Ref, "x.bin")]],
        ),
        (
            "parts without ids, ids that need escaping",
            vec![part("text/plain", None, None), part("image/jpeg", Some("a b%c"), None)],
            &[&[(Text, "#part0"), (Image, "cid:a%20b%25c")]],
        ),
        (
            "duplicate ids fall back to the location, then to the index",
            vec![
                part("image/jpeg", Some("x"), Some("a.jpg")),
                part("image/jpeg", Some("<x>"), Some("b.jpg")),
                part("image/jpeg", Some("x"), Some("a.jpg")),
                part("text/plain", None, Some("%41.txt")),
            ],
            &[&[(Image, "cid:x")], &[(Image, "b.jpg")], &[(Image, "#part2"), (Text, "%41.txt")]],
        ),
    ];
    for (name, parts, expected) in cases {
        let p = derive(parts);
        let got: Vec<Vec<(MediaKind, String)>> = p
            .slides
            .iter()
            .map(|s| s.media.iter().map(|m| (m.kind, m.src.clone())).collect())
            .collect();
        let want: Vec<Vec<(MediaKind, String)>> = expected
            .iter()
            .map(|s| s.iter().map(|(k, src)| (*k, (*src).to_owned())).collect())
            .collect();
        assert_eq!(got, want, "case {name:?}");
        assert!(p.slides.iter().all(|s| s.dur_ms == Some(DEFAULT_SLIDE_MS)), "{name}");
        // Every derived src leads back to its own part: all parts but the SMIL, in order.
        let resolved: Vec<Option<usize>> =
            p.slides.iter().flat_map(|s| &s.media).map(|m| resolve(&m.src, parts)).collect();
        let own: Vec<Option<usize>> = (0..parts.len())
            .filter(|&i| !parts[i].content_type.ends_with("smil"))
            .map(Some)
            .collect();
        assert_eq!(resolved, own, "{name}");
        // And the written SMIL is read back the same.
        assert_eq!(parse_ok(&write(&p)), p, "{name}");
    }
}

#[test]
fn derive_layout() {
    let p = derive(&[part("image/jpeg", Some("i"), None)]);
    assert_eq!(p.root_layout, Some(RootLayout { width: 176, height: 208 }));
    assert_eq!(p.regions.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["Image"]);
    let p = derive(&[part("image/jpeg", Some("i"), None), part("text/plain", Some("t"), None)]);
    assert_eq!(p.regions.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["Image", "Text"]);
    assert_eq!(derive(&[part("application/smil", None, None)]), Presentation::default());
}

#[test]
fn resolve_forms() {
    let parts = [
        part("application/smil", Some("smil"), Some("mms.smil")),
        part("image/jpeg", Some("img1@host"), Some("Photo.JPG")),
        part("text/plain", Some("<txt 1>"), Some("dir/text.txt")),
        part("audio/amr", Some("AUD1"), Some("C:\\phone\\voice.amr")),
        part("image/gif", Some("photo.jpg"), Some("other.gif")),
        part("text/plain", None, Some("Photo.jpg")),
    ];
    let cases: &[(&str, Option<usize>)] = &[
        ("cid:img1@host", Some(1)),
        ("CID:img1@host", Some(1)),
        ("cid:<img1@host>", Some(1)),
        ("cid:img1%40host", Some(1)),
        ("cid:txt%201", Some(2)),
        ("cid:aud1", Some(3)),
        ("  cid:AUD1  ", Some(3)),
        ("cid:smil", Some(0)),
        ("cid:nothing", None),
        ("cid:other.gif", Some(4)),
        ("Photo.JPG", Some(1)),
        ("Photo.jpg", Some(5)),
        ("photo.jpg", Some(1)),
        ("dir/text.txt", Some(2)),
        ("text.txt", Some(2)),
        ("./text.txt", Some(2)),
        ("voice.amr", Some(3)),
        ("img1@host", Some(1)),
        ("<img1@host>", Some(1)),
        ("txt 1", Some(2)),
        ("#part5", Some(5)),
        ("#part6", None),
        ("#part", None),
        ("", None),
        ("cid:", None),
        ("%", None),
        ("%zz", None),
    ];
    for (src, expected) in cases {
        assert_eq!(resolve(src, &parts), *expected, "src {src:?}");
    }
    assert_eq!(resolve("x", &[]), None);
}

#[test]
fn percent_coding() {
    assert_eq!(percent_decode("a%20b%2Fc%zz%4"), "a b/c%zz%4");
    assert_eq!(percent_decode("%C3%A9"), "é");
    assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    assert_eq!(percent_encode("a b%<>\"é"), "a%20b%25%3C%3E%22%C3%A9");
    assert_eq!(percent_decode(&percent_encode("x@y.z $#?")), "x@y.z $#?");
}

#[test]
fn serialises_for_inspect() {
    let p = parse_ok(INTEROP_MMS_RELATED);
    let json = serde_json::to_value(&p).expect("serialise");
    assert_eq!(json["root_layout"]["width"], 160);
    assert_eq!(json["regions"][0]["height"], "75%");
    assert_eq!(json["regions"][0]["left"], "0");
    assert_eq!(json["slides"][0]["dur_ms"], 8000);
    assert_eq!(json["slides"][0]["media"][0]["kind"], "image");
    assert_eq!(json["slides"][0]["media"][2]["region"], serde_json::Value::Null);
}

/// A deterministic xorshift, so that the no-panic sweep is reproducible without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Truncations, byte flips and random bytes give `Ok` or a typed error, never a panic, and every
/// `Ok` writes SMIL that reads back and is a fixed point of write-then-parse.
#[test]
fn no_panic_on_mangled_input() {
    let limits =
        SmilLimits { max_bytes: 4096, max_slides: 50, max_depth: 16, max_media_per_slide: 8 };
    let seeds = [SPEC_EXAMPLE, INTEROP_MMS_RELATED];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = (0usize, 0usize);
    let mut check = |bytes: &[u8]| {
        match parse(bytes, &limits) {
            Ok(p) => {
                outcomes.0 += 1;
                // What we write is read back, and writing that again changes nothing.
                let normalised = parse(write(&p).as_bytes(), &SmilLimits::default())
                    .unwrap_or_else(|e| panic!("own output refused: {e}"));
                let again = parse(write(&normalised).as_bytes(), &SmilLimits::default());
                assert_eq!(again.as_ref(), Ok(&normalised));
                let parts: Vec<PartRef> = p
                    .slides
                    .iter()
                    .flat_map(|s| &s.media)
                    .map(|m| part("image/jpeg", Some(&m.src), None))
                    .collect();
                for m in p.slides.iter().flat_map(|s| &s.media) {
                    let _ = resolve(&m.src, &parts);
                }
            }
            Err(e) => {
                outcomes.1 += 1;
                let _ = e.to_string();
            }
        }
    };
    for seed in seeds {
        let bytes = seed.as_bytes();
        for cut in 0..=bytes.len() {
            check(&bytes[..cut]);
        }
        for _ in 0..2000 {
            let mut mangled = bytes.to_vec();
            for _ in 0..=(rng.next() % 4) {
                let at = (rng.next() % mangled.len() as u64) as usize;
                mangled[at] = (rng.next() & 0xFF) as u8;
            }
            check(&mangled);
        }
        let utf16: Vec<u8> = seed.encode_utf16().flat_map(u16::to_le_bytes).collect();
        for cut in 0..=utf16.len() {
            check(&utf16[..cut]);
        }
    }
    for _ in 0..2000 {
        let len = (rng.next() % 200) as usize;
        let random: Vec<u8> = (0..len).map(|_| (rng.next() & 0xFF) as u8).collect();
        check(&random);
        // Random bytes over the SMIL alphabet reach further into the reader.
        const ALPHABET: &[u8] = b"<>/=\"' smilparbodyheadimgsrctext:0123456789msdur";
        let structured: Vec<u8> =
            (0..len).map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize]).collect();
        check(&structured);
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "both outcomes seen: {outcomes:?}");
}

#[test]
fn limits_from_config() {
    let limits: SmilLimits = toml::from_str("max_slides = 3").expect("toml");
    assert_eq!(limits, SmilLimits { max_slides: 3, ..SmilLimits::default() });
    assert!(toml::from_str::<SmilLimits>("max_slide = 3").is_err(), "typos are refused");
}
