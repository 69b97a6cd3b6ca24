//! `mm3gw samples run DIR... [--config FILE] [--jobs N] [--junit OUT.xml] [--report OUT.html]
//! [--update]`: runs every case folder below each DIR through the conversions and compares with
//! the accepted output (see `crate::samples`). Prints one line per difference, then a summary.
//! Exit 0 every case matches, 1 any differs or cannot run, 2 usage errors (no cases, unreadable
//! configuration, unwritable output).
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::fail;
use crate::config::Config;
use crate::samples::{Outcome, RunOptions, discover, junit, report, run_all};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Run the cases below each DIR and compare with their expected output.
    Run(RunArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Folders holding case folders (each with input.eml, case.toml and the expected output).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Gateway configuration the conversions run with (default: the embedded one).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Cases run at the same time (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
    /// Write JUnit XML here.
    #[arg(long, value_name = "OUT.xml")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "OUT.html")]
    report: Option<PathBuf>,
    /// Rewrite the expected file of every case that differs (review them in version control).
    #[arg(long)]
    update: bool,
}

pub(crate) fn run(args: Args) -> ExitCode {
    let Command::Run(a) = args.command;
    let config = match Config::load(a.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(2, e),
    };
    let mut cases = Vec::new();
    for dir in &a.dirs {
        if !dir.is_dir() {
            return fail(2, format_args!("{}: not a folder", dir.display()));
        }
        let found = discover(dir);
        let prefix = if a.dirs.len() > 1 { format!("{}/", dir.display()) } else { String::new() };
        cases.extend(found.into_iter().map(|(n, p)| (format!("{prefix}{n}"), p)));
    }
    if cases.is_empty() {
        return fail(2, "no case folders (with case.toml) found");
    }
    let jobs = a
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let opts = RunOptions {
        jobs,
        update: a.update,
        both_line_ends: false,
        keep_outputs: a.report.is_some(),
    };
    let total = cases.len();
    let progress = std::io::stderr().is_terminal();
    let mut results: Vec<(String, Outcome)> = Vec::with_capacity(total);
    let mut sections: Vec<(String, String)> = Vec::new();
    run_all(&cases, &config, &opts, |r, done| {
        if progress {
            let filled = done * 30 / total;
            eprint!("\r[{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(30 - filled));
            let _ = std::io::stderr().flush();
        }
        if a.report.is_some() && r.outcome != Outcome::Pass {
            sections.push((r.name.clone(), report::case_section(&r)));
        }
        if r.updated {
            eprintln!("{}{}: expected output updated", if progress { "\r" } else { "" }, r.name);
        }
        results.push((r.name, r.outcome));
    });
    if progress {
        eprintln!();
    }
    results.sort_by(|x, y| x.0.cmp(&y.0));
    sections.sort_by(|x, y| x.0.cmp(&y.0));
    let (mut differ, mut errors) = (0, 0);
    let mut stdout = std::io::stdout().lock();
    for (name, o) in &results {
        match o {
            Outcome::Pass => {}
            Outcome::Differ(lines) => {
                differ += 1;
                for l in lines {
                    let _ = writeln!(stdout, "{name}: {l}");
                }
            }
            Outcome::Error(e) => {
                errors += 1;
                let _ = writeln!(stdout, "{name}: error: {e}");
            }
        }
    }
    let _ = writeln!(
        stdout,
        "{total} cases: {} match, {differ} differ, {errors} could not run",
        total - differ - errors
    );
    if let Some(path) = &a.junit
        && let Err(e) = std::fs::write(path, junit::junit_xml(&results))
    {
        return fail(2, format_args!("{}: {e}", path.display()));
    }
    if let Some(path) = &a.report {
        let sections: Vec<String> = sections.into_iter().map(|(_, s)| s).collect();
        if let Err(e) = std::fs::write(path, report::page(&results, &sections)) {
            return fail(2, format_args!("{}: {e}", path.display()));
        }
    }
    if differ + errors == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
