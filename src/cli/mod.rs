//! Command-line front end (clap). Exit codes: 0 success, 1 the input is unusable or a check
//! failed, 2 usage errors (clap's own code for bad arguments).
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audio;
pub mod convert;
mod convert_report;
mod fax;
mod inspect;
mod preview;
mod samples;
pub mod serve;

#[derive(Parser)]
#[command(
    name = "mm3gw",
    version,
    about = "MM3 interworking gateway: MM4 <-> T.37 fax mail and VPIM voice mail"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what a message is: kind, information elements, parts, slides, findings.
    Inspect(inspect::Args),
    /// Fax images: decode TIFF/raw G3 to PBM, encode PBM to TIFF-F, check Profile S/F.
    Fax(fax::Args),
    /// Voice codecs: convert between WAV, AMR-NB, G.726-32, G.711 and raw PCM; show file info.
    Audio(audio::Args),
    /// Draw a message (fax pages, MM slides, voice parts) or a TIFF/PBM fax as one PNG picture.
    Preview(preview::Args),
    /// Convert a message: MM4 → fax mail / VPIM / IVM, fax mail or voice mail → MM4.
    Convert(convert::Args),
    /// Regression runs over sample cases: samples run DIR... (see README, Sample runs).
    Samples(samples::Args),
    /// Run the gateway: SMTP server, spool, delivery, /metrics and /healthz.
    Serve(serve::ServeArgs),
    /// Check a configuration file (the embedded default when none is given).
    CheckConfig(serve::CheckArgs),
    /// Print the effective configuration (the embedded default when no file is given).
    Config(serve::CheckArgs),
    /// Inspect and act on the spool: list, show ID, retry ID, drop ID.
    Queue(serve::QueueArgs),
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Fax(args) => fax::run(args),
        Command::Audio(args) => audio::run(args),
        Command::Preview(args) => preview::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Samples(args) => samples::run(args),
        Command::Serve(args) => serve::serve(args),
        Command::CheckConfig(args) => serve::check(args),
        Command::Config(args) => serve::print(args),
        Command::Queue(args) => serve::queue(args),
    }
}

/// Prints an error the way every subcommand does and returns the usage/IO exit code.
pub(crate) fn fail(code: u8, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("mm3gw: {msg}");
    ExitCode::from(code)
}
