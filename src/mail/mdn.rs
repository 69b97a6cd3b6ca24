//! Message disposition notifications (RFC 3798, RFC 8098): the read replies of voicemail
//! platforms and the processing confirmations of fax full mode (`dispatched` when the offramp
//! sent the fax, `processed/error` when it could not; RFC 2532, RFC 4160 §3.4).
//!
//! Parsing accepts every disposition type and modifier of RFC 2298, 3798 and 8098
//! (`displayed`, `deleted`, `dispatched`, `processed`, `denied`, `failed`; `error`, `expired`,
//! `mailbox-terminated`, …), a missing action-mode part, and any case. Building emits the
//! RFC 8098 forms. [`read_status`] is the table of spec/mms.md §5.
use serde::Serialize;

use super::dsn::TypedAddress;
use super::{Built, Child, Common, Head, MailEnvelope, header};
use crate::mm::{self, Body, Envelope, Finding, Part, ReadStatus};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not an MDN: no message/disposition-notification part")]
    NoNotificationPart,
    #[error("the disposition-notification part has no Disposition field")]
    NoDisposition,
    #[error("disposition-notification part of {bytes} bytes exceeds the limit of {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error(transparent)]
    Mail(#[from] super::Error),
}

impl From<mm::Error> for Error {
    fn from(e: mm::Error) -> Self {
        Error::Mail(e.into())
    }
}

/// The disposition-type (RFC 8098 §3.2.6; RFC 2298 adds denied and failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DispositionType {
    Displayed,
    Deleted,
    Dispatched,
    Processed,
    Denied,
    Failed,
    Other(String),
}

impl DispositionType {
    pub fn parse(v: &str) -> DispositionType {
        match v.trim().to_ascii_lowercase().as_str() {
            "displayed" => DispositionType::Displayed,
            "deleted" => DispositionType::Deleted,
            "dispatched" => DispositionType::Dispatched,
            "processed" => DispositionType::Processed,
            "denied" => DispositionType::Denied,
            "failed" => DispositionType::Failed,
            other => DispositionType::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            DispositionType::Displayed => "displayed",
            DispositionType::Deleted => "deleted",
            DispositionType::Dispatched => "dispatched",
            DispositionType::Processed => "processed",
            DispositionType::Denied => "denied",
            DispositionType::Failed => "failed",
            DispositionType::Other(s) => s,
        }
    }
}

/// `Disposition: action-mode/sending-mode; type[/modifier,…]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposition {
    /// `manual-action` or `automatic-action` (lower case); empty when the peer left it out.
    pub action_mode: String,
    /// `MDN-sent-manually` or `MDN-sent-automatically` (lower case); may be empty.
    pub sending_mode: String,
    pub kind: DispositionType,
    /// Lower case: `error`, `expired`, `mailbox-terminated`, …
    pub modifiers: Vec<String>,
}

impl Disposition {
    pub fn parse(v: &str) -> Option<Disposition> {
        let v = v.trim();
        let (modes, rest) = match v.split_once(';') {
            Some((m, r)) => (m.trim(), r.trim()),
            None => ("", v),
        };
        let (action_mode, sending_mode) = match modes.split_once('/') {
            Some((a, s)) => (a.trim().to_ascii_lowercase(), s.trim().to_ascii_lowercase()),
            None => (modes.to_ascii_lowercase(), String::new()),
        };
        let rest = header::strip_comment(rest);
        let (kind, modifiers) = match rest.split_once('/') {
            Some((k, m)) => (k, m),
            None => (rest, ""),
        };
        if kind.trim().is_empty() {
            return None;
        }
        let modifiers = modifiers
            .split(',')
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| !m.is_empty())
            .collect();
        Some(Disposition {
            action_mode,
            sending_mode,
            kind: DispositionType::parse(kind),
            modifiers,
        })
    }

    /// The field value, e.g. `manual-action/MDN-sent-automatically; displayed`.
    pub fn value(&self) -> String {
        // Only the two registered modes are written: whatever else a peer sent (or nothing)
        // reads as automatic.
        let action = match self.action_mode.as_str() {
            "manual-action" => "manual-action",
            _ => "automatic-action",
        };
        let sending = match self.sending_mode.to_ascii_lowercase().as_str() {
            "mdn-sent-manually" => "MDN-sent-manually",
            _ => "MDN-sent-automatically",
        };
        let mut v = format!("{action}/{sending}; {}", self.kind.as_str());
        if !self.modifiers.is_empty() {
            v.push('/');
            v.push_str(&self.modifiers.join(","));
        }
        v
    }

    /// Whether the peer reports a failure: the `error` modifier (fax full mode `processed/error`)
    /// or the RFC 2298 `failed` type.
    pub fn is_error(&self) -> bool {
        self.kind == DispositionType::Failed || self.modifiers.iter().any(|m| m == "error")
    }
}

/// The outcome table of spec/mms.md §5: displayed → Read; deleted, denied, failed → Deleted
/// without being read (any action mode); dispatched, processed and anything else → no read
/// reply (they are logged: for fax they confirm or deny the send, not a reading).
pub fn read_status(kind: &DispositionType) -> Option<ReadStatus> {
    match kind {
        DispositionType::Displayed => Some(ReadStatus::Read),
        DispositionType::Deleted | DispositionType::Denied | DispositionType::Failed => {
            Some(ReadStatus::DeletedWithoutBeingRead)
        }
        DispositionType::Dispatched | DispositionType::Processed | DispositionType::Other(_) => {
            None
        }
    }
}

/// The reverse direction (MMSC RR → MDN): Read → displayed, Deleted without being read →
/// deleted. The MM user acted, the MMSC reported automatically:
/// `manual-action/MDN-sent-automatically`.
pub fn disposition_for_read_status(s: &ReadStatus) -> Option<Disposition> {
    let kind = match s {
        ReadStatus::Read => DispositionType::Displayed,
        ReadStatus::DeletedWithoutBeingRead => DispositionType::Deleted,
        ReadStatus::Other(_) => return None,
    };
    Some(Disposition {
        action_mode: "manual-action".into(),
        sending_mode: "mdn-sent-automatically".into(),
        kind,
        modifiers: Vec::new(),
    })
}

/// A parsed MDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mdn {
    pub common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporting_ua: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mdn_gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_recipient: Option<TypedAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_recipient: Option<TypedAddress>,
    /// Without brackets: where our correlation token is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_message_id: Option<String>,
    pub disposition: Disposition,
    /// `Error:`, `Failure:` and `Warning:` field values (RFC 3798 §3.2.7, RFC 2298).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_text: Option<String>,
    pub findings: Vec<Finding>,
}

impl Mdn {
    pub fn read_status(&self) -> Option<ReadStatus> {
        read_status(&self.disposition.kind)
    }
}

/// Reads an MDN.
pub fn parse(raw: &[u8], limits: &super::Limits) -> Result<Mdn, Error> {
    let mime = mm::parse_mime(raw, &limits.mime)?;
    let mut findings = mime.findings.clone();
    let leaves = mime.body.leaves();
    let machine = leaves
        .iter()
        .position(|p| {
            matches!(
                p.content_type.mime.as_str(),
                "message/disposition-notification" | "message/global-disposition-notification"
            )
        })
        .ok_or(Error::NoNotificationPart)?;
    let part = leaves.get(machine).ok_or(Error::NoNotificationPart)?;
    let bytes = part.bytes();
    if bytes.len() > limits.max_report_part_bytes {
        return Err(Error::TooLarge { bytes: bytes.len(), limit: limits.max_report_part_bytes });
    }
    let text = String::from_utf8_lossy(bytes);
    let (mut disposition, mut raw_disposition) = (None, None);
    let mut mdn = Mdn {
        common: Common::read(&mime),
        reporting_ua: None,
        mdn_gateway: None,
        original_recipient: None,
        final_recipient: None,
        original_message_id: None,
        disposition: Disposition {
            action_mode: String::new(),
            sending_mode: String::new(),
            kind: DispositionType::Other(String::new()),
            modifiers: Vec::new(),
        },
        errors: Vec::new(),
        human_text: None,
        findings: Vec::new(),
    };
    for (name, value) in header::field_groups(&text).into_iter().flatten() {
        match name.to_ascii_lowercase().as_str() {
            "reporting-ua" => mdn.reporting_ua = Some(value),
            "mdn-gateway" => mdn.mdn_gateway = Some(value),
            "original-recipient" => {
                let (addr_type, address) = header::typed_address(&value);
                mdn.original_recipient = Some(TypedAddress { addr_type, address });
            }
            "final-recipient" => {
                let (addr_type, address) = header::typed_address(&value);
                mdn.final_recipient = Some(TypedAddress { addr_type, address });
            }
            "original-message-id" => mdn.original_message_id = Some(header::msg_id(&value)),
            "disposition" if disposition.is_none() => {
                disposition = Disposition::parse(&value);
                raw_disposition = Some(value);
            }
            "error" | "failure" | "warning" => mdn.errors.push(value),
            _ => {}
        }
    }
    match (disposition, raw_disposition) {
        (Some(d), _) => mdn.disposition = d,
        (None, Some(raw)) => {
            findings.push(Finding::error(format!("Disposition: cannot read {raw:?}")));
            return Err(Error::NoDisposition);
        }
        (None, None) => return Err(Error::NoDisposition),
    }
    if mdn.final_recipient.is_none() {
        findings.push(Finding::warning("Final-Recipient: missing"));
    }
    mdn.human_text = leaves.iter().take(machine).find_map(|p| match &p.body {
        Body::Text(t) if p.content_type.main_type() == "text" => Some(t.clone()),
        _ => None,
    });
    mdn.findings = findings;
    Ok(mdn)
}

/// An MDN the gateway sends (spec/mms.md §5 "MM4 → external").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdnReport {
    /// `From` = the MM recipient the report is about; `To` defaults to `notification_to`.
    pub head: Head,
    /// The reported message's `Disposition-Notification-To` address: the only RCPT.
    pub notification_to: String,
    /// Our host name (`Reporting-UA: <host>; mm3gw`).
    pub reporting_ua: String,
    /// The system we translate from (`MDN-Gateway: dns; <host>`, RFC 3798 §3.2.2).
    pub mdn_gateway: Option<String>,
    pub original_recipient: Option<String>,
    pub final_recipient: String,
    /// Without brackets; RFC 3798 requires it when the original had one.
    pub original_message_id: Option<String>,
    pub disposition: Disposition,
    pub human_text: String,
}

/// Builds an MDN with `MAIL FROM:<>` (RFC 3798 §3).
pub fn build(r: &MdnReport) -> Result<Built, Error> {
    let envelope = MailEnvelope::plain(Envelope {
        mail_from: String::new(),
        rcpt_to: vec![r.notification_to.clone()],
    })
    .map_err(super::Error::from)?;
    let mut head = r.head.clone();
    if head.to.is_empty() {
        head.to = vec![super::Mailbox::new(&r.notification_to)];
    }
    let mut out = Vec::new();
    head.write(
        &mut out,
        &[("MIME-Version", "1.0".into()), ("Auto-Submitted", "auto-replied".into())],
    )?;
    let mut fields: Vec<(&str, String)> =
        vec![("Reporting-UA", format!("{}; mm3gw", r.reporting_ua))];
    if let Some(g) = &r.mdn_gateway {
        fields.push(("MDN-Gateway", format!("dns; {g}")));
    }
    if let Some(o) = &r.original_recipient {
        fields.push(("Original-Recipient", format!("rfc822; {o}")));
    }
    fields.push(("Final-Recipient", format!("rfc822; {}", r.final_recipient)));
    if let Some(id) = &r.original_message_id {
        fields.push(("Original-Message-ID", format!("<{id}>")));
    }
    fields.push(("Disposition", r.disposition.value()));
    let mut body = String::new();
    for (name, value) in fields {
        super::check_header(name, &value)?;
        body.push_str(&format!("{name}: {value}\r\n"));
    }
    let children = vec![
        Child::Part(Part::text(&r.human_text)),
        Child::Raw {
            content_type: "message/disposition-notification".into(),
            body: body.into_bytes(),
        },
    ];
    let ct = mm::ContentType::new("multipart/report")
        .with_param("report-type", "disposition-notification");
    super::write_multipart(&mut out, &ct, &children);
    Ok(Built { bytes: out, envelope })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Limits;

    #[test]
    fn read_status_table_rows() {
        let rows = [
            ("displayed", Some(ReadStatus::Read)),
            ("deleted", Some(ReadStatus::DeletedWithoutBeingRead)),
            ("denied", Some(ReadStatus::DeletedWithoutBeingRead)),
            ("failed", Some(ReadStatus::DeletedWithoutBeingRead)),
            ("dispatched", None),
            ("processed", None),
            ("x-unknown", None),
        ];
        for (kind, want) in rows {
            assert_eq!(read_status(&DispositionType::parse(kind)), want, "{kind}");
        }
    }

    #[test]
    fn disposition_forms() {
        let d =
            Disposition::parse("automatic-action/MDN-sent-automatically; processed/error").unwrap();
        assert_eq!(d.kind, DispositionType::Processed);
        assert_eq!(d.modifiers, ["error"]);
        assert!(d.is_error());
        assert_eq!(d.value(), "automatic-action/MDN-sent-automatically; processed/error");
        let d = Disposition::parse("Displayed").unwrap();
        assert_eq!((d.kind, d.action_mode.as_str()), (DispositionType::Displayed, ""));
        let d =
            Disposition::parse("automatic-action/MDN-sent-automatically;deleted/expired (aged)")
                .unwrap();
        assert_eq!((d.kind, d.modifiers), (DispositionType::Deleted, vec!["expired".to_string()]));
        assert_eq!(Disposition::parse("manual-action/MDN-sent-manually;"), None);
        for s in [ReadStatus::Read, ReadStatus::DeletedWithoutBeingRead] {
            let d = disposition_for_read_status(&s).unwrap();
            assert_eq!(read_status(&d.kind), Some(s));
        }
    }

    #[test]
    fn missing_disposition_is_an_error() {
        let raw = "Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n\
            --b\r\nContent-Type: message/disposition-notification\r\n\r\nFinal-Recipient: rfc822; a@b\r\n--b--\r\n";
        assert_eq!(parse(raw.as_bytes(), &Limits::default()), Err(Error::NoDisposition));
    }
}
