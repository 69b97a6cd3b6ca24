//! `mm3gw audio convert IN -o OUT [--from FMT] [--to FMT]` and `mm3gw audio info IN`.
//!
//! Formats come from the file extension unless named; self-describing containers (WAV, AMR,
//! MP3, MP4) are also recognised by content. Warnings go to stderr, results to stdout.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::voice::{self, Format, Options, amr};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Convert between .wav .amr .32kadpcm .g726aal2 .ul .al .pcm (reads .mp3/.m4a/.3gp too).
    Convert(ConvertArgs),
    /// Print codec, sample rate, channels and exact duration.
    Info(InfoArgs),
}

#[derive(clap::Args)]
struct ConvertArgs {
    /// Input file.
    input: PathBuf,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
    /// Input format, overriding the extension.
    #[arg(long, value_name = "FMT")]
    from: Option<String>,
    /// Output format, overriding the extension.
    #[arg(long, value_name = "FMT")]
    to: Option<String>,
    /// AMR-NB mode for .amr output: 4.75 5.15 5.9 6.7 7.4 7.95 10.2 12.2 (kbit/s) or 0-7.
    #[arg(long, default_value = "12.2")]
    amr_mode: String,
    /// AMR-NB discontinuous transmission (comfort-noise frames in pauses).
    #[arg(long)]
    dtx: bool,
    /// Voice-mail level normalisation to this RMS in dBFS (e.g. -20); peaks stay <= -1 dBFS.
    #[arg(long, value_name = "DBFS", allow_hyphen_values = true)]
    normalize: Option<f64>,
    /// Sample rate of .wav output (default: the input's).
    #[arg(long, value_name = "HZ")]
    rate: Option<u32>,
}

#[derive(clap::Args)]
struct InfoArgs {
    /// Input file.
    input: PathBuf,
    /// Input format, overriding the extension.
    #[arg(long, value_name = "FMT")]
    from: Option<String>,
}

pub(crate) fn run(args: Args) -> ExitCode {
    match args.command {
        Command::Convert(a) => convert(a),
        Command::Info(a) => info(a),
    }
}

fn extension(path: &Path) -> Option<&str> {
    path.extension().and_then(|e| e.to_str())
}

/// The named format, or the one the extension (then the content) says.
fn format_of(named: Option<&str>, path: &Path, bytes: Option<&[u8]>) -> Result<Format, String> {
    if let Some(name) = named {
        return Format::from_name(name)
            .ok_or_else(|| format!("unknown format '{name}' (one of: {})", Format::NAMES));
    }
    voice::detect(extension(path), bytes.unwrap_or_default()).map_err(|_| {
        format!(
            "{}: cannot tell the format; use --from/--to (one of: {})",
            path.display(),
            Format::NAMES
        )
    })
}

/// Reads the input file and settles its format; the error is the exit code to return.
fn read_input(path: &Path, named: Option<&str>) -> Result<(Vec<u8>, Format), ExitCode> {
    let bytes =
        std::fs::read(path).map_err(|e| super::fail(2, format_args!("{}: {e}", path.display())))?;
    let format = format_of(named, path, Some(&bytes)).map_err(|e| super::fail(2, e))?;
    Ok((bytes, format))
}

fn convert(a: ConvertArgs) -> ExitCode {
    let (bytes, from) = match read_input(&a.input, a.from.as_deref()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let to = match format_of(a.to.as_deref(), &a.output, None) {
        Ok(f) => f,
        Err(e) => return super::fail(2, e),
    };
    let Some(amr_mode) = amr::Mode::parse(&a.amr_mode) else {
        return super::fail(2, format_args!("unknown AMR mode '{}'", a.amr_mode));
    };
    let options = Options {
        amr_mode,
        amr_dtx: a.dtx,
        normalize_dbfs: a.normalize,
        wav_rate: a.rate,
        ..Options::default()
    };
    let (info, out, warnings) = match voice::convert(&bytes, from, to, &options) {
        Ok(r) => r,
        Err(e) => return super::fail(1, format_args!("{}: {e}", a.input.display())),
    };
    for w in &warnings {
        eprintln!("mm3gw: warning: {}: {w}", a.input.display());
    }
    if let Err(e) = std::fs::write(&a.output, &out.bytes) {
        return super::fail(2, format_args!("{}: {e}", a.output.display()));
    }
    println!(
        "{} ({}, {:.3} s) -> {} ({} Hz, {} ch, {:.3} s, {} bytes)",
        a.input.display(),
        info.codec,
        info.duration_secs(),
        a.output.display(),
        out.rate,
        out.channels,
        out.duration_secs(),
        out.bytes.len()
    );
    ExitCode::SUCCESS
}

fn info(a: InfoArgs) -> ExitCode {
    let (bytes, format) = match read_input(&a.input, a.from.as_deref()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut warnings = Vec::new();
    let info = match voice::read(&bytes, format, &voice::Limits::default(), &mut warnings) {
        Ok((info, _)) => info,
        Err(e) => return super::fail(1, format_args!("{}: {e}", a.input.display())),
    };
    for w in &warnings {
        eprintln!("mm3gw: warning: {}: {w}", a.input.display());
    }
    println!("codec: {}", info.codec);
    println!("rate: {} Hz", info.rate);
    println!("channels: {}", info.channels);
    println!("duration: {:.3} s ({} samples)", info.duration_secs(), info.frames);
    ExitCode::SUCCESS
}
