//! The typed MM: the information elements of an MM4 message (spec/mms.md §1) and its body.
//!
//! Values that peers spell in several ways (ids, addresses, dates) keep their raw text next to
//! the parsed meaning: the raw text is what we echo in a RES or report, the meaning is what we
//! match and convert.
use serde::Serialize;

use super::address::MmsAddress;
use super::smil::MediaKind;
use super::status::{
    MessageClass, MessageType, MmStatus, Priority, ReadStatus, RequestStatus, SenderVisibility,
};

/// An opaque identifier (transaction id, MM id) as received: quoted, bracketed or bare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl Id {
    /// The id with quotes, angle brackets and white space removed: the form to compare
    /// (spec/mms.md §7). The raw form is what goes back out.
    pub fn key(&self) -> &str {
        let mut s = self.0.trim();
        loop {
            let before = s;
            for (open, close) in [('"', '"'), ('<', '>')] {
                if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
                    s = inner.trim();
                }
            }
            if s == before {
                return s;
            }
        }
    }

    pub fn raw(&self) -> &str {
        &self.0
    }
}

/// An address header entry: what was written, and what it means when it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressField {
    pub raw: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<MmsAddress>,
}

/// A date header: the raw text and the instant it names (Unix seconds), if it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateField {
    pub raw: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unix: Option<i64>,
}

/// `X-Mms-Expiry`: an absolute date, or seconds relative to the message `Date` (spec/mms.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    Absolute(DateField),
    RelativeSeconds(u64),
}

/// The information elements of every MM4 message type. Which are mandatory depends on
/// [`Mm4::message_type`]; the parser checks that, the model itself only holds values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Elements {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mms_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<AddressField>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<AddressField>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<AddressField>,
    /// Bcc recipients are normally envelope-only (spec/mms.md §1 notes); kept when a peer
    /// writes the header anyway.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bcc: Vec<AddressField>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<DateField>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_class: Option<MessageClass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_visibility: Option<SenderVisibility>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_report: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originator_rs_delivery_report: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_reply: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_request: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originator_system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// The RFC 5322 `Message-ID` (not the MM id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfc822_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_counter: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_status: Option<RequestStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mm_status: Option<MmStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mm_status_extension: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_to_originator_ua: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_status: Option<ReadStatus>,
    /// Every other header (unknown `X-Mms-*`, vendor `X-*`, `Previously-sent-*`, …) in order,
    /// name as written and value unfolded, so nothing a peer sent is lost.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
}

/// A MIME content type: lower-case `type/subtype` and its parameters (names lower-cased,
/// `charset` and `boundary` kept out: the part holds the first, the emitter makes the second).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentType {
    pub mime: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<(String, String)>,
}

impl ContentType {
    pub fn new(mime: &str) -> Self {
        Self { mime: mime.to_ascii_lowercase(), params: Vec::new() }
    }

    pub fn with_param(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn main_type(&self) -> &str {
        self.mime.split('/').next().unwrap_or("")
    }

    pub fn is_multipart(&self) -> bool {
        self.main_type() == "multipart"
    }

    /// What a slide would show this part as, by media type.
    pub fn media_kind(&self) -> Option<MediaKind> {
        match self.main_type() {
            "image" => Some(MediaKind::Image),
            "text" => Some(MediaKind::Text),
            "audio" => Some(MediaKind::Audio),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// A body part. Text parts hold Unicode text with LF line ends whatever the wire charset and
/// line ends were (the emitter writes UTF-8 and CRLF); every other leaf holds its decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub content_type: ContentType,
    /// The charset the part declared (text parts); the text itself is already decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_location: Option<String>,
    /// The file name from `Content-Disposition: …; filename=` or `Content-Type: …; name=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `inline` or `attachment` with its parameters other than the file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<ContentType>,
    /// Part headers we do not model (`Content-Duration`, `Content-Description`, vendor ones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
    pub body: Body,
}

impl Part {
    /// A leaf part with the given type and decoded bytes.
    pub fn leaf(content_type: ContentType, bytes: Vec<u8>) -> Self {
        Self {
            content_type,
            charset: None,
            content_id: None,
            content_location: None,
            name: None,
            disposition: None,
            extra: Vec::new(),
            body: Body::Bytes(bytes),
        }
    }

    /// A `text/plain; charset=utf-8` part.
    pub fn text(text: &str) -> Self {
        let mut p = Self::leaf(ContentType::new("text/plain"), Vec::new());
        p.charset = Some("utf-8".into());
        p.body = Body::Text(text.replace("\r\n", "\n"));
        p
    }

    pub fn with_content_id(mut self, cid: &str) -> Self {
        self.content_id = Some(cid.to_string());
        self
    }

    pub fn with_location(mut self, location: &str) -> Self {
        self.content_location = Some(location.to_string());
        self
    }

    /// The Content-ID without angle brackets, as SMIL `cid:` references name it.
    pub fn cid_key(&self) -> Option<&str> {
        self.content_id.as_deref().map(|c| c.trim().trim_start_matches('<').trim_end_matches('>'))
    }

    /// The decoded content of a leaf (UTF-8 for text parts); empty for a multipart.
    pub fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::Text(t) => t.as_bytes(),
            Body::Bytes(b) => b,
            Body::Multipart(_) => &[],
        }
    }

    /// Leaves in document order (depth first), the order slides are derived in.
    pub fn leaves(&self) -> Vec<&Part> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a Part>) {
        match &self.body {
            Body::Multipart(children) => children.iter().for_each(|c| c.collect_leaves(out)),
            _ => out.push(self),
        }
    }
}

/// What a part contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    Text(String),
    #[serde(serialize_with = "serialize_len")]
    Bytes(Vec<u8>),
    Multipart(Vec<Part>),
}

fn serialize_len<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(b.len() as u64)
}

/// One slide of the presentation with its media resolved to leaf indices
/// (indices into [`Part::leaves`] of the body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slide {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dur_ms: Option<u32>,
    pub media: Vec<SlideMedia>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlideMedia {
    pub kind: MediaKind,
    pub src: String,
    /// The leaf the reference resolves to; `None` is reported as a finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Where the slides came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    /// Read from the message's SMIL part.
    Smil,
    /// Derived from part order: the message had no SMIL, or its SMIL could not be used.
    PartOrder,
    /// The message has no body worth presenting (reports, acknowledgements).
    None,
}

/// A message in MM4 format: its type, information elements and body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mm4 {
    pub message_type: MessageType,
    /// The type as written, when it differs from the canonical spelling.
    #[serde(skip)]
    pub message_type_raw: Option<String>,
    pub elements: Elements,
    /// The MM body; reports and acknowledgements usually carry none or a short text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Part>,
    pub presentation: Presentation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slides: Vec<Slide>,
}

impl Mm4 {
    /// An empty message of a type; builders fill in the elements.
    pub fn new(message_type: MessageType) -> Self {
        Self {
            message_type,
            message_type_raw: None,
            elements: Elements::default(),
            body: None,
            presentation: Presentation::None,
            slides: Vec::new(),
        }
    }

    /// The body's leaves in document order (empty without a body).
    pub fn leaves(&self) -> Vec<&Part> {
        self.body.as_ref().map(Part::leaves).unwrap_or_default()
    }
}

/// The SMTP envelope a message travels with: part of what builders produce, since the MM4
/// addressing rules (spec/mms.md §3) put system addresses there, not in the headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_key_strips_quotes_brackets_and_space() {
        for raw in ["\"abc@x\"", "<abc@x>", " abc@x ", "\"<abc@x>\"", "< abc@x >"] {
            assert_eq!(Id(raw.into()).key(), "abc@x", "{raw:?}");
        }
        assert_eq!(Id("\"".into()).key(), "\"");
    }
}
