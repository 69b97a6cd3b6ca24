//! Message headers. Every header carries meaning except those the gateway generates anew on
//! each run: `Date`, `Message-ID`, `X-Mms-Message-ID`, `X-Mms-Transaction-ID` (each still
//! checked for its syntax) and the date after `;` and the `id` clause in `Received`. Content-* headers belong to the
//! MIME tree. Values are compared unfolded with whitespace runs squashed. The run's envelope
//! (`X-Case-*` lines) is compared only when the expected file has it: a file written by
//! `mm3gw convert` has none.
use super::{quote, squash};

/// How a header is compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Compared by value.
    Meaning,
    /// Generated per run: only its syntax is checked.
    Date,
    MessageId,
    MmsId,
    /// `Received`: the trace text but its `id` clause is compared, the date after `;` only
    /// checked.
    Received,
    /// Compared elsewhere (the MIME tree) or not at all.
    Skip,
}

fn class(name: &str) -> Class {
    match name.to_ascii_lowercase().as_str() {
        "date" => Class::Date,
        "message-id" | "resent-message-id" => Class::MessageId,
        "x-mms-message-id" | "x-mms-transaction-id" => Class::MmsId,
        "received" => Class::Received,
        n if n.starts_with("content-") => Class::Skip,
        _ => Class::Meaning,
    }
}

/// Whether `value` is what a header of class `c` must look like.
fn syntax_ok(c: Class, value: &str) -> bool {
    let v = value.trim();
    match c {
        Class::Date => crate::mm::parse_date(v).is_some(),
        Class::MessageId => {
            v.starts_with('<')
                && v.ends_with('>')
                && v[1..v.len() - 1]
                    .split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty())
                && !v.contains(char::is_whitespace)
        }
        Class::MmsId => !v.is_empty() && !v.contains(char::is_whitespace),
        Class::Received => {
            v.rsplit_once(';').is_none_or(|(_, d)| crate::mm::parse_date(d.trim()).is_some())
        }
        Class::Meaning | Class::Skip => true,
    }
}

/// The part of a value that is compared.
fn meaning(c: Class, value: &str) -> String {
    match c {
        Class::Received => {
            // The `id` clause names the message being traced (RFC 5321 §4.4), an id of the run.
            let trace = value.rsplit_once(';').map_or(value, |(t, _)| t);
            let mut words = Vec::new();
            let mut it = trace.split_whitespace();
            while let Some(w) = it.next() {
                if w.eq_ignore_ascii_case("id") {
                    it.next();
                } else {
                    words.push(w);
                }
            }
            words.join(" ")
        }
        _ => squash(value),
    }
}

/// Compares the top-level headers of two messages.
pub fn compare(
    expected: &[(String, String)],
    actual: &[(String, String)],
    prefix: &str,
    out: &mut Vec<String>,
) {
    let has_envelope = expected.iter().any(|(n, _)| n.eq_ignore_ascii_case("x-case-mail-from"));
    let keep = |n: &str| has_envelope || !n.to_ascii_lowercase().starts_with("x-case-");
    let mut names: Vec<String> = Vec::new();
    for (n, _) in expected.iter().chain(actual) {
        if keep(n) && !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
            names.push(n.clone());
        }
    }
    let values = |hs: &[(String, String)], name: &str| -> Vec<String> {
        hs.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).collect()
    };
    for name in names {
        let c = class(&name);
        if c == Class::Skip {
            continue;
        }
        let (exp, act) = (values(expected, &name), values(actual, &name));
        for v in &act {
            if !syntax_ok(c, v) {
                out.push(format!("{prefix}header {name}: {} is not valid", quote(v)));
            }
        }
        let exp: Vec<String> = exp.iter().map(|v| meaning(c, v)).collect();
        let act: Vec<String> = act.iter().map(|v| meaning(c, v)).collect();
        let same = match c {
            Class::Date | Class::MessageId | Class::MmsId => exp.len() == act.len(),
            _ => exp == act,
        };
        if same {
            continue;
        }
        let line = match (exp.as_slice(), act.as_slice()) {
            ([], [a, ..]) => format!("header {name}: unexpected {}", quote(a)),
            ([e, ..], []) => format!("header {name}: missing (expected {})", quote(e)),
            ([e], [a]) => format!("header {name}: {}, expected {}", quote(a), quote(e)),
            (e, a) => format!("header {name}: {} values {:?}, expected {:?}", a.len(), a, e),
        };
        out.push(format!("{prefix}{line}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn generated_values_vary_meaningful_ones_do_not() {
        let e = h(&[
            ("Date", "Mon, 01 Jan 2024 10:00:00 +0000"),
            ("Message-ID", "<a@b>"),
            ("Subject", "Hello  world"),
            ("Received", "from x by y with MMS; Mon, 01 Jan 2024 10:00:00 +0000"),
        ]);
        let a = h(&[
            ("date", "Tue, 02 Jan 2024 11:00:00 +0100"),
            ("Message-Id", "<c@d>"),
            ("Subject", "Hello\r\n world"),
            ("Received", "from x by y with MMS id M-1@z; Tue, 02 Jan 2024 11:00:00 +0000"),
        ]);
        let mut out = Vec::new();
        compare(&e, &a, "", &mut out);
        assert!(out.is_empty(), "{out:?}");
        let bad = h(&[
            ("Date", "soon"),
            ("Message-ID", "c@d"),
            ("Subject", "Hi"),
            ("Received", "from x by w with MMS; never"),
        ]);
        compare(&e, &bad, "", &mut out);
        assert_eq!(out.len(), 5, "{out:?}");
        assert!(out.iter().any(|l| l.contains("expected \"from x by y with MMS\"")), "{out:?}");
        assert!(
            out.iter().any(|l| l == "header Subject: \"Hi\", expected \"Hello world\""),
            "{out:?}"
        );
    }

    #[test]
    fn envelope_lines_count_only_when_expected_has_them() {
        let a = h(&[("X-Case-Mail-From", "<x@y>"), ("Subject", "s")]);
        let mut out = Vec::new();
        compare(&h(&[("Subject", "s")]), &a, "", &mut out);
        assert!(out.is_empty());
        compare(&h(&[("X-Case-Mail-From", "<z@y>"), ("Subject", "s")]), &a, "", &mut out);
        assert_eq!(out, ["header X-Case-Mail-From: \"<x@y>\", expected \"<z@y>\""]);
    }
}
