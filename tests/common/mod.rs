//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod interwork;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether an interop test may run: `true` when `tool` answers `probe_arg`. When it is missing,
/// the test is skipped with a note on a developer's machine but fails under CI (`CI` set), so a
/// missing install step can never turn the interop suite green by skipping it.
pub fn require_tool(tool: &str, probe_arg: &str) -> bool {
    let found = Command::new(tool)
        .arg(probe_arg)
        .output()
        .map(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
        .unwrap_or(false);
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{tool} is required under CI (install it in .ci/run)");
        }
        eprintln!("skipping: {tool} not installed (CI would fail here)");
    }
    found
}

/// Seconds of audio ffmpeg decodes from a voice part saved as `file` (decoded to 8 kHz mono
/// s16 beside it). audio/32kadpcm and audio/basic are headerless, so their packing is named.
pub fn ffmpeg_secs(file: &Path, content_type: &str) -> Result<f64, String> {
    let mut args: Vec<&str> = vec!["-v", "error", "-y"];
    match content_type {
        "audio/32kadpcm" => {
            args.extend(["-f", "g726le", "-code_size", "4", "-sample_rate", "8000"])
        }
        "audio/basic" => args.extend(["-f", "mulaw", "-ar", "8000", "-ac", "1"]),
        _ => {}
    }
    let out = file.with_extension("s16");
    let (f, o) = (file.to_str().ok_or("path")?, out.to_str().ok_or("path")?);
    args.extend(["-i", f, "-f", "s16le", "-ar", "8000", "-ac", "1", o]);
    let r = Command::new("ffmpeg").args(&args).output().map_err(|e| e.to_string())?;
    if !r.status.success() {
        return Err(format!("ffmpeg {args:?}: {}", String::from_utf8_lossy(&r.stderr)));
    }
    Ok(std::fs::metadata(&out).map_err(|e| e.to_string())?.len() as f64 / 2.0 / 8000.0)
}
