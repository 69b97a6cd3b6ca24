//! The regression corpus: every `samples/**/<case>/` with a `case.toml` runs here.
//!
//! A case holds `input.eml`, `case.toml` (`to = "inspect"` for the inspection cases, `"fax"`,
//! `"vpim"`, `"ivm"` or `"mm"` for the conversions, run with a fixed clock and id), the
//! expected output and a one-line `README`. Each input runs twice, with LF and with CRLF line
//! ends, and both must give the expected output byte for byte after normalising only what
//! legitimately varies (Date, Message-ID, MIME boundaries). On a mismatch `actual.failed` is
//! written beside the expected file. To regenerate expected files for review:
//!
//! ```sh
//! UPDATE_EXPECT=1 cargo test --test samples
//! ```
mod common;

use std::path::{Path, PathBuf};

use mm3gw::cli::convert::{To, convert_message};
use mm3gw::config::Config;
use mm3gw::inspect::inspect;
use mm3gw::mm::Limits;

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.join("case.toml").is_file() {
            out.push(p);
        } else if p.is_dir() {
            cases(&p, out);
        }
    }
}

fn with_lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\r' && raw.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

fn with_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    for &b in &with_lf(raw) {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Replaces the values that legitimately differ between runs by placeholders: the `Date` and
/// `Message-ID` header values and MIME boundaries (declared `boundary=` values, wherever they
/// then occur). Inspection reports contain none that we generate, so for them it is identity.
fn normalise(text: &str) -> String {
    let mut boundaries = Vec::new();
    for (i, _) in text.match_indices("boundary=") {
        let rest = &text[i + 9..];
        let value: String = if let Some(r) = rest.strip_prefix('"') {
            r.chars().take_while(|&c| c != '"').collect()
        } else {
            rest.chars().take_while(|c| !c.is_whitespace() && *c != ';').collect()
        };
        if !value.is_empty() {
            boundaries.push(value);
        }
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("date:") {
            out.push_str("Date: <DATE>\n");
        } else if lower.starts_with("message-id:") {
            out.push_str("Message-ID: <MESSAGE-ID>\n");
        } else {
            out.push_str(line);
        }
    }
    for (n, b) in boundaries.iter().enumerate() {
        out = out.replace(b.as_str(), &format!("<BOUNDARY-{n}>"));
    }
    out
}

fn run_case(dir: &Path, raw: &[u8]) -> Result<(String, &'static str), String> {
    let toml = std::fs::read_to_string(dir.join("case.toml")).map_err(|e| e.to_string())?;
    let to = toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("to").map(|r| r.trim_start_matches([' ', '='])))
        .map(|v| v.trim().trim_matches('"').to_string())
        .ok_or("case.toml has no `to`")?;
    match to.as_str() {
        "inspect" => {
            let report = inspect(raw, &Limits::default());
            let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
            Ok((json + "\n", "expected.json"))
        }
        "fax" | "vpim" | "ivm" | "mm" => {
            let target = match to.as_str() {
                "fax" => To::Fax,
                "vpim" => To::Vpim,
                "ivm" => To::Ivm,
                _ => To::Mm,
            };
            // Fixed clock and id, the embedded configuration: the output is reproducible.
            let config = Config::embedded().map_err(|e| e.to_string())?;
            let c = convert_message(
                raw,
                Some(target),
                None,
                &config,
                1_704_103_260,
                "case@mm3gw.localhost",
            )?;
            let mut out = String::new();
            out.push_str(&format!("X-Case-Mail-From: <{}>\n", c.envelope.mail_from));
            for r in &c.envelope.rcpt_to {
                out.push_str(&format!("X-Case-Rcpt-To: <{r}>\n"));
            }
            for o in &c.omissions {
                out.push_str(&format!("X-Case-Omitted: {o}\n"));
            }
            out.push_str(&String::from_utf8_lossy(&c.bytes).replace("\r\n", "\n"));
            Ok((out, "expected.eml"))
        }
        other => Err(format!("case kind {other:?} is not run by this harness yet")),
    }
}

#[test]
fn every_sample_case_matches_its_expected_output() {
    let mut dirs = Vec::new();
    cases(&common::root().join("samples"), &mut dirs);
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let (mut ran, mut failed) = (0, Vec::new());
    for dir in &dirs {
        let input = std::fs::read(dir.join("input.eml")).expect("input.eml");
        let readme = std::fs::read_to_string(dir.join("README")).unwrap_or_default();
        assert_eq!(readme.trim().lines().count(), 1, "{}: README must be one line", dir.display());
        for (variant, raw) in [("LF", with_lf(&input)), ("CRLF", with_crlf(&input))] {
            let (actual, expected_name) = match run_case(dir, &raw) {
                Ok(r) => r,
                Err(e) => panic!("{}: {e}", dir.display()),
            };
            ran += 1;
            let expected_path = dir.join(expected_name);
            if update {
                std::fs::write(&expected_path, &actual).expect("write expected");
                continue;
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            if normalise(&expected) != normalise(&actual) {
                let failed_path = dir.join("actual.failed");
                std::fs::write(&failed_path, &actual).expect("write actual.failed");
                failed.push(format!(
                    "{} ({variant}): see {}",
                    dir.display(),
                    failed_path.display()
                ));
            }
        }
    }
    assert!(ran >= 30, "only {ran} case runs: the corpus was not found");
    assert!(failed.is_empty(), "cases differ from their expected output:\n{}", failed.join("\n"));
}

#[test]
fn normalise_replaces_only_what_varies() {
    let a = "Date: Mon, 01 Jan 2024 10:00:00 +0000\nMessage-ID: <a@b>\nSubject: x\n\
             Content-Type: multipart/mixed; boundary=\"=_a1\"\n--=_a1\nbody\n--=_a1--\n";
    let b = "Date: Tue, 02 Jan 2024 11:00:00 +0000\nMessage-ID: <c@d>\nSubject: x\n\
             Content-Type: multipart/mixed; boundary=\"=_zz\"\n--=_zz\nbody\n--=_zz--\n";
    assert_eq!(normalise(a), normalise(b));
    let c = b.replace("Subject: x", "Subject: y");
    assert_ne!(normalise(a), normalise(&c), "a changed subject must still differ");
    let d = b.replace("body", "other");
    assert_ne!(normalise(a), normalise(&d), "a changed body must still differ");
}

#[test]
fn line_end_variants_differ_only_in_line_ends() {
    assert_eq!(with_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
    assert_eq!(with_lf(b"a\r\nb\nc"), b"a\nb\nc");
}
