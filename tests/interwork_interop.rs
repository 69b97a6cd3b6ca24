//! The conversion corpus against third-party readers (issue 6, Done when): every output of
//! samples/interwork (conversion and report cases, run as `mm3gw convert` runs them) is read by
//! Python's `email` package without a defect; every TIFF part passes `fax check` (Profile S)
//! and libtiff's `tiffinfo -D` reads all its pages without an error or warning; every audio
//! part is decoded by ffmpeg, and the voice of each output lasts as long as the voice of its
//! input (both decoded by ffmpeg) within 20 ms. Under CI a missing tool fails the test.
mod common;

use std::path::PathBuf;
use std::process::Command;

use mm3gw::cli::convert::convert_message;
use mm3gw::config::Config;
use mm3gw::samples::case::Case;

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("mm3gw-interwork-interop-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// (case name, input bytes, output bytes) for every case of the corpus.
fn outputs() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let dir = common::root().join("samples/interwork");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    cases.sort();
    let mut out = Vec::new();
    for case in cases {
        // The case as the samples engine reads it: its target and its own configuration.
        if !case.join("case.toml").is_file() {
            continue; // media/, not a case
        }
        let c = Case::load(&case.file_name().unwrap().to_string_lossy(), &case)
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        let config = c.configuration(&Config::embedded().unwrap()).unwrap();
        let to = c.kind.target().expect("interwork cases convert");
        let input = std::fs::read(case.join("input.eml")).unwrap();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let c =
            convert_message(&input, Some(to), None, &config, 1_704_103_260, "case@mm3gw.localhost")
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, input, c.bytes));
    }
    assert!(out.len() >= 30, "only {} cases", out.len());
    out
}

/// Python's email package on each file: `DEFECT file: …` lines, and every TIFF or audio part
/// written beside the file as `file.N.tif` / `file.N.<type>` (listed as `PART file.N type`).
const PY: &str = r#"
import sys, email
from email import policy
for path in sys.argv[1:]:
    msg = email.message_from_binary_file(open(path, 'rb'), policy=policy.default)
    for n, part in enumerate(msg.walk()):
        for d in part.defects:
            print('DEFECT %s: %s (%s)' % (path, type(d).__name__, part.get_content_type()))
        ct = part.get_content_type()
        if part.is_multipart() or not (ct.startswith('audio/') or ct.startswith('image/tiff')):
            continue
        out = '%s.%d' % (path, n)
        open(out, 'wb').write(part.get_payload(decode=True))
        print('PART %s %s' % (out, ct))
"#;

fn python_read(files: &[PathBuf]) -> (Vec<String>, Vec<(PathBuf, String)>) {
    let out = Command::new("python3").arg("-c").arg(PY).args(files).output().unwrap();
    assert!(out.status.success(), "python3: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut defects = Vec::new();
    let mut parts = Vec::new();
    for l in text.lines() {
        if let Some(d) = l.strip_prefix("DEFECT ") {
            defects.push(d.to_owned());
        } else if let Some(p) = l.strip_prefix("PART ") {
            let (path, ct) = p.rsplit_once(' ').unwrap();
            parts.push((PathBuf::from(path), ct.to_owned()));
        }
    }
    (defects, parts)
}

/// Voice types: what a voice conversion carries (MIDI is music and is never converted).
fn is_voice(content_type: &str) -> bool {
    content_type.starts_with("audio/") && !content_type.contains("midi")
}

#[test]
fn every_corpus_output_reads_in_python_libtiff_and_ffmpeg() {
    if !common::require_tool("python3", "--version")
        || !common::require_tool("tiffinfo", "-h")
        || !common::require_tool("ffmpeg", "-version")
    {
        return;
    }
    let dir = scratch();
    let cases = outputs();
    let mut files = Vec::new();
    for (name, input, output) in &cases {
        let (i, o) = (dir.join(format!("{name}.in.eml")), dir.join(format!("{name}.out.eml")));
        std::fs::write(&i, input).unwrap();
        std::fs::write(&o, output).unwrap();
        files.push(i);
        files.push(o);
    }
    let (defects, parts) = python_read(&files);
    let output_defects: Vec<&String> = defects.iter().filter(|d| d.contains(".out.eml")).collect();
    assert!(output_defects.is_empty(), "Python email defects: {output_defects:#?}");

    let mut failures = Vec::new();
    let (mut tiffs, mut voiced) = (0, 0);
    for (name, _, _) in &cases {
        let mut secs = [0.0f64; 2];
        for (side, tag) in [(0, ".in.eml."), (1, ".out.eml.")] {
            for (path, ct) in parts.iter().filter(|(p, _)| {
                p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}{tag}"))
            }) {
                if ct.starts_with("image/tiff") && side == 1 {
                    tiffs += 1;
                    let tiff = std::fs::read(path).unwrap();
                    let v = mm3gw::fax::check::check(&tiff, mm3gw::fax::check::Profile::S);
                    if !v.is_empty() {
                        failures.push(format!("{name}: fax check: {v:?}"));
                    }
                    let r = Command::new("tiffinfo").arg("-D").arg(path).output().unwrap();
                    let err = String::from_utf8_lossy(&r.stderr);
                    if !r.status.success() || !err.trim().is_empty() {
                        failures.push(format!("{name}: tiffinfo: {err}"));
                    }
                } else if is_voice(ct) {
                    match common::ffmpeg_secs(path, ct) {
                        Ok(s) => secs[side] += s,
                        Err(e) if side == 1 => failures.push(format!("{name}: ffmpeg {ct}: {e}")),
                        Err(_) => {} // an input part ffmpeg cannot read is not ours to judge
                    }
                }
            }
        }
        if secs[1] > 0.0 {
            voiced += 1;
            if (secs[0] - secs[1]).abs() > 0.020 {
                failures.push(format!(
                    "{name}: voice lasts {:.3} s in the input, {:.3} s in the output",
                    secs[0], secs[1]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(tiffs >= 15 && voiced >= 12, "{tiffs} TIFF parts, {voiced} voiced outputs checked");
    let _ = std::fs::remove_dir_all(&dir);
}
