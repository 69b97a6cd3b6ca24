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
    AddressField, Expiry, Id, MessageType, Mm4, MmStatus, ReadStatus, RequestStatus,
    SenderVisibility,
};

use super::convert::{ConvertError, Converters, Direction, SpooledMessage, Target as ConvTarget};
use super::router::{self, Target, Verdict};
use super::spool::{Entry, Envelope, FailureReport, Rcpt};
use super::token::{Flags, Keys, Token};

/// Everything `process` needs besides the message.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub converters: &'a Converters,
    pub keys: &'a Keys,
    /// Unix seconds.
    pub now: u64,
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
        for r in rcpts {
            let outcome = Outcome {
                recipient: mms_form(r),
                status: MmStatus::Rejected,
                status_text: Some(why.into()),
                at: ctx.now as i64,
            };
            if let Some((dr, env)) = build::delivery_report(
                mm,
                Some(&entry.envelope.mail_from),
                &outcome,
                &stamps.next(),
            ) {
                plan.events
                    .push(Event::Report { kind: "delivery-report", status: "Rejected".into() });
                plan.messages.push(mm4_message(
                    dr,
                    env,
                    &config.mmsc.next_hop,
                    "mm4-delivery-report",
                ));
            }
        }
        return (RequestStatus::ServiceDenied, Some(why.into()));
    }
    let expires = expiry_of(mm, ctx.now);
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
        rcpts.iter().map(|r| (r.clone(), ctx.keys.message_id(&token(r)))).collect();
    let sm = SpooledMessage {
        entry,
        body,
        recipients: rcpts,
        config,
        now: ctx.now,
        message_ids: &message_ids,
    };
    match convert(&sm, ConvTarget::Route(route)) {
        Ok(outs) => {
            plan.events.push(Event::Converted { target: route.name.clone(), messages: outs.len() });
            for mut out in outs {
                let first =
                    out.envelope.rcpt_to.first().map(|r| r.address.clone()).unwrap_or_default();
                if wants_dr {
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
            for r in rcpts {
                let outcome = Outcome {
                    recipient: mms_form(r),
                    status: MmStatus::Unrecognised,
                    status_text: Some(e.to_string()),
                    at: ctx.now as i64,
                };
                if let Some((dr, env)) = build::delivery_report(
                    mm,
                    Some(&entry.envelope.mail_from),
                    &outcome,
                    &stamps.next(),
                ) {
                    plan.events.push(Event::Report {
                        kind: "delivery-report",
                        status: "Unrecognised".into(),
                    });
                    plan.messages.push(mm4_message(
                        dr,
                        env,
                        &config.mmsc.next_hop,
                        "mm4-delivery-report",
                    ));
                }
            }
            (status, Some(e.to_string()))
        }
    }
}

fn convert_to_mmsc(entry: &Entry, body: &[u8], ctx: &Ctx<'_>, rcpts: &[String], plan: &mut Plan) {
    let sm = SpooledMessage {
        entry,
        body,
        recipients: rcpts,
        config: ctx.config,
        now: ctx.now,
        message_ids: &[],
    };
    for kind in [Convert::Fax, Convert::Vpim, Convert::Ivm] {
        let Some(convert) = ctx.converters.get(Direction::ToMm(kind)) else { continue };
        match convert(&sm, ConvTarget::Mmsc) {
            Ok(outs) => {
                plan.events.push(Event::Converted { target: "mmsc".into(), messages: outs.len() });
                for out in outs {
                    plan.messages.push(NewMessage {
                        envelope: out.envelope,
                        body: out.body,
                        next_hop: ctx.config.mmsc.next_hop.clone(),
                        purpose: "mm4-forward".into(),
                        on_failure: None,
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
                MessageType::DeliveryReportReq
                    | MessageType::ReadReplyReq
                    | MessageType::ForwardReq
            ) =>
        {
            let (status, text) = if mm.message_type == MessageType::ForwardReq {
                (RequestStatus::ServiceDenied, "the gateway's system address takes no MMs")
            } else {
                (
                    RequestStatus::UnsupportedMessage,
                    "reports to fax and voicemail senders are not available in this build",
                )
            };
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

/// A DSN or MDN coming back: correlate by token, then build the MM4 report(s).
fn returning_report(body: &[u8], ctx: &Ctx<'_>, stamps: &mut Stamps<'_>, plan: &mut Plan) {
    let text = String::from_utf8_lossy(body);
    let token = match ctx.keys.find_in(&text) {
        None => {
            plan.events.push(Event::Uncorrelatable);
            return;
        }
        Some(Err(e)) => {
            plan.events.push(Event::TokenRefused { reason: e.to_string() });
            return;
        }
        Some(Ok(t)) => t,
    };
    let Some(report) = read_report(&text) else {
        plan.events.push(Event::Dropped {
            reason: "mail to the bounce address is neither a DSN nor an MDN".into(),
        });
        return;
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
    for r in &report.recipients {
        let who =
            mms_form(r.original.as_deref().or(r.final_.as_deref()).unwrap_or(&token.recipient));
        match report.kind {
            ReportKind::Dsn => {
                let action = r.action.to_ascii_lowercase();
                let status = match action.as_str() {
                    "delivered" => MmStatus::Retrieved,
                    "relayed" => MmStatus::Forwarded,
                    "expanded" => MmStatus::Indeterminate,
                    "failed" if r.status.starts_with("4.4.7") => MmStatus::Expired,
                    "failed" => MmStatus::Rejected,
                    _ => {
                        plan.events.push(Event::ReportNotNeeded {
                            reason: format!("DSN action {action}"),
                        });
                        continue;
                    }
                };
                let text = match (&r.status, &r.diagnostic) {
                    (s, Some(d)) => Some(format!("{s} {d}")),
                    (s, None) if !s.is_empty() => Some(s.clone()),
                    _ => None,
                };
                let outcome = Outcome {
                    recipient: who,
                    status: status.clone(),
                    status_text: text,
                    at: ctx.now as i64,
                };
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
            ReportKind::Mdn => {
                let d = r.action.to_ascii_lowercase();
                let status = if d.contains("displayed") {
                    ReadStatus::Read
                } else if ["deleted", "denied", "failed"].iter().any(|k| d.contains(k)) {
                    ReadStatus::DeletedWithoutBeingRead
                } else {
                    plan.events
                        .push(Event::ReportNotNeeded { reason: format!("MDN disposition {d}") });
                    continue;
                };
                let outcome = Outcome {
                    recipient: who,
                    status: status.clone(),
                    status_text: None,
                    at: ctx.now as i64,
                };
                match build::read_reply_report(&original, None, &outcome, &stamps.next()) {
                    Some((rr, env)) => {
                        plan.events
                            .push(Event::Report { kind: "read-reply", status: status.to_string() });
                        plan.messages.push(mm4_message(rr, env, hop, "mm4-read-reply"));
                    }
                    None => plan.events.push(Event::ReportNotNeeded {
                        reason: "the MM asked for no read reply".into(),
                    }),
                }
            }
        }
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
    Some(mm4_message(dr, env, &config.mmsc.next_hop, "mm4-delivery-report"))
}

// ---------------------------------------------------------------------------------------------
// Interim DSN/MDN reading (RFC 3464 / RFC 3798 fields only), until `mail/` provides the full
// parser: enough to map evidence to MM4 reports per spec/mms.md §5.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportKind {
    Dsn,
    Mdn,
}

#[derive(Debug, Default, Clone)]
struct ReportRcpt {
    original: Option<String>,
    final_: Option<String>,
    /// DSN `Action` or MDN disposition type (with modifiers).
    action: String,
    status: String,
    diagnostic: Option<String>,
}

#[derive(Debug)]
struct Report {
    kind: ReportKind,
    recipients: Vec<ReportRcpt>,
}

fn read_report(text: &str) -> Option<Report> {
    let lower = text.to_ascii_lowercase();
    let kind = if lower.contains("delivery-status") {
        ReportKind::Dsn
    } else if lower.contains("disposition-notification") {
        ReportKind::Mdn
    } else {
        return None;
    };
    let addr = |v: &str| {
        v.split_once(';').map_or(v, |(_, a)| a).trim().trim_matches(['<', '>']).to_owned()
    };
    let mut recipients: Vec<ReportRcpt> = Vec::new();
    let mut cur = ReportRcpt::default();
    let mut pending_original: Option<String> = None;
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "original-recipient" => pending_original = Some(addr(value)),
            "final-recipient" => {
                if cur.final_.is_some() {
                    recipients.push(std::mem::take(&mut cur));
                }
                cur.final_ = Some(addr(value));
                cur.original = pending_original.take();
            }
            "action" if kind == ReportKind::Dsn => cur.action = value.to_owned(),
            "status" if kind == ReportKind::Dsn => {
                cur.status = value.split_whitespace().next().unwrap_or("").to_owned()
            }
            "diagnostic-code" => cur.diagnostic = Some(addr(value)),
            "disposition" if kind == ReportKind::Mdn => {
                cur.action = value.rsplit_once(';').map_or(value, |(_, t)| t).trim().to_owned();
            }
            _ => {}
        }
    }
    if cur.final_.is_some() || !cur.action.is_empty() {
        recipients.push(cur);
    }
    (!recipients.is_empty()).then_some(Report { kind, recipients })
}

#[cfg(test)]
mod tests;
