//! The seam where conversions plug in (fax, VPIM, IVM, and back to MM4).
//!
//! The conversions themselves live in `interwork/` (other issues); the gateway only needs a
//! function per direction and kind. Until one is registered, the gateway does not pretend: a
//! recipient whose conversion is missing is answered `451 4.3.3` at RCPT time (see
//! [`super::router`]), so the sender keeps the message and retries, and nothing gets a 250 that
//! the gateway cannot carry out.
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{Config, Convert, Route};

use super::spool::{Entry, Envelope};

/// A spooled message handed to a converter.
pub struct SpooledMessage<'a> {
    pub entry: &'a Entry,
    /// The message as received (with our Received: header on top).
    pub body: &'a [u8],
    /// The envelope recipients this conversion is for (a subset of the entry's).
    pub recipients: &'a [String],
    pub config: &'a Config,
    /// Unix seconds, from the gateway's clock.
    pub now: u64,
    /// The Message-ID (with brackets) each outbound message to a route recipient must carry:
    /// the signed report token (see `token`), so returning DSNs/MDNs can be correlated.
    pub message_ids: &'a [(String, String)],
    /// For fax mail / voice → MMS: the X-Mms-Message-ID the built MM must carry (a signed token,
    /// so the MMSC's delivery report about it becomes a DSN to the sender).
    pub mm_id: Option<&'a str>,
}

/// Where a conversion goes.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// An MM leaves through a route as fax mail, VPIM or IVM.
    Route(&'a Route),
    /// A fax mail or voice message becomes an MM4_forward.REQ to the MMSC.
    Mmsc,
}

/// One message a conversion produced, ready to spool for delivery. For MM → fax/voice the gateway
/// then sets the envelope's MAIL FROM (its bounce address) and, when the MM asked for a delivery
/// report, the DSN parameters; the converter sets the recipients and the message.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub envelope: Envelope,
    pub body: Vec<u8>,
}

/// Why a conversion failed, split by what the gateway does next (aesthetics lesson 6).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConvertError {
    /// Nothing in the message can be carried (RES `Error-content-not-accepted`, DSN 5.6.1).
    #[error("content not accepted: {0}")]
    ContentNotAccepted(String),
    /// The message type or version is not handled (RES `Error-unsupported-message`).
    #[error("unsupported message: {0}")]
    Unsupported(String),
    /// Headers or MIME cannot be parsed (RES `Error-message-format-corrupt`, DSN 5.6.0).
    #[error("message format corrupt: {0}")]
    Corrupt(String),
    /// A configured limit was exceeded (RES `Error-content-not-accepted`, DSN 5.3.4).
    #[error("limit exceeded: {0}")]
    Limit(String),
}

/// A conversion function.
pub type ConvertFn =
    dyn Fn(&SpooledMessage<'_>, Target<'_>) -> Result<Vec<Outbound>, ConvertError> + Send + Sync;

/// Which direction and kind a converter serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// MM4 → fax mail / VPIM / IVM.
    FromMm(Convert),
    /// fax mail / VPIM / IVM → MM4.
    ToMm(Convert),
}

/// The registered converters.
#[derive(Clone, Default)]
pub struct Converters {
    map: HashMap<Direction, Arc<ConvertFn>>,
}

impl Converters {
    /// The converters built into this binary. None yet: `interwork/` registers them here when
    /// it lands.
    pub fn builtin() -> Converters {
        Converters::default()
    }

    pub fn register(&mut self, d: Direction, f: Arc<ConvertFn>) {
        self.map.insert(d, f);
    }

    pub fn get(&self, d: Direction) -> Option<&Arc<ConvertFn>> {
        self.map.get(&d)
    }

    pub fn has(&self, d: Direction) -> bool {
        self.map.contains_key(&d)
    }

    /// Whether any conversion toward MMS users exists.
    pub fn any_to_mm(&self) -> bool {
        self.map.keys().any(|d| matches!(d, Direction::ToMm(_)))
    }
}
