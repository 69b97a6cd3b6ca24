//! What happens to a spooled inbound message (issue 8 §3): each recipient group is routed,
//! converted, acknowledged and reported on. Pure: it takes the entry, its bytes, the config, the
//! converters, the token keys and the time, and returns a [`Plan`] (messages to spool, events to
//! log and count); the queue writes the plan to the spool and only then removes the inbound
//! entry (at least once).
//!
//! This is also the one place that knows the MM4 model (`crate::mm`):
//! - MM4_forward.REQ to a route: converted by the route's converter; one MM4_forward.RES when the
//!   REQ asked for one (`Ok` when converted and spooled, the error code otherwise, spec/mms.md §4);
//!   each outbound message carries the signed token (Message-ID, ENVID) and asks for DSNs when
//!   the MM asked for a delivery report.
//! - fax mail / VPIM to an MMS user: the `ToMm` converters; the MM4_forward.REQ goes to the MMSC.
//! - to the gateway's own domain: MM4 .RES from the MMSC are logged with their status; a DSN or
//!   MDN is correlated by its token and becomes MM4_delivery_report.REQ /
//!   MM4_read_reply_report.REQ; a token that does not verify is refused, counted and dropped.
use std::collections::BTreeMap;

use crate::config::{Config, Convert, NextHop};
use crate::mm::address::{FaxAddress, FaxNumber, MmsAddress, VpimAddress};
use crate::mm::build::{self, Outcome, Stamp};
use crate::mm::{
    AddressField, Expiry, Id, MessageType, Mm4, MmStatus, RequestStatus, SenderVisibility,
};

use super::convert::{ConvertError, Converters, Direction, SpooledMessage, Target as ConvTarget};
use super::router::{self, Target, Verdict};
use super::spool::{DsnFailure, Entry, Envelope, FailureReport, Rcpt};
use super::token::{Flags, Keys, Token, TokenError};

/// Everything `process` needs besides the message.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub converters: &'a Converters,
    pub keys: &'a Keys,
    /// Unix seconds.
    pub now: u64,
    /// The signed Message-ID behind an ENVID this instance delivered (`spool::lookup_envid`), for
    /// DSNs that return only the ENVID.
    pub envid_lookup: &'a dyn Fn(&str) -> Option<String>,
}

/// A message to spool for delivery.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub envelope: Envelope,
    pub body: Vec<u8>,
    pub next_hop: NextHop,
    /// `fax`, `vpim`, `ivm`, `mm4-forward`, `mm4-res`, `mm4-delivery-report`, `mm4-read-reply`.
    pub purpose: String,
    pub on_failure: Option<FailureReport>,
    /// The DSN to the fax/voice sender if this MM toward the MMSC fails or is delayed.
    pub dsn_on_failure: Option<DsnFailure>,
    /// Stop retrying earlier than the delivery lifetime (the MM's X-Mms-Expiry), Unix seconds.
    pub expires: Option<u64>,
}

/// Something worth a log line and a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Converted {
        target: String,
        messages: usize,
    },
    ConversionFailed {
        target: String,
        reason: String,
    },
    /// A part a conversion could not carry (`part (type): reason`).
    Omitted {
        target: String,
        what: String,
    },
    Acknowledged {
        status: String,
    },
    /// An MM4 report was built (`delivery-report`, `read-reply`).
    Report {
        kind: &'static str,
        status: String,
    },
    /// A DSN/MDN whose evidence asks for no MM4 report (delayed, dispatched, …, or not requested).
    ReportNotNeeded {
        reason: String,
    },
    TokenRefused {
        reason: String,
    },
    Uncorrelatable,
    ResponseReceived {
        message_type: String,
        transaction_id: String,
        status: String,
    },
    Dropped {
        reason: String,
    },
}

/// The result of processing one inbound message.
#[derive(Debug, Default)]
pub struct Plan {
    pub messages: Vec<NewMessage>,
    pub events: Vec<Event>,
    /// Keep the inbound message held for an operator instead of finishing it.
    pub hold: Option<String>,
}

struct Stamps<'a> {
    base: &'a str,
    host: &'a str,
    system: String,
    now: u64,
    n: u32,
}

impl Stamps<'_> {
    fn next(&mut self) -> Stamp {
        self.n += 1;
        Stamp {
            system_address: self.system.clone(),
            now: self.now as i64,
            transaction_id: format!("{}-{}@{}", self.base, self.n, self.host),
            message_id: format!("{}.{}@{}", self.base, self.n, self.host),
        }
    }
}

/// Routes and converts one inbound message.
pub fn process(entry: &Entry, body: &[u8], ctx: &Ctx<'_>) -> Plan {
    let mut plan = Plan::default();
    let config = ctx.config;
    let mut groups: BTreeMap<GroupKey, Vec<String>> = BTreeMap::new();
    for r in &entry.envelope.rcpt_to {
        match router::classify(config, ctx.converters, &r.address) {
            Verdict::Accept(t) => {
                groups.entry(GroupKey::from(t)).or_default().push(r.address.clone())
            }
            Verdict::NotCapable(why) => {
                plan.hold = Some(format!("{}: {why}", r.address));
                return plan;
            }
            Verdict::RelayDenied | Verdict::BadAddress => plan.events.push(Event::Dropped {
                reason: format!("{}: no longer served by this configuration", r.address),
            }),
        }
    }
    let mut stamps = Stamps {
        base: &entry.id,
        host: &config.server.hostname,
        system: config.system_address(),
        now: ctx.now,
        n: 0,
    };
    let parsed = Mm4::parse(body);
    let mut forward_status: Option<(RequestStatus, Option<String>)> = None;

    for (key, rcpts) in &groups {
        match key {
            GroupKey::Route(i) => {
                let Some(route) = config.routes.get(*i) else { continue };
                let mm = match &parsed {
                    Ok(mm) if mm.message_type == MessageType::ForwardReq => mm,
                    Ok(mm) => {
                        plan.events.push(Event::Dropped {
                            reason: format!(
                                "{} sent to route {}: only MM4_forward.REQ can be converted",
                                mm.message_type, route.name
                            ),
                        });
                        continue;
                    }
                    Err(e) => {
                        // Too broken to answer with a RES (no Transaction-ID to echo).
                        plan.events.push(Event::Dropped {
                            reason: format!(
                                "not a usable MM4 message for route {}: {e}",
                                route.name
                            ),
                        });
                        continue;
                    }
                };
                let status =
                    convert_to_route(entry, body, ctx, mm, *i, rcpts, &mut stamps, &mut plan);
                if forward_status.as_ref().is_none_or(|(s, _)| s.is_ok()) {
                    forward_status = Some(status);
                }
            }
            GroupKey::Mmsc => convert_to_mmsc(entry, body, ctx, rcpts, &mut plan),
            GroupKey::Local => local(entry, body, ctx, &parsed, &mut stamps, &mut plan),
        }
    }

    if let (Some((status, text)), Ok(mm)) = (forward_status, &parsed)
        && mm.elements.ack_request == Some(true)
    {
        let stamp = stamps.next();
        if let Some((res, env)) = build::acknowledge(
            mm,
            Some(&entry.envelope.mail_from),
            status.clone(),
            text.as_deref(),
            &stamp,
        ) {
            plan.events.push(Event::Acknowledged { status: status.to_string() });
            plan.messages.push(mm4_message(res, env, &config.mmsc.next_hop, "mm4-res"));
        }
    }
    plan
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Local,
    Route(usize),
    Mmsc,
}

impl From<Target> for GroupKey {
    fn from(t: Target) -> Self {
        match t {
            Target::Local => GroupKey::Local,
            Target::Route(i) => GroupKey::Route(i),
            Target::Mmsc => GroupKey::Mmsc,
        }
    }
}

fn mm4_message(mm: Mm4, env: crate::mm::Envelope, hop: &NextHop, purpose: &str) -> NewMessage {
    NewMessage {
        envelope: Envelope {
            mail_from: env.mail_from,
            rcpt_to: env.rcpt_to.into_iter().map(Rcpt::plain).collect(),
            envid: None,
            ret: None,
        },
        body: mm.to_bytes(),
        next_hop: hop.clone(),
        purpose: purpose.to_owned(),
        on_failure: None,
        dsn_on_failure: None,
        expires: None,
    }
}

/// The MM's expiry as Unix seconds: absolute, or relative to its Date (else to `now`).
fn expiry_of(mm: &Mm4, now: u64) -> Option<u64> {
    match mm.elements.expiry.as_ref()? {
        Expiry::Absolute(d) => d.unix.and_then(|u| u64::try_from(u).ok()),
        Expiry::RelativeSeconds(s) => {
            let base = mm
                .elements
                .date
                .as_ref()
                .and_then(|d| d.unix)
                .and_then(|u| u64::try_from(u).ok())
                .unwrap_or(now);
            Some(base.saturating_add(*s))
        }
    }
}

fn flags_of(mm: &Mm4) -> Flags {
    let e = &mm.elements;
    Flags {
        delivery_report: e.delivery_report == Some(true),
        rs_delivery_report: e.originator_rs_delivery_report == Some(true),
        read_reply: e.read_reply == Some(true),
    }
}

/// An external address as the MMS address a report names: `FAX=+E164@…` and `+E164@…` become
/// `+E164/TYPE=PLMN`; anything else stays as it is.
pub fn mms_form(address: &str) -> String {
    if let Ok(f) = FaxAddress::parse(address)
        && let FaxNumber::Global(e) = &f.number
    {
        return format!("{}/TYPE=PLMN", e.as_str());
    }
    if let Ok(v) = VpimAddress::parse(address)
        && let Some(e) = v.e164()
    {
        return format!("{}/TYPE=PLMN", e.as_str());
    }
    address.to_owned()
}

#[allow(clippy::too_many_arguments)]
fn convert_to_route(
    entry: &Entry,
    body: &[u8],
    ctx: &Ctx<'_>,
    mm: &Mm4,
    route_index: usize,
    rcpts: &[String],
    stamps: &mut Stamps<'_>,
    plan: &mut Plan,
) -> (RequestStatus, Option<String>) {
    let config = ctx.config;
    let route = &config.routes[route_index];
    let Some(convert) = ctx.converters.get(Direction::FromMm(route.convert)) else {
        plan.hold = Some(format!("conversion to {} is not available", route.convert));
        return (RequestStatus::NetworkProblem, None);
    };
    let flags = flags_of(mm);
    let wants_dr = flags.delivery_report || flags.rs_delivery_report;
    // RFC 4356 §2.1.3: an MM whose sender asked to be hidden SHOULD be rejected toward Internet
    // mail (a fax cover page or a VPIM vCard would show the number): RES Error-service-denied.
    if mm.elements.sender_visibility == Some(SenderVisibility::Hide) {
        let why = "the sender asked to be hidden (X-Mms-Sender-Visibility: Hide); fax and voice mail would show the number";
        plan.events
            .push(Event::ConversionFailed { target: route.name.clone(), reason: why.into() });
        refusal_reports(
            ctx,
            mm,
            &entry.envelope.mail_from,
            rcpts,
            MmStatus::Rejected,
            why,
            stamps,
            plan,
        );
        return (RequestStatus::ServiceDenied, Some(why.into()));
    }
    // The MM's expiry bounds the retries too (spec/mms.md §8, expiry row), within the lifetime.
    let expires = expiry_of(mm, ctx.now).map(|x| x.min(entry.expires));
    // MAIL FROM toward fax and voice mail: every DSN comes back to us (spec/mms.md §3, §8).
    let bounce =
        crate::interwork::return_path(mm, &config.server.hostname, &config.system_address());
    let originator = mm.elements.from.as_ref().map(|f| f.raw.clone()).unwrap_or_default();
    let reply_to = build::reply_address(mm, Some(&entry.envelope.mail_from)).unwrap_or_default();
    let token = |rcpt: &str| Token {
        flags,
        time: ctx.now,
        mm_id: mm.elements.message_id.as_ref().map(|i| i.raw().to_owned()).unwrap_or_default(),
        originator: originator.clone(),
        originator_system: reply_to.clone(),
        recipient: rcpt.to_owned(),
    };
    let message_ids: Vec<(String, String)> =
        rcpts.iter().filter_map(|r| Some((r.clone(), ctx.keys.message_id(&token(r))?))).collect();
    if message_ids.len() < rcpts.len() {
        plan.events.push(no_token(&route.name));
    }
    let sm = SpooledMessage {
        entry,
        body,
        recipients: rcpts,
        config,
        now: ctx.now,
        message_ids: &message_ids,
        mm_id: None,
    };
    match convert(&sm, ConvTarget::Route(route)) {
        Ok(outs) => {
            plan.events.push(Event::Converted { target: route.name.clone(), messages: outs.len() });
            for mut out in outs {
                for what in std::mem::take(&mut out.omissions) {
                    plan.events.push(Event::Omitted { target: route.name.clone(), what });
                }
                let first =
                    out.envelope.rcpt_to.first().map(|r| r.address.clone()).unwrap_or_default();
                // The gateway owns the return path: DSNs must come back here to be correlated.
                out.envelope.mail_from = bounce.clone();
                // A copy without a token asks for no DSN: it could not be correlated.
                let tokened = message_ids.iter().any(|(r, _)| *r == first);
                if wants_dr && tokened {
                    // RFC 3461 request so DSNs come back with the token (RET=HDRS brings the
                    // Message-ID; the ENVID is its digest).
                    out.envelope.envid.get_or_insert_with(|| ctx.keys.envid(&token(&first)));
                    out.envelope.ret.get_or_insert_with(|| "HDRS".to_owned());
                    for r in &mut out.envelope.rcpt_to {
                        r.notify.get_or_insert_with(|| "SUCCESS,FAILURE".to_owned());
                        r.orcpt.get_or_insert_with(|| r.address.clone());
                    }
                }
                let on_failure = wants_dr.then(|| FailureReport {
                    mm_id: token(&first).mm_id,
                    originator: originator.clone(),
                    originator_system: reply_to.clone(),
                    recipient: mms_form(&first),
                    delivery_report: flags.delivery_report,
                    rs_delivery_report: flags.rs_delivery_report,
                });
                plan.messages.push(NewMessage {
                    envelope: out.envelope,
                    body: out.body,
                    next_hop: route.next_hop.clone(),
                    purpose: route.convert.as_str().to_owned(),
                    on_failure,
                    dsn_on_failure: None,
                    expires,
                });
            }
            (RequestStatus::Ok, None)
        }
        Err(e) => {
            let status = match &e {
                ConvertError::ContentNotAccepted(_) | ConvertError::Limit(_) => {
                    RequestStatus::ContentNotAccepted
                }
                ConvertError::Unsupported(_) => RequestStatus::UnsupportedMessage,
                ConvertError::Corrupt(_) => RequestStatus::MessageFormatCorrupt,
            };
            plan.events.push(Event::ConversionFailed {
                target: route.name.clone(),
                reason: e.to_string(),
            });
            // Nothing could be carried: DR Unrecognised for each recipient (spec/mms.md §5).
            let why = e.to_string();
            refusal_reports(
                ctx,
                mm,
                &entry.envelope.mail_from,
                rcpts,
                MmStatus::Unrecognised,
                &why,
                stamps,
                plan,
            );
            (status, Some(e.to_string()))
        }
    }
}

/// A delivery report per recipient for an MM that will not be carried (when the MM asked).
#[allow(clippy::too_many_arguments)]
fn refusal_reports(
    ctx: &Ctx<'_>,
    mm: &Mm4,
    mail_from: &str,
    rcpts: &[String],
    status: MmStatus,
    why: &str,
    stamps: &mut Stamps<'_>,
    plan: &mut Plan,
) {
    for r in rcpts {
        let outcome = Outcome {
            recipient: mms_form(r),
            status: status.clone(),
            status_text: Some(why.to_owned()),
            at: ctx.now as i64,
        };
        if let Some((dr, env)) =
            build::delivery_report(mm, Some(mail_from), &outcome, &stamps.next())
        {
            plan.events.push(Event::Report { kind: "delivery-report", status: status.to_string() });
            plan.messages.push(mm4_message(
                dr,
                env,
                &ctx.config.mmsc.next_hop,
                "mm4-delivery-report",
            ));
        }
    }
}

fn convert_to_mmsc(entry: &Entry, body: &[u8], ctx: &Ctx<'_>, rcpts: &[String], plan: &mut Plan) {
    // The MM we build carries a signed token as its X-Mms-Message-ID, so the MMSC's delivery
    // report about it can become a DSN to the sender (the return path) on any instance.
    let notify = |what: &str| {
        entry.envelope.rcpt_to.iter().any(|r| r.notify.as_deref().is_some_and(|n| n.contains(what)))
    };
    let never = entry.envelope.rcpt_to.iter().all(|r| r.notify.as_deref() == Some("NEVER"));
    // RFC 3798: the sender asks for an MDN with Disposition-Notification-To; the token carries
    // that address (and the read-reply flag) so the MMSC's read report can become the MDN.
    // Both ride in the token, which must stay one header line (RFC 5322's 998 octets): an
    // address longer than SMTP allows (RFC 5321 §4.5.3.1) asks for no MDN, and an overlong
    // Message-ID is not kept (the report then names none). A DNT other than the return path
    // asks for nothing (RFC 3798 §2.1, see `interwork::read_report_allowed`).
    // The address is read by the same parser that set the MM's read-reply flag (folded or
    // encoded values included), so a read reply asked for always has somewhere to go.
    let limits = crate::mail::Limits::default();
    let mdn_to = crate::mm::parse_mime(body, &limits.mime)
        .ok()
        .and_then(|m| crate::mail::Common::read(&m).disposition_notification_to)
        .map(|m| m.address)
        .filter(|a| {
            let allowed = crate::interwork::read_report_allowed(a, &entry.envelope.mail_from);
            if !allowed {
                plan.events.push(Event::Omitted {
                    target: "mmsc".into(),
                    what: format!(
                        "read reply: Disposition-Notification-To {a} is not the return path \
                         (RFC 3798 §2.1: no automatic MDN to another address)"
                    ),
                });
            }
            allowed
        });
    let message_id = header_value(body, "message-id").filter(|m| m.len() <= 250);
    let token = Token {
        flags: Flags {
            delivery_report: notify("SUCCESS"),
            rs_delivery_report: !never,
            read_reply: mdn_to.is_some(),
        },
        time: ctx.now,
        mm_id: message_id.clone().unwrap_or_default(),
        originator: entry.envelope.mail_from.clone(),
        originator_system: mdn_to.unwrap_or_default(),
        recipient: String::new(),
    };
    // The MM4 leg cannot carry the sender's DSN request: keep it for a failure or delay, per
    // recipient (RFC 3461 §4.1: no NOTIFY means FAILURE). One MM goes to the MMSC for all its
    // recipients, so the DSN names the first that asked for one.
    let failure = |r: &Rcpt| r.notify.as_deref().is_none_or(|n| n.contains("FAILURE"));
    let delay = |r: &Rcpt| r.notify.as_deref().is_some_and(|n| n.contains("DELAY"));
    let asking = entry
        .envelope
        .rcpt_to
        .iter()
        .find(|r| rcpts.contains(&r.address) && (failure(r) || delay(r)));
    let dsn_on_failure =
        asking.filter(|_| !entry.envelope.mail_from.is_empty()).map(|r| DsnFailure {
            return_path: entry.envelope.mail_from.clone(),
            recipient: r.address.clone(),
            orcpt: r.orcpt.clone(),
            envid: entry.envelope.envid.clone(),
            message_id: message_id.clone(),
            notify_delay: delay(r),
            notify_failure: failure(r),
        });
    let mm_id = ctx.keys.message_id(&token);
    if mm_id.is_none() {
        plan.events.push(no_token("mmsc"));
    }
    let sm = SpooledMessage {
        entry,
        body,
        recipients: rcpts,
        config: ctx.config,
        now: ctx.now,
        message_ids: &[],
        mm_id: mm_id.as_deref(),
    };
    for kind in [Convert::Fax, Convert::Vpim, Convert::Ivm] {
        let Some(convert) = ctx.converters.get(Direction::ToMm(kind)) else { continue };
        match convert(&sm, ConvTarget::Mmsc) {
            Ok(outs) => {
                plan.events.push(Event::Converted { target: "mmsc".into(), messages: outs.len() });
                for out in outs {
                    for what in &out.omissions {
                        plan.events
                            .push(Event::Omitted { target: "mmsc".into(), what: what.clone() });
                    }
                    plan.messages.push(NewMessage {
                        envelope: out.envelope,
                        body: out.body,
                        next_hop: ctx.config.mmsc.next_hop.clone(),
                        purpose: "mm4-forward".into(),
                        on_failure: None,
                        dsn_on_failure: dsn_on_failure.clone(),
                        expires: None,
                    });
                }
                return;
            }
            Err(ConvertError::Unsupported(_)) => continue,
            Err(e) => {
                plan.events
                    .push(Event::ConversionFailed { target: "mmsc".into(), reason: e.to_string() });
                return;
            }
        }
    }
    plan.events.push(Event::ConversionFailed {
        target: "mmsc".into(),
        reason: "no conversion to MMS accepted this message".into(),
    });
}

/// Messages for the gateway itself.
fn local(
    entry: &Entry,
    body: &[u8],
    ctx: &Ctx<'_>,
    parsed: &Result<Mm4, crate::mm::Error>,
    stamps: &mut Stamps<'_>,
    plan: &mut Plan,
) {
    let config = ctx.config;
    match parsed {
        Ok(mm) if mm.message_type.is_response() => {
            let e = &mm.elements;
            plan.events.push(Event::ResponseReceived {
                message_type: mm.message_type.to_string(),
                transaction_id: e
                    .transaction_id
                    .as_ref()
                    .map(|t| t.raw().to_owned())
                    .unwrap_or_default(),
                status: e.request_status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            });
        }
        Ok(mm)
            if matches!(
                mm.message_type,
                MessageType::DeliveryReportReq | MessageType::ReadReplyReq
            ) =>
        {
            let status = if mm.message_type == MessageType::DeliveryReportReq {
                mmsc_delivery_report(ctx, mm, stamps, plan)
            } else {
                mmsc_read_reply(ctx, mm, stamps, plan)
            };
            if mm.elements.ack_request == Some(true)
                && let Some((res, env)) = build::acknowledge(
                    mm,
                    Some(&entry.envelope.mail_from),
                    status.clone(),
                    None,
                    &stamps.next(),
                )
            {
                plan.events.push(Event::Acknowledged { status: status.to_string() });
                plan.messages.push(mm4_message(res, env, &config.mmsc.next_hop, "mm4-res"));
            }
        }
        Ok(mm) if mm.message_type == MessageType::ForwardReq => {
            let (status, text) =
                (RequestStatus::ServiceDenied, "the gateway's system address takes no MMs");
            plan.events.push(Event::Dropped {
                reason: format!("{} to the system address: {text}", mm.message_type),
            });
            if mm.elements.ack_request == Some(true)
                && let Some((res, env)) = build::acknowledge(
                    mm,
                    Some(&entry.envelope.mail_from),
                    status.clone(),
                    Some(text),
                    &stamps.next(),
                )
            {
                plan.events.push(Event::Acknowledged { status: status.to_string() });
                plan.messages.push(mm4_message(res, env, &config.mmsc.next_hop, "mm4-res"));
            }
        }
        _ => returning_report(body, ctx, stamps, plan),
    }
}

/// A message leaves without a report token: its ids are too long to sign into one header line.
fn no_token(target: &str) -> Event {
    Event::Omitted {
        target: target.to_owned(),
        what: format!(
            "report token: the message's ids and addresses do not fit a {}-octet Message-ID, so \
             its delivery and read reports cannot be correlated",
            super::token::MAX_ID_LEN
        ),
    }
}

/// An MM4_delivery_report.REQ from the MMSC about an MM built here: a DSN to the sender of the
/// fax mail or voice message it came from (spec/mms.md §5 "MM4 → external"), when the sender's
/// NOTIFY asked for that outcome. Returns the status for the DR.RES.
/// The token an MMSC report names as its X-Mms-Message-ID; `None` (with the events saying why)
/// for an MM not built here or a token that does not verify.
fn report_token(ctx: &Ctx<'_>, mm: &Mm4, what: &str, plan: &mut Plan) -> Option<Token> {
    let id = mm.elements.message_id.as_ref().map(|i| i.key().to_owned()).unwrap_or_default();
    match ctx.keys.verify(&format!("<{id}>")) {
        Ok(t) => Some(t),
        Err(e) => {
            if !matches!(e, TokenError::NotAToken) {
                plan.events.push(Event::TokenRefused { reason: e.to_string() });
            }
            plan.events.push(Event::Dropped {
                reason: format!("{what} report for an MM not built here ({id})"),
            });
            None
        }
    }
}

fn mmsc_delivery_report(
    ctx: &Ctx<'_>,
    mm: &Mm4,
    stamps: &mut Stamps<'_>,
    plan: &mut Plan,
) -> RequestStatus {
    let Some(token) = report_token(ctx, mm, "delivery", plan) else {
        return RequestStatus::MessageNotFound;
    };
    let Some(status) = mm.elements.mm_status.clone() else {
        return RequestStatus::MessageFormatCorrupt;
    };
    let Some((action, code)) = crate::mail::dsn::dsn_for_mm_status(&status) else {
        plan.events.push(Event::ReportNotNeeded { reason: format!("MM status {status}") });
        return RequestStatus::Ok;
    };
    use crate::mail::dsn::Action;
    let wanted = match action {
        Action::Delivered | Action::Relayed => token.flags.delivery_report,
        Action::Failed => token.flags.rs_delivery_report,
        _ => false,
    };
    if !wanted || token.originator.is_empty() {
        plan.events.push(Event::ReportNotNeeded {
            reason: format!("the sender asked for no DSN on {}", action.as_str()),
        });
        return RequestStatus::Ok;
    }
    let config = ctx.config;
    let about = report_sender(mm, config);
    let dsn = Dsn {
        return_path: token.originator.clone(),
        final_recipient: about,
        original_recipient: None,
        envid: None,
        action,
        code,
        diagnostic: format!("X-MM4; {status}"),
        human_text: mm
            .elements
            .status_text
            .clone()
            .unwrap_or_else(|| format!("The MMS relay reports the message as {status}.")),
        original_message_id: (!token.mm_id.is_empty()).then(|| token.mm_id.clone()),
        at: mm.elements.date.as_ref().and_then(|d| d.unix).unwrap_or(ctx.now as i64),
    };
    match dsn_message(config, ctx.now, stamps.next().message_id, &dsn) {
        Ok(m) => {
            plan.events.push(Event::Report { kind: "dsn", status: status.to_string() });
            plan.messages.push(m);
            RequestStatus::Ok
        }
        Err(e) => {
            plan.events.push(Event::Dropped { reason: format!("cannot build the DSN: {e}") });
            RequestStatus::Unspecified
        }
    }
}

/// The MMS user a report from the MMSC is about, as a mail address at our domain: the DSN's or
/// MDN's `From` (RFC 4356 §2.1.4: the recipient the report is about, not a postmaster address),
/// so a reply to the report reaches that user through this gateway.
fn report_sender(mm: &Mm4, config: &Config) -> String {
    match mm.elements.from.as_ref().and_then(|f| f.address.as_ref()) {
        Some(MmsAddress::Plmn(n)) => format!("{n}@{}", config.server.hostname),
        Some(MmsAddress::Email(a)) => a.clone(),
        _ => config.system_address(),
    }
}

/// An MM4_read_reply_report.REQ from the MMSC about an MM built here from a fax mail or voice
/// message: an RFC 3798 MDN to the address its Disposition-Notification-To named (carried in
/// the token), when it asked for one. Returns the status for the RR.RES.
fn mmsc_read_reply(
    ctx: &Ctx<'_>,
    mm: &Mm4,
    stamps: &mut Stamps<'_>,
    plan: &mut Plan,
) -> RequestStatus {
    let Some(token) = report_token(ctx, mm, "read", plan) else {
        return RequestStatus::MessageNotFound;
    };
    let Some(status) = mm.elements.read_status.clone() else {
        return RequestStatus::MessageFormatCorrupt;
    };
    let Some(disposition) = crate::mail::mdn::disposition_for_read_status(&status) else {
        plan.events.push(Event::ReportNotNeeded { reason: format!("read status {status}") });
        return RequestStatus::Ok;
    };
    if !token.flags.read_reply || token.originator_system.is_empty() {
        plan.events.push(Event::ReportNotNeeded {
            reason: "the sender asked for no MDN (no Disposition-Notification-To)".into(),
        });
        return RequestStatus::Ok;
    }
    let config = ctx.config;
    let about = report_sender(mm, config);
    let report = crate::mail::mdn::MdnReport {
        head: crate::mail::Head::new(
            crate::mail::Mailbox::new(&about),
            ctx.now as i64,
            stamps.next().message_id,
        ),
        notification_to: token.originator_system.clone(),
        reporting_ua: config.server.hostname.clone(),
        mdn_gateway: Some(config.server.hostname.clone()),
        original_recipient: None,
        final_recipient: about,
        original_message_id: (!token.mm_id.is_empty())
            .then(|| token.mm_id.trim().trim_start_matches('<').trim_end_matches('>').to_owned()),
        disposition,
        human_text: format!("The MMS recipient's handset reports the message as {status}."),
    };
    match crate::mail::mdn::build(&report) {
        Ok(built) => {
            let env = built.envelope.envelope;
            plan.events.push(Event::Report { kind: "mdn", status: status.to_string() });
            plan.messages.push(NewMessage {
                envelope: Envelope {
                    mail_from: env.mail_from,
                    rcpt_to: env.rcpt_to.into_iter().map(Rcpt::plain).collect(),
                    envid: None,
                    ret: None,
                },
                body: built.bytes,
                next_hop: config.delivery.relay.clone(),
                purpose: "mdn".into(),
                on_failure: None,
                dsn_on_failure: None,
                expires: None,
            });
            RequestStatus::Ok
        }
        Err(e) => {
            plan.events.push(Event::Dropped { reason: format!("cannot build the MDN: {e}") });
            RequestStatus::Unspecified
        }
    }
}

/// What one DSN to an external sender says.
struct Dsn {
    return_path: String,
    final_recipient: String,
    original_recipient: Option<String>,
    envid: Option<String>,
    action: crate::mail::dsn::Action,
    code: crate::mail::dsn::StatusCode,
    diagnostic: String,
    human_text: String,
    /// The reported message's Message-ID, returned as its headers.
    original_message_id: Option<String>,
    at: i64,
}

/// An RFC 3464 DSN (`MAIL FROM:<>`, `DSN-Gateway`) via `delivery.relay`.
fn dsn_message(
    config: &Config,
    now: u64,
    message_id: String,
    d: &Dsn,
) -> Result<NewMessage, crate::mail::dsn::Error> {
    let report = crate::mail::dsn::DsnReport {
        head: crate::mail::Head::new(
            crate::mail::Mailbox::new(&d.final_recipient),
            now as i64,
            message_id,
        ),
        return_path: d.return_path.clone(),
        reporting_mta: config.server.hostname.clone(),
        dsn_gateway: Some(config.server.hostname.clone()),
        original_envelope_id: d.envid.clone(),
        arrival_date: None,
        recipients: vec![crate::mail::dsn::DsnRecipient {
            original_recipient: d.original_recipient.clone(),
            final_recipient: d.final_recipient.clone(),
            action: d.action.clone(),
            status: d.code,
            diagnostic_code: Some(d.diagnostic.clone()),
            last_attempt_date: Some(d.at),
        }],
        human_text: d.human_text.clone(),
        original_headers: d.original_message_id.as_ref().map(|m| format!("Message-ID: {m}\r\n")),
    };
    let built = crate::mail::dsn::build(&report)?;
    let env = built.envelope.envelope;
    Ok(NewMessage {
        envelope: Envelope {
            mail_from: env.mail_from,
            rcpt_to: env.rcpt_to.into_iter().map(Rcpt::plain).collect(),
            envid: None,
            ret: None,
        },
        body: built.bytes,
        next_hop: config.delivery.relay.clone(),
        purpose: "dsn".into(),
        on_failure: None,
        dsn_on_failure: None,
        expires: Some(now + config.delivery.lifetime_s),
    })
}

/// Why a DSN goes to a fax or voice mail sender about the MM built from their message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsnKind {
    /// Deferred and still being retried (NOTIFY=DELAY).
    Delayed,
    /// Not delivered within its lifetime.
    Expired,
    /// Refused for good (5xx).
    Rejected,
}

/// The DSN to a fax or voice mail sender whose MM toward the MMSC failed or is delayed.
pub fn failure_dsn(
    df: &DsnFailure,
    kind: DsnKind,
    text: &str,
    smtp_code: Option<u16>,
    config: &Config,
    id: &str,
    now: u64,
) -> Result<NewMessage, String> {
    use crate::mail::dsn::{Action, StatusCode};
    let delayed = kind == DsnKind::Delayed;
    // The next hop's enhanced status code (`550 5.7.1 …`, `451 4.2.1 …`) when it gave one of
    // the class in question, else the class's generic code. X.4.7 (delivery time expired) is
    // only for the expiry: a delay is not that yet.
    let given = |class: u8| {
        text.split_whitespace()
            .find_map(|w| StatusCode::parse(w).filter(|c| c.class == class))
            .unwrap_or(StatusCode::new(class, 0, 0))
    };
    let refused = given(5);
    let (action, code) = match kind {
        DsnKind::Delayed => (Action::Delayed, given(4)),
        DsnKind::Expired => (Action::Failed, StatusCode::new(5, 4, 7)),
        DsnKind::Rejected => (Action::Failed, refused),
    };
    // RFC 3464 §2.3.6: `smtp` only for what an SMTP server answered; our own reasons
    // (connection refused, TLS, expiry without a reply) carry our diagnostic type.
    let diagnostic_type = if smtp_code.is_some() { "smtp" } else { "X-mm3gw" };
    let d = Dsn {
        return_path: df.return_path.clone(),
        final_recipient: df.recipient.clone(),
        // Stored as the session read it: xtext already decoded, the address type dropped.
        original_recipient: df.orcpt.clone(),
        envid: df.envid.clone(),
        action,
        code,
        diagnostic: format!("{diagnostic_type}; {text}"),
        human_text: if delayed {
            format!(
                "The message to {} is delayed; delivery is still being tried.\r\n{text}",
                df.recipient
            )
        } else {
            format!("The message to {} could not be delivered.\r\n{text}", df.recipient)
        },
        original_message_id: df.message_id.clone(),
        at: now as i64,
    };
    // One id per kind: the delayed notice and the final failure are different messages, and
    // a receiver that drops duplicate Message-IDs must not lose the second.
    let suffix = if delayed { "dsn-delayed" } else { "dsn" };
    let message_id = format!("{id}.{suffix}@{}", config.server.hostname);
    dsn_message(config, now, message_id, &d).map_err(|e| e.to_string())
}

/// The first value of a header field in a message's header section (unfolded lines only).
pub(crate) fn header_value(body: &[u8], name: &str) -> Option<String> {
    let end = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(body.len());
    let head = String::from_utf8_lossy(&body[..end]);
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// A DSN or MDN coming back (read with `mail::dsn` / `mail::mdn`): correlate by token, then
/// build the MM4 report(s) with the outcome mappings of spec/mms.md §5.
fn returning_report(body: &[u8], ctx: &Ctx<'_>, stamps: &mut Stamps<'_>, plan: &mut Plan) {
    let limits = crate::mail::Limits::default();
    let dsn = crate::mail::dsn::parse(body, &limits).ok();
    let mdn = if dsn.is_none() { crate::mail::mdn::parse(body, &limits).ok() } else { None };
    // The token travels in the Message-ID: the DSN's returned headers (RET=HDRS), the MDN's
    // Original-Message-ID, or anywhere in the text for reports that quote it elsewhere. A DSN
    // that brings back only the ENVID is matched where the ENVID is known, never guessed.
    let named = dsn
        .as_ref()
        .and_then(|d| d.returned_message_id.clone())
        .or_else(|| mdn.as_ref().and_then(|m| m.original_message_id.clone()));
    let text = String::from_utf8_lossy(body);
    let by_envid = || {
        let envid = dsn.as_ref()?.original_envelope_id.as_ref()?;
        (ctx.envid_lookup)(envid).map(|mid| ctx.keys.verify(&mid))
    };
    let token = named
        .map(|id| ctx.keys.verify(&format!("<{id}>")))
        .filter(|r| !matches!(r, Err(TokenError::NotAToken)))
        .or_else(|| ctx.keys.find_in(&text))
        .or_else(by_envid);
    let token = match token {
        // An ENVID we gave names a message that left without a token.
        None | Some(Err(TokenError::NotAToken)) => {
            plan.events.push(Event::Uncorrelatable);
            return;
        }
        Some(Err(e)) => {
            plan.events.push(Event::TokenRefused { reason: e.to_string() });
            return;
        }
        Some(Ok(t)) => t,
    };
    let mut original = Mm4::new(MessageType::ForwardReq);
    let e = &mut original.elements;
    e.message_id = Some(Id(token.mm_id.clone()));
    e.from = Some(AddressField {
        raw: token.originator.clone(),
        address: MmsAddress::parse(&token.originator).ok(),
    });
    e.originator_system = Some(token.originator_system.clone());
    e.delivery_report = Some(token.flags.delivery_report);
    e.originator_rs_delivery_report = Some(token.flags.rs_delivery_report);
    e.read_reply = Some(token.flags.read_reply);
    let hop = &ctx.config.mmsc.next_hop;
    if let Some(dsn) = &dsn {
        for r in &dsn.recipients {
            let Some(status) = r.mm_status() else {
                plan.events.push(Event::ReportNotNeeded {
                    reason: format!("DSN action {}", r.action.as_str()),
                });
                continue;
            };
            let who =
                mms_form(r.recipient().map_or(token.recipient.as_str(), |a| a.address.as_str()));
            let text = match (&r.status_raw, &r.diagnostic_code) {
                (Some(s), Some(d)) => Some(format!("{s} {d}")),
                (Some(s), None) => Some(s.clone()),
                (None, d) => d.clone(),
            };
            let at = r.last_attempt_date.or(dsn.arrival_date).unwrap_or(ctx.now as i64);
            let outcome = Outcome { recipient: who, status: status.clone(), status_text: text, at };
            match build::delivery_report(&original, None, &outcome, &stamps.next()) {
                Some((dr, env)) => {
                    plan.events.push(Event::Report {
                        kind: "delivery-report",
                        status: status.to_string(),
                    });
                    plan.messages.push(mm4_message(dr, env, hop, "mm4-delivery-report"));
                }
                None => plan.events.push(Event::ReportNotNeeded {
                    reason: "the MM asked for no delivery report".into(),
                }),
            }
        }
    } else if let Some(mdn) = &mdn {
        let Some(status) = mdn.read_status() else {
            plan.events.push(Event::ReportNotNeeded {
                reason: format!("MDN disposition {}", mdn.disposition.value()),
            });
            return;
        };
        let who = mdn
            .original_recipient
            .as_ref()
            .or(mdn.final_recipient.as_ref())
            .map_or(token.recipient.clone(), |a| a.address.clone());
        let outcome = Outcome {
            recipient: mms_form(&who),
            status: status.clone(),
            status_text: None,
            at: ctx.now as i64,
        };
        match build::read_reply_report(&original, None, &outcome, &stamps.next()) {
            Some((rr, env)) => {
                plan.events.push(Event::Report { kind: "read-reply", status: status.to_string() });
                plan.messages.push(mm4_message(rr, env, hop, "mm4-read-reply"));
            }
            None => plan
                .events
                .push(Event::ReportNotNeeded { reason: "the MM asked for no read reply".into() }),
        }
    } else {
        plan.events.push(Event::Dropped {
            reason: "mail to the bounce address is neither a DSN nor an MDN".into(),
        });
    }
}

/// The MM4 delivery report for an outbound message that failed for good (5xx or expired).
pub fn failure_report(
    fr: &FailureReport,
    status: MmStatus,
    text: &str,
    config: &Config,
    id: &str,
    now: u64,
) -> Option<NewMessage> {
    let mut original = Mm4::new(MessageType::ForwardReq);
    let e = &mut original.elements;
    e.message_id = Some(Id(fr.mm_id.clone()));
    e.from = Some(AddressField {
        raw: fr.originator.clone(),
        address: MmsAddress::parse(&fr.originator).ok(),
    });
    e.originator_system = Some(fr.originator_system.clone());
    e.delivery_report = Some(fr.delivery_report);
    e.originator_rs_delivery_report = Some(fr.rs_delivery_report);
    let mut stamps = Stamps {
        base: id,
        host: &config.server.hostname,
        system: config.system_address(),
        now,
        n: 100,
    };
    let outcome = Outcome {
        recipient: fr.recipient.clone(),
        status,
        status_text: Some(text.to_owned()),
        at: now as i64,
    };
    let (dr, env) = build::delivery_report(&original, None, &outcome, &stamps.next())?;
    let mut m = mm4_message(dr, env, &config.mmsc.next_hop, "mm4-delivery-report");
    // The report gets a lifetime of its own: what it reports on has just failed or expired.
    m.expires = Some(now + config.delivery.lifetime_s);
    Some(m)
}

#[cfg(test)]
mod tests;
