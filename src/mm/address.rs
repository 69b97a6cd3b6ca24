//! Addresses on both sides of the gateway, parsed tolerantly and written canonically.
//!
//! - [`MmsAddress`]: the MM4 `From`/`To`/`Cc` forms (OMA MMS ENC §8 grammar, spec/mms.md §3),
//!   read with the deviations of spec/mms.md §7 (`/type=plmn` in any case, a trailing `@domain`,
//!   display names, angle brackets, bare `+E164`).
//! - [`E164`] with [`E164Policy`]: the normalisation policy of spec/mms.md §3.
//! - [`FaxAddress`]: the RFC 3192 minimal fax address (`FAX=+12125550100/T33S=123@offramp`).
//! - [`VpimAddress`]: the RFC 3801 §4.1.1 / RFC 3804 voice-mail address (`+16135550100+230@vm`).
//!
//! Everything here is pure string work: no DNS, no routing decisions.

use std::{
    fmt,
    net::{Ipv4Addr, Ipv6Addr},
    str::FromStr,
};

use serde::{Deserialize, Serialize, Serializer};

/// Why an address could not be read. Every variant carries the text as it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("empty address")]
    Empty,
    #[error("unbalanced angle brackets in address {0:?}")]
    Unbalanced(String),
    #[error("not a global phone number: {0:?}")]
    BadPhoneNumber(String),
    #[error("not an IPv4 address: {0:?}")]
    BadIpv4(String),
    #[error("not an IPv6 address: {0:?}")]
    BadIpv6(String),
    #[error("missing or invalid address type after /TYPE= in {0:?}")]
    BadAddressType(String),
    #[error("not an e-mail address: {0:?}")]
    BadEmail(String),
    #[error("not an MMS address (no /TYPE=, no @, not a short code): {0:?}")]
    Unrecognised(String),
    #[error("not an E.164 number (+ and 1 to 15 digits, no leading 0): {0:?}")]
    NotE164(String),
    #[error("{0:?} is a national number, but no country code is configured")]
    NoCountryCode(String),
    #[error("missing or invalid domain after @ in {0:?}")]
    BadDomain(String),
    #[error("not an RFC 3192 fax address ({reason}): {address:?}")]
    BadFax { address: String, reason: &'static str },
    #[error("not an RFC 3804 VPIM address ({reason}): {address:?}")]
    BadVpim { address: String, reason: &'static str },
}

// ------------------------------------------------------------------------------------------------
// MMS addresses

/// An MMS address as MM4 carries it in `From`, `To` and `Cc`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MmsAddress {
    /// `global-phone-number "/TYPE=PLMN"`: the number as written (`+4917012345`, or a national
    /// number; `-` and `.` kept, whitespace removed). Normalise with [`MmsAddress::to_e164`].
    Plmn(String),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// An RFC 2822 mailbox (`addr-spec`), as written.
    Email(String),
    /// A numeric (`12345`, `+123`, `*123`, `#123`) or alphanumeric (`INFO`) short code.
    ShortCode(String),
    /// `escaped-value "/TYPE=" address-type` for any other type, both kept as written.
    Other {
        value: String,
        addr_type: String,
    },
}

/// The shortest `+digits` written without `/TYPE=` that is read as a phone number rather than a
/// short code (Gecko reads `+123` as a short code; the shortest E.164 numbers in use have 7
/// digits) [P].
const MIN_BARE_E164_DIGITS: usize = 7;

impl MmsAddress {
    /// Reads an address in any of the forms of spec/mms.md §3 and §7:
    /// `+4917012345/TYPE=PLMN`, `+4917012345/type=plmn@mms.example` (the domain is dropped; see
    /// [`MmsAddress::parse_envelope`] to keep it), `10.1.2.3/TYPE=IPv4`, `…/TYPE=IPv6` (full or
    /// `::`-compressed), `x/TYPE=foo`, `alice@example.com`, `"Alice" <alice@example.com>`,
    /// `<+4917012345/TYPE=PLMN>`, a bare `+4917012345` (read as PLMN when it has at least 7
    /// digits), and short codes.
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        Self::parse_envelope(s).map(|(address, _)| address)
    }

    /// Like [`MmsAddress::parse`], also returning the `@domain` written after a `/TYPE=` device
    /// address (the MMSE that owns it, in SMTP envelopes and in Mbuni's headers).
    pub fn parse_envelope(s: &str) -> Result<(Self, Option<String>), AddressError> {
        let addr = addr_spec(s)?;
        if addr.is_empty() {
            return Err(AddressError::Empty);
        }
        // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `addr`.
        let lower = addr.to_ascii_lowercase();
        if let Some(pos) = lower.rfind("/type=") {
            let value = addr.get(..pos).unwrap_or("").trim();
            let rest = addr.get(pos + "/type=".len()..).unwrap_or("");
            let (addr_type, domain) = match rest.split_once('@') {
                Some((t, d)) => (t.trim(), Some(d.trim())),
                None => (rest.trim(), None),
            };
            let domain = match domain {
                Some(d) if is_domain(d) => Some(d.to_owned()),
                Some(_) => return Err(AddressError::BadDomain(s.to_owned())),
                None => None,
            };
            return Ok((Self::device(value, addr_type, s)?, domain));
        }
        if addr.contains('@') {
            return if is_email(addr) {
                Ok((MmsAddress::Email(addr.to_owned()), None))
            } else {
                Err(AddressError::BadEmail(s.to_owned()))
            };
        }
        Ok((Self::bare(addr, s)?, None))
    }

    /// A `value "/TYPE=" type` address.
    fn device(value: &str, addr_type: &str, original: &str) -> Result<Self, AddressError> {
        match addr_type.to_ascii_lowercase().as_str() {
            "plmn" => {
                let number: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                if is_global_phone(&number) {
                    Ok(MmsAddress::Plmn(number))
                } else {
                    Err(AddressError::BadPhoneNumber(original.to_owned()))
                }
            }
            "ipv4" => parse_ipv4(value)
                .map(MmsAddress::Ipv4)
                .ok_or_else(|| AddressError::BadIpv4(original.to_owned())),
            "ipv6" => value
                .parse::<Ipv6Addr>()
                .map(MmsAddress::Ipv6)
                .map_err(|_| AddressError::BadIpv6(original.to_owned())),
            _ if is_token(addr_type) && !value.is_empty() && is_header_safe(value) => {
                Ok(MmsAddress::Other { value: value.to_owned(), addr_type: addr_type.to_owned() })
            }
            _ => Err(AddressError::BadAddressType(original.to_owned())),
        }
    }

    /// An address with neither `/TYPE=` nor `@`: a bare phone number or a short code.
    fn bare(addr: &str, original: &str) -> Result<Self, AddressError> {
        if let Some(rest) = addr.strip_prefix('+') {
            let digits = rest.bytes().filter(u8::is_ascii_digit).count();
            if is_global_phone(addr) && digits >= MIN_BARE_E164_DIGITS {
                return Ok(MmsAddress::Plmn(addr.to_owned()));
            }
        }
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let code = addr.strip_prefix(['+', '*', '#']).unwrap_or(addr);
        let alnum = addr.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if numeric(code) || (alnum && !addr.is_empty()) {
            Ok(MmsAddress::ShortCode(addr.to_owned()))
        } else {
            Err(AddressError::Unrecognised(original.to_owned()))
        }
    }

    /// The SMTP envelope form (spec/mms.md §3): device addresses and short codes qualified with
    /// the MMSE `domain` (`+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs`, `12345@relay`); an
    /// e-mail address as it is.
    pub fn envelope(&self, domain: &str) -> String {
        match self {
            MmsAddress::Email(addr) => addr.clone(),
            other => format!("{other}@{domain}"),
        }
    }

    /// The number of a PLMN address, normalised by `policy`; `NotE164` for other kinds.
    pub fn to_e164(&self, policy: &E164Policy) -> Result<E164, AddressError> {
        match self {
            MmsAddress::Plmn(number) => E164::parse(number, policy),
            other => Err(AddressError::NotE164(other.to_string())),
        }
    }
}

impl fmt::Display for MmsAddress {
    /// The canonical MM4 header form: `+4917012345/TYPE=PLMN`, `10.1.2.3/TYPE=IPv4`,
    /// `2001:0DB8:…/TYPE=IPv6` (all eight groups of four digits, as the ENC grammar has it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MmsAddress::Plmn(number) => write!(f, "{number}/TYPE=PLMN"),
            MmsAddress::Ipv4(ip) => write!(f, "{ip}/TYPE=IPv4"),
            MmsAddress::Ipv6(ip) => {
                for (i, group) in ip.segments().iter().enumerate() {
                    if i > 0 {
                        f.write_str(":")?;
                    }
                    write!(f, "{group:04X}")?;
                }
                f.write_str("/TYPE=IPv6")
            }
            MmsAddress::Email(addr) | MmsAddress::ShortCode(addr) => f.write_str(addr),
            MmsAddress::Other { value, addr_type } => write!(f, "{value}/TYPE={addr_type}"),
        }
    }
}

/// The `addr-spec` of a header value: the part in `<>` when there is one (a display name, quoted
/// or not, is dropped), else the trimmed value.
fn addr_spec(s: &str) -> Result<&str, AddressError> {
    let s = s.trim();
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '<' if !in_quote => {
                let rest = s.get(i + 1..).unwrap_or("");
                let Some(end) = rest.find('>') else {
                    return Err(AddressError::Unbalanced(s.to_owned()));
                };
                return Ok(rest.get(..end).unwrap_or("").trim());
            }
            '>' if !in_quote => return Err(AddressError::Unbalanced(s.to_owned())),
            _ => {}
        }
    }
    Ok(s)
}

/// `global-phone-number = ["+"] 1*(DIGIT / "-" / ".")`, with at least one digit.
fn is_global_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
        && body.bytes().any(|b| b.is_ascii_digit())
}

/// `ipv4 = 1*3DIGIT 3("." 1*3DIGIT)`, each at most 255. Leading zeros are accepted (the grammar
/// allows them; std's parser does not).
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut fields = s.split('.');
    for octet in &mut octets {
        let field = fields.next()?;
        if field.is_empty() || field.len() > 3 || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = field.parse().ok()?;
    }
    fields.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// An address-type or qualifier keyword: letters, digits, `-`, `_`.
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Printable ASCII without the characters that would change how a header address is read.
fn is_header_safe(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b',' | b'@'))
}

/// A domain name or a domain literal: no whitespace, no address punctuation.
fn is_domain(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'@' | b'<' | b'>' | b'"' | b',' | b';' | b'\\')
        })
}

/// `local@domain` with a non-empty local part (dot-atom or quoted string) and a domain.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        local.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
    } else {
        !local.is_empty() && local.bytes().all(is_atext_or_dot)
    };
    local_ok && is_domain(domain)
}

/// RFC 5322 `atext`, plus `.` for dot-atoms.
fn is_atext_or_dot(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

// ------------------------------------------------------------------------------------------------
// E.164

/// How to turn a dialled or written number into E.164 (spec/mms.md §3 policy). Deserialisable
/// for the gateway config; fields left out keep their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct E164Policy {
    /// Dialled before a country code (`00` in most of the world, `011` in NANP). A leading `00`
    /// is accepted as well, whatever this is.
    pub international_prefix: String,
    /// Added to national numbers (`49`; a leading `+` is ignored). `None`: national numbers are
    /// refused.
    pub country_code: Option<String>,
    /// The trunk prefix dropped from a national number before the country code is added (`0` in
    /// Germany or the UK). Empty where the national number keeps its leading digit (Italy).
    pub national_prefix: String,
}

impl Default for E164Policy {
    fn default() -> Self {
        Self {
            international_prefix: "00".to_owned(),
            country_code: None,
            national_prefix: "0".to_owned(),
        }
    }
}

/// An E.164 number: `+` then 1–15 digits, the first not 0 (no country code starts with 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct E164(String);

/// The most digits an E.164 number has (ITU-T E.164 §6).
const E164_MAX_DIGITS: usize = 15;

impl E164 {
    /// Normalises `s` (spec/mms.md §3): removes spaces, `-`, `.`, `(`, `)`; turns a leading `00` or
    /// the policy's international prefix into `+`; makes a national number international with
    /// the policy's country code; then requires `+` and 1–15 digits.
    pub fn parse(s: &str, policy: &E164Policy) -> Result<Self, AddressError> {
        let cleaned: String = s
            .trim()
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')')))
            .collect();
        let intl = policy.international_prefix.as_str();
        let digits = if let Some(rest) = cleaned.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = cleaned.strip_prefix(intl).filter(|_| !intl.is_empty()) {
            rest.to_owned()
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            rest.to_owned()
        } else if cleaned.is_empty() {
            return Err(AddressError::NotE164(s.to_owned()));
        } else {
            let Some(cc) = &policy.country_code else {
                return Err(AddressError::NoCountryCode(s.to_owned()));
            };
            let cc = cc.trim().trim_start_matches('+');
            let national = match policy.national_prefix.as_str() {
                "" => cleaned.as_str(),
                prefix => cleaned.strip_prefix(prefix).unwrap_or(&cleaned),
            };
            format!("{cc}{national}")
        };
        Self::from_digits(&digits).ok_or_else(|| AddressError::NotE164(s.to_owned()))
    }

    /// `+digits` when `digits` is 1–15 ASCII digits not starting with 0.
    fn from_digits(digits: &str) -> Option<Self> {
        let ok = (1..=E164_MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        ok.then(|| E164(format!("+{digits}")))
    }

    /// `+4917012345`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `4917012345`.
    pub fn digits(&self) -> &str {
        self.0.strip_prefix('+').unwrap_or(&self.0)
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for E164 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

// ------------------------------------------------------------------------------------------------
// RFC 3191/3192 fax addresses and the GSTN address machinery shared with VPIM

/// A fax number in a `FAX=` address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FaxNumber {
    /// `global-phone`, with the written separators removed (RFC 3191 §2.1: they MUST be ignored).
    Global(E164),
    /// Another dialling scheme (RFC 3191 §2.1 allows it; it never starts with `+`): digits, `*`
    /// and `#`, separators removed.
    Local(String),
}

impl fmt::Display for FaxNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaxNumber::Global(number) => f.write_str(number.as_str()),
            FaxNumber::Local(number) => f.write_str(number),
        }
    }
}

/// An RFC 3192 fax address: `FAX=+12125550100/T33S=123@fax.example.net`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FaxAddress {
    pub number: FaxNumber,
    /// The T.33 subaddress (`/T33S=`, digits only).
    pub t33s: Option<String>,
    /// Other `/keyword=value` qualifiers, in order and as written: RFC 3191 §2 lets us ignore them
    /// but requires passing them on.
    pub qualifiers: Vec<(String, String)>,
    /// The offramp (`mta-I-fax`).
    pub host: String,
}

impl FaxAddress {
    /// A plain `FAX=+E164@host` address.
    pub fn new(number: E164, host: impl Into<String>) -> Self {
        Self {
            number: FaxNumber::Global(number),
            t33s: None,
            qualifiers: Vec::new(),
            host: host.into(),
        }
    }

    /// Reads `fax-email = ["""] ["/"] fax-address ["/"] ["""] "@" mta-I-fax` (RFC 3192 §4), also in
    /// angle brackets or with a display name. The selector and `T33S` are case-insensitive;
    /// several T33S subaddresses are refused, since each needs an address of its own (§4.1).
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let bad = |reason| AddressError::BadFax { address: s.to_owned(), reason };
        let gstn = GstnAddress::parse(s, |sel| sel.eq_ignore_ascii_case("fax")).map_err(|r| {
            bad(if r == WRONG_SERVICE { "the service selector is not FAX=" } else { r })
        })?;
        let number = if let Some(digits) = gstn.number.strip_prefix('+') {
            FaxNumber::Global(E164::from_digits(digits).ok_or(bad("not an E.164 number"))?)
        } else if !gstn.number.is_empty()
            && gstn.number.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
        {
            FaxNumber::Local(gstn.number)
        } else {
            return Err(bad("the number is not a phone number"));
        };
        let mut t33s = None;
        let mut qualifiers = Vec::new();
        for (key, value) in gstn.qualifiers {
            if key.eq_ignore_ascii_case("t33s") {
                if t33s.is_some() {
                    return Err(bad("several T33S subaddresses: one address per subaddress"));
                }
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("a T33S subaddress is digits only"));
                }
                t33s = Some(value);
            } else {
                qualifiers.push((key, value));
            }
        }
        Ok(Self { number, t33s, qualifiers, host: gstn.host })
    }
}

impl fmt::Display for FaxAddress {
    /// The minimal form: no optional slashes, the local part quoted only when a preserved
    /// qualifier needs it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut local = format!("FAX={}", self.number);
        if let Some(sub) = &self.t33s {
            local.push_str("/T33S=");
            local.push_str(sub);
        }
        push_qualifiers(&mut local, &self.qualifiers);
        write_local_part(f, &local)?;
        write!(f, "@{}", self.host)
    }
}

/// The common shape of RFC 3191 `pstn-email`: `[selector "="] number *("/" keyword "=" value)`
/// at a host, with the optional quotes and slashes removed and separators taken out of the number.
/// The selector is checked while parsing and not kept.
struct GstnAddress {
    /// The number with `-` and `.` removed; anything after it up to the first `/` included.
    number: String,
    qualifiers: Vec<(String, String)>,
    host: String,
}

impl GstnAddress {
    /// `selector_ok` is asked about the selector (empty when there is none) before the
    /// qualifiers are read, so that an address of another service is named as such.
    fn parse(s: &str, selector_ok: impl Fn(&str) -> bool) -> Result<Self, &'static str> {
        let addr = addr_spec(s).map_err(|_| "unbalanced angle brackets")?;
        let (local, host) = addr.rsplit_once('@').ok_or("no @host")?;
        let host = host.trim();
        if !is_domain(host) {
            return Err("missing or invalid host after @");
        }
        let local = unquote(local.trim());
        let local = local.strip_prefix('/').unwrap_or(&local);
        let local = local.strip_suffix('/').unwrap_or(local);
        let mut elements = local.split('/');
        let first = elements.next().unwrap_or("");
        let (selector, number) = match first.split_once('=') {
            Some((sel, num)) if is_token(sel) => (sel, num),
            Some(_) => return Err("invalid service selector"),
            None => ("", first),
        };
        if !selector_ok(selector) {
            return Err(WRONG_SERVICE);
        }
        let number: String = number.chars().filter(|c| !matches!(c, '-' | '.')).collect();
        let mut qualifiers = Vec::new();
        for element in elements {
            let (key, value) = element.split_once('=').ok_or("a qualifier without =")?;
            if !is_token(key) {
                return Err("invalid qualifier keyword");
            }
            if !value.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
                return Err("a qualifier value that is not printable ASCII");
            }
            qualifiers.push((key.to_owned(), value.to_owned()));
        }
        Ok(Self { number, qualifiers, host: host.to_owned() })
    }
}

/// What [`GstnAddress::parse`] says when `selector_ok` refuses the selector.
const WRONG_SERVICE: &str = "wrong service selector";

/// Removes quotes around the whole local part, undoing quoted-pair escapes.
fn unquote(local: &str) -> String {
    let Some(inner) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) else {
        return local.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn push_qualifiers(local: &mut String, qualifiers: &[(String, String)]) {
    for (key, value) in qualifiers {
        local.push('/');
        local.push_str(key);
        local.push('=');
        local.push_str(value);
    }
}

/// Writes a local part as a dot-atom when it is one, else as a quoted string.
fn write_local_part(f: &mut fmt::Formatter<'_>, local: &str) -> fmt::Result {
    let dot_atom = !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.bytes().all(is_atext_or_dot);
    if dot_atom {
        return f.write_str(local);
    }
    f.write_str("\"")?;
    for c in local.chars() {
        if c == '"' || c == '\\' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

// ------------------------------------------------------------------------------------------------
// VPIM addresses

/// A VPIM voice mailbox address (RFC 3801 §4.1.1, RFC 3804 §4.2.1): `2722@vm.example`,
/// `2722+111@…`, `+16135550100@…`, `+16135550100+230@…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VpimAddress {
    /// `+` and an E.164 number, or a private mailbox number; separators removed.
    pub number: String,
    /// The mailbox extension (`+230` or `/EXT=230`), digits only.
    pub extension: Option<String>,
    /// A distribution list on that number (`/DL=93`).
    pub distribution_list: Option<String>,
    /// Other `/keyword=value` qualifiers, passed on as written (RFC 3191 §2).
    pub qualifiers: Vec<(String, String)>,
    pub domain: String,
}

/// The longest extension RFC 3801 §4.1.1 allows.
const VPIM_MAX_EXTENSION: usize = 15;

impl VpimAddress {
    /// A mailbox address for an E.164 number.
    pub fn new(number: E164, domain: impl Into<String>) -> Self {
        Self {
            number: number.0,
            extension: None,
            distribution_list: None,
            qualifiers: Vec::new(),
            domain: domain.into(),
        }
    }

    /// Reads the RFC 3801 local-part forms and the RFC 3804 §4.3.1 submission form
    /// (`VPIM=7035255550/EXT=227@…`, optional slashes and quotes, keywords in any case).
    /// `VOICE=` (outdial), `AMIS=` and `FAX=` addresses are refused: they do not name a VPIM
    /// mailbox (use [`FaxAddress`] for fax).
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let bad = |reason| AddressError::BadVpim { address: s.to_owned(), reason };
        let vpim = |sel: &str| sel.is_empty() || sel.eq_ignore_ascii_case("vpim");
        let gstn = GstnAddress::parse(s, vpim).map_err(|r| {
            bad(if r == WRONG_SERVICE { "the service selector is not VPIM=" } else { r })
        })?;
        // `+` opens an E.164 number; a further `+` separates the extension.
        let (global, body) = match gstn.number.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, gstn.number.as_str()),
        };
        let (digits, plus_ext) = match body.split_once('+') {
            Some((d, e)) => (d, Some(e)),
            None => (body, None),
        };
        let number = if global {
            E164::from_digits(digits).ok_or(bad("not an E.164 number"))?.0
        } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.to_owned()
        } else {
            return Err(bad("the mailbox is not a number"));
        };
        let mut extension = plus_ext.map(str::to_owned);
        let mut distribution_list = None;
        let mut qualifiers = Vec::new();
        for (key, value) in gstn.qualifiers {
            let slot = if key.eq_ignore_ascii_case("ext") {
                &mut extension
            } else if key.eq_ignore_ascii_case("dl") {
                &mut distribution_list
            } else {
                qualifiers.push((key, value));
                continue;
            };
            if slot.is_some() {
                return Err(bad("the extension or list is given twice"));
            }
            *slot = Some(value);
        }
        let digits_ok = |v: &Option<String>| {
            v.as_deref().is_none_or(|v| {
                (1..=VPIM_MAX_EXTENSION).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
            })
        };
        if !digits_ok(&extension) || !digits_ok(&distribution_list) {
            return Err(bad("an extension or list is 1 to 15 digits"));
        }
        Ok(Self { number, extension, distribution_list, qualifiers, domain: gstn.host })
    }

    /// The number as E.164 when it is one (starts with `+`).
    pub fn e164(&self) -> Option<E164> {
        E164::from_digits(self.number.strip_prefix('+')?)
    }
}

impl fmt::Display for VpimAddress {
    /// The RFC 3801 form: no `VPIM=`, the extension as `+ext` (what VPIM v2 systems key).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut local = self.number.clone();
        if let Some(ext) = &self.extension {
            local.push('+');
            local.push_str(ext);
        }
        if let Some(dl) = &self.distribution_list {
            local.push_str("/DL=");
            local.push_str(dl);
        }
        push_qualifiers(&mut local, &self.qualifiers);
        write_local_part(f, &local)?;
        write!(f, "@{}", self.domain)
    }
}

/// The address types are text on the wire and in `inspect --json`: `FromStr` is their `parse`,
/// and they serialise as their canonical `Display` form.
macro_rules! text_forms {
    ($($t:ty),*) => {$(
        impl FromStr for $t {
            type Err = AddressError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}

text_forms!(MmsAddress, FaxAddress, VpimAddress);

#[cfg(test)]
mod tests;
