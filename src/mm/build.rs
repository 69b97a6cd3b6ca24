//! Builders for the MM4 messages the gateway originates: acknowledgements (.RES) and reports
//! (.REQ), each with its SMTP envelope. Clock and ids come in through [`Stamp`], so a build is a
//! pure function of its inputs (design.md).
use super::address::MmsAddress;
use super::emit::MMS_VERSION;
use super::model::{AddressField, DateField, Elements, Envelope, Id, Mm4};
use super::status::{MessageType, MmStatus, ReadStatus, RequestStatus};

/// What a built message takes from outside the pure core.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// Our system mailbox, `system-user@<gateway domain>`: Sender, Originator-System, MAIL FROM.
    pub system_address: String,
    /// The time of building (Unix seconds); reports take the event time separately.
    pub now: i64,
    /// A fresh X-Mms-Transaction-ID for a .REQ we originate.
    pub transaction_id: String,
    /// A fresh RFC 5322 Message-ID, without angle brackets.
    pub message_id: String,
}

/// RFC 5322 date-time of a Unix time in UTC, e.g. `Mon, 01 Jan 2024 10:00:00 +0000`.
pub fn rfc5322_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix.div_euclid(86400);
    let secs = unix.rem_euclid(86400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn address_field(raw: &str) -> AddressField {
    AddressField { raw: raw.to_string(), address: MmsAddress::parse(raw).ok() }
}

fn date_field(unix: i64) -> DateField {
    DateField { raw: rfc5322_date(unix), unix: Some(unix) }
}

/// Where a .RES (or a report about this MM) goes: `X-Mms-Originator-System`, else `Sender`,
/// else `system-user@<domain of MAIL FROM>`; a VectorCore `system=<host>;party=…` value names
/// `system-user@<host>` (spec/mms.md §7).
pub fn reply_address(req: &Mm4, envelope_mail_from: Option<&str>) -> Option<String> {
    let e = &req.elements;
    if let Some(sys) = e.originator_system.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(host) = sys
            .split(';')
            .find_map(|kv| kv.trim().strip_prefix("system=").or(kv.trim().strip_prefix("System=")))
        {
            return Some(format!("system-user@{}", host.trim()));
        }
        return Some(bare_mailbox(sys));
    }
    if let Some(sender) = e.sender.as_deref().filter(|s| s.contains('@')) {
        return Some(bare_mailbox(sender));
    }
    let domain = envelope_mail_from?.rsplit_once('@')?.1.trim_end_matches('>');
    (!domain.is_empty()).then(|| format!("system-user@{domain}"))
}

/// `Name <a@b>` → `a@b`.
fn bare_mailbox(s: &str) -> String {
    match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim().to_string(),
        _ => s.trim().to_string(),
    }
}

fn response(
    message_type: MessageType,
    req: &Mm4,
    status: RequestStatus,
    status_text: Option<&str>,
    reply_to: &str,
    stamp: &Stamp,
) -> Mm4 {
    let message_id = match message_type {
        MessageType::ReadReplyRes => None,
        _ => req.elements.message_id.clone(),
    };
    let mut mm = Mm4::new(message_type);
    mm.elements = Elements {
        mms_version: Some(MMS_VERSION.into()),
        transaction_id: req.elements.transaction_id.clone(),
        message_id,
        request_status: Some(status),
        status_text: status_text.map(str::to_string),
        from: Some(address_field(&stamp.system_address)),
        to: vec![address_field(reply_to)],
        date: Some(date_field(stamp.now)),
        sender: Some(stamp.system_address.clone()),
        rfc822_message_id: Some(format!("<{}>", stamp.message_id)),
        ..Elements::default()
    };
    mm
}

/// The acknowledgement of a .REQ (spec/mms.md §4): same Transaction-ID (verbatim), the MM id
/// echoed (not for read-reply reports), sent to the REQ's reply address. `None` when the REQ is
/// a response itself or names nowhere to answer.
pub fn acknowledge(
    req: &Mm4,
    envelope_mail_from: Option<&str>,
    status: RequestStatus,
    status_text: Option<&str>,
    stamp: &Stamp,
) -> Option<(Mm4, Envelope)> {
    let message_type = match req.message_type {
        MessageType::ForwardReq => MessageType::ForwardRes,
        MessageType::DeliveryReportReq => MessageType::DeliveryReportRes,
        MessageType::ReadReplyReq => MessageType::ReadReplyRes,
        _ => return None,
    };
    let reply_to = reply_address(req, envelope_mail_from)?;
    let mm = response(message_type, req, status, status_text, &reply_to, stamp);
    let envelope = Envelope { mail_from: stamp.system_address.clone(), rcpt_to: vec![reply_to] };
    Some((mm, envelope))
}

/// What a report says about one recipient of an MM we carried.
#[derive(Debug, Clone)]
pub struct Outcome<S> {
    /// The recipient the report is about, as an MMS address (becomes `From`). Qualify device
    /// addresses with our domain (`+E164/TYPE=PLMN@gw`, see [`MmsAddress::envelope`]) so the
    /// header is a valid RFC 5322 address, as Mbuni writes them.
    pub recipient: String,
    pub status: S,
    pub status_text: Option<String>,
    /// When it happened (Unix seconds): the report's `Date`.
    pub at: i64,
}

fn report(
    message_type: MessageType,
    original: &Mm4,
    recipient: &str,
    at: i64,
    stamp: &Stamp,
) -> Mm4 {
    let mut mm = Mm4::new(message_type);
    mm.elements = Elements {
        mms_version: Some(MMS_VERSION.into()),
        transaction_id: Some(Id(stamp.transaction_id.clone())),
        message_id: original.elements.message_id.clone(),
        from: Some(address_field(recipient)),
        to: original.elements.from.iter().cloned().collect(),
        date: Some(date_field(at)),
        ack_request: Some(false),
        originator_system: Some(stamp.system_address.clone()),
        sender: Some(stamp.system_address.clone()),
        rfc822_message_id: Some(format!("<{}>", stamp.message_id)),
        ..Elements::default()
    };
    mm
}

/// The envelope of a report: to the original MM's reply address, from our system address.
fn report_envelope(original: &Mm4, mail_from: Option<&str>, stamp: &Stamp) -> Option<Envelope> {
    Some(Envelope {
        mail_from: stamp.system_address.clone(),
        rcpt_to: vec![reply_address(original, mail_from)?],
    })
}

/// MM4_delivery_report.REQ for an MM the gateway carried, when the MM asked for one
/// (spec/mms.md §5): `Forward-To-Originator-UA: Yes` when the originator UA asked,
/// `No` when only the originating relay did. `None` when no report was requested or
/// there is nowhere to send it.
pub fn delivery_report(
    original: &Mm4,
    original_mail_from: Option<&str>,
    outcome: &Outcome<MmStatus>,
    stamp: &Stamp,
) -> Option<(Mm4, Envelope)> {
    let e = &original.elements;
    let ua = e.delivery_report == Some(true);
    if !ua && e.originator_rs_delivery_report != Some(true) {
        return None;
    }
    let mut mm =
        report(MessageType::DeliveryReportReq, original, &outcome.recipient, outcome.at, stamp);
    mm.elements.mm_status = Some(outcome.status.clone());
    mm.elements.status_text = outcome.status_text.clone();
    mm.elements.forward_to_originator_ua = Some(ua);
    Some((mm, report_envelope(original, original_mail_from, stamp)?))
}

/// MM4_read_reply_report.REQ, only when the MM asked for a read reply (spec/mms.md §5).
pub fn read_reply_report(
    original: &Mm4,
    original_mail_from: Option<&str>,
    outcome: &Outcome<ReadStatus>,
    stamp: &Stamp,
) -> Option<(Mm4, Envelope)> {
    if original.elements.read_reply != Some(true) {
        return None;
    }
    let mut mm = report(MessageType::ReadReplyReq, original, &outcome.recipient, outcome.at, stamp);
    mm.elements.read_status = Some(outcome.status.clone());
    mm.elements.status_text = outcome.status_text.clone();
    Some((mm, report_envelope(original, original_mail_from, stamp)?))
}

/// The envelope of an MM4_forward.REQ we send to the MMSC (spec/mms.md §3 "Outbound MM"):
/// `MAIL FROM` is the originator qualified with our domain when it is a phone number, else our
/// system address, so bounces always come back here; each recipient is qualified with the
/// MMSC's domain.
pub fn forward_envelope(
    mm: &Mm4,
    our_domain: &str,
    mmsc_domain: &str,
    system_address: &str,
) -> Envelope {
    let e = &mm.elements;
    let mail_from = match e.from.as_ref().and_then(|f| f.address.as_ref()) {
        Some(a @ MmsAddress::Plmn(_)) => a.envelope(our_domain),
        _ => system_address.to_string(),
    };
    let rcpt_to =
        e.to.iter()
            .chain(&e.cc)
            .chain(&e.bcc)
            .filter_map(|f| f.address.as_ref())
            .map(|a| match a {
                MmsAddress::Email(addr) => addr.clone(),
                other => other.envelope(mmsc_domain),
            })
            .collect();
    Envelope { mail_from, rcpt_to }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc5322_utc() {
        assert_eq!(rfc5322_date(1704103200), "Mon, 01 Jan 2024 10:00:00 +0000");
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(951782400), "Tue, 29 Feb 2000 00:00:00 +0000");
        for t in [0i64, 951782400, 1704103200, 4102444799] {
            assert_eq!(crate::mm::parse::parse_date(&rfc5322_date(t)), Some(t));
        }
    }
}
