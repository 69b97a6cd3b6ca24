//! The SMTP envelope of an outbound mail with its DSN parameters (RFC 3461 §4): what the
//! delivery code writes after `MAIL FROM:<…>` and each `RCPT TO:<…>`.
//!
//! Encoding choices (spec/t37-fax.md §4–§5): ORCPT is `rfc822;` + xtext of the unaltered
//! recipient (`FAX=+1202…` → `rfc822;FAX+3D+2B1202…`), ENVID is xtext too and its *encoded*
//! form must stay within 100 characters, the whole ORCPT parameter within 500 (the RFC does not
//! say before or after encoding; the encoded bound satisfies both readings).
use serde::Serialize;

use crate::mm::Envelope;

/// RFC 3461 §4.4: "up to 100 characters".
pub const MAX_ENVID: usize = 100;
/// RFC 3461 §4.2: the ORCPT parameter, `ORCPT=` included, up to 500 characters.
pub const MAX_ORCPT: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("ENVID is {len} characters once xtext-encoded; at most {MAX_ENVID} are allowed")]
    EnvidTooLong { len: usize },
    #[error("ENVID must be printable ASCII: {0:?}")]
    EnvidNotPrintable(String),
    #[error("ORCPT for {address:?} is {len} characters; at most {MAX_ORCPT} are allowed")]
    OrcptTooLong { address: String, len: usize },
    #[error("{0:?} cannot be an envelope address (space, control character, <, > or non-ASCII)")]
    BadAddress(String),
    #[error("no recipient")]
    NoRecipients,
    #[error("{requests} DSN recipient entries for {recipients} RCPT TO addresses")]
    Mismatch { requests: usize, recipients: usize },
}

/// `RET=` (RFC 3461 §4.3): what a failure DSN returns. The gateway asks for `Hdrs`, enough to
/// bring the Message-ID (and its correlation token) back without the fax or audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ret {
    Full,
    Hdrs,
}

/// `NOTIFY=` (RFC 3461 §4.1). `Never` stands alone; otherwise any of the three conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Notify {
    Never,
    On { success: bool, failure: bool, delay: bool },
}

impl Notify {
    /// What a delivery report needs (spec/mms.md §5): success and failure, never delay.
    pub const SUCCESS_FAILURE: Notify = Notify::On { success: true, failure: true, delay: false };

    pub fn value(self) -> String {
        match self {
            Notify::Never => "NEVER".into(),
            Notify::On { success, failure, delay } => {
                let mut v = Vec::new();
                success.then(|| v.push("SUCCESS"));
                failure.then(|| v.push("FAILURE"));
                delay.then(|| v.push("DELAY"));
                if v.is_empty() { "NEVER".into() } else { v.join(",") }
            }
        }
    }
}

/// The DSN parameters of one `RCPT TO`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RcptDsn {
    pub notify: Option<Notify>,
    /// The original recipient (unencoded, RFC 822 form); sent as `ORCPT=rfc822;<xtext>`.
    pub orcpt: Option<String>,
}

/// The DSN request of a whole transaction: ENVID and RET on `MAIL`, one entry per `RCPT`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DsnRequest {
    /// Unencoded; must be printable ASCII.
    pub envid: Option<String>,
    pub ret: Option<Ret>,
    /// Same order and length as [`Envelope::rcpt_to`], or empty for no per-recipient request.
    pub recipients: Vec<RcptDsn>,
}

impl DsnRequest {
    /// The full-mode delivery request for these recipients: `NOTIFY=SUCCESS,FAILURE`,
    /// `ORCPT=rfc822;<the recipient>`, `RET=HDRS` and the given ENVID.
    pub fn delivery_report(envid: &str, rcpt_to: &[String]) -> Self {
        Self {
            envid: Some(envid.to_string()),
            ret: Some(Ret::Hdrs),
            recipients: rcpt_to
                .iter()
                .map(|r| RcptDsn { notify: Some(Notify::SUCCESS_FAILURE), orcpt: Some(r.clone()) })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.envid.is_none() && self.ret.is_none() && self.recipients.is_empty()
    }
}

/// An envelope with the DSN request that goes with it. Valid by construction through
/// [`MailEnvelope::new`]: addresses are safe to put between angle brackets and the parameters
/// fit their limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailEnvelope {
    pub envelope: Envelope,
    pub dsn: DsnRequest,
}

impl MailEnvelope {
    pub fn new(envelope: Envelope, dsn: DsnRequest) -> Result<Self, Error> {
        if envelope.rcpt_to.is_empty() {
            return Err(Error::NoRecipients);
        }
        for a in std::iter::once(&envelope.mail_from).chain(&envelope.rcpt_to) {
            check_address(a)?;
        }
        if !dsn.recipients.is_empty() && dsn.recipients.len() != envelope.rcpt_to.len() {
            return Err(Error::Mismatch {
                requests: dsn.recipients.len(),
                recipients: envelope.rcpt_to.len(),
            });
        }
        if let Some(id) = &dsn.envid {
            if !id.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return Err(Error::EnvidNotPrintable(id.clone()));
            }
            let len = xtext_encode(id).len();
            if len > MAX_ENVID {
                return Err(Error::EnvidTooLong { len });
            }
        }
        for r in &dsn.recipients {
            if let Some(o) = &r.orcpt {
                check_address(o)?;
                let len = orcpt_param(o).len();
                if len > MAX_ORCPT {
                    return Err(Error::OrcptTooLong { address: o.clone(), len });
                }
            }
        }
        Ok(Self { envelope, dsn })
    }

    /// A plain envelope, no DSN parameters.
    pub fn plain(envelope: Envelope) -> Result<Self, Error> {
        Self::new(envelope, DsnRequest::default())
    }

    /// Parameters for `MAIL FROM:<…>`, e.g. `["RET=HDRS", "ENVID=mm3gw.x"]`.
    pub fn mail_params(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(r) = self.dsn.ret {
            p.push(match r {
                Ret::Full => "RET=FULL".to_string(),
                Ret::Hdrs => "RET=HDRS".to_string(),
            });
        }
        if let Some(id) = &self.dsn.envid {
            p.push(format!("ENVID={}", xtext_encode(id)));
        }
        p
    }

    /// Parameters for the `index`th `RCPT TO:<…>`, e.g.
    /// `["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;FAX+3D+2B12025550100@offramp.example"]`.
    pub fn rcpt_params(&self, index: usize) -> Vec<String> {
        let Some(r) = self.dsn.recipients.get(index) else { return Vec::new() };
        let mut p = Vec::new();
        if let Some(n) = r.notify {
            p.push(format!("NOTIFY={}", n.value()));
        }
        if let Some(o) = &r.orcpt {
            p.push(orcpt_param(o));
        }
        p
    }

    /// Whether the transport must offer the DSN extension for this envelope.
    pub fn needs_dsn(&self) -> bool {
        !self.dsn.is_empty()
    }
}

fn orcpt_param(address: &str) -> String {
    format!("ORCPT=rfc822;{}", xtext_encode(address))
}

/// Addresses go between `<` and `>` on the command line: no space, control, bracket or
/// non-ASCII (SMTPUTF8 is not assumed). The null path is allowed for `MAIL FROM`.
fn check_address(a: &str) -> Result<(), Error> {
    if a.bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>') {
        Ok(())
    } else {
        Err(Error::BadAddress(a.to_string()))
    }
}

/// RFC 3461 §4: `+`, `=`, and anything outside `!`..`~` become `+XX` (upper-case hex).
pub fn xtext_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            out.push(b as char);
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

/// The inverse of [`xtext_encode`]; a `+` not followed by two hex digits is kept as is
/// (tolerance for peers that never encoded).
pub fn xtext_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'+', Some(v)) if hex.is_some_and(|h| h.bytes().all(|c| c.is_ascii_hexdigit())) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(rcpt: &[&str]) -> Envelope {
        Envelope {
            mail_from: "+4917012345@gw.example".into(),
            rcpt_to: rcpt.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn xtext_of_a_fax_address() {
        assert_eq!(
            xtext_encode("FAX=+12027653000@offramp.example"),
            "FAX+3D+2B12027653000@offramp.example"
        );
        assert_eq!(
            xtext_decode("FAX+3D+2B12027653000@offramp.example"),
            "FAX=+12027653000@offramp.example"
        );
        assert_eq!(xtext_encode("a b"), "a+20b");
        assert_eq!(xtext_decode("+4"), "+4");
        assert_eq!(xtext_decode("+zz"), "+zz");
        assert_eq!(xtext_decode("x+"), "x+");
    }

    #[test]
    fn full_mode_parameters() {
        let rcpt = "FAX=+12027653000@offramp.example";
        let e = env(&[rcpt]);
        let dsn = DsnRequest::delivery_report("mm3gw.abc", &e.rcpt_to);
        let m = MailEnvelope::new(e, dsn).unwrap();
        assert_eq!(m.mail_params(), ["RET=HDRS", "ENVID=mm3gw.abc"]);
        assert_eq!(
            m.rcpt_params(0),
            ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;FAX+3D+2B12027653000@offramp.example"]
        );
        assert!(m.rcpt_params(1).is_empty());
        assert!(m.needs_dsn());
    }

    #[test]
    fn limits_and_bad_addresses() {
        let e = env(&["a@b"]);
        let long = "x".repeat(101);
        let dsn = DsnRequest { envid: Some(long), ..DsnRequest::default() };
        assert_eq!(MailEnvelope::new(e.clone(), dsn), Err(Error::EnvidTooLong { len: 101 }));
        // 34 '=' become 102 characters: the encoded length counts.
        let dsn = DsnRequest { envid: Some("=".repeat(34)), ..DsnRequest::default() };
        assert_eq!(MailEnvelope::new(e.clone(), dsn), Err(Error::EnvidTooLong { len: 102 }));
        let orcpt = format!("{}@b", "a".repeat(490));
        let dsn = DsnRequest {
            recipients: vec![RcptDsn { notify: None, orcpt: Some(orcpt) }],
            ..DsnRequest::default()
        };
        assert!(matches!(MailEnvelope::new(e.clone(), dsn), Err(Error::OrcptTooLong { .. })));
        assert_eq!(MailEnvelope::plain(env(&["a b@c"])), Err(Error::BadAddress("a b@c".into())));
        assert_eq!(MailEnvelope::plain(env(&[])), Err(Error::NoRecipients));
        let two = DsnRequest::delivery_report("x", &["a@b".into(), "c@d".into()]);
        assert!(matches!(MailEnvelope::new(e, two), Err(Error::Mismatch { .. })));
        assert_eq!(Notify::Never.value(), "NEVER");
        let none = Notify::On { success: false, failure: false, delay: false };
        assert_eq!(none.value(), "NEVER");
    }

    #[test]
    fn null_reverse_path_is_allowed() {
        let e = Envelope { mail_from: String::new(), rcpt_to: vec!["a@b".into()] };
        assert!(MailEnvelope::plain(e).is_ok());
    }
}
