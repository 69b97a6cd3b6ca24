//! Delivery status notifications (RFC 3464): what fax offramps and voicemail platforms send
//! back, and what the gateway sends to an external sender when the MMSC reports on a message
//! that came from fax or voice mail (spec/mms.md §5).
//!
//! The parser is tolerant of what MTAs actually write: field names in any case, comments after
//! Action and Status, an address without its `rfc822;` type, missing blank lines between
//! recipient groups, a missing Action (inferred from the Status class), the returned message as
//! `message/rfc822` (full or headers only) or `text/rfc822-headers`, and the machine part
//! labelled `message/global-delivery-status` (RFC 6533) or, from old MTAs, `text/plain`.
//! The outcome mapping [`mm_status`] is the table of spec/mms.md §5.
use serde::Serialize;

use super::{Built, Child, Common, Head, MailEnvelope, header};
use crate::mm::{self, Body, ContentType, Envelope, Finding, MmStatus, Part};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not a DSN: no message/delivery-status part")]
    NoStatusPart,
    #[error("the delivery-status part names no recipient")]
    NoRecipient,
    #[error("delivery-status part of {bytes} bytes exceeds the limit of {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error(transparent)]
    Mail(#[from] super::Error),
}

impl From<mm::Error> for Error {
    fn from(e: mm::Error) -> Self {
        Error::Mail(e.into())
    }
}

/// `Action:` (RFC 3464 §2.3.3); unknown values kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Failed,
    Delayed,
    Delivered,
    Relayed,
    Expanded,
    Other(String),
}

impl Action {
    pub fn parse(v: &str) -> Action {
        match header::strip_comment(v).to_ascii_lowercase().as_str() {
            "failed" => Action::Failed,
            "delayed" => Action::Delayed,
            "delivered" => Action::Delivered,
            "relayed" => Action::Relayed,
            "expanded" => Action::Expanded,
            other => Action::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Action::Failed => "failed",
            Action::Delayed => "delayed",
            Action::Delivered => "delivered",
            Action::Relayed => "relayed",
            Action::Expanded => "expanded",
            Action::Other(s) => s,
        }
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusCode {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl StatusCode {
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        Self { class, subject, detail }
    }

    /// `2.0.0`, `5.1.1 (user unknown)`, …: class 2, 4 or 5, then 1–3 digits twice.
    pub fn parse(v: &str) -> Option<StatusCode> {
        let code = header::strip_comment(v).split_whitespace().next()?;
        let mut it = code.split('.');
        let num = |s: Option<&str>, max: usize| -> Option<u16> {
            let s = s?;
            (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())?
        };
        let class = num(it.next(), 1)?;
        let (subject, detail) = (num(it.next(), 3)?, num(it.next(), 3)?);
        if it.next().is_some() || !matches!(class, 2 | 4 | 5) {
            return None;
        }
        Some(StatusCode { class: class as u8, subject, detail })
    }
}

impl std::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// `type; address` as the report fields carry addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypedAddress {
    /// Lower case, e.g. `rfc822`.
    pub addr_type: String,
    pub address: String,
}

impl TypedAddress {
    pub fn rfc822(address: impl Into<String>) -> Self {
        Self { addr_type: "rfc822".into(), address: address.into() }
    }

    fn parse(value: &str, findings: &mut Vec<Finding>) -> Self {
        let (addr_type, mut address) = header::typed_address(value);
        // Some MTAs copy the ORCPT parameter without undoing its xtext: an encoded `+` or `=`
        // can only come from that (no phone number or fax address contains `+2B`/`+3D`).
        if address.contains("+2B") || address.contains("+3D") {
            let decoded = super::envelope::xtext_decode(&address);
            findings
                .push(Finding::info(format!("address {address:?} was xtext; read as {decoded:?}")));
            address = decoded;
        }
        Self { addr_type, address }
    }

    fn value(&self) -> String {
        format!("{}; {}", self.addr_type, self.address)
    }
}

/// One recipient's block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_recipient: Option<TypedAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_recipient: Option<TypedAddress>,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusCode>,
    /// The Status field as written (with any comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_raw: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_mta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub will_retry_until: Option<i64>,
}

impl RecipientStatus {
    /// The MM4 delivery-report status for this block (spec/mms.md §5); `None` = send no DR.
    pub fn mm_status(&self) -> Option<MmStatus> {
        mm_status(&self.action, self.status.as_ref())
    }

    /// The address the report is about: the original recipient if given, else the final one
    /// (RFC 4356 Table 5).
    pub fn recipient(&self) -> Option<&TypedAddress> {
        self.original_recipient.as_ref().or(self.final_recipient.as_ref())
    }
}

/// A parsed DSN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dsn {
    pub common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_mta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dsn_gateway: Option<String>,
    /// As written. RFC 3461 asks the reporting MTA to undo the xtext; the gateway's own ENVIDs
    /// need no escaping, so both readings agree for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_envelope_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_date: Option<i64>,
    pub recipients: Vec<RecipientStatus>,
    /// The human-readable part, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_text: Option<String>,
    /// A spoken human-readable part (VPIM systems SHOULD send one, RFC 3801 §4.6): the first
    /// audio part before the machine part, as received.
    #[serde(skip)]
    pub spoken: Option<Part>,
    /// Headers of the returned message (`RET=HDRS` or `FULL`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub returned_headers: Vec<(String, String)>,
    /// The returned message's `Message-ID`, without brackets: where our correlation token is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned_message_id: Option<String>,
    pub findings: Vec<Finding>,
}

/// The outcome table of spec/mms.md §5: delivered → Retrieved, relayed → Forwarded, expanded →
/// Indeterminate, delayed → no report, failed → Expired when the status says the time ran out
/// (x.4.7), else Rejected. Unknown actions give no report.
pub fn mm_status(action: &Action, status: Option<&StatusCode>) -> Option<MmStatus> {
    match action {
        Action::Delivered => Some(MmStatus::Retrieved),
        Action::Relayed => Some(MmStatus::Forwarded),
        Action::Expanded => Some(MmStatus::Indeterminate),
        Action::Delayed => None,
        Action::Failed => match status {
            Some(s) if s.subject == 4 && s.detail == 7 => Some(MmStatus::Expired),
            _ => Some(MmStatus::Rejected),
        },
        Action::Other(_) => None,
    }
}

/// The reverse direction (MMSC DR → DSN to a fax/voice sender, spec/mms.md §5 "MM4 → external"):
/// Retrieved → delivered 2.0.0; Rejected → failed 5.0.0; Expired → failed 4.4.7; Unreachable →
/// failed 5.4.4; Unrecognised → failed 5.6.0; Deferred → delayed 4.0.0; Indeterminate and
/// Forwarded → relayed 2.0.0. `None` for values outside the vocabulary.
pub fn dsn_for_mm_status(s: &MmStatus) -> Option<(Action, StatusCode)> {
    Some(match s {
        MmStatus::Retrieved => (Action::Delivered, StatusCode::new(2, 0, 0)),
        MmStatus::Rejected => (Action::Failed, StatusCode::new(5, 0, 0)),
        MmStatus::Expired => (Action::Failed, StatusCode::new(4, 4, 7)),
        MmStatus::Unreachable => (Action::Failed, StatusCode::new(5, 4, 4)),
        MmStatus::Unrecognised => (Action::Failed, StatusCode::new(5, 6, 0)),
        MmStatus::Deferred => (Action::Delayed, StatusCode::new(4, 0, 0)),
        MmStatus::Indeterminate | MmStatus::Forwarded => {
            (Action::Relayed, StatusCode::new(2, 0, 0))
        }
        MmStatus::Other(_) => return None,
    })
}

/// Reads a DSN.
pub fn parse(raw: &[u8], limits: &super::Limits) -> Result<Dsn, Error> {
    let mime = mm::parse_mime(raw, &limits.mime)?;
    let mut findings = mime.findings.clone();
    let leaves = mime.body.leaves();
    let is_report = mime.body.content_type.mime == "multipart/report";
    let status_part = leaves
        .iter()
        .position(|p| {
            matches!(
                p.content_type.mime.as_str(),
                "message/delivery-status" | "message/global-delivery-status"
            )
        })
        .or_else(|| {
            // Old MTAs label the machine part text/plain; accept it inside a report only.
            let found = is_report.then(|| {
                leaves.iter().skip(1).position(|p| {
                    p.content_type.main_type() == "text" && has_field(p.bytes(), "action")
                })
            });
            found.flatten().map(|i| i + 1)
        })
        .ok_or(Error::NoStatusPart)?;
    let part = leaves.get(status_part).ok_or(Error::NoStatusPart)?;
    if part.bytes().len() > limits.max_report_part_bytes {
        return Err(Error::TooLarge {
            bytes: part.bytes().len(),
            limit: limits.max_report_part_bytes,
        });
    }
    let text = String::from_utf8_lossy(part.bytes());
    let mut dsn = Dsn {
        common: Common::read(&mime),
        reporting_mta: None,
        dsn_gateway: None,
        original_envelope_id: None,
        arrival_date: None,
        recipients: Vec::new(),
        human_text: None,
        spoken: None,
        returned_headers: Vec::new(),
        returned_message_id: None,
        findings: Vec::new(),
    };
    for group in header::field_groups(&text) {
        let mut current: Option<RecipientStatus> = None;
        for (name, value) in group {
            let lname = name.to_ascii_lowercase();
            match lname.as_str() {
                "reporting-mta" => dsn.reporting_mta = Some(value),
                "dsn-gateway" => dsn.dsn_gateway = Some(value),
                "original-envelope-id" => dsn.original_envelope_id = Some(value),
                "arrival-date" => dsn.arrival_date = header::parse_date(&value),
                "received-from-mta" => {}
                _ => {
                    let starts = matches!(lname.as_str(), "final-recipient" | "original-recipient");
                    let repeated = current.as_ref().is_some_and(|r| match lname.as_str() {
                        "final-recipient" => r.final_recipient.is_some(),
                        // Postfix writes Final- before Original-Recipient; a new
                        // Original-Recipient opens a block only once this one has an Action.
                        "original-recipient" => {
                            r.original_recipient.is_some()
                                || r.final_recipient.is_some()
                                    && r.action != Action::Other(String::new())
                        }
                        _ => false,
                    });
                    if starts && repeated {
                        // Two blocks without the blank line between them.
                        finish(&mut dsn, current.take(), limits, &mut findings);
                    }
                    let r = current.get_or_insert_with(empty_recipient);
                    recipient_field(r, &lname, &value, &mut findings);
                }
            }
        }
        finish(&mut dsn, current, limits, &mut findings);
    }
    if dsn.recipients.is_empty() {
        return Err(Error::NoRecipient);
    }
    if dsn.reporting_mta.is_none() {
        findings.push(Finding::warning("Reporting-MTA: missing"));
    }
    dsn.human_text = human_text(&leaves, status_part);
    dsn.spoken = leaves
        .iter()
        .take(status_part)
        .find(|p| p.content_type.main_type() == "audio")
        .map(|p| (*p).clone());
    returned(&leaves, status_part, &mut dsn, limits);
    dsn.findings = findings;
    Ok(dsn)
}

fn has_field(bytes: &[u8], name: &str) -> bool {
    let text = String::from_utf8_lossy(bytes.get(..4096).unwrap_or(bytes));
    header::field_groups(&text).iter().flatten().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

fn empty_recipient() -> RecipientStatus {
    RecipientStatus {
        original_recipient: None,
        final_recipient: None,
        action: Action::Other(String::new()),
        status: None,
        status_raw: None,
        diagnostic_code: None,
        remote_mta: None,
        last_attempt_date: None,
        will_retry_until: None,
    }
}

fn recipient_field(r: &mut RecipientStatus, lname: &str, value: &str, findings: &mut Vec<Finding>) {
    match lname {
        "original-recipient" => r.original_recipient = Some(TypedAddress::parse(value, findings)),
        "final-recipient" => r.final_recipient = Some(TypedAddress::parse(value, findings)),
        "action" => r.action = Action::parse(value),
        "status" => {
            r.status = StatusCode::parse(value);
            if r.status.is_none() {
                findings.push(Finding::warning(format!("Status: cannot read {value:?}")));
            }
            r.status_raw = Some(value.to_string());
        }
        "diagnostic-code" => r.diagnostic_code = Some(value.to_string()),
        "remote-mta" => r.remote_mta = Some(value.to_string()),
        "last-attempt-date" => r.last_attempt_date = header::parse_date(value),
        "will-retry-until" => r.will_retry_until = header::parse_date(value),
        _ => {}
    }
}

/// Adds a recipient block once it is complete enough to mean something.
fn finish(
    dsn: &mut Dsn,
    r: Option<RecipientStatus>,
    limits: &super::Limits,
    findings: &mut Vec<Finding>,
) {
    let Some(mut r) = r else { return };
    if r.final_recipient.is_none() && r.original_recipient.is_none() {
        findings.push(Finding::warning("a recipient block without Final-Recipient; skipped"));
        return;
    }
    if r.action == Action::Other(String::new()) {
        r.action = match r.status.map(|s| s.class) {
            Some(2) => Action::Delivered,
            Some(4) => Action::Delayed,
            Some(5) => Action::Failed,
            _ => Action::Other(String::new()),
        };
        findings.push(Finding::warning(format!(
            "Action: missing; taken as {:?} from the Status",
            r.action.as_str()
        )));
    }
    if dsn.recipients.len() >= limits.max_report_recipients {
        findings.push(Finding::warning(format!(
            "more than {} recipient blocks; the rest are ignored",
            limits.max_report_recipients
        )));
        return;
    }
    dsn.recipients.push(r);
}

/// The first text leaf before the machine part.
fn human_text(leaves: &[&Part], machine: usize) -> Option<String> {
    leaves.iter().take(machine).find_map(|p| match &p.body {
        Body::Text(t) if p.content_type.main_type() == "text" => Some(t.clone()),
        _ => None,
    })
}

/// The returned message or headers after the machine part.
fn returned(leaves: &[&Part], machine: usize, dsn: &mut Dsn, limits: &super::Limits) {
    let Some(p) = leaves.iter().skip(machine + 1).find(|p| {
        matches!(
            p.content_type.mime.as_str(),
            "message/rfc822" | "text/rfc822-headers" | "message/global" | "message/global-headers"
        )
    }) else {
        return;
    };
    let mut bytes = p.bytes().to_vec();
    // Headers-only bodies need the blank line that ends a header block.
    bytes.extend_from_slice(b"\r\n\r\n");
    match mm::parse_mime(&bytes, &limits.mime) {
        Ok(m) => {
            dsn.returned_message_id = m.header("Message-ID").map(header::msg_id);
            dsn.returned_headers = m.headers;
        }
        Err(e) => dsn.findings.push(Finding::warning(format!("returned message: {e}"))),
    }
}

/// One recipient of a DSN we send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsnRecipient {
    /// The address the sender originally used (ORCPT), if known.
    pub original_recipient: Option<String>,
    pub final_recipient: String,
    pub action: Action,
    pub status: StatusCode,
    /// `type; text`, e.g. `X-MM4; Rejected` (RFC 3464 allows x-token diagnostic types).
    pub diagnostic_code: Option<String>,
    pub last_attempt_date: Option<i64>,
}

/// A DSN the gateway sends (spec/mms.md §5 "MM4 → external").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsnReport {
    /// `From` = the recipient the report is about; `To` defaults to the return path.
    pub head: Head,
    /// The SMTP return path of the reported message: the only RCPT, never its `From`.
    pub return_path: String,
    /// Our host name (`Reporting-MTA: dns; <host>`).
    pub reporting_mta: String,
    /// The system we translate from (`DSN-Gateway: dns; <host>`), required when gatewaying.
    pub dsn_gateway: Option<String>,
    pub original_envelope_id: Option<String>,
    pub arrival_date: Option<i64>,
    pub recipients: Vec<DsnRecipient>,
    /// The human-readable part: carries the MM4 X-Mms-Status-Text.
    pub human_text: String,
    /// The reported message's header block, sent back as `text/rfc822-headers`.
    pub original_headers: Option<String>,
}

/// Builds a DSN with `MAIL FROM:<>` (RFC 3464 §2; never answered with another report).
pub fn build(r: &DsnReport) -> Result<Built, Error> {
    if r.recipients.is_empty() {
        return Err(Error::NoRecipient);
    }
    let envelope = MailEnvelope::plain(Envelope {
        mail_from: String::new(),
        rcpt_to: vec![r.return_path.clone()],
    })
    .map_err(super::Error::from)?;
    let mut head = r.head.clone();
    if head.to.is_empty() {
        head.to = vec![super::Mailbox::new(&r.return_path)];
    }
    let mut out = Vec::new();
    head.write(
        &mut out,
        &[("MIME-Version", "1.0".into()), ("Auto-Submitted", "auto-replied".into())],
    )?;

    let mut fields = String::new();
    let mut line = |name: &str, value: &str| -> Result<(), super::Error> {
        super::check_header(name, value)?;
        fields.push_str(&format!("{name}: {value}\r\n"));
        Ok(())
    };
    line("Reporting-MTA", &format!("dns; {}", r.reporting_mta))?;
    if let Some(g) = &r.dsn_gateway {
        line("DSN-Gateway", &format!("dns; {g}"))?;
    }
    if let Some(id) = &r.original_envelope_id {
        line("Original-Envelope-Id", id)?;
    }
    if let Some(d) = r.arrival_date {
        line("Arrival-Date", &mm::build::rfc5322_date(d))?;
    }
    for rcpt in &r.recipients {
        fields.push_str("\r\n");
        let mut line = |name: &str, value: &str| -> Result<(), super::Error> {
            super::check_header(name, value)?;
            fields.push_str(&format!("{name}: {value}\r\n"));
            Ok(())
        };
        if let Some(o) = &rcpt.original_recipient {
            line("Original-Recipient", &TypedAddress::rfc822(o).value())?;
        }
        line("Final-Recipient", &TypedAddress::rfc822(&rcpt.final_recipient).value())?;
        line("Action", rcpt.action.as_str())?;
        line("Status", &rcpt.status.to_string())?;
        if let Some(d) = &rcpt.diagnostic_code {
            line("Diagnostic-Code", d)?;
        }
        if let Some(d) = rcpt.last_attempt_date {
            line("Last-Attempt-Date", &mm::build::rfc5322_date(d))?;
        }
    }
    let mut children = vec![
        Child::Part(Part::text(&r.human_text)),
        Child::Raw { content_type: "message/delivery-status".into(), body: fields.into_bytes() },
    ];
    if let Some(h) = &r.original_headers {
        let mut p = Part::text(h.trim_end());
        p.content_type = ContentType::new("text/rfc822-headers");
        children.push(Child::Part(p));
    }
    let ct = ContentType::new("multipart/report").with_param("report-type", "delivery-status");
    super::write_multipart(&mut out, &ct, &children);
    Ok(Built { bytes: out, envelope })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Limits;

    #[test]
    fn mapping_table_rows() {
        let s = |c, sub, d| Some(StatusCode::new(c, sub, d));
        let rows: [(Action, Option<StatusCode>, Option<MmStatus>); 9] = [
            (Action::Delivered, s(2, 0, 0), Some(MmStatus::Retrieved)),
            (Action::Relayed, s(2, 0, 0), Some(MmStatus::Forwarded)),
            (Action::Expanded, s(2, 0, 0), Some(MmStatus::Indeterminate)),
            (Action::Delayed, s(4, 4, 1), None),
            (Action::Failed, s(4, 4, 7), Some(MmStatus::Expired)),
            (Action::Failed, s(5, 4, 7), Some(MmStatus::Expired)),
            (Action::Failed, s(5, 1, 1), Some(MmStatus::Rejected)),
            (Action::Failed, None, Some(MmStatus::Rejected)),
            (Action::Other("x".into()), s(2, 0, 0), None),
        ];
        for (a, st, want) in rows {
            assert_eq!(mm_status(&a, st.as_ref()), want, "{a:?} {st:?}");
        }
    }

    #[test]
    fn reverse_mapping_rows() {
        let rows = [
            (MmStatus::Retrieved, "delivered", "2.0.0"),
            (MmStatus::Rejected, "failed", "5.0.0"),
            (MmStatus::Expired, "failed", "4.4.7"),
            (MmStatus::Unreachable, "failed", "5.4.4"),
            (MmStatus::Unrecognised, "failed", "5.6.0"),
            (MmStatus::Deferred, "delayed", "4.0.0"),
            (MmStatus::Indeterminate, "relayed", "2.0.0"),
            (MmStatus::Forwarded, "relayed", "2.0.0"),
        ];
        for (s, action, code) in rows {
            let (a, c) = dsn_for_mm_status(&s).unwrap();
            assert_eq!((a.as_str(), c.to_string().as_str()), (action, code), "{s:?}");
            // Round trip back through the inbound table where the meaning survives.
            if !matches!(
                s,
                MmStatus::Deferred
                    | MmStatus::Indeterminate
                    | MmStatus::Unreachable
                    | MmStatus::Unrecognised
            ) {
                assert_eq!(mm_status(&a, Some(&c)), Some(s.clone()));
            }
        }
        assert_eq!(dsn_for_mm_status(&MmStatus::Other("x".into())), None);
    }

    #[test]
    fn status_codes() {
        assert_eq!(StatusCode::parse("5.1.1 (user unknown)"), Some(StatusCode::new(5, 1, 1)));
        assert_eq!(StatusCode::parse("2.0.0"), Some(StatusCode::new(2, 0, 0)));
        for bad in ["", "3.0.0", "5.1", "5.1.1.1", "5.1234.1", "x.y.z", "550"] {
            assert_eq!(StatusCode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tolerant_parse_of_merged_blocks() {
        let raw = "From: MAILER-DAEMON@x\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n\
            --b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n\
            --b\r\nContent-Type: message/delivery-status\r\n\r\n\
            reporting-mta: dns; mx.example\r\noriginal-envelope-id: tok\r\n\
            final-recipient: <a@x>\r\naction: FAILED (bad)\r\nstatus: 5.1.1 (unknown)\r\n\
            Final-Recipient: rfc822; b@x\r\nStatus: 2.0.0\r\n\r\n\
            --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m1@gw>\r\nSubject: s\r\n\
            --b--\r\n";
        let d = parse(raw.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(d.reporting_mta.as_deref(), Some("dns; mx.example"));
        assert_eq!(d.original_envelope_id.as_deref(), Some("tok"));
        assert_eq!(d.recipients.len(), 2);
        assert_eq!(d.recipients[0].final_recipient, Some(TypedAddress::rfc822("a@x")));
        assert_eq!(d.recipients[0].mm_status(), Some(MmStatus::Rejected));
        assert_eq!(d.recipients[1].action, Action::Delivered, "inferred from 2.0.0");
        assert_eq!(d.returned_message_id.as_deref(), Some("m1@gw"));
        assert_eq!(d.human_text.as_deref(), Some("Sorry."));
    }

    #[test]
    fn spoken_vpim_dsn() {
        let raw = "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n\
            --b\r\nContent-Type: audio/32kadpcm\r\nContent-Disposition: inline; voice=Voice-Message-Notification\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nd3d3dw==\r\n\
            --b\r\nContent-Type: message/delivery-status\r\n\r\n\
            Reporting-MTA: dns; vm.example\r\n\r\nFinal-Recipient: rfc822; 2722@vm.example\r\n\
            Action: failed\r\nStatus: 5.6.0\r\n\r\n--b--\r\n";
        let d = parse(raw.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(d.spoken.map(|p| p.bytes().to_vec()), Some(vec![0x77; 4]));
        assert!(d.human_text.is_none());
        assert_eq!(d.recipients[0].mm_status(), Some(MmStatus::Rejected));
    }

    #[test]
    fn not_a_dsn() {
        let raw = b"From: a@b\r\nContent-Type: text/plain\r\n\r\nAction: failed\r\n";
        assert_eq!(parse(raw, &Limits::default()), Err(Error::NoStatusPart));
    }
}
