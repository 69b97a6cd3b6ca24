//! The report token: correlation without shared state (design.md, "Correlation").
//!
//! An MM that leaves as fax mail or VPIM carries its identity in its Message-ID, signed with the
//! gateway's key, so that a DSN or MDN coming back to *any* instance with the same key and
//! hostname can be turned into the MM4 report without a database:
//!
//! ```text
//! Message-ID: <m3.{base64url(payload ‖ mac)}@{hostname}>
//! payload = version(1)=1 ‖ flags(1) ‖ unix time(8, BE) ‖ field × 4, each len(2, BE) ‖ bytes:
//!           MM message id (byte for byte), originator (From), originator system, recipient
//! mac     = HMAC-SHA256(key, payload)[..16]
//! ENVID   = m3.{base64url(HMAC-SHA256(key, "envid" ‖ payload)[..15])}   (23 characters)
//! ```
//! base64url without padding needs no xtext escaping (no `+`, `=`) and is a valid dot-atom; the
//! ENVID stays under RFC 3461's 100 characters, and a Message-ID that would not fit on one
//! 998-octet line is not made (the message then leaves without a token: its reports cannot be
//! correlated, and the gateway says so). The ENVID is only a digest: DSNs that return nothing else can be matched only
//! where the digest is known (see `process`), never guessed.
//!
//! Keys rotate by configuring the previous key beside the new one: tokens are signed with the
//! current key and verified against both.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::hmac;

/// What the token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub flags: Flags,
    /// When the outbound message was built (Unix seconds).
    pub time: u64,
    /// The MM's X-Mms-Message-ID, byte for byte as received.
    pub mm_id: String,
    /// The MM's originator (its `From`), the `To` of the report.
    pub originator: String,
    /// Where the report goes: the REQ's X-Mms-Originator-System.
    pub originator_system: String,
    /// The external recipient this copy went to.
    pub recipient: String,
}

/// Which reports the MM asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// X-Mms-Delivery-Report: Yes (DR with Forward-To-Originator-UA: Yes).
    pub delivery_report: bool,
    /// X-Mms-Originator-R/S-Delivery-Report: Yes.
    pub rs_delivery_report: bool,
    /// X-Mms-Read-Reply: Yes.
    pub read_reply: bool,
}

impl Flags {
    fn to_byte(self) -> u8 {
        u8::from(self.delivery_report)
            | u8::from(self.rs_delivery_report) << 1
            | u8::from(self.read_reply) << 2
    }

    fn from_byte(b: u8) -> Flags {
        Flags {
            delivery_report: b & 1 != 0,
            rs_delivery_report: b & 2 != 0,
            read_reply: b & 4 != 0,
        }
    }
}

/// Why a token was refused. Every refusal is counted (`mm3gw_tokens_refused_total`) and never
/// reported to the MMSC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not an mm3gw token")]
    NotAToken,
    #[error("token is not valid base64url or is truncated")]
    Malformed,
    #[error("token version {0} is not known")]
    UnknownVersion(u8),
    #[error("token signature does not verify with any configured key")]
    BadSignature,
    #[error("token was issued for host {0}, not this gateway")]
    WrongHost(String),
}

const PREFIX: &str = "m3.";
/// The longest token Message-ID: one 998-octet header line (RFC 5322 §2.1.1) after
/// `Original-Message-ID: `, the longest field that carries it back (an MDN, RFC 3798 §3.2.5;
/// `X-Mms-Message-ID: ` and `Message-ID: ` are shorter). A msg-id cannot be folded.
pub const MAX_ID_LEN: usize = 998 - "Original-Message-ID: ".len();
const MAC_LEN: usize = 16;

/// The signing keys: the current one first, then the previous one (rotation).
pub struct Keys {
    keys: Vec<hmac::Key>,
    hostname: String,
}

impl Keys {
    pub fn new(current: &[u8], previous: Option<&[u8]>, hostname: &str) -> Keys {
        let mut keys = vec![hmac::Key::new(hmac::HMAC_SHA256, current)];
        if let Some(p) = previous {
            keys.push(hmac::Key::new(hmac::HMAC_SHA256, p));
        }
        Keys { keys, hostname: hostname.to_ascii_lowercase() }
    }

    fn payload(t: &Token) -> Vec<u8> {
        let mut p = vec![1, t.flags.to_byte()];
        p.extend_from_slice(&t.time.to_be_bytes());
        for f in [&t.mm_id, &t.originator, &t.originator_system, &t.recipient] {
            // Fields are capped at u16::MAX; longer ones cannot come from a sane MM4 header.
            let b = &f.as_bytes()[..f.len().min(u16::MAX as usize)];
            p.extend_from_slice(&(b.len() as u16).to_be_bytes());
            p.extend_from_slice(b);
        }
        p
    }

    /// The Message-ID (with angle brackets) carrying the signed token, or `None` when the
    /// token's fields are too long for it to fit on one header line ([`MAX_ID_LEN`]).
    pub fn message_id(&self, t: &Token) -> Option<String> {
        let mut raw = Self::payload(t);
        let tag = hmac::sign(&self.keys[0], &raw);
        raw.extend_from_slice(&tag.as_ref()[..MAC_LEN]);
        let id = format!("<{PREFIX}{}@{}>", B64.encode(raw), self.hostname);
        (id.len() <= MAX_ID_LEN).then_some(id)
    }

    /// The ENVID: a short signed digest of the token.
    pub fn envid(&self, t: &Token) -> String {
        let mut ctx = hmac::Context::with_key(&self.keys[0]);
        ctx.update(b"envid");
        ctx.update(&Self::payload(t));
        format!("{PREFIX}{}", B64.encode(&ctx.sign().as_ref()[..15]))
    }

    /// Verifies a Message-ID (brackets and surrounding space optional) and returns its token.
    pub fn verify(&self, message_id: &str) -> Result<Token, TokenError> {
        let s = message_id.trim().trim_start_matches('<').trim_end_matches('>');
        let (local, host) = s.rsplit_once('@').ok_or(TokenError::NotAToken)?;
        let b64 = local.strip_prefix(PREFIX).ok_or(TokenError::NotAToken)?;
        if !host.eq_ignore_ascii_case(&self.hostname) {
            return Err(TokenError::WrongHost(host.to_owned()));
        }
        let raw = B64.decode(b64).map_err(|_| TokenError::Malformed)?;
        if raw.len() < 2 + 8 + MAC_LEN {
            return Err(TokenError::Malformed);
        }
        let (payload, mac) = raw.split_at(raw.len() - MAC_LEN);
        let ok = self.keys.iter().any(|k| {
            let tag = hmac::sign(k, payload);
            // Constant-time comparison of the truncated tag.
            ring_eq(&tag.as_ref()[..MAC_LEN], mac)
        });
        if !ok {
            return Err(TokenError::BadSignature);
        }
        if payload[0] != 1 {
            return Err(TokenError::UnknownVersion(payload[0]));
        }
        let flags = Flags::from_byte(payload[1]);
        let time =
            u64::from_be_bytes(payload[2..10].try_into().map_err(|_| TokenError::Malformed)?);
        let mut rest = &payload[10..];
        let mut fields = Vec::with_capacity(4);
        for _ in 0..4 {
            if rest.len() < 2 {
                return Err(TokenError::Malformed);
            }
            let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
            let body = rest.get(2..2 + n).ok_or(TokenError::Malformed)?;
            fields.push(String::from_utf8(body.to_vec()).map_err(|_| TokenError::Malformed)?);
            rest = &rest[2 + n..];
        }
        let [mm_id, originator, originator_system, recipient]: [String; 4] =
            fields.try_into().map_err(|_| TokenError::Malformed)?;
        Ok(Token { flags, time, mm_id, originator, originator_system, recipient })
    }

    /// Finds and verifies every token-looking Message-ID in a text (a DSN's returned headers,
    /// an MDN's Original-Message-ID); returns the first that verifies, or the last refusal.
    pub fn find_in(&self, text: &str) -> Option<Result<Token, TokenError>> {
        let mut last = None;
        for (i, _) in text.match_indices(&format!("<{PREFIX}")) {
            let Some(end) = text[i..].find('>') else { continue };
            match self.verify(&text[i..=i + end]) {
                Ok(t) => return Some(Ok(t)),
                Err(e) => last = Some(Err(e)),
            }
        }
        last
    }
}

fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        Token {
            flags: Flags { delivery_report: true, rs_delivery_report: false, read_reply: true },
            time: 1_704_103_200,
            mm_id: "\"mid-4711@mms.mnc002.mcc262.gprs\"".into(),
            originator: "+4917012345/TYPE=PLMN".into(),
            originator_system: "system-user@mms.mnc002.mcc262.gprs".into(),
            recipient: "FAX=+4930123456@offramp.example".into(),
        }
    }

    #[test]
    fn round_trip_and_sizes() {
        let k = Keys::new(b"0123456789abcdef0123456789abcdef", None, "GW.example");
        let mid = k.message_id(&token()).unwrap();
        assert!(mid.len() < 998 && mid.ends_with("@gw.example>"), "{mid}");
        assert_eq!(k.verify(&mid).unwrap(), token());
        assert_eq!(k.verify(&format!("  {}  ", mid.trim_matches(['<', '>']))).unwrap(), token());
        // A token that would not fit one header line is not made.
        let long = Token { mm_id: "x".repeat(700), ..token() };
        assert_eq!(k.message_id(&long), None);
        let fits = Token { mm_id: "x".repeat(500), ..token() };
        assert_eq!(MAX_ID_LEN, 977);
        assert!(k.message_id(&fits).is_some_and(|m| m.len() <= MAX_ID_LEN));
        let envid = k.envid(&token());
        assert_eq!(envid.len(), 23);
        assert!(envid.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    }

    #[test]
    fn forged_altered_and_foreign_tokens_are_refused() {
        let k = Keys::new(b"0123456789abcdef0123456789abcdef", None, "gw.example");
        let other = Keys::new(b"another key, also 32 characters!", None, "gw.example");
        let mid = other.message_id(&token()).unwrap();
        assert_eq!(k.verify(&mid), Err(TokenError::BadSignature));
        // Flip one character of the payload.
        let mut m = k.message_id(&token()).unwrap().into_bytes();
        m[10] = if m[10] == b'A' { b'B' } else { b'A' };
        assert!(k.verify(&String::from_utf8(m).unwrap()).is_err());
        assert_eq!(k.verify("<abc@gw.example>"), Err(TokenError::NotAToken));
        assert_eq!(k.verify("<m3.!!!@gw.example>"), Err(TokenError::Malformed));
        assert_eq!(k.verify("<m3.AAAA@gw.example>"), Err(TokenError::Malformed));
        assert!(matches!(
            k.verify(&k.message_id(&token()).unwrap().replace("gw.example", "x.example")),
            Err(TokenError::WrongHost(_))
        ));
    }

    #[test]
    fn rotation_accepts_the_previous_key() {
        let old = Keys::new(b"the old key, 32 characters long!", None, "gw.example");
        let new = Keys::new(
            b"the new key, 32 characters long!",
            Some(b"the old key, 32 characters long!"),
            "gw.example",
        );
        assert_eq!(new.verify(&old.message_id(&token()).unwrap()).unwrap(), token());
    }

    #[test]
    fn found_inside_a_report() {
        let k = Keys::new(b"0123456789abcdef0123456789abcdef", None, "gw.example");
        let text = format!(
            "Reporting-MTA: dns; x\r\n\r\nMessage-ID: <m3.zzz@gw.example>\r\nMessage-ID: {}\r\n",
            k.message_id(&token()).unwrap()
        );
        assert_eq!(k.find_in(&text).unwrap().unwrap(), token());
        assert!(k.find_in("no token here").is_none());
        assert!(k.find_in("Original-Message-ID: <m3.forged@gw.example>").unwrap().is_err());
    }

    #[test]
    fn no_panic_on_garbage() {
        let k = Keys::new(b"0123456789abcdef0123456789abcdef", None, "gw.example");
        let good = k.message_id(&token()).unwrap();
        for cut in 0..good.len() {
            let _ = k.verify(&good[..cut]);
        }
        for len in 0..40 {
            let _ = k.verify(&format!("<m3.{}@gw.example>", "A".repeat(len)));
        }
    }
}
