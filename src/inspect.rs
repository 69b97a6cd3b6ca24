//! What a message is and what is in it: the report behind `mm3gw inspect`.
//!
//! The kind decides how the rest is read: an MM4 message (any of the six types) through the
//! MM4 parser with its findings; T.37 fax mail, VPIM/IVM voice mail, DSNs and MDNs by their
//! MIME structure (RFC 3965, RFC 3801, RFC 4239, RFC 3464, RFC 3798). The report is the
//! regression format of the `samples/` inspection cases, so its JSON form is stable: fields in
//! a fixed order, nothing that depends on line endings.
use serde::Serialize;

use crate::mail;
use crate::mm::{
    self, Body, ContentType, Elements, Finding, Limits, Part, Presentation, Severity, Slide,
};

/// The inspection of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `MM4_forward.REQ` … `MM4_read_reply_report.RES`, `T.37 fax mail`, `VPIM voice message`,
    /// `IVM voice message`, `DSN`, `MDN`, `e-mail` or `unknown`.
    pub kind: String,
    /// False when an error finding makes the message unusable for its kind.
    pub usable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elements: Option<Elements>,
    /// The top-level headers, for kinds other than MM4.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<PartSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presentation: Option<Presentation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slides: Vec<Slide>,
    pub findings: Vec<Finding>,
}

/// A part as the report shows it: type, identity, size and, for short texts, the text.
#[derive(Debug, Clone, Serialize)]
pub struct PartSummary {
    #[serde(rename = "type")]
    pub content_type: ContentType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<ContentType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// Decoded size in bytes (UTF-8 for text parts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<usize>,
    /// The leaf index slides refer to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartSummary>,
}

/// Texts longer than this are shown by size only.
const TEXT_PREVIEW: usize = 400;

fn summarize(p: &Part, next_leaf: &mut usize) -> PartSummary {
    let (size, text, parts, leaf) = match &p.body {
        Body::Multipart(children) => {
            (None, None, children.iter().map(|c| summarize(c, next_leaf)).collect(), None)
        }
        body => {
            let leaf = *next_leaf;
            *next_leaf += 1;
            let text = match body {
                Body::Text(t) if t.chars().count() <= TEXT_PREVIEW => Some(t.clone()),
                _ => None,
            };
            (Some(p.bytes().len()), text, Vec::new(), Some(leaf))
        }
    };
    PartSummary {
        content_type: p.content_type.clone(),
        charset: p.charset.clone(),
        content_id: p.content_id.clone(),
        content_location: p.content_location.clone(),
        name: p.name.clone(),
        disposition: p.disposition.clone(),
        headers: p.extra.clone(),
        size,
        leaf,
        text,
        parts,
    }
}

/// Inspects raw message bytes. Never fails: what cannot be read becomes a finding.
pub fn inspect(raw: &[u8], limits: &Limits) -> Report {
    let mut report = Report {
        kind: "unknown".into(),
        usable: false,
        elements: None,
        headers: Vec::new(),
        body: None,
        presentation: None,
        slides: Vec::new(),
        findings: Vec::new(),
    };
    let mime = match mm::parse_mime(raw, limits) {
        Ok(m) => m,
        Err(e) => {
            report.findings.push(Finding::error(e.to_string()));
            return report;
        }
    };
    if let Some(type_value) = mime.header("X-Mms-Message-Type") {
        let message_type = mm::MessageType::parse(type_value);
        report.kind = match &message_type {
            mm::MessageType::Other(_) => "unknown".into(),
            t => t.as_str().into(),
        };
        match mm::parse(raw, limits) {
            Ok(parsed) => {
                let mm = parsed.mm;
                report.usable = true;
                report.elements = Some(mm.elements);
                report.body = mm.body.as_ref().map(|b| summarize(b, &mut 0));
                report.presentation =
                    (mm.presentation != Presentation::None).then_some(mm.presentation);
                report.slides = mm.slides;
                report.findings = parsed.findings;
            }
            Err(e) => {
                report.findings.push(Finding::error(e.to_string()));
                report.headers = mime.headers;
                report.body = Some(summarize(&mime.body, &mut 0));
            }
        }
        return report;
    }
    report.kind = classify(&mime).into();
    report.usable = true;
    report.findings = mime.findings;
    report.headers = mime.headers;
    report.body = Some(summarize(&mime.body, &mut 0));
    report
}

/// The kind of a message that is not MM4, by its MIME structure ([`mail::Kind::of`]).
fn classify(mime: &mm::Mime) -> &'static str {
    match mail::Kind::of(mime) {
        mail::Kind::Dsn => "DSN",
        mail::Kind::Mdn => "MDN",
        mail::Kind::Vpim => "VPIM voice message",
        mail::Kind::Ivm => "IVM voice message",
        mail::Kind::FaxMail => "T.37 fax mail",
        mail::Kind::Other if mime.body.content_type.mime == "multipart/report" => "unknown",
        mail::Kind::Other => "e-mail",
    }
}

impl Report {
    /// Error findings, one line each: what makes the message unusable.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }

    /// The human-readable form `mm3gw inspect` prints without `--json`.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ =
            writeln!(out, "kind: {}{}", self.kind, if self.usable { "" } else { " (unusable)" });
        if let Some(e) = &self.elements
            && let Ok(serde_json::Value::Object(map)) = serde_json::to_value(e)
        {
            for (k, v) in map {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                let _ = writeln!(out, "  {k}: {v}");
            }
        }
        for (k, v) in &self.headers {
            let _ = writeln!(out, "  {k}: {v}");
        }
        if let Some(b) = &self.body {
            let _ = writeln!(out, "parts:");
            write_tree(&mut out, b, 1);
        }
        if let Some(p) = &self.presentation {
            let from = match p {
                Presentation::Smil => "from SMIL",
                _ => "derived from part order",
            };
            let _ = writeln!(out, "slides ({from}):");
            for (i, s) in self.slides.iter().enumerate() {
                let dur = s.dur_ms.map(|d| format!(" {d} ms")).unwrap_or_default();
                let media: Vec<String> = s
                    .media
                    .iter()
                    .map(|m| {
                        let to = m.part.map(|p| format!("part {p}")).unwrap_or("unresolved".into());
                        format!("{:?} {} -> {to}", m.kind, m.src).to_lowercase()
                    })
                    .collect();
                let _ = writeln!(out, "  {}.{dur}: {}", i + 1, media.join(", "));
            }
        }
        for f in &self.findings {
            let sev = match f.severity {
                Severity::Info => "info",
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            let _ = writeln!(out, "{sev}: {}", f.what);
        }
        out
    }
}

fn write_tree(out: &mut String, p: &PartSummary, depth: usize) {
    use std::fmt::Write as _;
    let pad = "  ".repeat(depth);
    let mut line = format!("{pad}{}", p.content_type.mime);
    if let Some(l) = p.leaf {
        line = format!("{pad}[{l}] {}", p.content_type.mime);
    }
    if let Some(s) = p.size {
        let _ = write!(line, ", {s} bytes");
    }
    if let Some(c) = &p.charset {
        let _ = write!(line, ", charset {c}");
    }
    if let Some(c) = &p.content_id {
        let _ = write!(line, ", id {c}");
    }
    if let Some(c) = &p.content_location {
        let _ = write!(line, ", location {c}");
    }
    if let Some(n) = &p.name {
        let _ = write!(line, ", name {n}");
    }
    let _ = writeln!(out, "{line}");
    for c in &p.parts {
        write_tree(out, c, depth + 1);
    }
}
