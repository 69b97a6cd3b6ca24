//! The conversions between MMs and the external systems' mail formats (issue 6, design.md).
//!
//! Each direction is a pure function of (message, route profile, clock, ids): the gateway
//! passes the time and the Message-ID / X-Mms-Message-ID token it wants on the result (report
//! correlation), and gets back the outbound bytes with their SMTP envelope plus the list of
//! what could not be carried and why, so nothing is lost silently.
//!
//! Directions: MM → T.37 fax mail ([`to_fax`]), MM → VPIM v2 / IVM ([`to_voice`]), T.37 fax
//! mail → MM4_forward.REQ ([`from_fax`]) and VPIM v2 / IVM → MM4_forward.REQ ([`from_voice`]).
//! Pages are drawn by `render` both ways.
use serde::Serialize;

use crate::mail::{Head, Importance, Mailbox, Received};
use crate::mm::address::MmsAddress;
use crate::mm::smil::{self, PartRef};
use crate::mm::{
    self, AddressField, ContentType, DateField, Elements, Id, MessageClass, MessageType, Mm4, Part,
    Priority,
};

pub mod from_fax;
pub mod from_voice;
pub mod to_fax;
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
    pub fax: crate::fax::Limits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_audio_secs: 30 * 60,
            voice: crate::voice::Limits::default(),
            mail: crate::mail::Limits::default(),
            fax: crate::fax::Limits::default(),
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

/// MAIL FROM toward fax and voice mail (spec/mms.md §3 and §8): the originator's number at our
/// domain (`+E164@gw`), our system address for any other originator (a foreign domain in MAIL
/// FROM would send its DSNs elsewhere and fail SPF), and `<>` (empty) for auto-generated MMs
/// (class `Auto`), so every DSN comes back to the gateway and none is asked for reports.
pub fn return_path(mm: &Mm4, gateway_domain: &str, system_address: &str) -> String {
    if mm.elements.message_class == Some(MessageClass::Auto) {
        return String::new();
    }
    match mm.elements.from.as_ref().and_then(|f| f.address.as_ref()) {
        Some(MmsAddress::Plmn(n)) if n.starts_with('+') => format!("{n}@{gateway_domain}"),
        _ => system_address.to_owned(),
    }
}

/// The head of the mail an MM becomes: its originator, date (else `now`), subject and
/// importance, the `Received:` trace that says it came through MMS (RFC 4356 §2.1.3, with the
/// MM's id when it makes an RFC 5321 §4.4 `ID`), and `Precedence: bulk` for classes Auto and
/// Advertisement.
pub(crate) fn outward_head(
    mm: &Mm4,
    from_address: &str,
    message_id: &str,
    gateway_domain: &str,
    now: i64,
) -> Head {
    let e = &mm.elements;
    let date = e.date.as_ref().and_then(|d| d.unix).unwrap_or(now);
    let mut head = Head::new(Mailbox::new(from_address), date, message_id);
    head.subject = e.subject.clone();
    head.importance = e.priority.as_ref().and_then(Importance::from_priority);
    let origin_host = e
        .originator_system
        .as_deref()
        .and_then(|s| s.rsplit_once('@').map(|(_, h)| h.trim_end_matches('>').to_owned()))
        .unwrap_or_else(|| "mmsc".to_owned());
    head.received = Some(Received {
        from: origin_host,
        by: gateway_domain.to_owned(),
        id: e.message_id.as_ref().and_then(|i| trace_id(i.key())),
        date: now,
    });
    if let Some(c) = e.message_class.as_ref().map(|c| c.as_str())
        && (c.eq_ignore_ascii_case("auto") || c.eq_ignore_ascii_case("advertisement"))
    {
        head.extra.push(("Precedence".into(), "bulk".into()));
    }
    head
}

/// An MM id as the `id` of a `Received:` trace (RFC 5321 §4.4: `Atom / msg-id`): `<key>` when
/// it is `dot-atom@dot-atom`, the key itself when it is an atom, else none.
fn trace_id(key: &str) -> Option<String> {
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    let dot_atom =
        |s: &str| !s.is_empty() && s.split('.').all(|a| !a.is_empty() && a.bytes().all(atext));
    match key.split_once('@') {
        Some((l, d)) if dot_atom(l) && dot_atom(d) => Some(format!("<{key}>")),
        None if !key.is_empty() && key.bytes().all(atext) => Some(key.to_owned()),
        _ => None,
    }
}

/// An MM `From` with a display name: quoted when plain ASCII, RFC 2047 encoded words when not
/// (the MM4 writer emits `From` as given), the bare address when there is no usable name.
pub fn with_display_name(address: &str, name: Option<&str>) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty() && !n.contains(['\r', '\n', '\0']));
    match name {
        Some(n) if n.is_ascii() && !n.contains(['"', '\\']) => format!("\"{n}\" <{address}>"),
        Some(n) if !n.is_ascii() => format!("{} <{address}>", crate::mime::encode_text(n)),
        _ => address.to_owned(),
    }
}

/// What the caller decides for the MM it sends to the MMSC.
#[derive(Debug, Clone)]
pub struct Inward {
    /// Unix seconds: `Date` when the mail has none.
    pub now: i64,
    /// The X-Mms-Message-ID to carry: the gateway's report token.
    pub mm_id: String,
    pub transaction_id: String,
    /// The RFC 5322 `Message-ID` (without brackets).
    pub message_id: String,
    /// `system-user@<gateway domain>`: Sender and X-Mms-Originator-System.
    pub system_address: String,
    pub gateway_domain: String,
    pub mmsc_domain: String,
    /// The MMS recipients (`+E164/TYPE=PLMN` or e-mail addresses), from RCPT TO.
    pub recipients: Vec<String>,
    /// The SMTP return path: empty (`<>`) makes the MM class `Auto` (spec/mms.md §8).
    pub mail_from: String,
    /// The sender asked for `NOTIFY=SUCCESS`: the MM asks for a delivery report.
    pub delivery_report: bool,
    /// Reports about the MM can be correlated (its id is a report token). Without, it asks for
    /// neither a delivery report nor a read reply: the answers could only be refused.
    pub reports: bool,
    /// Largest MM built (the MMSC content class's size).
    pub max_message_bytes: u64,
}

/// Whether an MM built from a mail may ask for a read report that becomes an MDN to `dnt`. The
/// gateway turns the MMSC's read report into the MDN without asking anyone about its address,
/// so RFC 3798 §2.1 applies: no automatic MDN to a Disposition-Notification-To other than the
/// return path (a mail with a third party's address there asks for no read report). Addresses
/// compare without regard to case (local parts too, as deployed mail systems treat them), and
/// one longer than an SMTP path allows (RFC 5321 §4.5.3.1) asks for nothing.
pub fn read_report_allowed(dnt: &str, return_path: &str) -> bool {
    let path = return_path.trim().trim_start_matches('<').trim_end_matches('>');
    !dnt.is_empty() && dnt.len() <= 254 && dnt.eq_ignore_ascii_case(path)
}

fn address_field(raw: String) -> AddressField {
    let address = MmsAddress::parse(&raw).ok();
    AddressField { raw, address }
}

/// The header fields a direction into MMS decides from its input.
#[derive(Debug, Clone)]
pub struct MmHead {
    /// `From` as written (an MMS address, maybe with a display name).
    pub from: String,
    pub subject: Option<String>,
    /// Unix seconds; `None` takes [`Inward::now`].
    pub date: Option<i64>,
    pub priority: Option<Priority>,
    pub read_reply: bool,
}

/// Builds the MM4_forward.REQ around `parts`: SMIL derived from the parts' order (one medium of
/// each kind per slide), the elements of spec/mms.md §3 "Outbound MM", and its envelope.
fn assemble(
    parts: Vec<Part>,
    head: MmHead,
    inw: &Inward,
    omissions: Vec<Omission>,
) -> Result<Converted, Error> {
    // The presentation, then the body: multipart/related with the SMIL first (spec/mms.md §6).
    let refs: Vec<PartRef> = parts
        .iter()
        .map(|p| PartRef {
            content_type: p.content_type.mime.clone(),
            content_id: p.content_id.as_deref().map(|c| c.trim_matches(['<', '>']).to_owned()),
            content_location: p.content_location.clone(),
        })
        .collect();
    let smil_text = smil::write(&smil::derive(&refs));
    let mut smil_part = Part::leaf(ContentType::new("application/smil"), smil_text.into_bytes())
        .with_content_id("<smil>")
        .with_location("smil.smil");
    smil_part.charset = Some("utf-8".into());
    let mut children = vec![smil_part];
    children.extend(parts);
    let mut body = Part::leaf(
        ContentType::new("multipart/related")
            .with_param("type", "application/smil")
            .with_param("start", "<smil>"),
        Vec::new(),
    );
    body.body = mm::Body::Multipart(children);

    let mut mm = Mm4::new(MessageType::ForwardReq);
    mm.elements = Elements {
        mms_version: Some(mm::MMS_VERSION.into()),
        transaction_id: Some(Id(inw.transaction_id.clone())),
        message_id: Some(Id(inw.mm_id.clone())),
        from: Some(address_field(head.from)),
        to: inw.recipients.iter().cloned().map(address_field).collect(),
        subject: head.subject,
        date: Some({
            let unix = head.date.unwrap_or(inw.now);
            DateField { raw: mm::build::rfc5322_date(unix), unix: Some(unix) }
        }),
        message_class: Some(if inw.mail_from.is_empty() {
            MessageClass::Auto
        } else {
            MessageClass::Personal
        }),
        priority: head.priority,
        delivery_report: Some(inw.delivery_report && inw.reports),
        read_reply: Some(head.read_reply),
        ack_request: Some(false),
        originator_system: Some(inw.system_address.clone()),
        sender: Some(inw.system_address.clone()),
        rfc822_message_id: Some(format!("<{}>", inw.message_id)),
        forward_to_originator_ua: Some(true),
        ..Elements::default()
    };
    mm.body = Some(body);
    let envelope = mm::build::forward_envelope(
        &mm,
        &inw.gateway_domain,
        &inw.mmsc_domain,
        &inw.system_address,
    );
    if envelope.rcpt_to.is_empty() {
        return Err(Error::NothingToCarry("no MMS recipient".into()));
    }
    let bytes = mm.to_bytes();
    if bytes.len() as u64 > inw.max_message_bytes {
        return Err(Error::Limit(format!(
            "the MM is {} bytes, over the content class's {}",
            bytes.len(),
            inw.max_message_bytes
        )));
    }

    Ok(Converted { envelope, bytes, omissions })
}

#[cfg(test)]
mod trace_tests {
    use super::trace_id;

    #[test]
    fn received_ids_are_atoms_or_msg_ids() {
        assert_eq!(trace_id("M-0001@mms.example.net").as_deref(), Some("<M-0001@mms.example.net>"));
        assert_eq!(trace_id("abc123").as_deref(), Some("abc123"));
        for bad in ["", "a;b", "a(b", "\"q\"@x", "a@", "a b@x", "a..b@x"] {
            assert_eq!(trace_id(bad), None, "{bad}");
        }
    }
}
