//! Text parts after charset decoding (the parser already turned every charset into Unicode):
//! line ends and trailing blanks carry no meaning, everything else does. Report bodies
//! (`message/delivery-status`, `message/disposition-notification`, `text/rfc822-headers`) are
//! compared field by field, with the dates and ids the gateway generates normalised.
use super::{quote, squash};

fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut v: Vec<String> = text.lines().map(|l| l.trim_end().to_owned()).collect();
    while v.last().is_some_and(String::is_empty) {
        v.pop();
    }
    v
}

/// Compares two texts line by line and names the first differing line.
pub fn compare(exp: &[u8], act: &[u8], label: &str, out: &mut Vec<String>) {
    let (e, a) = (lines(exp), lines(act));
    if e == a {
        return;
    }
    let i = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    let show = |v: &[String]| v.get(i).map_or("end of text".into(), |l| quote(l));
    out.push(format!("{label}: text line {} {}, expected {}", i + 1, show(&a), show(&e)));
}

/// Fields whose values are generated per run: dates, ids and report tokens.
fn generated(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "date"
            | "arrival-date"
            | "last-attempt-date"
            | "message-id"
            | "original-message-id"
            | "original-envelope-id"
            | "x-mms-message-id"
            | "x-mms-transaction-id"
            | "received"
    )
}

/// Header-like fields (unfolded), blank lines between DSN field groups kept as separators.
fn parse_fields(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if out.last().is_some_and(|(n, _)| !n.is_empty()) {
                out.push((String::new(), String::new()));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            out.push((n.trim().to_owned(), v.trim().to_owned()));
        } else {
            out.push((String::new(), line.trim().to_owned()));
        }
    }
    while out.last().is_some_and(|(n, _)| n.is_empty()) {
        out.pop();
    }
    out
}

/// Compares report fields in order; generated values only need to be present and non-empty.
pub fn fields(exp: &[u8], act: &[u8], label: &str, out: &mut Vec<String>) {
    let (e, a) = (parse_fields(exp), parse_fields(act));
    for (n, v) in a.iter().filter(|(n, _)| generated(n)) {
        if v.trim().is_empty() {
            out.push(format!("{label}: field {n} is empty"));
        }
    }
    let key = |(n, v): &(String, String)| {
        let v = if generated(n) { String::new() } else { squash(v) };
        (n.to_ascii_lowercase(), v)
    };
    let (ke, ka): (Vec<_>, Vec<_>) = (e.iter().map(key).collect(), a.iter().map(key).collect());
    if ke == ka {
        return;
    }
    let i = ke.iter().zip(&ka).position(|(x, y)| x != y).unwrap_or(ke.len().min(ka.len()));
    let line = match (e.get(i), a.get(i)) {
        (Some((en, ev)), Some((an, av))) if en.eq_ignore_ascii_case(an) => {
            format!("{label}: {an}: {}, expected {}", quote(av), quote(ev))
        }
        (Some((en, ev)), Some((an, av))) => {
            format!("{label}: field {an}: {}, expected {en}: {}", quote(av), quote(ev))
        }
        (Some((en, ev)), None) => format!("{label}: field {en} missing (expected {})", quote(ev)),
        (None, Some((an, av))) => format!("{label}: unexpected field {an}: {}", quote(av)),
        (None, None) => return,
    };
    out.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_ignores_line_ends_and_trailing_blanks() {
        let mut out = Vec::new();
        compare(b"a\r\nb  \r\n\r\n", b"a\nb\n", "t", &mut out);
        assert!(out.is_empty());
        compare(b"a\nb\n", b"a\nc\n", "t", &mut out);
        assert_eq!(out, ["t: text line 2 \"c\", expected \"b\""]);
    }

    #[test]
    fn report_fields_compare_status_not_tokens() {
        let e = b"Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y\nAction: delivered\nStatus: 2.0.0\nOriginal-Envelope-Id: tok1\n";
        let same = b"Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y\nAction: delivered\nStatus: 2.0.0\nOriginal-Envelope-Id:\n tok2\n";
        let mut out = Vec::new();
        fields(e, same, "p", &mut out);
        assert!(out.is_empty(), "{out:?}");
        let failed = String::from_utf8_lossy(same).replace("2.0.0", "5.1.1");
        fields(e, failed.as_bytes(), "p", &mut out);
        assert_eq!(out, ["p: Status: \"5.1.1\", expected \"2.0.0\""]);
    }
}
