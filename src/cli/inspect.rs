//! `mm3gw inspect FILE [--json]`.
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The message file (RFC 5322, LF or CRLF line endings).
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> ExitCode {
    match std::fs::read(&args.file) {
        Ok(_raw) => ExitCode::SUCCESS,
        Err(e) => super::fail(2, format_args!("{}: {e}", args.file.display())),
    }
}
