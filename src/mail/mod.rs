//! The Internet-mail side of the gateway: T.37 fax mail, VPIM v2 / IVM voice mail, and the
//! DSNs and MDNs that come back (spec/t37-fax.md §4–§5, spec/vpim.md, spec/mms.md §5, §8).
//!
//! - [`t37`]: simple-mode fax mail (RFC 3965) with optional full-mode requests, build and parse.
//! - [`vpim`]: VPIM v2 (RFC 3801) and IVM (RFC 4239) voice messages, build and parse;
//!   [`vcard`] the vCard 3.0 subset they carry.
//! - [`dsn`] (RFC 3464) and [`mdn`] (RFC 3798 / 8098): parse, build, and the outcome mappings to
//!   MM4 report values.
//! - [`envelope`]: the SMTP envelope with its DSN parameters (RFC 3461).
//!
//! Codec-agnostic and sans-IO: media arrive as encoded bytes, clocks and ids come in as values,
//! and every parser takes [`Limits`]. Builders emit CRLF MIME through [`crate::mime`], so what
//! they write is reproducible byte for byte.
use serde::Serialize;

use crate::mime;
use crate::mm::{self, Mime, Priority};

pub mod dsn;
pub mod envelope;
mod header;
pub mod mdn;
pub mod t37;
pub mod vcard;
pub mod vpim;

pub use envelope::{DsnRequest, MailEnvelope, Notify, RcptDsn, Ret};

/// Why a message could not be built or read; the format modules wrap it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A caller-supplied header value would break the header block (CR, LF or NUL inside):
    /// refused rather than cleaned, since it signals header injection upstream.
    #[error("{field}: value contains a line break or NUL: {value:?}")]
    UnsafeHeader { field: String, value: String },
    #[error(transparent)]
    Envelope(#[from] envelope::Error),
    #[error(transparent)]
    Mime(#[from] mm::Error),
}

/// Caps for the mail parsers, on top of the generic MIME caps.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Limits {
    pub mime: mm::Limits,
    /// Per-recipient blocks read from one DSN; more are reported as a finding and skipped.
    pub max_report_recipients: usize,
    /// A machine-readable report part (delivery-status, disposition-notification) or a vCard
    /// longer than this is refused: real ones are a few hundred bytes.
    pub max_report_part_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            mime: mm::Limits::default(),
            max_report_recipients: 256,
            max_report_part_bytes: 256 * 1024,
        }
    }
}

/// A message ready for SMTP `DATA` (CRLF, dot-stuffing left to the transport) and its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub bytes: Vec<u8>,
    pub envelope: MailEnvelope,
}

/// A mailbox with an optional display name, as `From`/`To` carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    pub fn new(address: impl Into<String>) -> Self {
        Self { name: None, address: address.into() }
    }

    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The header form: `address`, `"Name" <address>`, or RFC 2047 words for a non-ASCII name.
    pub fn to_header(&self) -> String {
        match self.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            None => self.address.clone(),
            Some(name) if name.is_ascii() => {
                let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{escaped}\" <{}>", self.address)
            }
            Some(name) => format!("{} <{}>", mime::encode_text(name), self.address),
        }
    }
}

/// `Importance:` (RFC 2156, RFC 3801 §4.2.14), the field both fax and voice mail carry for
/// the MM's priority (spec/mms.md §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    Low,
    Normal,
    High,
}

impl Importance {
    pub fn as_str(self) -> &'static str {
        match self {
            Importance::Low => "low",
            Importance::Normal => "normal",
            Importance::High => "high",
        }
    }

    /// MM priority → header: `High`/`Low` map, `Normal` (and unknown values) send no header
    /// (RFC 4356 Table 1, spec/mms.md §8).
    pub fn from_priority(p: &Priority) -> Option<Importance> {
        match p {
            Priority::High => Some(Importance::High),
            Priority::Low => Some(Importance::Low),
            _ => None,
        }
    }

    /// Header → MM priority: normal means no `X-Mms-Priority` at all (spec/mms.md §8).
    pub fn to_priority(self) -> Option<Priority> {
        match self {
            Importance::High => Some(Priority::High),
            Importance::Low => Some(Priority::Low),
            Importance::Normal => None,
        }
    }

    /// The inbound rule of spec/mms.md §8: `Importance` preferred, else `X-Priority` 1–2 high,
    /// 3 normal, 4–5 low (the digit may be followed by a comment such as `(Highest)`).
    pub fn from_headers(headers: &[(String, String)]) -> Option<Importance> {
        let find = |name: &str| {
            headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
        };
        if let Some(v) = find("Importance") {
            let v = header::strip_comment(v);
            for i in [Importance::Low, Importance::Normal, Importance::High] {
                if v.eq_ignore_ascii_case(i.as_str()) {
                    return Some(i);
                }
            }
        }
        match find("X-Priority")?.bytes().next()? {
            b'1' | b'2' => Some(Importance::High),
            b'3' => Some(Importance::Normal),
            b'4' | b'5' => Some(Importance::Low),
            _ => None,
        }
    }
}

/// The trace field the gateway adds when it hands an MM to Internet mail: RFC 4356 §2.1.3 asks
/// for `with MMS` (an IANA-registered WITH protocol type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The system the MM came from (the MMSC's host name).
    pub from: String,
    /// Our own host name.
    pub by: String,
    /// Our queue id or the MM id, when there is one.
    pub id: Option<String>,
    pub date: i64,
}

impl Received {
    pub fn value(&self) -> String {
        let mut v = format!("from {} by {} with MMS", self.from, self.by);
        if let Some(id) = &self.id {
            v.push_str(" id ");
            v.push_str(id);
        }
        v.push_str("; ");
        v.push_str(&mm::build::rfc5322_date(self.date));
        v
    }
}

/// The top-level fields every message we originate carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub from: Mailbox,
    /// Header recipients; empty means no `To:` (VPIM: only when the list is complete).
    pub to: Vec<Mailbox>,
    pub subject: Option<String>,
    /// Unix seconds.
    pub date: i64,
    /// Without angle brackets.
    pub message_id: String,
    pub importance: Option<Importance>,
    pub received: Option<Received>,
    /// Further fields written after the standard ones, in order (`Precedence`, vendor fields).
    pub extra: Vec<(String, String)>,
}

impl Head {
    pub fn new(from: Mailbox, date: i64, message_id: impl Into<String>) -> Self {
        Self {
            from,
            to: Vec::new(),
            subject: None,
            date,
            message_id: message_id.into(),
            importance: None,
            received: None,
            extra: Vec::new(),
        }
    }

    /// Writes the fields in trace, originator, destination, identification order, then
    /// `additional` (format-specific fields) and `extra`.
    fn write(&self, out: &mut Vec<u8>, additional: &[(&str, String)]) -> Result<(), Error> {
        let mut fields: Vec<(&str, String)> = Vec::new();
        if let Some(r) = &self.received {
            fields.push(("Received", r.value()));
        }
        fields.push(("From", self.from.to_header()));
        if !self.to.is_empty() {
            let to: Vec<String> = self.to.iter().map(Mailbox::to_header).collect();
            fields.push(("To", to.join(", ")));
        }
        if let Some(s) = &self.subject {
            fields.push(("Subject", mime::encode_text(s)));
        }
        fields.push(("Date", mm::build::rfc5322_date(self.date)));
        fields.push(("Message-ID", format!("<{}>", self.message_id)));
        if let Some(i) = self.importance {
            fields.push(("Importance", i.as_str().to_string()));
        }
        fields.extend(additional.iter().cloned());
        fields.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        for (name, value) in &fields {
            check_header(name, value)?;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return Err(Error::UnsafeHeader { field: name.to_string(), value: value.clone() });
            }
        }
        for (name, value) in fields {
            mime::write_header(out, name, &value);
        }
        Ok(())
    }
}

/// Refuses values that would end the header early.
fn check_header(field: &str, value: &str) -> Result<(), Error> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(Error::UnsafeHeader { field: field.to_string(), value: value.to_string() });
    }
    Ok(())
}

/// The full-mode requests of an outbound message (RFC 2532, RFC 4142; spec/mms.md §5): a DSN
/// when the MM asked for a delivery report, an MDN when it asked for a read reply and the route
/// allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requests {
    /// `NOTIFY=SUCCESS,FAILURE`, `ORCPT`, `RET=HDRS` and this ENVID (unencoded).
    pub dsn_envid: Option<String>,
    /// `Disposition-Notification-To:` this mailbox.
    pub mdn_to: Option<Mailbox>,
}

impl Requests {
    /// The envelope for `rcpt_to` with the DSN parameters these requests imply.
    fn envelope(&self, mail_from: &str, rcpt_to: Vec<String>) -> Result<MailEnvelope, Error> {
        let dsn = match &self.dsn_envid {
            Some(envid) => DsnRequest::delivery_report(envid, &rcpt_to),
            None => DsnRequest::default(),
        };
        let envelope = mm::Envelope { mail_from: mail_from.to_string(), rcpt_to };
        Ok(MailEnvelope::new(envelope, dsn)?)
    }

    fn header(&self) -> Option<(&'static str, String)> {
        self.mdn_to.as_ref().map(|m| ("Disposition-Notification-To", m.to_header()))
    }
}

/// One body part of a multipart we assemble: a modelled [`mm::Part`] (encoded by
/// [`mime::write_part`]), or an entity that must stay unencoded: `message/*` bodies may only be
/// 7bit, 8bit or binary (RFC 2046 §5.2), so forwarded messages and report fields go as they are.
#[derive(Debug, Clone)]
enum Child {
    Part(mm::Part),
    Raw { content_type: String, body: Vec<u8> },
}

/// Writes a multipart entity (its Content-Type header, a blank line, the children). The
/// boundary is content-derived like [`mime::write_part`]'s, and re-derived until no child
/// contains it (a forwarded message may be one of ours).
fn write_multipart(out: &mut Vec<u8>, ct: &mm::ContentType, children: &[Child]) {
    let encoded: Vec<Vec<u8>> = children
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut b = Vec::new();
            match c {
                Child::Part(p) => mime::write_part(&mut b, p, i as u64 + 1),
                Child::Raw { content_type, body } => {
                    let eight = body.iter().any(|&x| x >= 0x80);
                    mime::write_header(&mut b, "Content-Type", content_type);
                    let cte = if eight { "8bit" } else { "7bit" };
                    mime::write_header(&mut b, "Content-Transfer-Encoding", cte);
                    b.extend_from_slice(b"\r\n");
                    b.extend_from_slice(&crlf(body));
                    if !b.ends_with(b"\r\n") {
                        b.extend_from_slice(b"\r\n");
                    }
                }
            }
            b
        })
        .collect();
    let mut seed: u64 = encoded.iter().map(|e| e.len() as u64).sum();
    let boundary = loop {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for &b in encoded.iter().flat_map(|e| e.iter().take(4096)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let candidate = format!("=_mm3gw_{h:016x}");
        if !encoded.iter().any(|e| contains(e, candidate.as_bytes())) {
            break candidate;
        }
        seed = seed.wrapping_add(1);
    };
    mime::write_header(
        out,
        "Content-Type",
        &mime::content_type_value(ct, &[("boundary", &boundary)]),
    );
    out.extend_from_slice(b"\r\n");
    for e in &encoded {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(e);
        // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Line ends made CRLF: a lone LF gains its CR, a lone CR its LF.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut prev = 0u8;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        if b == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            out.push(b'\n');
        }
        prev = b;
    }
    out
}

/// The top-level fields every inbound mail kind reads the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Common {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Mailbox>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Mailbox>,
    /// RFC 2047 decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
    /// Without angle brackets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    /// `Disposition-Notification-To`: the sender asked for an MDN (read reply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition_notification_to: Option<Mailbox>,
    /// `Return-Path` as delivered, without brackets; `Some("")` is the null path (`<>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_path: Option<String>,
}

impl Common {
    fn read(mime: &Mime) -> Self {
        let get = |n: &str| mime.header(n);
        Common {
            from: get("From").and_then(|v| header::mailboxes(v).into_iter().next()),
            to: mime
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("To"))
                .flat_map(|(_, v)| header::mailboxes(v))
                .collect(),
            subject: get("Subject").map(header::decode_text),
            date: get("Date").and_then(header::parse_date),
            message_id: get("Message-ID").map(header::msg_id),
            importance: Importance::from_headers(&mime.headers),
            disposition_notification_to: get("Disposition-Notification-To")
                .and_then(|v| header::mailboxes(v).into_iter().next()),
            return_path: get("Return-Path").map(|v| header::msg_id(v).to_string()),
        }
    }
}

/// A part that is neither of the format's own media: listed so nothing is lost silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherPart {
    pub content_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub size: usize,
}

impl OtherPart {
    fn of(p: &mm::Part) -> Self {
        Self {
            content_type: p.content_type.mime.clone(),
            name: p.name.clone(),
            size: p.bytes().len(),
        }
    }
}

/// What kind of Internet mail a parsed message is, by MIME structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    Dsn,
    Mdn,
    Vpim,
    Ivm,
    FaxMail,
    Other,
}

impl Kind {
    /// multipart/report by report-type; multipart/voice-message (top level or directly inside
    /// multipart/mixed, RFC 3801 §4.4.1) is VPIM; `Message-Context: voice-message` is IVM;
    /// any image/tiff or image/tiff-fx part makes fax mail.
    pub fn of(mime: &Mime) -> Kind {
        let ct = &mime.body.content_type;
        if ct.mime == "multipart/report" {
            return match ct.param("report-type").map(str::to_ascii_lowercase).as_deref() {
                Some("delivery-status") => Kind::Dsn,
                Some("disposition-notification") => Kind::Mdn,
                _ => Kind::Other,
            };
        }
        if vpim::find_voice_message(&mime.body).is_some() {
            return Kind::Vpim;
        }
        if mime
            .header("Message-Context")
            .is_some_and(|v| header::strip_comment(v).eq_ignore_ascii_case("voice-message"))
        {
            return Kind::Ivm;
        }
        if mime.body.leaves().iter().any(|p| t37::is_tiff_part(p)) {
            return Kind::FaxMail;
        }
        Kind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn importance_maps_both_ways_per_spec_table() {
        assert_eq!(Importance::from_priority(&Priority::High), Some(Importance::High));
        assert_eq!(Importance::from_priority(&Priority::Low), Some(Importance::Low));
        assert_eq!(Importance::from_priority(&Priority::Normal), None);
        assert_eq!(Importance::High.to_priority(), Some(Priority::High));
        assert_eq!(Importance::Low.to_priority(), Some(Priority::Low));
        assert_eq!(Importance::Normal.to_priority(), None);
    }

    #[test]
    fn importance_preferred_over_x_priority() {
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<Importance>);
        let cases: [Case; 7] = [
            (&[("Importance", "High")], Some(Importance::High)),
            (&[("importance", " low (bulk)")], Some(Importance::Low)),
            (&[("X-Priority", "1 (Highest)")], Some(Importance::High)),
            (&[("X-Priority", "2")], Some(Importance::High)),
            (&[("X-Priority", "3")], Some(Importance::Normal)),
            (&[("X-Priority", "5 (Lowest)")], Some(Importance::Low)),
            (&[("X-Priority", "1"), ("Importance", "low")], Some(Importance::Low)),
        ];
        for (headers, want) in cases {
            assert_eq!(Importance::from_headers(&h(headers)), want, "{headers:?}");
        }
        assert_eq!(Importance::from_headers(&h(&[("X-Priority", "x")])), None);
    }

    #[test]
    fn mailbox_header_forms() {
        assert_eq!(Mailbox::new("a@b").to_header(), "a@b");
        assert_eq!(Mailbox::new("a@b").with_name("A \"B\"").to_header(), "\"A \\\"B\\\"\" <a@b>");
        assert!(Mailbox::new("a@b").with_name("Jörg").to_header().starts_with("=?utf-8?B?"));
    }

    #[test]
    fn received_names_mms() {
        let r =
            Received { from: "mmsc.example".into(), by: "gw.example".into(), id: None, date: 0 };
        assert_eq!(
            r.value(),
            "from mmsc.example by gw.example with MMS; Thu, 01 Jan 1970 00:00:00 +0000"
        );
    }

    #[test]
    fn header_injection_is_refused() {
        let mut head = Head::new(Mailbox::new("a@b"), 0, "id@x");
        head.subject = Some("x\r\nBcc: evil@x".into());
        // Subject goes through RFC 2047 (control characters become spaces), so it is safe;
        // a raw extra field is checked.
        head.extra.push(("X-Test".into(), "a\nb".into()));
        assert!(matches!(head.write(&mut Vec::new(), &[]), Err(Error::UnsafeHeader { .. })));
    }
}
