//! `mm3gw fax decode|encode|check`: a thin shell over `mm3gw::fax`.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};

use super::fail;
use crate::fax::check::{Profile, check};
use crate::fax::tiff_read::{DecodedPage, Tiff, TiffReadError, read_raw_g3};
use crate::fax::tiff_write::{WriteOptions, encode_strip, write_tiff_with_strips};
use crate::fax::{Coding, FillOrder, Limits, Page, Resolution};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Decode a TIFF fax (or a raw G3 stream) to DIR/page-N.pbm (raw P4, 1 = black).
    Decode(DecodeArgs),
    /// Encode bilevel PBM pages into a TIFF-F file (Profile S unless the options need F).
    Encode(EncodeArgs),
    /// List every Profile S or F violation of a TIFF file; exit 1 if there is any.
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct DecodeArgs {
    /// The TIFF file (or raw G3 stream with --raw-g3).
    input: PathBuf,
    /// Output directory for page-N.pbm.
    #[arg(short, long)]
    out: PathBuf,
    /// The input is a raw T.4 MH stream without a TIFF wrapper (as netpbm pbmtog3 writes).
    #[arg(long, requires = "width")]
    raw_g3: bool,
    /// Row width of the raw stream.
    #[arg(long, requires = "raw_g3")]
    width: Option<u32>,
    /// Bit order of the raw stream (lsb = as fax modems send it).
    #[arg(long, value_enum, default_value = "msb", requires = "raw_g3")]
    fill_order: FillArg,
}

#[derive(clap::Args)]
struct EncodeArgs {
    /// Bilevel raw PBM (P4) pages, in order, each of a fax width (1728 for Profile S).
    #[arg(required = true)]
    pages: Vec<PathBuf>,
    #[arg(short, long)]
    out: PathBuf,
    /// mh = Profile S; mr and mmr need Profile F.
    #[arg(long, value_enum, default_value = "mh")]
    compression: CompressionArg,
    /// fine = 204x196 dpi, standard = 204x98 dpi.
    #[arg(long, value_enum, default_value = "fine")]
    resolution: ResolutionArg,
    /// lsb (FillOrder 2) is what Profile S requires; msb needs Profile F.
    #[arg(long, value_enum, default_value = "lsb")]
    fill_order: FillArg,
    /// Pad so every EOL ends on a byte boundary (T4Options bit 2; ignored for MMR).
    #[arg(long)]
    eol_align: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    input: PathBuf,
    #[arg(long, value_enum, default_value = "S", ignore_case = true)]
    profile: ProfileArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum FillArg {
    Msb,
    Lsb,
}

#[derive(Clone, Copy, ValueEnum)]
enum CompressionArg {
    Mh,
    Mr,
    Mmr,
}

#[derive(Clone, Copy, ValueEnum)]
enum ResolutionArg {
    Fine,
    Standard,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    #[value(name = "S")]
    S,
    #[value(name = "F")]
    F,
}

impl From<FillArg> for FillOrder {
    fn from(f: FillArg) -> Self {
        match f {
            FillArg::Msb => FillOrder::Msb,
            FillArg::Lsb => FillOrder::Lsb,
        }
    }
}

pub(crate) fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::Decode(a) => decode(a),
        Cmd::Encode(a) => encode(a),
        Cmd::Check(a) => check_file(a),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, ExitCode> {
    std::fs::read(path).map_err(|e| fail(2, format_args!("{}: {e}", path.display())))
}

fn write_page(dir: &Path, n: usize, page: &Page) -> Result<PathBuf, String> {
    let path = dir.join(format!("page-{n}.pbm"));
    std::fs::File::create(&path)
        .and_then(|f| page.write_pbm(std::io::BufWriter::new(f)))
        .map(|_| path.clone())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The per-page line `decode` prints.
fn describe(n: usize, d: &DecodedPage, path: &Path) -> String {
    let res = d.info.resolution.map_or("resolution unknown".to_string(), |r| r.to_string());
    format!(
        "page {n}: {}x{}, {res}, {}, fill order {}, bad lines {} (longest run {}) -> {}",
        d.page.width(),
        d.page.height(),
        d.info.coding,
        d.info.fill_order,
        d.bad_lines,
        d.consecutive_bad_lines,
        path.display()
    )
}

/// `f(0..n)` spread over the available cores, results in index order.
fn on_all_cores<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = std::thread::available_parallelism().map_or(1, |p| p.get()).clamp(1, n.max(1));
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let f = &f;
                s.spawn(move || (w..n).step_by(workers).map(|i| (i, f(i))).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_by_key(|d| d.0);
    done.into_iter().map(|d| d.1).collect()
}

/// What decoding one page printed: its line, and an error with its exit code.
struct Report {
    line: Option<String>,
    error: Option<(u8, String)>,
}

fn decode_one(tiff: &Tiff<'_>, i: usize, dir: &Path, input: &Path) -> Report {
    let n = i + 1;
    match tiff.decode_page(i) {
        Ok(d) => match write_page(dir, n, &d.page) {
            Ok(path) => Report { line: Some(describe(n, &d, &path)), error: None },
            Err(e) => Report { line: None, error: Some((2, e)) },
        },
        Err(TiffReadError::MmrCorrupt { row, cause, partial, .. }) => {
            // Keep what decoded: a partial page is still worth looking at.
            let line = write_page(dir, n, &partial.page).ok().map(|p| describe(n, &partial, &p));
            let msg =
                format!("{}: page {n}: MMR data corrupt at row {row}: {cause}", input.display());
            Report { line, error: Some((1, msg)) }
        }
        Err(e) => Report { line: None, error: Some((1, format!("{}: {e}", input.display()))) },
    }
}

fn decode(a: DecodeArgs) -> ExitCode {
    let data = match read(&a.input) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(&a.out) {
        return fail(2, format_args!("{}: {e}", a.out.display()));
    }
    let limits = Limits::default();
    if a.raw_g3 {
        let width = a.width.unwrap_or(1728);
        return match read_raw_g3(&data, width, a.fill_order.into(), false, &limits) {
            Ok(d) => match write_page(&a.out, 1, &d.page) {
                Ok(path) => {
                    println!(
                        "page 1: {}x{}, resolution unknown, {}, fill order {}, bad lines {} (longest run {}){} -> {}",
                        d.page.width(),
                        d.page.height(),
                        Coding::Mh,
                        FillOrder::from(a.fill_order),
                        d.bad_lines,
                        d.consecutive_bad_lines,
                        if d.rtc { ", RTC" } else { "" },
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(2, e),
            },
            Err(e) => fail(1, format_args!("{}: {e}", a.input.display())),
        };
    }
    let tiff = match Tiff::parse(&data, &limits) {
        Ok(t) => t,
        Err(e) => return fail(1, format_args!("{}: {e}", a.input.display())),
    };
    // Pages are independent: decode and write them on every core, report in page order.
    let reports = on_all_cores(tiff.ifds.len(), |i| decode_one(&tiff, i, &a.out, &a.input));
    let mut status = 0u8;
    for r in reports {
        if let Some(line) = r.line {
            println!("{line}");
        }
        if let Some((code, msg)) = r.error {
            eprintln!("mm3gw: {msg}");
            status = status.max(code);
        }
    }
    ExitCode::from(status)
}

fn encode(a: EncodeArgs) -> ExitCode {
    let limits = Limits::default();
    let resolution = match a.resolution {
        ResolutionArg::Fine => Resolution::FINE,
        ResolutionArg::Standard => Resolution::STANDARD,
    };
    let mut pages = Vec::with_capacity(a.pages.len());
    for path in &a.pages {
        let data = match read(path) {
            Ok(d) => d,
            Err(code) => return code,
        };
        match Page::from_pbm(&data, &limits) {
            Ok(mut p) => {
                p.resolution = Some(resolution);
                pages.push(p);
            }
            Err(e) => return fail(1, format_args!("{}: {e}", path.display())),
        }
    }
    let opts = WriteOptions {
        coding: match a.compression {
            CompressionArg::Mh => Coding::Mh,
            CompressionArg::Mr => Coding::Mr,
            CompressionArg::Mmr => Coding::Mmr,
        },
        fill_order: a.fill_order.into(),
        align_eol: a.eol_align,
    };
    // Pages are coded independently: make the strips on every core, then lay out the file.
    let strips = on_all_cores(pages.len(), |i| encode_strip(&pages[i], &opts));
    let mut bytes =
        Vec::with_capacity(strips.iter().map(Vec::len).sum::<usize>() + 256 * pages.len());
    if let Err(e) = write_tiff_with_strips(&pages, &strips, &opts, &mut bytes) {
        return fail(1, e);
    }
    if let Err(e) = std::fs::write(&a.out, &bytes) {
        return fail(2, format_args!("{}: {e}", a.out.display()));
    }
    ExitCode::SUCCESS
}

fn check_file(a: CheckArgs) -> ExitCode {
    let data = match read(&a.input) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let profile = match a.profile {
        ProfileArg::S => Profile::S,
        ProfileArg::F => Profile::F,
    };
    let violations = check(&data, profile);
    for v in &violations {
        println!("{}: {v}", a.input.display());
    }
    if violations.is_empty() {
        println!("{}: conforms to Profile {profile}", a.input.display());
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
