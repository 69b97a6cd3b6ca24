//! The seam where conversions plug in (fax, VPIM, IVM, and back to MM4).
//!
//! The conversions themselves live in `interwork/` (other issues); the gateway only needs a
//! function per direction and kind. Until one is registered, the gateway does not pretend: a
//! recipient whose conversion is missing is answered `451 4.3.3` at RCPT time (see
//! [`super::router`]), so the sender keeps the message and retries, and nothing gets a 250 that
//! the gateway cannot carry out.
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{Config, Convert, Profile, Route};
use crate::interwork::{self, from_fax, from_voice, to_fax, to_voice};
use crate::mm::address::{FaxAddress, MmsAddress, VpimAddress};

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
    /// What the conversion could not carry (`part (type): reason`), logged by the gateway so
    /// nothing is lost silently.
    pub omissions: Vec<String>,
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
    /// The converters built into this binary (`interwork/`): MM → fax mail / VPIM / IVM and
    /// back.
    pub fn builtin() -> Converters {
        let mut c = Converters::default();
        for kind in [Convert::Vpim, Convert::Ivm] {
            c.register(Direction::FromMm(kind), Arc::new(mm_to_voice));
            c.register(Direction::ToMm(kind), Arc::new(voice_to_mm));
        }
        c.register(Direction::ToMm(Convert::Fax), Arc::new(fax_to_mm));
        c.register(Direction::FromMm(Convert::Fax), Arc::new(mm_to_fax));
        c
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

impl From<interwork::Error> for ConvertError {
    fn from(e: interwork::Error) -> Self {
        use interwork::Error as E;
        match e {
            E::NothingToCarry(_) | E::Refused { .. } => {
                ConvertError::ContentNotAccepted(e.to_string())
            }
            E::WrongKind { .. } => ConvertError::Unsupported(e.to_string()),
            E::Corrupt(_) | E::Voice(_) | E::Mail(_) => ConvertError::Corrupt(e.to_string()),
            E::Limit(_) => ConvertError::Limit(e.to_string()),
        }
    }
}

/// A route recipient as the voice mailbox at the route's peer: the VPIM mailbox forms keep their
/// number and extension; anything else keeps its local part.
pub fn voice_mailbox(rcpt: &str, peer_domain: &str) -> String {
    if let Ok(mut v) = VpimAddress::parse(rcpt) {
        v.domain = peer_domain.to_owned();
        return v.to_string();
    }
    let local = rcpt.rsplit_once('@').map_or(rcpt, |(l, _)| l);
    let local = local.split_once("/TYPE=").or(local.split_once("/type=")).map_or(local, |(l, _)| l);
    format!("{local}@{peer_domain}")
}

/// What every MM → fax/voice conversion starts from: its route, the route's profile and the MM.
fn route_mm<'a>(
    sm: &SpooledMessage<'a>,
    target: Target<'a>,
) -> Result<(&'a Route, Option<&'a Profile>, crate::mm::Mm4), ConvertError> {
    let Target::Route(route) = target else {
        return Err(ConvertError::Unsupported("an MM leaves through a route".into()));
    };
    let mm = crate::mm::parse(sm.body, &crate::mm::Limits::default())
        .map_err(|e| ConvertError::Corrupt(e.to_string()))?
        .mm;
    Ok((route, sm.config.profiles.get(&route.profile), mm))
}

/// MM → VPIM v2 / IVM: one voice message per route recipient, each with its own report token.
fn mm_to_voice(sm: &SpooledMessage<'_>, target: Target<'_>) -> Result<Vec<Outbound>, ConvertError> {
    let (route, profile, mm) = route_mm(sm, target)?;
    let Some(Profile::Voice(profile)) = profile else {
        return Err(ConvertError::Unsupported(format!(
            "route {} names no voice profile {}",
            route.name, route.profile
        )));
    };
    let mut outs = Vec::new();
    for rcpt in sm.recipients {
        let message_id = message_id_for(sm, rcpt, outs.len());
        let out = to_voice::Outward {
            now: sm.now as i64,
            message_id,
            gateway_domain: sm.config.server.hostname.clone(),
            system_address: sm.config.system_address(),
            recipients: vec![voice_mailbox(rcpt, &route.peer_domain)],
            mdn_to: Some(sm.config.system_address()),
        };
        let c = to_voice::mm_to_voice(&mm, profile, &out, &interwork::Limits::default())?;
        outs.push(Outbound {
            envelope: plain_envelope(c.envelope),
            body: c.bytes,
            omissions: c.omissions.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(outs)
}

fn plain_envelope(e: crate::mm::Envelope) -> Envelope {
    Envelope {
        mail_from: e.mail_from,
        rcpt_to: e.rcpt_to.into_iter().map(super::spool::Rcpt::plain).collect(),
        envid: None,
        ret: None,
    }
}

/// An envelope recipient toward the MMSC as an MMS address (`+E164/TYPE=PLMN` or e-mail).
fn mms_recipient(rcpt: &str) -> String {
    if let Ok((a @ MmsAddress::Plmn(_), _)) = MmsAddress::parse_envelope(rcpt) {
        return a.to_string();
    }
    super::process::mms_form(rcpt)
}

/// What every conversion toward the MMSC is given: the token, our addresses, the recipients.
/// The Message-ID (without brackets) for what goes to `rcpt`: the report token the gateway
/// chose for that recipient, else a local id unique per output.
fn message_id_for(sm: &SpooledMessage<'_>, rcpt: &str, n: usize) -> String {
    sm.message_ids
        .iter()
        .find(|(r, _)| r == rcpt)
        .map(|(_, id)| id.trim_matches(['<', '>']).to_owned())
        .unwrap_or_else(|| format!("{}.{}@{}", sm.entry.id, n, sm.config.server.hostname))
}

fn inward(sm: &SpooledMessage<'_>) -> interwork::Inward {
    let mm_id = sm.mm_id.unwrap_or(sm.entry.id.as_str()).trim_matches(['<', '>']).to_owned();
    let notify_success =
        sm.entry.envelope.rcpt_to.iter().any(|r| {
            r.notify.as_deref().is_some_and(|n| n.to_ascii_uppercase().contains("SUCCESS"))
        });
    interwork::Inward {
        now: sm.now as i64,
        transaction_id: format!("{}-fwd", sm.entry.id),
        message_id: mm_id.clone(),
        mm_id,
        system_address: sm.config.system_address(),
        gateway_domain: sm.config.server.hostname.clone(),
        mmsc_domain: sm.config.mmsc.domains.first().cloned().unwrap_or_default(),
        recipients: sm.recipients.iter().map(|r| mms_recipient(r)).collect(),
        mail_from: sm.entry.envelope.mail_from.clone(),
        delivery_report: notify_success,
        reports: sm.mm_id.is_some(),
        max_message_bytes: sm.config.mmsc.max_message_bytes,
    }
}

/// VPIM v2 / IVM → MM4_forward.REQ to the MMSC, carrying the gateway's X-Mms-Message-ID token;
/// fax pages inside a voice message become image slides for the MMSC's content class.
fn voice_to_mm(sm: &SpooledMessage<'_>, target: Target<'_>) -> Result<Vec<Outbound>, ConvertError> {
    let Target::Mmsc = target else {
        return Err(ConvertError::Unsupported("voice mail → MM goes to the MMSC".into()));
    };
    let class = sm.config.profiles.content_class(&sm.config.mmsc.content_class);
    let c = from_voice::voice_to_mm_in_class(
        sm.body,
        class,
        &inward(sm),
        &interwork::Limits::default(),
    )?;
    Ok(vec![Outbound {
        envelope: plain_envelope(c.envelope),
        body: c.bytes,
        omissions: c.omissions.iter().map(ToString::to_string).collect(),
    }])
}

/// T.37 fax mail → MM4_forward.REQ to the MMSC, pages drawn for the MMSC's content class.
fn fax_to_mm(sm: &SpooledMessage<'_>, target: Target<'_>) -> Result<Vec<Outbound>, ConvertError> {
    let Target::Mmsc = target else {
        return Err(ConvertError::Unsupported("fax mail → MM goes to the MMSC".into()));
    };
    let Some(class) = sm.config.profiles.content_class(&sm.config.mmsc.content_class) else {
        return Err(ConvertError::Unsupported(format!(
            "no content class {}",
            sm.config.mmsc.content_class
        )));
    };
    let c = from_fax::fax_to_mm(sm.body, class, &inward(sm), &interwork::Limits::default())?;
    Ok(vec![Outbound {
        envelope: plain_envelope(c.envelope),
        body: c.bytes,
        omissions: c.omissions.iter().map(ToString::to_string).collect(),
    }])
}

/// A route recipient as the offramp address `FAX=+E164@<peer_domain>` (RFC 3192): from
/// `FAX=…`, `+E164@…` or `+E164/TYPE=PLMN@…`.
pub fn fax_recipient(rcpt: &str, peer_domain: &str) -> Option<FaxAddress> {
    if let Ok(mut f) = FaxAddress::parse(rcpt) {
        f.host = peer_domain.to_owned();
        return Some(f);
    }
    let local = rcpt.rsplit_once('@').map_or(rcpt, |(l, _)| l);
    let local = local.split_once('/').map_or(local, |(l, _)| l);
    let e164 = VpimAddress::parse(&format!("{local}@x")).ok().and_then(|v| v.e164())?;
    Some(FaxAddress::new(e164, peer_domain))
}

/// MM → T.37 fax mail: one fax mail per route recipient, each with its own report token.
fn mm_to_fax(sm: &SpooledMessage<'_>, target: Target<'_>) -> Result<Vec<Outbound>, ConvertError> {
    let (route, profile, mm) = route_mm(sm, target)?;
    let Some(Profile::Fax(profile)) = profile else {
        return Err(ConvertError::Unsupported(format!(
            "route {} names no fax profile {}",
            route.name, route.profile
        )));
    };
    let mut outs = Vec::new();
    for rcpt in sm.recipients {
        let Some(fax) = fax_recipient(rcpt, &route.peer_domain) else {
            return Err(ConvertError::ContentNotAccepted(format!("{rcpt} names no fax number")));
        };
        let message_id = message_id_for(sm, rcpt, outs.len());
        let out = to_fax::FaxOutward {
            now: sm.now as i64,
            message_id,
            gateway_domain: sm.config.server.hostname.clone(),
            system_address: sm.config.system_address(),
            recipients: vec![fax],
            text_mode: to_fax::TextMode::default(),
        };
        let c = to_fax::mm_to_fax(&mm, profile, &out)?;
        outs.push(Outbound {
            envelope: plain_envelope(c.envelope),
            body: c.bytes,
            omissions: c.omissions.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(outs)
}
