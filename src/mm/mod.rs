//! The Multimedia Message model and the MM4 format (3GPP TS 23.140 §8.4; spec/mms.md).
//!
//! - [`Mm4`] holds one MM4 message of any of the six types: its [`Elements`] (the information
//!   elements), its body as a [`Part`] tree and the presentation as [`Slide`]s.
//! - [`parse()`] reads raw RFC 5322 bytes (via mail-parser), [`Mm4::to_bytes`] writes them.
//! - [`build`] makes the acknowledgements and reports the gateway originates, with envelopes.
//! - [`smil`] reads and writes the MMS SMIL profile; [`address`] the MMS address forms and the
//!   fax (RFC 3192) and VPIM (RFC 3804) mappings.
//!
//! Sans-IO: nothing here reads files, sockets or clocks.
use serde::Serialize;

pub mod address;
pub mod build;
mod emit;
mod model;
mod parse;
pub mod smil;
pub mod status;

pub use emit::MMS_VERSION;
pub use model::{
    AddressField, Body, ContentType, DateField, Elements, Envelope, Expiry, Id, Mm4, Part,
    Presentation, Slide, SlideMedia,
};
pub(crate) use parse::parse_date;
pub use parse::{parse, parse_mime};
pub use status::{
    MessageClass, MessageType, MmStatus, Priority, ReadStatus, RequestStatus, SenderVisibility,
};

/// Why a message cannot be used as MM4. Each variant names the header or part, and
/// [`Error::request_status`] gives the MM4 answer to send back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not an RFC 5322 message")]
    NotAMessage,
    #[error("message of {bytes} bytes exceeds the limit of {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("{parts} MIME parts exceed the limit of {limit}")]
    TooManyParts { parts: usize, limit: usize },
    #[error("MIME nesting deeper than {limit}")]
    TooDeep { limit: usize },
    #[error("{header}: more than {limit} addresses")]
    TooManyRecipients { header: String, limit: usize },
    #[error("{0}: missing")]
    MissingHeader(&'static str),
    #[error("{header}: cannot read {value:?}")]
    BadHeader { header: &'static str, value: String },
    #[error("X-Mms-Message-Type: {0:?} is not an MM4 message type")]
    UnsupportedMessageType(String),
    #[error("part {part}: {reason}")]
    BadPart { part: usize, reason: String },
}

impl Error {
    /// The X-Mms-Request-Status-Code that answers a REQ failing this way (spec/mms.md §2 A).
    pub fn request_status(&self) -> RequestStatus {
        match self {
            Error::TooLarge { .. } | Error::TooManyParts { .. } | Error::TooDeep { .. } => {
                RequestStatus::ContentNotAccepted
            }
            Error::MissingHeader("From") | Error::BadHeader { header: "From", .. } => {
                RequestStatus::SendingAddressUnresolved
            }
            Error::UnsupportedMessageType(_) => RequestStatus::UnsupportedMessage,
            Error::TooManyRecipients { .. } => RequestStatus::ServiceDenied,
            _ => RequestStatus::MessageFormatCorrupt,
        }
    }
}

/// Caps applied while parsing; every one is a named setting with a default.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Limits {
    pub max_message_bytes: usize,
    pub max_parts: usize,
    pub max_depth: usize,
    pub max_recipients: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 20 * 1024 * 1024,
            max_parts: 128,
            max_depth: 8,
            max_recipients: 256,
        }
    }
}

/// How serious a finding is: `Error` findings make a message unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Something a reader of the message should know: a tolerated deviation, an ignored value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub what: String,
}

impl Finding {
    pub fn info(what: impl Into<String>) -> Self {
        Self { severity: Severity::Info, what: what.into() }
    }
    pub fn warning(what: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, what: what.into() }
    }
    pub fn error(what: impl Into<String>) -> Self {
        Self { severity: Severity::Error, what: what.into() }
    }
}

/// A parsed message and what the parser noticed on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub mm: Mm4,
    pub findings: Vec<Finding>,
}

/// A message of any kind as headers and a body tree (see [`parse_mime`]).
#[derive(Debug, Clone)]
pub struct Mime {
    pub headers: Vec<(String, String)>,
    pub body: Part,
    pub findings: Vec<Finding>,
}

impl Mime {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
