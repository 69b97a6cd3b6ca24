//! The conversions between MMs and the external systems' mail formats (issue 6, design.md).
//!
//! Each direction is a pure function of (message, route profile, clock, ids): the gateway
//! passes the time and the Message-ID / X-Mms-Message-ID token it wants on the result (report
//! correlation), and gets back the outbound bytes with their SMTP envelope plus the list of
//! what could not be carried and why, so nothing is lost silently.
//!
//! Directions in this build: MM → VPIM v2 / IVM ([`to_voice`]) and VPIM v2 / IVM → MM4_forward.REQ
//! ([`from_voice`]). Fax directions wait for the rendering issue.
use serde::Serialize;

use crate::mm::{self, Mm4, Part};

pub mod from_voice;
pub mod to_voice;

/// Something of the input that the output does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Omission {
    /// The part's name, Content-ID or position (`part 3`).
    pub part: String,
    pub media_type: String,
    pub reason: String,
}

impl std::fmt::Display for Omission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.part, self.media_type, self.reason)
    }
}

/// An outbound message with the envelope it travels with and what it left behind.
#[derive(Debug, Clone)]
pub struct Converted {
    pub envelope: mm::Envelope,
    pub bytes: Vec<u8>,
    pub omissions: Vec<Omission>,
}

/// Why a conversion produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing in the message can be carried.
    #[error("content not accepted: {0}")]
    NothingToCarry(String),
    /// The input is not the kind this direction converts.
    #[error("not a {expected}: {reason}")]
    WrongKind { expected: &'static str, reason: String },
    /// The input cannot be parsed.
    #[error("message format corrupt: {0}")]
    Corrupt(String),
    /// The external system's policy forbids passing the message on (e.g. VPIM Sensitivity).
    #[error("refused ({status}): {reason}")]
    Refused { status: &'static str, reason: String },
    /// A configured limit was exceeded.
    #[error("limit exceeded: {0}")]
    Limit(String),
    #[error("voice: {0}")]
    Voice(#[from] crate::voice::VoiceError),
    #[error("mail: {0}")]
    Mail(String),
}

/// Limits of the conversions (named settings).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Seconds of audio per outbound voice message (the route profile's `max_audio_s` wins when
    /// smaller).
    pub max_audio_secs: u32,
    pub voice: crate::voice::Limits,
    pub mail: crate::mail::Limits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_audio_secs: 30 * 60,
            voice: crate::voice::Limits::default(),
            mail: crate::mail::Limits::default(),
        }
    }
}

/// A readable label for a part: its file name, Content-Location, Content-ID or position.
pub fn part_label(p: &Part, index: usize) -> String {
    p.name
        .clone()
        .or_else(|| p.content_location.clone())
        .or_else(|| p.content_id.clone())
        .unwrap_or_else(|| format!("part {}", index + 1))
}

/// The MM's leaves in presentation order: the SMIL slides' media first, then any leaf the SMIL
/// does not reference, in document order; the SMIL itself left out.
pub fn presentation_order(mm: &Mm4) -> Vec<usize> {
    let leaves = mm.leaves();
    let mut order: Vec<usize> = Vec::new();
    for s in &mm.slides {
        for m in &s.media {
            if let Some(i) = m.part
                && i < leaves.len()
                && !order.contains(&i)
            {
                order.push(i);
            }
        }
    }
    for i in 0..leaves.len() {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    order.retain(|&i| !is_smil(leaves[i]));
    order
}

fn is_smil(p: &Part) -> bool {
    p.content_type.mime.eq_ignore_ascii_case("application/smil")
}

/// `Name <a@b>` or `a@b` → `a@b`.
pub fn bare_address(s: &str) -> String {
    match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim().to_string(),
        _ => s.trim().to_string(),
    }
}
