//! The regression corpus and the sample runner (`mm3gw samples run`, `mm3gw::samples`).
//!
//! Every `samples/**/<case>/` with a `case.toml` runs here through the same engine as the
//! command, with LF and with CRLF line ends. To regenerate expected files for review:
//!
//! ```sh
//! cargo run -- samples run samples/ --update
//! ```
//!
//! The other tests alter expected outputs in each way the engine must catch (and in ways that
//! carry no meaning, which must pass), read the JUnit XML with a real XML parser and check the
//! HTML report.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use mm3gw::config::Config;
use mm3gw::fax::tiff_read;
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::samples::{Outcome, RunOptions, discover, run_all, run_case};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm3gw-samples-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_case(from: &str, to: &Path) -> PathBuf {
    let src = common::root().join("samples").join(from);
    let dst = to.join(src.file_name().unwrap());
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
    }
    dst
}

fn outcome(dir: &Path) -> Outcome {
    let config = Config::embedded().unwrap();
    let opts = RunOptions { both_line_ends: true, ..RunOptions::default() };
    run_case("case", dir, &config, &opts).outcome
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    let new = f(text.clone());
    assert_ne!(new, text, "{}: the edit changed nothing", p.display());
    std::fs::write(p, new).unwrap();
}

/// The body (between the blank line after `header` and the next boundary line) of the first
/// part whose headers contain `header`, and its byte range.
fn body_range(eml: &str, header: &str) -> std::ops::Range<usize> {
    let h = eml.find(header).unwrap_or_else(|| panic!("no {header:?}"));
    let start = h + eml[h..].find("\n\n").unwrap() + 2;
    let end = start + eml[start..].find("\n--").unwrap();
    start..end
}

fn b64_decode(block: &str) -> Vec<u8> {
    let clean: String = block.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).unwrap()
}

fn b64_wrapped(bytes: &[u8], width: usize) -> String {
    let s = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> =
        s.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap()).collect();
    lines.join("\n")
}

/// Replaces the decoded body of the part carrying `header` by `f(body)`.
fn edit_part(dir: &Path, header: &str, f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    edit(dir, "expected.eml", |eml| {
        let r = body_range(&eml, header);
        let new = f(b64_decode(&eml[r.clone()]));
        format!("{}{}{}", &eml[..r.start], b64_wrapped(&new, 76), &eml[r.end..])
    });
}

fn differs_with(o: &Outcome, want: &str) {
    match o {
        Outcome::Differ(lines) => {
            assert!(lines.iter().any(|l| l.contains(want)), "no line with {want:?} in {lines:?}")
        }
        other => panic!("expected a difference naming {want:?}, got {other:?}"),
    }
}

fn tiff_edit(f: impl FnOnce(&mut Vec<mm3gw::fax::Page>)) -> impl FnOnce(Vec<u8>) -> Vec<u8> {
    move |tiff| {
        let decoded = tiff_read::read(&tiff, &mm3gw::fax::Limits::default()).unwrap();
        let coding = decoded[0].info.coding;
        let mut pages: Vec<_> = decoded
            .into_iter()
            .map(|d| {
                let mut p = d.page;
                p.resolution = d.info.resolution;
                p
            })
            .collect();
        f(&mut pages);
        to_vec(&pages, &WriteOptions { coding, ..WriteOptions::default() }).unwrap()
    }
}

#[test]
fn every_sample_case_matches_its_expected_output() {
    let root = common::root().join("samples");
    let cases = discover(&root);
    for (name, dir) in &cases {
        let readme = std::fs::read_to_string(dir.join("README")).unwrap_or_default();
        assert_eq!(readme.trim().lines().count(), 1, "{name}: README must be one line");
    }
    let config = Config::embedded().unwrap();
    let opts = RunOptions { jobs: 2, both_line_ends: true, ..RunOptions::default() };
    let mut failed = Vec::new();
    run_all(&cases, &config, &opts, |r, _| match r.outcome {
        Outcome::Pass => {}
        Outcome::Differ(lines) => failed.extend(lines.iter().map(|l| format!("{}: {l}", r.name))),
        Outcome::Error(e) => failed.push(format!("{}: error: {e}", r.name)),
    });
    assert!(cases.len() >= 30, "only {} cases: the corpus was not found", cases.len());
    assert!(failed.is_empty(), "cases differ from their expected output:\n{}", failed.join("\n"));
}

/// Done-when 2: each alteration that carries meaning fails with a line naming it.
#[test]
fn meaningful_changes_fail_with_a_line_naming_them() {
    let tmp = temp("meaningful");
    let fresh = |case: &str, tag: &str| copy_case(case, &tmp.join(tag));

    let d = fresh("interwork/other-t37-simple-to-mm", "dropped");
    edit(&d, "expected.eml", |eml| {
        // The second page picture: from its part header to the next boundary.
        let h = eml.find("Content-Type: image/png; name=page1-2.png").unwrap();
        let start = eml[..h].rfind("\n--").unwrap();
        let end = h + eml[h..].find("\n--").unwrap();
        format!("{}{}", &eml[..start], &eml[end..])
    });
    differs_with(&outcome(&d), "part 4 image/png unexpected");

    let d = fresh("interwork/fwd-slides-to-fax", "subject");
    edit(&d, "expected.eml", |e| e.replace("Subject: Three slides", "Subject: Four slides"));
    differs_with(&outcome(&d), "header Subject: \"Three slides\", expected \"Four slides\"");

    let d = fresh("interwork/fwd-slides-to-fax", "page-lost");
    edit_part(&d, "Content-Type: image/tiff", tiff_edit(|p| drop(p.pop())));
    differs_with(&outcome(&d), "part 1 image/tiff: 3 pages, expected 2");

    let d = fresh("interwork/fwd-slides-to-fax", "pixels");
    edit_part(
        &d,
        "Content-Type: image/tiff",
        tiff_edit(|p| {
            // A 16x10 block flipped on page 2.
            let page = &mut p[1];
            let (w, h, stride) = (page.width(), page.height(), page.stride());
            let mut data = page.data().to_vec();
            for y in 100..110 {
                data[y * stride + 20] ^= 0xFF;
                data[y * stride + 21] ^= 0xFF;
            }
            let res = page.resolution;
            *page = mm3gw::fax::Page::from_rows(w, h, data).unwrap();
            page.resolution = res;
        }),
    );
    differs_with(&outcome(&d), "part 1 image/tiff page 2: 160 pixels differ");

    // The same pages in MMR: Profile F, not the S the route sends.
    let d = fresh("interwork/fwd-slides-to-fax", "profile");
    edit_part(&d, "Content-Type: image/tiff", |tiff| {
        let pages: Vec<_> = tiff_read::read(&tiff, &mm3gw::fax::Limits::default())
            .unwrap()
            .into_iter()
            .map(|d| {
                let mut p = d.page;
                p.resolution = d.info.resolution;
                p
            })
            .collect();
        let opts = WriteOptions { coding: mm3gw::fax::Coding::Mmr, ..WriteOptions::default() };
        to_vec(&pages, &opts).unwrap()
    });
    differs_with(&outcome(&d), "part 1 image/tiff: conforms to Profile S, expected F");
    differs_with(&outcome(&d), "part 1 image/tiff page 1: compression Mh, expected Mmr");

    let d = fresh("interwork/fwd-amr-voice-note-to-vpim", "audio");
    // 100 ms of audio/32kadpcm at 8 kHz: 800 samples, 4 bits each.
    edit_part(&d, "Content-Type: audio/32kadpcm", |mut a| {
        a.truncate(a.len() - 400);
        a
    });
    differs_with(&outcome(&d), "part 1 audio/32kadpcm: duration 7.");

    let d = fresh("interwork/other-vpim-voice-to-mm", "content-type");
    edit(&d, "expected.eml", |e| {
        e.replace("Content-Type: audio/amr;", "Content-Type: audio/3gpp;")
    });
    differs_with(&outcome(&d), "part 2 audio/amr: content type audio/amr, expected audio/3gpp");

    let d = fresh("interwork/other-t37-simple-to-mm", "recipient");
    edit(&d, "expected.eml", |e| {
        e.replace("To: +12125550100/TYPE=PLMN", "To: +12125550111/TYPE=PLMN")
    });
    differs_with(
        &outcome(&d),
        "header To: \"+12125550100/TYPE=PLMN\", expected \"+12125550111/TYPE=PLMN\"",
    );

    let d = fresh("interwork/fwd-amr-voice-note-to-vpim", "envelope");
    edit(&d, "expected.eml", |e| e.replace("X-Case-Rcpt-To: <+1212", "X-Case-Rcpt-To: <+4930"));
    differs_with(&outcome(&d), "header X-Case-Rcpt-To:");

    // A picture: another picture of the same size fails by PSNR, the same pixels re-encoded pass.
    let png_edit = |invert: bool| {
        move |png: Vec<u8>| {
            let mut img = image::load_from_memory(&png).unwrap().to_luma8();
            if invert {
                img.pixels_mut().for_each(|p| p.0[0] = 255 - p.0[0]);
            }
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).unwrap();
            assert_ne!(out.get_ref(), &png);
            out.into_inner()
        }
    };
    let d = fresh("interwork/other-t37-simple-to-mm", "picture");
    edit_part(&d, "Content-Type: image/png; name=page1-1.png", png_edit(true));
    differs_with(&outcome(&d), "part 3 image/png: PSNR ");
    let d = fresh("interwork/other-t37-simple-to-mm", "picture-reencoded");
    edit_part(&d, "Content-Type: image/png; name=page1-1.png", png_edit(false));
    assert_eq!(outcome(&d), Outcome::Pass);

    // A report status: in an inspection report, and between two MM4 delivery reports.
    let d = fresh("inspect/dr-req", "status-json");
    edit(&d, "expected.json", |e| e.replacen("\"Retrieved\"", "\"Rejected\"", 1));
    differs_with(&outcome(&d), "mm_status: Retrieved, expected Rejected");
    let dr =
        std::fs::read_to_string(common::root().join("samples/inspect/dr-req/input.eml")).unwrap();
    let rejected = dr.replace("X-Mms-MM-Status-Code: Retrieved", "X-Mms-MM-Status-Code: Rejected");
    assert_ne!(dr, rejected);
    let lines = mm3gw::samples::compare::messages(dr.as_bytes(), rejected.as_bytes());
    assert_eq!(lines, ["header X-Mms-MM-Status-Code: \"Rejected\", expected \"Retrieved\""]);
    let _ = std::fs::remove_dir_all(&tmp);
}

/// An alteration of a case folder.
type Change = Box<dyn FnOnce(&Path)>;

/// Done-when 2: alterations that carry no meaning pass.
#[test]
fn meaningless_changes_pass() {
    let tmp = temp("meaningless");
    let fresh = |case: &str, tag: &str| copy_case(case, &tmp.join(tag));
    let changes: Vec<(&str, &str, Change)> = vec![
        (
            "interwork/other-t37-simple-to-mm",
            "boundary",
            Box::new(|d| {
                edit(d, "expected.eml", |e| {
                    e.replace("=_mm3gw_24339ff7df40832a", "other-boundary-42")
                })
            }),
        ),
        (
            "interwork/fwd-slides-to-fax",
            "ids-and-date",
            Box::new(|d| {
                edit(d, "expected.eml", |e| {
                    e.replace(
                        "Message-ID: <case@mm3gw.localhost>",
                        "Message-ID: <x.123@other.example>",
                    )
                    .replace(
                        "Date: Mon, 01 Jan 2024 10:00:00 +0000",
                        "Date: Wed, 05 Mar 2025 17:41:09 +0100",
                    )
                    .replace("Jan\n 2024 10:01:00 +0000", "Mar\n 2025 17:41:09 +0100")
                })
            }),
        ),
        (
            "interwork/other-vpim-voice-to-mm",
            "mm4-ids",
            Box::new(|d| {
                edit(d, "expected.eml", |e| {
                    e.replace(
                        "X-Mms-Transaction-ID: case@mm3gw.localhost",
                        "X-Mms-Transaction-ID: t-99@gw2",
                    )
                    .replace("X-Mms-Message-ID: case@mm3gw.localhost", "X-Mms-Message-ID: m-17@gw2")
                })
            }),
        ),
        (
            "interwork/fwd-slides-to-fax",
            "base64-lines",
            Box::new(|d| {
                edit(d, "expected.eml", |eml| {
                    let r = body_range(&eml, "Content-Type: image/tiff");
                    let bytes = b64_decode(&eml[r.clone()]);
                    format!("{}{}{}", &eml[..r.start], b64_wrapped(&bytes, 60), &eml[r.end..])
                })
            }),
        ),
        (
            "interwork/other-t37-simple-to-mm",
            "transfer-encoding",
            Box::new(|d| {
                edit(d, "expected.eml", |eml| {
                    // The 7bit text part sent again in base64.
                    let header = "Content-Location: text1.txt\nContent-Transfer-Encoding: 7bit";
                    let r = body_range(&eml, header);
                    let text = eml[r.clone()].replace('\n', "\r\n");
                    let head = eml[..r.start].replacen(
                        header,
                        "Content-Location: text1.txt\nContent-Transfer-Encoding: base64",
                        1,
                    );
                    format!("{head}{}{}", b64_wrapped(text.as_bytes(), 76), &eml[r.end..])
                })
            }),
        ),
        (
            "interwork/fwd-slides-to-fax",
            "folding",
            Box::new(|d| {
                edit(d, "expected.eml", |e| {
                    e.replace("Mon, 01 Jan\n 2024", "Mon, 01 Jan 2024")
                        .replace("Subject: Three slides", "Subject: Three\n  slides")
                        .replace("From: +4917012345", "From:\n +4917012345")
                })
            }),
        ),
    ];
    for (case, tag, change) in changes {
        let d = fresh(case, tag);
        change(&d);
        assert_eq!(outcome(&d), Outcome::Pass, "{tag}: a change without meaning failed the case");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Done-when 1: expected files written by `mm3gw convert` (another clock, other ids, no
/// envelope lines) pass.
#[test]
fn output_of_convert_at_another_time_passes() {
    let tmp = temp("convert");
    for case in [
        "fwd-slides-to-fax",
        "fwd-amr-voice-note-to-vpim",
        "other-t37-simple-to-mm",
        "other-vpim-voice-to-mm",
    ] {
        let d = copy_case(&format!("interwork/{case}"), &tmp);
        let toml = std::fs::read_to_string(d.join("case.toml")).unwrap();
        let to = toml.split('"').nth(1).unwrap().to_owned();
        let st = Command::new(env!("CARGO_BIN_EXE_mm3gw"))
            .args(["convert", "input.eml", "-o", "expected.eml", "--to", &to])
            .current_dir(&d)
            .output()
            .unwrap();
        assert!(st.status.success(), "{case}: {}", String::from_utf8_lossy(&st.stderr));
        assert!(!std::fs::read_to_string(d.join("expected.eml")).unwrap().contains("X-Case-"));
        assert_eq!(outcome(&d), Outcome::Pass, "{case}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Attribute `name` of an element, unescaped.
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| a.unescape_value().unwrap().into_owned())
}

/// Done-when 3 and the exit codes: a run with one differing case, its JUnit XML read with
/// quick-xml's parser, its HTML report, `--update`, then a clean run.
#[test]
fn command_exit_codes_junit_report_and_update() {
    let tmp = temp("cli");
    let corpus = tmp.join("corpus");
    for case in
        ["interwork/fwd-slides-to-fax", "interwork/other-vpim-voice-to-mm", "inspect/dr-req"]
    {
        copy_case(case, &corpus);
    }
    edit(&corpus.join("fwd-slides-to-fax"), "expected.eml", |e| {
        e.replace("Subject: Three slides", "Subject: Four <slides> & more")
    });
    let (junit, report) = (tmp.join("out.xml"), tmp.join("out.html"));
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mm3gw"))
            .args(["samples", "run"])
            .arg(&corpus)
            .args(["--jobs", "2"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--junit", junit.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "fwd-slides-to-fax: header Subject: \"Three slides\", expected \"Four <slides> & more\""
        ),
        "{stdout}"
    );
    assert!(stdout.contains("3 cases: 2 match, 1 differ, 0 could not run"), "{stdout}");

    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suite, mut cases, mut failures, mut messages) = (None, 0, 0, Vec::new());
    let mut current = String::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testsuite" => {
                        suite = Some((attr(&e, "tests"), attr(&e, "failures"), attr(&e, "errors")))
                    }
                    b"testcase" => {
                        cases += 1;
                        current = attr(&e, "name").unwrap();
                    }
                    b"failure" => {
                        failures += 1;
                        messages.push((current.clone(), attr(&e, "message").unwrap()));
                    }
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(suite, Some((some("3"), some("1"), some("0"))));
    assert_eq!((cases, failures), (3, 1));
    assert_eq!(
        messages,
        [(
            "fwd-slides-to-fax".to_owned(),
            "header Subject: \"Three slides\", expected \"Four <slides> & more\"".to_owned()
        )]
    );

    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<h1>mm3gw samples: 2 of 3 cases match</h1>"), "{html:.300}");
    let section = &html[html.find("<section id=\"fwd-slides-to-fax\">").unwrap()..];
    assert_eq!(section.matches("src=\"data:image/png;base64,").count(), 2, "two previews");
    assert!(section.contains("expected &quot;Four &lt;slides&gt; &amp; more&quot;"));

    let out = run(&["--update"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Usage errors: no folder, a folder without cases, a bad option.
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for args in [
        vec!["samples", "run"],
        vec!["samples", "run", empty.to_str().unwrap()],
        vec!["samples", "run", corpus.to_str().unwrap(), "--jobs", "0"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_mm3gw")).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_case_that_cannot_run_is_an_error_not_a_pass() {
    let tmp = temp("broken");
    let d = copy_case("interwork/fwd-slides-to-fax", &tmp);
    std::fs::write(d.join("case.toml"), "to = \"telex\"\n").unwrap();
    assert!(matches!(outcome(&d), Outcome::Error(e) if e.contains("telex")));
    std::fs::write(d.join("case.toml"), "to = \"fax\"\n").unwrap();
    std::fs::write(d.join("input.eml"), "not a message at all").unwrap();
    assert!(matches!(outcome(&d), Outcome::Error(e) if e.contains("conversion failed")));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A case's own clock and seed change only what is normalised; its profile reaches the
/// conversion (a voice profile on the fax route cannot convert).
#[test]
fn case_overrides_clock_seed_and_profile() {
    let tmp = temp("overrides");
    let d = copy_case("interwork/other-t37-simple-to-mm", &tmp.join("clock"));
    edit(&d, "case.toml", |t| t + "clock = \"2031-07-04T23:59:30-05:00\"\nseed = 77\n");
    assert_eq!(outcome(&d), Outcome::Pass);
    let d = copy_case("interwork/fwd-slides-to-fax", &tmp.join("profile"));
    edit(&d, "case.toml", |t| t + "profile = \"vpim-v2\"\n");
    match outcome(&d) {
        Outcome::Error(e) => assert!(e.contains("no usable profile vpim-v2"), "{e}"),
        other => panic!("a voice profile on the fax route must not convert, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// No panic on any input: damaged expected outputs (truncated, bytes flipped) compare to a
/// list of differences or nothing, and preview to a picture or an error, never a crash.
#[test]
fn damaged_outputs_compare_without_panicking() {
    for (case, kind) in [
        ("interwork/fwd-slides-to-fax", mm3gw::samples::Kind::Fax),
        ("interwork/fwd-amr-voice-note-to-vpim", mm3gw::samples::Kind::Vpim),
        ("interwork/other-t37-simple-to-mm", mm3gw::samples::Kind::Mm),
        ("inspect/fwd-photo-text-smil", mm3gw::samples::Kind::Inspect),
    ] {
        let dir = common::root().join("samples").join(case);
        let good = std::fs::read(dir.join(kind.expected_file())).unwrap();
        for i in 1..16 {
            let cut = &good[..good.len() * i / 16];
            let mut flipped = good.clone();
            for k in (i * 97..flipped.len()).step_by(good.len() / 7 + 1) {
                flipped[k] ^= 0x5A;
            }
            for bad in [cut, &flipped[..]] {
                let _ = mm3gw::samples::run::compare(kind, bad, &good);
                let _ = mm3gw::samples::run::compare(kind, &good, bad);
                if i % 4 == 0 && kind != mm3gw::samples::Kind::Inspect {
                    let _ = mm3gw::render::preview::preview_message(bad);
                }
            }
        }
    }
}
