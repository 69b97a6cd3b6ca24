//! `mm3gw inspect FILE [--json]`: exit 0 for a usable message, 1 when a finding makes it
//! unusable (one line per such finding on stderr), 2 when the file cannot be read.
use std::path::PathBuf;
use std::process::ExitCode;

use crate::inspect::inspect;
use crate::mm::Limits;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The message file (RFC 5322, LF or CRLF line endings).
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> ExitCode {
    let raw = match std::fs::read(&args.file) {
        Ok(raw) => raw,
        Err(e) => return super::fail(2, format_args!("{}: {e}", args.file.display())),
    };
    let report = inspect(&raw, &Limits::default());
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => return super::fail(2, e),
        }
    } else {
        print!("{}", report.to_text());
    }
    if report.usable {
        return ExitCode::SUCCESS;
    }
    for f in report.errors() {
        eprintln!("{}: {}", args.file.display(), f.what);
    }
    ExitCode::from(1)
}
