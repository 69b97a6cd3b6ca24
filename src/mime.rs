//! MIME writing shared by every message mm3gw emits (MM4, fax mail, VPIM, reports).
//!
//! Output is always CRLF, header lines are folded at white space to stay near 78 columns,
//! non-ASCII header text becomes RFC 2047 encoded words, non-ASCII parameters RFC 2231
//! values, and bodies are 7bit, quoted-printable or base64 so that every part survives any
//! relay (8BITMIME is not assumed). Boundaries are derived from the content, not from a random
//! source, so the same message always encodes to the same bytes.
use std::fmt::Write as _;

use crate::mm::{Body, ContentType, Part};

/// Writes `Name: value` folded at spaces so lines stay within 78 columns where possible.
pub fn write_header(out: &mut Vec<u8>, name: &str, value: &str) {
    let mut line_len = name.len() + 1;
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    for (i, word) in value.split(' ').enumerate() {
        if i > 0 && line_len + 1 + word.len() > 78 && line_len > name.len() + 1 {
            out.extend_from_slice(b"\r\n");
            line_len = 0;
        }
        out.push(b' ');
        out.extend_from_slice(word.as_bytes());
        line_len += 1 + word.len();
    }
    out.extend_from_slice(b"\r\n");
}

/// Unstructured header text: unchanged when plain ASCII, else RFC 2047 `B` encoded words of
/// at most 75 characters, split at UTF-8 character boundaries.
pub fn encode_text(text: &str) -> String {
    let plain = text.bytes().all(|b| (0x20..0x7f).contains(&b)) && !text.contains("=?");
    if plain {
        return text.to_string();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        let c = if matches!(c, '\r' | '\n' | '\0') { ' ' } else { c };
        // 45 bytes of UTF-8 make 60 base64 characters: 72 with the =?utf-8?B??= frame.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?utf-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?utf-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join(" ")
}

/// A content-type or disposition with its parameters, quoted or RFC 2231-encoded as needed.
pub fn content_type_value(ct: &ContentType, extra: &[(&str, &str)]) -> String {
    let mut v = ct.mime.clone();
    let params =
        ct.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(extra.iter().copied());
    for (k, val) in params {
        let _ = write!(v, "; {}", param(k, val));
    }
    v
}

fn param(name: &str, value: &str) -> String {
    const TSPECIALS: &[u8] = b"()<>@,;:\\\"/[]?= \t";
    // RFC 2231 carries any value exactly, control characters included.
    if !value.is_ascii() || value.chars().any(char::is_control) {
        let mut enc = String::new();
        for b in value.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                enc.push(b as char);
            } else {
                let _ = write!(enc, "%{b:02X}");
            }
        }
        return format!("{name}*=utf-8''{enc}");
    }
    if !value.is_empty() && !value.bytes().any(|b| TSPECIALS.contains(&b) || b < 0x21 || b == 0x7f)
    {
        return format!("{name}={value}");
    }
    let escaped: String = value
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("{name}=\"{escaped}\"")
}

/// Writes a message body (after the message headers): [`write_part`], except that a leaf body
/// always ends on CRLF as SMTP DATA must. Text gains a final line break if it had none; other
/// leaves go in base64, where the final CRLF is not content.
pub fn write_message_body(out: &mut Vec<u8>, part: &Part) {
    match &part.body {
        Body::Text(t) if !t.ends_with('\n') => {
            let mut p = part.clone();
            p.body = Body::Text(format!("{t}\n"));
            write_part(out, &p, 0);
        }
        Body::Bytes(b) => {
            write_part_headers(out, part, None);
            write_base64(out, b);
        }
        _ => write_part(out, part, 0),
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
}

/// Writes a part: its headers (Content-* only; the caller writes the message headers first)
/// and its body. `seed` makes boundaries unique per position.
pub fn write_part(out: &mut Vec<u8>, part: &Part, seed: u64) {
    let boundary = match &part.body {
        Body::Multipart(children) => Some(boundary_for(children, seed)),
        _ => None,
    };
    write_part_headers(out, part, boundary.as_deref());
    match &part.body {
        Body::Multipart(children) => {
            let b = boundary.unwrap_or_default();
            out.extend_from_slice(b"\r\n");
            for (i, child) in children.iter().enumerate() {
                out.extend_from_slice(format!("--{b}\r\n").as_bytes());
                write_part(out, child, seed.wrapping_mul(31).wrapping_add(i as u64 + 1));
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        }
        Body::Text(text) => {
            let crlf = text.replace('\n', "\r\n");
            write_body(out, crlf.as_bytes(), true);
        }
        Body::Bytes(bytes) => {
            let is_text = part.content_type.main_type() == "text"
                || part.content_type.mime == "application/smil";
            write_body(out, bytes, is_text);
        }
    }
}

/// The Content-* headers of a part (not the transfer encoding, which goes with the body).
fn write_part_headers(out: &mut Vec<u8>, part: &Part, boundary: Option<&str>) {
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if matches!(part.body, Body::Text(_)) && part.content_type.main_type() == "text" {
        extra.push(("charset", "utf-8"));
    } else if let Some(charset) = &part.charset {
        // Bytes are written as they are, so their declared charset still applies.
        extra.push(("charset", charset));
    }
    if let Some(name) = &part.name {
        extra.push(("name", name));
    }
    if let Some(b) = boundary {
        extra.push(("boundary", b));
    }
    write_header(out, "Content-Type", &content_type_value(&part.content_type, &extra));
    if let Some(d) = &part.disposition {
        let filename: Vec<(&str, &str)> =
            part.name.iter().map(|n| ("filename", n.as_str())).collect();
        write_header(out, "Content-Disposition", &content_type_value(d, &filename));
    }
    if let Some(cid) = &part.content_id {
        write_header(out, "Content-ID", cid);
    }
    if let Some(loc) = &part.content_location {
        write_header(out, "Content-Location", loc);
    }
    for (k, v) in &part.extra {
        write_header(out, k, v);
    }
}

/// A text body stays 7bit when it can, else quoted-printable; binary is base64. Nothing is
/// appended: the CRLF before the next boundary belongs to the boundary (RFC 2046 §5.1.1).
fn write_body(out: &mut Vec<u8>, bytes: &[u8], is_text: bool) {
    let seven_bit = bytes.iter().all(|&b| b != 0 && b < 0x80)
        && !contains(bytes, b"=_")
        && bytes.split(|&b| b == b'\n').all(|l| l.len() < 998)
        && bare_line_ends_ok(bytes);
    if is_text && seven_bit {
        out.extend_from_slice(b"Content-Transfer-Encoding: 7bit\r\n\r\n");
        out.extend_from_slice(bytes);
    } else if is_text && std::str::from_utf8(bytes).is_ok() && bare_line_ends_ok(bytes) {
        out.extend_from_slice(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        quoted_printable(out, bytes);
    } else {
        write_base64(out, bytes);
    }
}

fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
    let b64 = base64(bytes);
    for line in b64.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
}

/// CR only as part of CRLF and LF only after CR: anything else would be rewritten by relays.
fn bare_line_ends_ok(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && bytes.get(i - 1) == Some(&b'\r'),
        _ => true,
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// RFC 2045 §6.7 quoted-printable of CRLF text, soft line breaks at 76 columns; ends with a
/// line break only where the text does.
fn quoted_printable(out: &mut Vec<u8>, bytes: &[u8]) {
    let (text, final_break) = match bytes.strip_suffix(b"\r\n") {
        Some(t) => (t, true),
        None => (bytes, false),
    };
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        if n > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut col = 0;
        for (i, &b) in line.iter().enumerate() {
            let last = i + 1 == line.len();
            let literal =
                (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'=';
            let width = if literal { 1 } else { 3 };
            if col + width > 75 {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            if literal {
                out.push(b);
            } else {
                out.extend_from_slice(format!("={b:02X}").as_bytes());
            }
            col += width;
        }
    }
    if final_break {
        out.extend_from_slice(b"\r\n");
    }
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A boundary that cannot occur in the encoded children: base64 and quoted-printable never
/// produce `=_`, and 7bit bodies containing it are quoted-printable encoded instead.
fn boundary_for(children: &[Part], seed: u64) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for c in children {
        for &b in c.bytes().iter().take(4096).chain(c.content_type.mime.as_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("=_mm3gw_{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn encoded_words_stay_short_and_split_on_char_boundaries() {
        let s = "Grüße aus Köln – ".repeat(5);
        let enc = encode_text(&s);
        assert!(enc.split(' ').all(|w| w.len() <= 75 && w.starts_with("=?utf-8?B?")), "{enc}");
        assert_eq!(encode_text("plain ascii"), "plain ascii");
    }

    #[test]
    fn quoted_printable_escapes_and_soft_breaks() {
        let mut out = Vec::new();
        quoted_printable(&mut out, "a=b é\r\n".as_bytes());
        assert_eq!(out, b"a=3Db =C3=A9\r\n");
        let mut out = Vec::new();
        quoted_printable(&mut out, "x".repeat(100).as_bytes());
        assert!(!out.ends_with(b"\r\n"), "no line break the text did not have");
        assert!(out.split(|&b| b == b'\n').all(|l| l.len() <= 77));
    }

    #[test]
    fn params_quote_and_encode() {
        assert_eq!(param("type", "application/smil"), "type=\"application/smil\"");
        assert_eq!(param("name", "a.jpg"), "name=a.jpg");
        assert_eq!(param("name", "ö.jpg"), "name*=utf-8''%C3%B6.jpg");
    }
}
