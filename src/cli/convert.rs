//! `mm3gw convert IN -o OUT [--to fax|vpim|ivm|mm] [--route NAME] [--config FILE]`: one
//! conversion of `interwork` on a file, as the gateway would do it, printing what could not be
//! carried. The input kind is detected: an MM4_forward.REQ goes to a route (fax, VPIM or IVM,
//! recipients from its To/Cc), a fax mail or voice message becomes an MM4_forward.REQ (MMS
//! recipients from its `To`, where the gateway uses RCPT TO), and a DSN or MDN about a message
//! the gateway sent becomes the MM4_delivery_report.REQ / MM4_read_reply_report.REQ the gateway
//! would send (the same `gateway::process` code, the token verified with the configured key, or
//! `<spool>/hmac.key` when the configuration has none).
//! Exit 0 converted, 1 nothing convertible or a report refused, 2 bad arguments or files.
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::{Config, Convert, Profile};
use crate::gateway::convert::{fax_recipient, voice_mailbox};
use crate::interwork::{self, Converted, Inward, from_fax, from_voice, to_fax, to_voice};
use crate::mm::address::MmsAddress;

/// The target kind.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum To {
    Fax,
    Vpim,
    Ivm,
    Mm,
}

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The input message (.eml): MM4_forward.REQ, T.37 fax mail, VPIM v2 or IVM.
    input: PathBuf,
    /// Where to write the converted message.
    #[arg(short, long)]
    output: PathBuf,
    /// Target kind; by default MM4 goes to the route's kind, anything else to MM.
    #[arg(long, value_enum)]
    to: Option<To>,
    /// The route whose profile and peer domain to use (default: the first of the target kind).
    #[arg(long)]
    route: Option<String>,
    /// Gateway configuration (default: the embedded one).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> ExitCode {
    let raw = match std::fs::read(&args.input) {
        Ok(raw) => raw,
        Err(e) => return super::fail(2, format_args!("{}: {e}", args.input.display())),
    };
    let mut config = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return super::fail(2, e),
    };
    if config.server.hmac_key.is_none() {
        // The gateway's generated key, read only (`convert` never creates one), byte for byte
        // as the gateway reads it (`Spool::hmac_key`): a trailing newline is part of the key.
        let path = config.server.spool.join("hmac.key");
        config.server.hmac_key = std::fs::read_to_string(path).ok().filter(|k| k.len() >= 32);
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let id = format!("convert.{now}@{}", config.server.hostname);
    let c = match convert_message(&raw, args.to, args.route.as_deref(), &config, now, &id) {
        Ok(c) => c,
        Err(e) => return super::fail(1, e),
    };
    if let Err(e) = std::fs::write(&args.output, &c.bytes) {
        return super::fail(2, format_args!("{}: {e}", args.output.display()));
    }
    println!("wrote {} ({} bytes)", args.output.display(), c.bytes.len());
    println!("MAIL FROM:<{}>", c.envelope.mail_from);
    for r in &c.envelope.rcpt_to {
        println!("RCPT TO:<{r}>");
    }
    if c.omissions.is_empty() {
        println!("omitted: nothing");
    }
    for o in &c.omissions {
        println!("omitted: {o}");
    }
    ExitCode::SUCCESS
}

/// One conversion as `mm3gw convert` does it, with the clock and the id given (the sample
/// corpus runs it with fixed ones): an MM4_forward.REQ goes to a route unless `to` is `Mm`, a
/// DSN or MDN becomes the MM4 report (refused with the reason when its token does not verify
/// with `config.server.hmac_key`), anything else becomes an MM4_forward.REQ.
pub fn convert_message(
    raw: &[u8],
    to: Option<To>,
    route: Option<&str>,
    config: &Config,
    now: i64,
    id: &str,
) -> Result<Converted, String> {
    let is_mm4 = crate::mm::parse(raw, &crate::mm::Limits::default())
        .is_ok_and(|p| p.mm.message_type == crate::mm::MessageType::ForwardReq);
    if is_mm4 && to != Some(To::Mm) {
        from_mm(raw, to, route, config, now, id)
    } else if !is_mm4 && super::convert_report::is_report(raw) {
        super::convert_report::report_to_mm(raw, config, now, id)
    } else {
        to_mm(raw, config, now, id)
    }
}

fn from_mm(
    raw: &[u8],
    to: Option<To>,
    route_name: Option<&str>,
    config: &Config,
    now: i64,
    id: &str,
) -> Result<Converted, String> {
    let want = match to {
        Some(To::Fax) => Some(Convert::Fax),
        Some(To::Vpim) => Some(Convert::Vpim),
        Some(To::Ivm) => Some(Convert::Ivm),
        _ => None,
    };
    let found = config.routes.iter().find(|r| match route_name {
        Some(name) => r.name == name,
        None => want.is_none_or(|k| r.convert == k),
    });
    // `--to vpim|ivm` with no route of that kind borrows the first voice route's peer domain
    // with the kind's default profile (the embedded configuration has no IVM route).
    let borrowed;
    let route = match (found, want) {
        (Some(r), _) => r,
        (None, Some(k @ (Convert::Vpim | Convert::Ivm))) if route_name.is_none() => {
            let voice = config
                .routes
                .iter()
                .find(|r| matches!(r.convert, Convert::Vpim | Convert::Ivm))
                .ok_or("no voice route to take the peer domain from")?;
            borrowed = crate::config::Route {
                convert: k,
                profile: k.default_profile().to_owned(),
                ..voice.clone()
            };
            &borrowed
        }
        _ => return Err("no route matches (see --route and --to)".into()),
    };
    let mm = crate::mm::parse(raw, &crate::mm::Limits::default()).map_err(|e| e.to_string())?.mm;
    let numbers: Vec<String> = mm
        .elements
        .to
        .iter()
        .chain(&mm.elements.cc)
        .filter_map(|f| f.address.as_ref())
        .map(|a| match a {
            MmsAddress::Plmn(n) => format!("{n}@{}", route.peer_domain),
            other => other.to_string(),
        })
        .collect();
    if numbers.is_empty() {
        return Err("the MM names no recipient in To/Cc".into());
    }
    let profile = config.profiles.get(&route.profile);
    match (route.convert, profile) {
        (Convert::Fax, Some(Profile::Fax(p))) => {
            let recipients = numbers
                .iter()
                .map(|n| fax_recipient(n, &route.peer_domain).ok_or(format!("{n}: no fax number")))
                .collect::<Result<Vec<_>, _>>()?;
            let out = to_fax::FaxOutward {
                now,
                message_id: id.to_owned(),
                gateway_domain: config.server.hostname.clone(),
                system_address: config.system_address(),
                recipients,
                text_mode: to_fax::TextMode::Profile,
            };
            to_fax::mm_to_fax(&mm, p, &out).map_err(|e| e.to_string())
        }
        (Convert::Vpim | Convert::Ivm, Some(Profile::Voice(p))) => {
            let out = to_voice::Outward {
                now,
                message_id: id.to_owned(),
                gateway_domain: config.server.hostname.clone(),
                system_address: config.system_address(),
                recipients: numbers.iter().map(|n| voice_mailbox(n, &route.peer_domain)).collect(),
                mdn_to: Some(config.system_address()),
            };
            to_voice::mm_to_voice(&mm, p, &out, &interwork::Limits::default())
                .map_err(|e| e.to_string())
        }
        _ => Err(format!("route {} has no usable profile {}", route.name, route.profile)),
    }
}

fn to_mm(raw: &[u8], config: &Config, now: i64, id: &str) -> Result<Converted, String> {
    let limits = interwork::Limits::default();
    let mime = crate::mm::parse_mime(raw, &limits.mail.mime).map_err(|e| e.to_string())?;
    // The MMS recipients: the mail's To numbers, as the MMSC would get them from RCPT TO.
    let common = crate::mail::Common::read(&mime);
    let recipients: Vec<String> =
        common.to.iter().map(|m| crate::gateway::process::mms_form(&m.address)).collect();
    let inw = Inward {
        now,
        mm_id: id.to_owned(),
        transaction_id: id.to_owned(),
        message_id: id.to_owned(),
        system_address: config.system_address(),
        gateway_domain: config.server.hostname.clone(),
        mmsc_domain: config.mmsc.domains.first().cloned().unwrap_or_default(),
        recipients,
        // No envelope here: the Return-Path header stands in for MAIL FROM, else the From
        // address (what a sender's MTA would normally give).
        mail_from: match mime.header("Return-Path") {
            Some(p) => p.trim().trim_start_matches('<').trim_end_matches('>').to_owned(),
            None => common.from.as_ref().map_or("sender".into(), |m| m.address.clone()),
        },
        delivery_report: false,
        reports: true,
        max_message_bytes: config.mmsc.max_message_bytes,
    };
    let class = config
        .profiles
        .content_class(&config.mmsc.content_class)
        .ok_or("the MMSC content class is unknown")?;
    match from_fax::fax_to_mm(raw, class, &inw, &limits) {
        Err(interwork::Error::WrongKind { .. }) => {
            from_voice::voice_to_mm_in_class(raw, Some(class), &inw, &limits)
                .map_err(|e| e.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    }
}
