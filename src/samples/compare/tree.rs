//! The MIME tree: content types with their parameters, file names, dispositions, Content-ID and
//! Content-Location, the other part headers (e.g. `Content-Duration`) and the order of parts
//! (under `multipart/related` only the root's: the others are matched by reference);
//! then each leaf by what it is. Transfer encodings, base64 line lengths, charsets and
//! boundaries are gone once parsed, so they never count.
use super::{audio, fax, image, quote, squash, text};
use crate::mm::{Body, ContentType, Part};

/// How deep `message/rfc822` parts are followed.
const MAX_NESTED: usize = 3;

/// Compares two part trees; `prefix` starts every line.
pub fn compare(exp: &Part, act: &Part, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let label = if matches!(act.body, Body::Multipart(_)) || matches!(exp.body, Body::Multipart(_))
    {
        format!("{prefix}body")
    } else {
        format!("{prefix}body {}", act.content_type.mime)
    };
    part(exp, act, &label, "", prefix, depth, out);
}

/// `path` is the dotted position (`2`, `2.1`) used to name children.
fn part(
    exp: &Part,
    act: &Part,
    label: &str,
    path: &str,
    prefix: &str,
    depth: usize,
    out: &mut Vec<String>,
) {
    if exp.content_type.mime != act.content_type.mime {
        out.push(format!(
            "{label}: content type {}, expected {}",
            act.content_type.mime, exp.content_type.mime
        ));
        return;
    }
    attributes(exp, act, label, out);
    match (&exp.body, &act.body) {
        (Body::Multipart(e), Body::Multipart(a))
            if exp.content_type.mime == "multipart/related" =>
        {
            let e = root_first(exp, e);
            children(&e, &related_order(&e, &root_first(act, a)), path, prefix, depth, out)
        }
        (Body::Multipart(e), Body::Multipart(a)) => children(e, a, path, prefix, depth, out),
        (Body::Multipart(_), _) | (_, Body::Multipart(_)) => {
            out.push(format!("{label}: multipart structure differs"));
        }
        _ => leaf(exp, act, label, depth, out),
    }
}

fn params(ct: &ContentType) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> =
        ct.params.iter().map(|(n, v)| (n.to_ascii_lowercase(), squash(v))).collect();
    p.sort();
    p
}

fn attributes(exp: &Part, act: &Part, label: &str, out: &mut Vec<String>) {
    let (pe, pa) = (params(&exp.content_type), params(&act.content_type));
    for (n, v) in &pe {
        match pa.iter().find(|(m, _)| m == n) {
            None => out.push(format!("{label}: parameter {n} missing (expected {})", quote(v))),
            Some((_, w)) if w != v => {
                out.push(format!("{label}: parameter {n} {}, expected {}", quote(w), quote(v)))
            }
            _ => {}
        }
    }
    for (n, w) in pa.iter().filter(|(n, _)| !pe.iter().any(|(m, _)| m == n)) {
        out.push(format!("{label}: unexpected parameter {n}={}", quote(w)));
    }
    let disp = |p: &Part| {
        p.disposition.as_ref().map(|d| {
            let mut s = d.mime.clone();
            for (n, v) in params(d) {
                s.push_str(&format!("; {n}={v}"));
            }
            s
        })
    };
    let fields = [
        ("disposition", disp(exp), disp(act)),
        ("file name", exp.name.clone(), act.name.clone()),
        ("Content-ID", exp.content_id.clone(), act.content_id.clone()),
        ("Content-Location", exp.content_location.clone(), act.content_location.clone()),
    ];
    for (what, e, a) in fields {
        if e != a {
            let show = |v: &Option<String>| v.as_deref().map_or("none".into(), quote);
            out.push(format!("{label}: {what} {}, expected {}", show(&a), show(&e)));
        }
    }
    let extra = |p: &Part| -> Vec<(String, String)> {
        let mut v: Vec<_> = p
            .extra
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("content-transfer-encoding"))
            .map(|(n, v)| (n.to_ascii_lowercase(), squash(v)))
            .collect();
        v.sort();
        v
    };
    let (ee, ea) = (extra(exp), extra(act));
    if ee != ea {
        for (n, v) in &ee {
            if !ea.contains(&(n.clone(), v.clone())) {
                let got = ea.iter().find(|(m, _)| m == n).map_or("none".into(), |(_, w)| quote(w));
                out.push(format!("{label}: header {n} {got}, expected {}", quote(v)));
            }
        }
        for (n, w) in ea.iter().filter(|(n, _)| !ee.iter().any(|(m, _)| m == n)) {
            out.push(format!("{label}: unexpected header {n} {}", quote(w)));
        }
    }
}

/// Children in order. When the counts differ the longest common run of content types is
/// matched and the rest named as missing or unexpected, so one dropped part is one line.
fn children(
    exp: &[Part],
    act: &[Part],
    path: &str,
    prefix: &str,
    depth: usize,
    out: &mut Vec<String>,
) {
    let pos =
        |i: usize| if path.is_empty() { format!("{}", i + 1) } else { format!("{path}.{}", i + 1) };
    let pairs = align(exp, act);
    let (mut ie, mut ia) = (0, 0);
    for (e, a) in pairs.iter().copied().chain(std::iter::once((exp.len(), act.len()))) {
        while ie < e {
            let p = &exp[ie];
            out.push(format!("{prefix}part {} {} missing", pos(ie), p.content_type.mime));
            ie += 1;
        }
        while ia < a {
            let p = &act[ia];
            out.push(format!("{prefix}part {} {} unexpected", pos(ia), p.content_type.mime));
            ia += 1;
        }
        if let (Some(pe), Some(pa)) = (exp.get(e), act.get(a)) {
            let label = format!("{prefix}part {} {}", pos(a), pa.content_type.mime);
            part(pe, pa, &label, &pos(a), prefix, depth, out);
        }
        (ie, ia) = (e + 1, a + 1);
    }
}

/// A `multipart/related`'s parts with its root first: the part `start` names (RFC 2387 §3.2),
/// else the first.
fn root_first(related: &Part, parts: &[Part]) -> Vec<Part> {
    let start = related.content_type.params.iter().find(|(n, _)| n.eq_ignore_ascii_case("start"));
    let root = start.and_then(|(_, id)| {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        parts.iter().position(|p| {
            p.content_id.as_deref().map(|c| c.trim().trim_start_matches('<').trim_end_matches('>'))
                == Some(id)
        })
    });
    let mut v = parts.to_vec();
    if let Some(i) = root {
        let r = v.remove(i);
        v.insert(0, r);
    }
    v
}

/// The actual parts of a `multipart/related` in the expected order, the root first. Only the root's place
/// carries meaning there (RFC 2387 §3.2: the first part unless `start` names another); the
/// others are found by reference, so they are matched by Content-ID, Content-Location or file
/// name, and those with no match keep their order after the matched ones.
fn related_order(exp: &[Part], act: &[Part]) -> Vec<Part> {
    fn key(p: &Part) -> Option<(u8, &str)> {
        p.content_id
            .as_deref()
            .map(|k| (0, k))
            .or(p.content_location.as_deref().map(|k| (1, k)))
            .or(p.name.as_deref().map(|k| (2, k)))
    }
    let mut used = vec![false; act.len()];
    let mut order = Vec::with_capacity(act.len());
    if !act.is_empty() {
        used[0] = true;
        order.push(0);
    }
    for e in exp.iter().skip(1) {
        let found =
            key(e).and_then(|k| (1..act.len()).find(|&j| !used[j] && key(&act[j]) == Some(k)));
        if let Some(j) = found {
            used[j] = true;
            order.push(j);
        }
    }
    order.extend((0..act.len()).filter(|&j| !used[j]));
    order.into_iter().map(|j| act[j].clone()).collect()
}

/// Index pairs of a longest common subsequence by content type; position by position when
/// the counts agree (a changed type is then reported on its part).
fn align(exp: &[Part], act: &[Part]) -> Vec<(usize, usize)> {
    if exp.len() == act.len() {
        return (0..exp.len()).map(|i| (i, i)).collect();
    }
    let (n, m) = (exp.len(), act.len());
    let mut t = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if exp[i].content_type.mime == act[j].content_type.mime {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < n && j < m {
        if exp[i].content_type.mime == act[j].content_type.mime {
            pairs.push((i, j));
            (i, j) = (i + 1, j + 1);
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

fn leaf(exp: &Part, act: &Part, label: &str, depth: usize, out: &mut Vec<String>) {
    let mime = act.content_type.mime.as_str();
    let (e, a) = (exp.bytes(), act.bytes());
    match mime {
        "image/tiff" | "image/tiff-fx" | "application/fax" => fax::compare(e, a, label, out),
        "message/rfc822" if depth < MAX_NESTED => {
            super::message_into(e, a, &format!("{label}: "), depth + 1, out);
        }
        "message/delivery-status" | "message/disposition-notification" | "text/rfc822-headers" => {
            text::fields(e, a, label, out)
        }
        m if m.starts_with("image/") => image::compare(e, a, label, out),
        m if m.starts_with("audio/") => audio::compare(e, a, mime, act.name.as_deref(), label, out),
        m if m.starts_with("text/")
            || m == "application/smil"
            || matches!(exp.body, Body::Text(_)) =>
        {
            text::compare(e, a, label, out)
        }
        _ if e != a => {
            out.push(format!("{label}: content differs ({} bytes, expected {})", a.len(), e.len()))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn related(parts: &[(&str, &str, &str)]) -> Part {
        let mut root = Part::leaf(ContentType::new("multipart/related"), Vec::new());
        root.body = Body::Multipart(
            parts
                .iter()
                .map(|(mime, cid, body)| {
                    Part::leaf(ContentType::new(mime), body.as_bytes().to_vec())
                        .with_content_id(&format!("<{cid}>"))
                })
                .collect(),
        );
        root
    }

    #[test]
    fn related_parts_are_matched_by_reference_but_the_root_stays_first() {
        let smil = ("application/smil", "smil", "<smil/>");
        let (a, b) = (("text/plain", "a", "first"), ("text/plain", "b", "second"));
        let exp = related(&[smil, a, b]);
        let mut out = Vec::new();
        compare(&exp, &related(&[smil, b, a]), "", 0, &mut out);
        assert!(out.is_empty(), "{out:?}");
        compare(&exp, &related(&[a, smil, b]), "", 0, &mut out);
        assert!(!out.is_empty(), "the root moved");
        // A root named by `start` may stand anywhere.
        let mut moved = related(&[a, smil, b]);
        moved.content_type = moved.content_type.with_param("start", "<smil>");
        let mut exp_start = exp.clone();
        exp_start.content_type = exp_start.content_type.with_param("start", "<smil>");
        let mut out = Vec::new();
        compare(&exp_start, &moved, "", 0, &mut out);
        assert!(out.is_empty(), "{out:?}");
        // Under multipart/mixed the order carries meaning.
        let mixed = |parts: &[(&str, &str, &str)]| {
            let mut p = related(parts);
            p.content_type = ContentType::new("multipart/mixed");
            p
        };
        let mut out = Vec::new();
        compare(&mixed(&[smil, a, b]), &mixed(&[smil, b, a]), "", 0, &mut out);
        assert!(!out.is_empty());
    }
}
