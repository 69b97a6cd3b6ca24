//! Semantic comparison of an expected and an actual output: what carries meaning in MM4, T.37
//! fax mail and VPIM is compared, what legitimately varies between runs is only syntax-checked.
//! Each difference is one line a person can act on (`part 2 image/tiff page 1: 412 pixels
//! differ`). Never panics: unreadable input is itself a difference.
//!
//! - [`headers`]: the message headers (Date, Message-ID, MM4 ids and Received dates normalised);
//! - [`tree`]: the MIME tree (types, meaningful parameters, dispositions, order) and leaf dispatch;
//! - [`text`]: text after charset decoding, and report fields (DSN/MDN) with their tokens;
//! - [`fax`]: TIFF-F pages pixel for pixel; [`image`]: pictures by PSNR; [`audio`]: duration
//!   and SNR; [`json`]: inspection reports.
pub mod audio;
pub mod fax;
pub mod headers;
pub mod image;
pub mod json;
pub mod text;
pub mod tree;

use crate::mm::{Limits, parse_mime};

/// At most this many lines are reported per case; the rest is counted.
pub const MAX_LINES: usize = 40;

/// Compares two messages; no lines means they match.
pub fn messages(expected: &[u8], actual: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    message_into(expected, actual, "", 0, &mut out);
    cap(out)
}

/// Compares two inspection reports (JSON).
pub fn reports(expected: &[u8], actual: &[u8]) -> Vec<String> {
    cap(json::compare(expected, actual))
}

fn cap(mut out: Vec<String>) -> Vec<String> {
    if out.len() > MAX_LINES {
        let more = out.len() - MAX_LINES;
        out.truncate(MAX_LINES);
        out.push(format!("… and {more} more differences"));
    }
    out
}

/// Compares two messages under `prefix` (empty at the top, `part 3 message/rfc822: ` inside).
pub(crate) fn message_into(
    expected: &[u8],
    actual: &[u8],
    prefix: &str,
    depth: usize,
    out: &mut Vec<String>,
) {
    let limits = Limits::default();
    let exp = match parse_mime(expected, &limits) {
        Ok(m) => m,
        Err(e) => return out.push(format!("{prefix}expected output is not a message: {e}")),
    };
    let act = match parse_mime(actual, &limits) {
        Ok(m) => m,
        Err(e) => return out.push(format!("{prefix}output is not a message: {e}")),
    };
    headers::compare(&exp.headers, &act.headers, prefix, out);
    tree::compare(&exp.body, &act.body, prefix, depth, out);
}

/// `s` quoted and cut to a readable length.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX).collect();
        format!("{:?}…", cut)
    } else {
        format!("{s:?}")
    }
}

/// Whitespace runs as one space, trimmed: folding and its variants carry no meaning.
pub(crate) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
