//! Reading single header values: RFC 2047 text, dates and address lists through mail-parser's
//! own field parsers (fed one probe header), ids and comments by hand.
use mail_parser::MessageParser;

use super::Mailbox;

/// Longest value handed to the probe parser; longer header values are cut (no real one is).
const MAX_PROBE: usize = 16 * 1024;

fn probe(name: &str, value: &str) -> Option<mail_parser::Message<'static>> {
    let value: String =
        value.chars().take(MAX_PROBE).filter(|c| !matches!(c, '\r' | '\n')).collect();
    let raw = format!("{name}: {value}\r\n\r\n");
    MessageParser::default().parse(raw.as_bytes()).map(|m| m.into_owned())
}

/// Unstructured text with RFC 2047 encoded words decoded.
pub(crate) fn decode_text(value: &str) -> String {
    if !value.contains("=?") {
        return value.trim().to_string();
    }
    probe("Subject", value)
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_else(|| value.trim().to_string())
}

/// An RFC 5322 date (obsolete forms included), as Unix seconds.
pub(crate) fn parse_date(value: &str) -> Option<i64> {
    let m = probe("Date", value)?;
    m.date().filter(|d| d.is_valid()).map(|d| d.to_timestamp())
}

/// The mailboxes of an address list (groups flattened), display names decoded.
pub(crate) fn mailboxes(value: &str) -> Vec<Mailbox> {
    let Some(m) = probe("To", value) else { return Vec::new() };
    let Some(list) = m.to() else { return Vec::new() };
    list.iter()
        .filter_map(|a| {
            let address = a.address()?.trim();
            (!address.is_empty()).then(|| Mailbox {
                name: a.name().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string),
                address: address.to_string(),
            })
        })
        .collect()
}

/// A message id or path without white space, quotes and angle brackets.
pub(crate) fn msg_id(value: &str) -> String {
    crate::mm::Id(value.to_string()).key().to_string()
}

/// The value before any `(comment)`, trimmed: `failed (bad destination)` → `failed`.
pub(crate) fn strip_comment(value: &str) -> &str {
    value.split('(').next().unwrap_or("").trim()
}

/// The field groups of a report body (RFC 3464 §2.1, RFC 3798 §3.1): `Name: value` lines,
/// folded lines joined, groups split at blank lines. Lines without a colon are skipped; names
/// are kept as written (compare case-insensitively).
pub(crate) fn field_groups(text: &str) -> Vec<Vec<(String, String)>> {
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
            continue;
        }
        let Some(group) = groups.last_mut() else { continue };
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = group.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if !name.is_empty() && !name.contains(' ') {
                group.push((name.to_string(), value.trim().to_string()));
            }
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// `type; address` (RFC 3464 §2.3.1, RFC 3798 §3.2.3). A value without the type (seen from
/// older MTAs) is taken as `rfc822`; angle brackets around the address are removed.
pub(crate) fn typed_address(value: &str) -> (String, String) {
    let (t, a) = match value.split_once(';') {
        Some((t, a)) if !t.contains('@') => (t.trim(), a),
        _ => ("rfc822", value),
    };
    (t.to_ascii_lowercase(), msg_id(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_encoded_text_dates_and_lists() {
        assert_eq!(decode_text("=?utf-8?q?J=C3=B6rg?= hi"), "Jörg hi");
        assert_eq!(parse_date("Mon, 01 Jan 2024 10:00:00 +0000"), Some(1704103200));
        assert_eq!(parse_date("garbage"), None);
        let l = mailboxes("\"A\" <a@x>, b@y, G: c@z;");
        let got: Vec<&str> = l.iter().map(|m| m.address.as_str()).collect();
        assert_eq!(got, ["a@x", "b@y", "c@z"]);
        assert_eq!(l[0].name.as_deref(), Some("A"));
        assert_eq!(msg_id(" <x@y> "), "x@y");
        assert_eq!(strip_comment("failed (bad)"), "failed");
        assert_eq!(typed_address("RFC822; <a@b>"), ("rfc822".into(), "a@b".into()));
        assert_eq!(typed_address("a@b"), ("rfc822".into(), "a@b".into()));
    }

    #[test]
    fn report_field_groups() {
        let g = field_groups(
            "Reporting-MTA: dns; x\r\n\r\n\r\nFinal-Recipient: rfc822;\r\n a@b\r\nAction: failed\r\ngarbage\r\n",
        );
        assert_eq!(g.len(), 2);
        assert_eq!(g[1][0], ("Final-Recipient".to_string(), "rfc822; a@b".to_string()));
        assert_eq!(g[1][1].1, "failed");
    }
}
