//! MM4 from raw RFC 5322 bytes: tolerant where real MMSCs deviate (spec/mms.md §7), strict
//! where meaning would be lost (a missing type, transaction id, originator or status), with an
//! error naming the header or part.
use std::borrow::Cow;

use mail_parser::{Encoding, HeaderName, HeaderValue, MessageParser, MessagePart, PartType};

use super::address::MmsAddress;
use super::model::{
    AddressField, Body, ContentType, DateField, Elements, Expiry, Id, Mm4, Part, Presentation,
    Slide, SlideMedia,
};
use super::smil::{self, PartRef, SmilLimits};
use super::status::{
    MessageClass, MessageType, MmStatus, Priority, ReadStatus, RequestStatus, SenderVisibility,
    parse_bool,
};
use super::{Error, Finding, Limits, Mime, Parsed};

impl Mm4 {
    /// Parses with default limits, dropping the findings (see [`parse`] for them).
    pub fn parse(raw: &[u8]) -> Result<Mm4, Error> {
        parse(raw, &Limits::default()).map(|p| p.mm)
    }
}

/// Parses an MM4 message of any of the six types.
pub fn parse(raw: &[u8], limits: &Limits) -> Result<Parsed, Error> {
    if raw.len() > limits.max_message_bytes {
        return Err(Error::TooLarge { bytes: raw.len(), limit: limits.max_message_bytes });
    }
    let rewritten;
    let mut raw = raw;
    let parser = parser();
    let mut message = parser.parse(raw).ok_or(Error::NotAMessage)?;
    if let Some(fixed) = multipart_rewrite(&message, raw) {
        rewritten = fixed;
        raw = &rewritten;
        message = parser.parse(raw).ok_or(Error::NotAMessage)?;
    }
    if message.parts.len() > limits.max_parts {
        return Err(Error::TooManyParts { parts: message.parts.len(), limit: limits.max_parts });
    }
    let root = message.parts.first().ok_or(Error::NotAMessage)?;
    let mut findings = Vec::new();
    let (elements, type_raw) = read_headers(root, raw, limits, &mut findings)?;
    let type_raw = type_raw.ok_or(Error::MissingHeader("X-Mms-Message-Type"))?;
    let message_type = MessageType::parse(&type_raw);
    if let MessageType::Other(t) = &message_type {
        return Err(Error::UnsupportedMessageType(t.clone()));
    }
    check_mandatory(&message_type, &elements, &mut findings)?;

    let body = read_part(&message.parts, 0, raw, 0, limits, &mut findings)?;
    let mut mm = Mm4 {
        message_type_raw: (type_raw != message_type.as_str()).then_some(type_raw),
        message_type,
        elements,
        body: None,
        presentation: Presentation::None,
        slides: Vec::new(),
    };
    if mm.message_type == MessageType::ForwardReq {
        mm.body = Some(body);
        present(&mut mm, limits, &mut findings);
    } else if !body.bytes().iter().all(u8::is_ascii_whitespace) || body.content_type.is_multipart()
    {
        // Reports and acknowledgements carry no MM; peers still put a short text there.
        mm.body = Some(body);
    }
    Ok(Parsed { mm, findings })
}

/// Any RFC 5322 message as its top-level headers (name as written, value unfolded) and body
/// tree, with the same limits and tolerance as [`parse`]: for fax mail, VPIM, DSNs and MDNs.
pub fn parse_mime(raw: &[u8], limits: &Limits) -> Result<Mime, Error> {
    if raw.len() > limits.max_message_bytes {
        return Err(Error::TooLarge { bytes: raw.len(), limit: limits.max_message_bytes });
    }
    let message = parser().parse(raw).ok_or(Error::NotAMessage)?;
    if message.parts.len() > limits.max_parts {
        return Err(Error::TooManyParts { parts: message.parts.len(), limit: limits.max_parts });
    }
    let root = message.parts.first().ok_or(Error::NotAMessage)?;
    let headers = root.headers.iter().map(|h| (h.name.as_str().to_string(), raw_value(raw, h)));
    let headers = headers.collect();
    let mut findings = Vec::new();
    let body = read_part(&message.parts, 0, raw, 0, limits, &mut findings)?;
    Ok(Mime { headers, body, findings })
}

/// The header parsers we rely on. Once any is named, mail-parser reads every other header raw,
/// so the MIME, date and address ones are listed; X-Mms-Status-Text is free text whose RFC 2047
/// words are decoded like Subject's.
fn parser() -> MessageParser {
    MessageParser::new()
        .with_minimal_headers()
        .with_message_ids()
        .header_text(HeaderName::Other(Cow::Borrowed("X-Mms-Status-Text")))
}

/// `application/vnd.wap.multipart.*` (MM1's binary names) and any other top-level type that
/// carries a `boundary` are multipart on MM4 (spec/mms.md §7): rewrite the type and reparse.
fn multipart_rewrite(message: &mail_parser::Message<'_>, raw: &[u8]) -> Option<Vec<u8>> {
    let root = message.parts.first()?;
    let header =
        root.headers.iter().find(|h| h.name.as_str().eq_ignore_ascii_case("content-type"))?;
    let ct = header.value.as_content_type()?;
    if ct.c_type.eq_ignore_ascii_case("multipart") || ct.attribute("boundary").is_none() {
        return None;
    }
    let sub = ct.c_subtype.as_deref().unwrap_or("").to_ascii_lowercase();
    let new_type = if sub.ends_with("mixed") { "multipart/mixed" } else { "multipart/related" };
    let (start, end) = (header.offset_start as usize, header.offset_end as usize);
    let value = raw.get(start..end)?;
    let rest = value.iter().position(|&b| b == b';').map_or(&b""[..], |i| &value[i..]);
    let mut out = Vec::with_capacity(raw.len() + 16);
    out.extend_from_slice(raw.get(..start)?);
    out.extend_from_slice(b" ");
    out.extend_from_slice(new_type.as_bytes());
    out.extend_from_slice(rest);
    if rest.is_empty() {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(raw.get(end..)?);
    Some(out)
}

/// A type as the token it must be (RFC 2045 §5.1): up to the first white space or tspecial.
/// mail-parser keeps `text/plain junk` whole on one line but stops at a fold, and reads a
/// quote or `=` inside a type differently once written, so without this the same header read
/// differently after our writer had emitted it (fuzz findings).
fn type_token(value: &str) -> &str {
    value
        .split(|c: char| c.is_whitespace() || c.is_control() || "()<>@,;:\\\"/[]?=".contains(c))
        .next()
        .unwrap_or("")
}

/// Whether a parameter name is an RFC 2045 token. Others are junk that mail-parser splits
/// differently once written (`pa t=` reads back as `t=`), so they are dropped when read.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

/// An unstructured text field (Subject, X-Mms-Status-Text), RFC 2047 decoded, with runs of
/// white space as one: mail-parser collapses a run that a fold splits, so a run kept here
/// would not survive our own writer's folding. Control characters (never legal there) count
/// as white space.
fn text_value(h: &mail_parser::Header<'_>, raw: String) -> String {
    let decoded = match &h.value {
        HeaderValue::Text(t) => single_line(t),
        _ => raw,
    };
    collapse_spaces(&decoded)
}

pub(crate) fn collapse_spaces(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A parameter value as RFC 5322 §2.2.3 unfolds it: the line breaks removed, nothing else.
/// mail-parser keeps a fold made inside a quoted value, where our writer (and any peer) may
/// fold, so the same value read differently once written (a fuzz finding).
fn unfold(v: &str) -> String {
    v.replace(['\r', '\n'], "")
}

/// The header value as written, unfolded and trimmed.
fn raw_value(raw: &[u8], h: &mail_parser::Header<'_>) -> String {
    let bytes = raw.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default();
    // Unfolding removes the line breaks and nothing else (RFC 5322 §2.2.3), so runs of white
    // space survive a fold made anywhere, by us or a peer.
    single_line(&unfold(&String::from_utf8_lossy(bytes)))
}

/// Header text on one line: a stray CR or NUL (never legal there) becomes a space, so nothing
/// read can smuggle a line break into a header we write.
fn single_line(s: &str) -> String {
    s.replace(['\r', '\n', '\0'], " ").trim().to_string()
}

/// Headers that describe the body, not the MM: never kept as extra information elements.
const MIME_HEADERS: [&str; 6] = [
    "content-type",
    "content-transfer-encoding",
    "mime-version",
    "content-id",
    "content-location",
    "content-disposition",
];

fn read_headers(
    root: &MessagePart<'_>,
    raw: &[u8],
    limits: &Limits,
    findings: &mut Vec<Finding>,
) -> Result<(Elements, Option<String>), Error> {
    let mut e = Elements::default();
    let mut message_type = None;
    let (mut sender_address, mut x_to) = (None, Vec::new());
    for h in &root.headers {
        let name = h.name.as_str();
        let lname = name.to_ascii_lowercase();
        let value = raw_value(raw, h);
        let first = |repeated: bool| {
            repeated.then(|| Finding::warning(format!("{name}: repeated; the first value is used")))
        };
        match lname.as_str() {
            "x-mms-message-type" => message_type = Some(value),
            "x-mms-3gpp-mms-version" | "x-mms-3gpp-version" => {
                findings.extend(first(e.mms_version.is_some()));
                e.mms_version.get_or_insert(value);
            }
            "x-mms-transaction-id" => {
                findings.extend(first(e.transaction_id.is_some()));
                e.transaction_id.get_or_insert(Id(value));
            }
            "x-mms-message-id" => {
                findings.extend(first(e.message_id.is_some()));
                e.message_id.get_or_insert(Id(value));
            }
            "from" => {
                let mut list = address_list(name, &value, limits, findings)?;
                if e.from.is_none() && !list.is_empty() {
                    e.from = Some(list.remove(0));
                }
            }
            "to" => e.to.extend(address_list(name, &value, limits, findings)?),
            "cc" => e.cc.extend(address_list(name, &value, limits, findings)?),
            "bcc" => e.bcc.extend(address_list(name, &value, limits, findings)?),
            "x-mms-sender-address" => {
                sender_address = address_list(name, &value, limits, findings)?.into_iter().next();
                e.extra.push((name.to_string(), value));
            }
            "x-mms-to" => {
                x_to = address_list(name, &value, limits, findings)?;
                e.extra.push((name.to_string(), value));
            }
            "subject" => {
                e.subject.get_or_insert(text_value(h, value));
            }
            "date" => {
                // From the raw text alone, so a value reads the same wherever it stands.
                let unix = parse_date(&value);
                if unix.is_none() {
                    findings.push(Finding::warning(format!("Date: cannot read {value:?}")));
                }
                e.date.get_or_insert(DateField { raw: value, unix });
            }
            "x-mms-message-class" => e.message_class = Some(MessageClass::parse(&value)),
            "x-mms-priority" => e.priority = Some(Priority::parse(&value)),
            "x-mms-sender-visibility" => {
                e.sender_visibility = Some(SenderVisibility::parse(&value))
            }
            "x-mms-expiry" => e.expiry = Some(parse_expiry(&value, findings)),
            "x-mms-delivery-report" => e.delivery_report = boolean(name, &value, findings),
            "x-mms-originator-r/s-delivery-report" => {
                e.originator_rs_delivery_report = boolean(name, &value, findings)
            }
            "x-mms-read-reply" | "x-mms-read-report" => {
                e.read_reply = boolean(name, &value, findings)
            }
            "x-mms-ack-request" => e.ack_request = boolean(name, &value, findings),
            "x-mms-originator-system" => e.originator_system = Some(value),
            "sender" => e.sender = Some(value),
            "message-id" => e.rfc822_message_id = Some(value),
            "x-mms-forward-counter" => match value.parse() {
                Ok(n) => e.forward_counter = Some(n),
                Err(_) => {
                    findings.push(Finding::warning(format!("{name}: not a number: {value:?}")))
                }
            },
            "x-mms-content-class" => e.content_class = Some(value.to_ascii_lowercase()),
            "x-mms-request-status-code" => e.request_status = Some(RequestStatus::parse(&value)),
            "x-mms-status-text" => e.status_text = Some(text_value(h, value)),
            "x-mms-mm-status-code" | "x-mms-status" | "x-mms-status-code" => {
                e.mm_status = Some(MmStatus::parse(&value))
            }
            "x-mms-mm-status-extension" => e.mm_status_extension = Some(value),
            "x-mms-forward-to-originator-ua" => {
                e.forward_to_originator_ua = boolean(name, &value, findings)
            }
            "x-mms-read-status" | "x-mms-mm-read-status" => {
                e.read_status = Some(ReadStatus::parse(&value))
            }
            n if MIME_HEADERS.contains(&n) => {}
            // RFC 5322 §3.6.8: a field name is printable ASCII without a colon. Anything else
            // is a broken line that, written back, would swallow the header after it.
            _ if !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') || name.is_empty() => {
                findings.push(Finding::warning(format!(
                    "a header line whose name is not a field name was dropped ({})",
                    name.escape_debug()
                )));
            }
            _ => e.extra.push((name.to_string(), value)),
        }
    }
    // VectorCore-style peers name the parties only in X-Mms-Sender-Address / X-Mms-To.
    if e.from.is_none() {
        e.from = sender_address;
    }
    if e.to.is_empty() && e.cc.is_empty() {
        e.to = x_to;
    }
    Ok((e, message_type))
}

fn boolean(name: &str, value: &str, findings: &mut Vec<Finding>) -> Option<bool> {
    let b = parse_bool(value);
    if b.is_none() {
        findings
            .push(Finding::warning(format!("{name}: {value:?} is neither Yes nor No; ignored")));
    }
    b
}

/// Splits an address list at commas outside quotes and angle brackets. A list whose quotes or
/// brackets never close is split at every comma instead: an unclosed `<` must not swallow the
/// addresses after it (and so read differently once the list is written on one line).
fn split_addresses(value: &str) -> Vec<&str> {
    let (mut depth, mut quoted) = (0usize, false);
    let mut cuts = Vec::new();
    for (i, b) in value.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'<' if !quoted => depth += 1,
            b'>' if !quoted => depth = depth.saturating_sub(1),
            b',' if !quoted && depth == 0 => cuts.push(i),
            _ => {}
        }
    }
    if quoted || depth > 0 {
        return value.split(',').collect();
    }
    let mut entries = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for i in cuts {
        entries.push(&value[start..i]);
        start = i + 1;
    }
    entries.push(&value[start..]);
    entries
}

/// Whether every quote and angle bracket of an address entry closes.
fn balanced(entry: &str) -> bool {
    let (mut depth, mut quoted) = (0i32, false);
    for b in entry.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'<' if !quoted => depth += 1,
            b'>' if !quoted => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    !quoted && depth == 0
}

/// Reads each entry of an address header.
fn address_list(
    name: &str,
    value: &str,
    limits: &Limits,
    findings: &mut Vec<Finding>,
) -> Result<Vec<AddressField>, Error> {
    let entries = split_addresses(value);
    let mut out = Vec::new();
    for entry in entries.into_iter().map(str::trim).filter(|e| !e.is_empty() && !e.ends_with(":;"))
    {
        if out.len() >= limits.max_recipients {
            return Err(Error::TooManyRecipients {
                header: name.to_string(),
                limit: limits.max_recipients,
            });
        }
        // An entry whose quotes or brackets never close would capture its neighbours once the
        // list is written on one line: it loses those characters (and says so).
        let entry = if balanced(entry) {
            entry.to_string()
        } else {
            findings.push(Finding::warning(format!(
                "{name}: unbalanced quote or angle bracket removed from {entry:?}"
            )));
            entry.replace(['"', '<', '>'], "").trim().to_string()
        };
        let address = match MmsAddress::parse(&entry) {
            Ok(a) => Some(a),
            Err(err) => {
                findings.push(Finding::warning(format!("{name}: {err}")));
                None
            }
        };
        out.push(AddressField { raw: entry, address });
    }
    Ok(out)
}

/// `X-Mms-Expiry` is a date, or (Play PL, some gateways) a number of seconds.
fn parse_expiry(value: &str, findings: &mut Vec<Finding>) -> Expiry {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Expiry::RelativeSeconds(secs);
    }
    let unix = parse_date(value);
    if unix.is_none() {
        findings.push(Finding::warning(format!("X-Mms-Expiry: cannot read {value:?}")));
    }
    Expiry::Absolute(DateField { raw: value.to_string(), unix })
}

/// An RFC 5322 date, or the ISO 8601 / RFC 3339 form VectorCore writes; Unix seconds.
pub(crate) fn parse_date(value: &str) -> Option<i64> {
    if let Some(t) = parse_iso8601(value.trim()) {
        return Some(t);
    }
    let probe = format!("Date: {value}\r\n\r\n");
    let m = MessageParser::new().parse(probe.as_bytes())?;
    m.date().filter(|d| d.is_valid()).map(|d| d.to_timestamp())
}

fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    if b.len() < 19 || b.get(4) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = rest.get(1..)?.replace(':', "");
            if r.len() != 4 || !r.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sign * (r[..2].parse::<i64>().ok()? * 3600 + r[2..].parse::<i64>().ok()? * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The mandatory elements of spec/mms.md §1 whose absence loses meaning are errors; the
/// others (which peers are known to omit) are findings.
fn check_mandatory(
    t: &MessageType,
    e: &Elements,
    findings: &mut Vec<Finding>,
) -> Result<(), Error> {
    if e.transaction_id.as_ref().is_none_or(|i| i.key().is_empty()) {
        return Err(Error::MissingHeader("X-Mms-Transaction-ID"));
    }
    if e.mms_version.is_none() {
        findings.push(Finding::warning("X-Mms-3GPP-MMS-Version: missing"));
    }
    let needs_message_id = matches!(
        t,
        MessageType::ForwardReq | MessageType::DeliveryReportReq | MessageType::ReadReplyReq
    );
    if needs_message_id && e.message_id.as_ref().is_none_or(|i| i.key().is_empty()) {
        return Err(Error::MissingHeader("X-Mms-Message-ID"));
    }
    if t.is_response() {
        if e.request_status.is_none() {
            return Err(Error::MissingHeader("X-Mms-Request-Status-Code"));
        }
        if *t != MessageType::ReadReplyRes && e.message_id.is_none() {
            findings
                .push(Finding::warning("X-Mms-Message-ID: missing (correlate by Transaction-ID)"));
        }
        return Ok(());
    }
    match &e.from {
        None => return Err(Error::MissingHeader("From")),
        Some(f) if f.address.is_none() => {
            return Err(Error::BadHeader { header: "From", value: f.raw.clone() });
        }
        Some(_) => {}
    }
    if e.to.is_empty() && e.cc.is_empty() {
        let what = if *t == MessageType::ForwardReq {
            "To: no recipient in the headers (Bcc only: recipients come from RCPT TO)"
        } else {
            "To: missing (the originator the report is for)"
        };
        findings.push(Finding::warning(what));
    }
    if e.date.is_none() {
        findings.push(Finding::warning("Date: missing"));
    }
    match t {
        MessageType::DeliveryReportReq if e.mm_status.is_none() => {
            Err(Error::MissingHeader("X-Mms-MM-Status-Code"))
        }
        MessageType::ReadReplyReq if e.read_status.is_none() => {
            Err(Error::MissingHeader("X-Mms-Read-Status"))
        }
        _ => Ok(()),
    }
}

/// Converts mail-parser's flat part list into our tree, bounded in depth.
fn read_part(
    parts: &[MessagePart<'_>],
    index: usize,
    raw: &[u8],
    depth: usize,
    limits: &Limits,
    findings: &mut Vec<Finding>,
) -> Result<Part, Error> {
    if depth > limits.max_depth {
        return Err(Error::TooDeep { limit: limits.max_depth });
    }
    let p = parts.get(index).ok_or(Error::BadPart { part: index, reason: "missing".into() })?;
    let mut content_type = ContentType::new("text/plain");
    let (mut charset, mut name, mut disposition) = (None, None, None);
    let (mut content_id, mut content_location, mut extra) = (None, None, Vec::new());
    for h in &p.headers {
        let hname = h.name.as_str();
        match hname.to_ascii_lowercase().as_str() {
            "content-type" => {
                // A type with no main type (`/plain`) is as good as none: written, it reads
                // back as the default.
                if let Some(ct) = h.value.as_content_type()
                    && !type_token(&ct.c_type).is_empty()
                {
                    let main = type_token(&ct.c_type);
                    let mime = match ct.c_subtype.as_deref().map(type_token) {
                        Some(sub) if !sub.is_empty() => format!("{main}/{sub}"),
                        // `audio/` reads back as `audio` once written.
                        _ => main.to_string(),
                    };
                    content_type = ContentType::new(&mime);
                    for (k, v) in
                        ct.attributes().unwrap_or_default().iter().map(|a| (&a.name, &a.value))
                    {
                        match k.to_ascii_lowercase().as_str() {
                            _ if !is_token(k) => {}
                            "charset" => charset = Some(unfold(v)),
                            "boundary" => {}
                            "name" => {
                                name.get_or_insert(unfold(v));
                            }
                            _ => content_type = content_type.with_param(k, &unfold(v)),
                        }
                    }
                }
            }
            "content-disposition" => {
                // Like a type, a disposition without its token is as good as none: written, it
                // reads back as none.
                if let Some(cd) = h.value.as_content_type()
                    && !type_token(&cd.c_type).is_empty()
                {
                    let mut d = ContentType::new(type_token(&cd.c_type));
                    for a in cd.attributes().unwrap_or_default() {
                        if a.name.eq_ignore_ascii_case("filename") {
                            name = Some(unfold(&a.value));
                        } else if is_token(&a.name) {
                            d = d.with_param(&a.name, &unfold(&a.value));
                        }
                    }
                    disposition = Some(d);
                }
            }
            "content-id" => content_id = Some(raw_value(raw, h)),
            "content-location" => content_location = Some(raw_value(raw, h)),
            "content-transfer-encoding" | "mime-version" => {}
            _ if depth == 0 => {} // top-level headers are the MM's, read by read_headers
            _ => extra.push((hname.to_string(), raw_value(raw, h))),
        }
    }
    if p.is_encoding_problem {
        findings.push(Finding::warning(format!(
            "part {index} ({}): content could not be decoded cleanly",
            content_type.mime
        )));
    }
    // Text or bytes is decided by the declared type, not by how mail-parser happened to decode
    // it, so a part reads the same whatever transfer encoding carried it.
    let is_text = content_type.main_type() == "text";
    // A part not sent in base64 is line-oriented (message/delivery-status, a 7bit SMIL): its
    // canonical line end is CRLF (RFC 2046 §4.1.1), whatever the transport made of it.
    let bytes = |b: &[u8]| {
        if p.encoding == Encoding::Base64 { b.to_vec() } else { crlf(b) }
    };
    let body = match &p.body {
        PartType::Text(t) | PartType::Html(t) if is_text => Body::Text(t.replace("\r\n", "\n")),
        PartType::Text(t) | PartType::Html(t) => Body::Bytes(bytes(t.as_bytes())),
        PartType::Binary(b) | PartType::InlineBinary(b) if is_text => {
            let text = String::from_utf8_lossy(b);
            if matches!(text, Cow::Owned(_)) {
                findings.push(Finding::warning(format!(
                    "part {index} ({}): not valid in its charset; undecodable bytes replaced",
                    content_type.mime
                )));
            }
            Body::Text(text.replace("\r\n", "\n"))
        }
        PartType::Binary(b) | PartType::InlineBinary(b) => Body::Bytes(bytes(b)),
        PartType::Message(m) => Body::Bytes(crlf(m.raw_message())),
        PartType::Multipart(ids) => {
            let mut children = Vec::with_capacity(ids.len());
            for &id in ids {
                children.push(read_part(parts, id as usize, raw, depth + 1, limits, findings)?);
            }
            if children.is_empty() {
                // RFC 2046 §5.1.1 wants at least one body part, and mail-parser reads an empty
                // one back differently once written: keep it as what it carries, nothing.
                findings.push(Finding::warning(format!(
                    "part {index} ({}): a multipart without parts, read as empty text",
                    content_type.mime
                )));
                content_type = ContentType::new("text/plain");
                Body::Text(String::new())
            } else {
                Body::Multipart(children)
            }
        }
    };
    if !content_type.is_multipart() && matches!(body, Body::Multipart(_)) {
        content_type = ContentType::new("multipart/mixed");
    }
    Ok(Part { content_type, charset, content_id, content_location, name, disposition, extra, body })
}

impl Mm4 {
    /// Recomputes [`Mm4::slides`] and [`Mm4::presentation`] from the body, the way [`parse`]
    /// does: builders call it after assembling a body, so what they emit parses back equal.
    pub fn present(&mut self) -> Vec<Finding> {
        let mut findings = Vec::new();
        self.slides.clear();
        self.presentation = Presentation::None;
        present(self, &Limits::default(), &mut findings);
        findings
    }
}

/// Line ends made CRLF: a lone LF gains its CR, CRLF stays.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Fills the slides: from the SMIL root (by `start`, else by `type`, else any SMIL part), or
/// derived from part order when there is none or it cannot be used.
fn present(mm: &mut Mm4, limits: &Limits, findings: &mut Vec<Finding>) {
    let Some(body) = &mm.body else { return };
    let leaves = body.leaves();
    let refs: Vec<PartRef> = leaves
        .iter()
        .map(|p| PartRef {
            content_type: p.content_type.mime.clone(),
            content_id: p.cid_key().map(str::to_string),
            content_location: p.content_location.clone(),
        })
        .collect();
    let start = body.content_type.param("start").map(|s| s.trim().trim_matches(['<', '>']));
    let smil_index = match start {
        Some(cid) => {
            let found = leaves.iter().position(|p| p.cid_key() == Some(cid));
            if found.is_none() {
                findings.push(Finding::warning(format!("start=<{cid}> names no part")));
            }
            found
        }
        None => None,
    }
    .or_else(|| leaves.iter().position(|p| p.content_type.mime == "application/smil"));

    let smil_limits = SmilLimits::default();
    let presentation = smil_index.and_then(|i| {
        let leaf = leaves.get(i)?;
        if leaf.content_type.mime != "application/smil" {
            findings.push(Finding::warning(format!(
                "the start part is {}, not application/smil",
                leaf.content_type.mime
            )));
            return None;
        }
        match smil::parse(leaf.bytes(), &smil_limits) {
            Ok(p) if !p.slides.is_empty() => Some(p),
            Ok(_) => {
                findings
                    .push(Finding::warning("SMIL has no slides; slides derived from part order"));
                None
            }
            Err(e) => {
                findings.push(Finding::warning(format!(
                    "SMIL unusable ({e}); slides derived from part order"
                )));
                None
            }
        }
    });
    let from_smil = presentation.is_some();
    let presentation = presentation.unwrap_or_else(|| smil::derive(&refs));
    mm.presentation = if from_smil { Presentation::Smil } else { Presentation::PartOrder };
    let mut used = vec![false; leaves.len()];
    if let Some(u) = smil_index.and_then(|i| used.get_mut(i)) {
        *u = true;
    }
    for slide in presentation.slides.iter().take(limits.max_parts) {
        let media = slide
            .media
            .iter()
            .map(|m| {
                let part = smil::resolve(&m.src, &refs);
                match part {
                    Some(i) => {
                        if let Some(u) = used.get_mut(i) {
                            *u = true;
                        }
                    }
                    None => findings
                        .push(Finding::warning(format!("SMIL src {:?} names no part", m.src))),
                }
                SlideMedia { kind: m.kind, src: m.src.clone(), part, region: m.region.clone() }
            })
            .collect();
        mm.slides.push(Slide { dur_ms: slide.dur_ms, media });
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            let mime = leaves.get(i).map_or("", |p| p.content_type.mime.as_str());
            findings.push(Finding::info(format!("part {i} ({mime}) is on no slide")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_and_rfc2822_dates() {
        assert_eq!(parse_date("2024-01-01T10:00:00Z"), Some(1704103200));
        assert_eq!(parse_date("2024-01-01T12:00:00+02:00"), Some(1704103200));
        assert_eq!(parse_date("Mon, 01 Jan 2024 10:00:00 +0000"), Some(1704103200));
        assert_eq!(parse_date("not a date"), None);
        assert_eq!(parse_date("2024-13-01T10:00:00Z"), None);
    }
}
