//! `mm3gw convert` on a returning DSN (RFC 3464) or MDN (RFC 3798): the MM4 report the gateway
//! would send for it. Nothing is re-implemented here: the report goes through
//! `gateway::process::process` exactly as if it had arrived at the bounce address, so the token
//! check and the status mapping of spec/mms.md §5 are the gateway's own.
use crate::config::Config;
use crate::gateway::convert::Converters;
use crate::gateway::process::{self, Ctx, Event};
use crate::gateway::spool::{Entry, Envelope, Rcpt, Stage};
use crate::gateway::token::Keys;
use crate::interwork::{Converted, Omission};

/// Whether the input reads as a DSN or an MDN.
pub(super) fn is_report(raw: &[u8]) -> bool {
    let limits = crate::mail::Limits::default();
    crate::mail::dsn::parse(raw, &limits).is_ok() || crate::mail::mdn::parse(raw, &limits).is_ok()
}

/// The MM4_delivery_report.REQ / MM4_read_reply_report.REQ for a DSN or MDN, or why there is
/// none: a token that does not verify, no token, no key configured, or an outcome the MM did
/// not ask to hear about. A DSN naming several recipients gives one report each; the first is
/// returned and the others are listed.
pub(super) fn report_to_mm(
    raw: &[u8],
    config: &Config,
    now: i64,
    id: &str,
) -> Result<Converted, String> {
    let key = config.server.hmac_key.as_deref().ok_or(
        "report refused: the configuration has no server.hmac_key, so the report token cannot \
         be verified (give --config with the gateway's key)",
    )?;
    let keys = Keys::new(
        key.as_bytes(),
        config.server.hmac_key_previous.as_deref().map(str::as_bytes),
        &config.server.hostname,
    );
    let converters = Converters::builtin();
    let now = u64::try_from(now).unwrap_or(0);
    let ctx = Ctx { config, converters: &converters, keys: &keys, now, envid_lookup: &|_| None };
    // As delivered to the bounce address (MAIL FROM:<>) of this gateway.
    let entry = Entry::new(
        id.split('@').next().unwrap_or(id).to_owned(),
        Stage::Inbound,
        Envelope {
            mail_from: String::new(),
            rcpt_to: vec![Rcpt::plain(config.system_address())],
            envid: None,
            ret: None,
        },
        now,
        now,
        "mm3gw convert".into(),
    );
    let plan = process::process(&entry, raw, &ctx);
    let mut reports = plan.messages.into_iter();
    let Some(first) = reports.next() else {
        let why: Vec<String> = plan.events.iter().map(refusal).collect();
        return Err(if why.is_empty() { "no MM4 report".into() } else { why.join("; ") });
    };
    let omissions = reports
        .enumerate()
        .map(|(n, m)| Omission {
            part: format!("report {}", n + 2),
            media_type: m.purpose.clone(),
            reason: "convert writes only the first report of a DSN naming several recipients"
                .into(),
        })
        .collect();
    Ok(Converted {
        envelope: crate::mm::Envelope {
            mail_from: first.envelope.mail_from,
            rcpt_to: first.envelope.rcpt_to.into_iter().map(|r| r.address).collect(),
        },
        bytes: first.body,
        omissions,
    })
}

/// One line per event saying why no report came out.
fn refusal(e: &Event) -> String {
    match e {
        Event::TokenRefused { reason } => format!("report refused: {reason}"),
        Event::Uncorrelatable => {
            "report refused: it names no message this gateway sent (no mm3gw token)".into()
        }
        Event::ReportNotNeeded { reason } => format!("no MM4 report needed: {reason}"),
        Event::Dropped { reason } => format!("dropped: {reason}"),
        other => format!("{other:?}"),
    }
}
