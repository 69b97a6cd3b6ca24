//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
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
