//! Running cases: each case converts (or inspects) its input with its fixed clock and id and
//! is compared with its expected file. Cases run on `jobs` threads; results come back over a
//! bounded channel in completion order, and a passing case keeps nothing in memory, so memory
//! is bounded by `jobs` cases in flight plus what the caller keeps of the differing ones.
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::case::{Case, Kind};
use super::compare;
use crate::cli::convert::convert_message;
use crate::config::Config;
use crate::inspect::inspect;
use crate::mm::Limits;

/// How cases run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Worker threads (at least one).
    pub jobs: usize,
    /// Rewrite the expected file of every differing case with the actual output.
    pub update: bool,
    /// Run each input twice, with LF and with CRLF line ends (the project's own corpus does).
    pub both_line_ends: bool,
    /// Keep expected and actual bytes of differing cases (for the HTML report).
    pub keep_outputs: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { jobs: 1, update: false, both_line_ends: false, keep_outputs: false }
    }
}

/// What became of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// One line per difference.
    Differ(Vec<String>),
    /// The case could not run (bad case.toml, missing input, conversion refused).
    Error(String),
}

/// One case's result.
#[derive(Clone, Debug)]
pub struct CaseResult {
    pub name: String,
    pub dir: PathBuf,
    pub kind: Option<Kind>,
    pub outcome: Outcome,
    /// The expected file was rewritten (`--update`).
    pub updated: bool,
    /// Expected and actual output, kept for differing cases when asked.
    pub outputs: Option<(Vec<u8>, Vec<u8>)>,
}

impl CaseResult {
    /// A case whose run panicked (a bug in the engine or a conversion): reported, not fatal.
    fn panicked(name: &str, dir: &std::path::Path) -> CaseResult {
        CaseResult {
            name: name.to_owned(),
            dir: dir.to_owned(),
            kind: None,
            outcome: Outcome::Error("the run panicked (a bug: please report it)".into()),
            updated: false,
            outputs: None,
        }
    }
}

/// The output of a case for `input`, in the form its expected file holds: the inspection
/// report as pretty JSON, or the converted message with LF line ends, preceded by its SMTP
/// envelope and omissions as `X-Case-*` lines.
pub fn produce(case: &Case, input: &[u8], config: &Config) -> Result<Vec<u8>, String> {
    let Some(target) = case.kind.target() else {
        let report = inspect(input, &Limits::default());
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        return Ok((json + "\n").into_bytes());
    };
    let id = case.id(&config.server.hostname);
    let c = convert_message(input, Some(target), case.route.as_deref(), config, case.clock, &id)?;
    let mut out = format!("X-Case-Mail-From: <{}>\n", c.envelope.mail_from);
    for r in &c.envelope.rcpt_to {
        out.push_str(&format!("X-Case-Rcpt-To: <{r}>\n"));
    }
    for o in &c.omissions {
        out.push_str(&format!("X-Case-Omitted: {o}\n"));
    }
    let mut out = out.into_bytes();
    out.extend_from_slice(&with_lf(&c.bytes));
    Ok(out)
}

/// Compares an output with the expected one, the way `kind` needs.
pub fn compare(kind: Kind, expected: &[u8], actual: &[u8]) -> Vec<String> {
    match kind {
        Kind::Inspect => compare::reports(expected, actual),
        _ => compare::messages(expected, actual),
    }
}

/// Line ends as LF.
pub fn with_lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, &b) in raw.iter().enumerate() {
        if !(b == b'\r' && raw.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// Line ends as CRLF.
pub fn with_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    for b in with_lf(raw) {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Runs one case.
pub fn run_case(name: &str, dir: &std::path::Path, base: &Config, opts: &RunOptions) -> CaseResult {
    let mut r = CaseResult {
        name: name.to_owned(),
        dir: dir.to_owned(),
        kind: None,
        outcome: Outcome::Pass,
        updated: false,
        outputs: None,
    };
    let case = match Case::load(name, dir) {
        Ok(c) => c,
        Err(e) => {
            r.outcome = Outcome::Error(e.to_string());
            return r;
        }
    };
    r.kind = Some(case.kind);
    let config = match case.configuration(base) {
        Ok(c) => c,
        Err(e) => {
            r.outcome = Outcome::Error(e.to_string());
            return r;
        }
    };
    let input = match std::fs::read(dir.join("input.eml")) {
        Ok(b) => b,
        Err(e) => {
            r.outcome = Outcome::Error(format!("input.eml: {e}"));
            return r;
        }
    };
    let expected_path = case.expected_path();
    let expected = std::fs::read(&expected_path).ok();
    let variants: Vec<(&str, Vec<u8>)> = if opts.both_line_ends {
        vec![("", with_lf(&input)), (" (CRLF input)", with_crlf(&input))]
    } else {
        vec![("", input)]
    };
    let mut first_actual = None;
    for (suffix, raw) in variants {
        let actual = match produce(&case, &raw, &config) {
            Ok(a) => a,
            Err(e) => {
                r.outcome = Outcome::Error(format!("conversion failed{suffix}: {e}"));
                return r;
            }
        };
        let lines = match &expected {
            Some(exp) => compare(case.kind, exp, &actual),
            None => vec![format!("{} is missing", case.kind.expected_file())],
        };
        if !lines.is_empty() {
            r.outcome = Outcome::Differ(lines.into_iter().map(|l| l + suffix).collect());
            first_actual = Some(actual);
            break;
        }
    }
    if let Some(actual) = first_actual {
        if opts.update {
            match std::fs::write(&expected_path, &actual) {
                Ok(()) => r.updated = true,
                Err(e) => {
                    r.outcome = Outcome::Error(format!("{}: {e}", expected_path.display()));
                    return r;
                }
            }
        }
        if opts.keep_outputs {
            r.outputs = Some((expected.unwrap_or_default(), actual));
        }
    }
    r
}

/// Runs `cases` on `opts.jobs` threads, handing each result to `each` on the calling thread
/// as it completes, with the count done so far.
pub fn run_all(
    cases: &[(String, PathBuf)],
    base: &Config,
    opts: &RunOptions,
    mut each: impl FnMut(CaseResult, usize),
) {
    let jobs = opts.jobs.clamp(1, cases.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<CaseResult>(jobs);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((name, dir)) = cases.get(i) else { break };
                    // A bug that panics on one case is that case's error, not the run's end.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_case(name, dir, base, opts)
                    }))
                    .unwrap_or_else(|_| CaseResult::panicked(name, dir));
                    if tx.send(r).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (done, r) in rx.iter().enumerate() {
            each(r, done + 1);
        }
    });
}
