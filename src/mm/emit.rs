//! MM4 to RFC 5322 bytes: the X-Mms headers first in the order of spec/mms.md §1, canonical
//! spellings, raw ids echoed exactly, then the RFC 5322 headers, kept extras and the body.
use crate::mime::{encode_text, write_header, write_message_body};

use super::model::{AddressField, Body, DateField, Expiry, Mm4, Part};
use super::status::bool_str;

/// The 23.140 version we speak (the last release, Rel-6).
pub const MMS_VERSION: &str = "6.16.0";

impl Mm4 {
    /// The message as CRLF bytes, ready for SMTP DATA (before dot-stuffing).
    /// Bcc is never written: on MM4 it exists only as RCPT TO (spec/mms.md §1 notes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let e = &self.elements;
        let mut out =
            Vec::with_capacity(1024 + self.body.as_ref().map_or(0, |b| b.bytes().len() * 2));
        let h = |out: &mut Vec<u8>, name: &str, value: Option<&str>| {
            if let Some(v) = value {
                write_header(out, name, v);
            }
        };
        let b = |v: Option<bool>| v.map(bool_str);
        h(
            &mut out,
            "X-Mms-3GPP-MMS-Version",
            Some(e.mms_version.as_deref().unwrap_or(MMS_VERSION)),
        );
        h(&mut out, "X-Mms-Message-Type", Some(self.message_type.as_str()));
        h(&mut out, "X-Mms-Transaction-ID", e.transaction_id.as_ref().map(|i| i.raw()));
        h(&mut out, "X-Mms-Message-ID", e.message_id.as_ref().map(|i| i.raw()));
        h(&mut out, "X-Mms-Message-Class", e.message_class.as_ref().map(|v| v.as_str()));
        h(&mut out, "X-Mms-Priority", e.priority.as_ref().map(|v| v.as_str()));
        h(&mut out, "X-Mms-Sender-Visibility", e.sender_visibility.as_ref().map(|v| v.as_str()));
        let expiry = e.expiry.as_ref().map(|x| match x {
            Expiry::Absolute(d) => d.raw.clone(),
            Expiry::RelativeSeconds(s) => s.to_string(),
        });
        h(&mut out, "X-Mms-Expiry", expiry.as_deref());
        h(&mut out, "X-Mms-Delivery-Report", b(e.delivery_report));
        h(&mut out, "X-Mms-Originator-R/S-Delivery-Report", b(e.originator_rs_delivery_report));
        h(&mut out, "X-Mms-Read-Reply", b(e.read_reply));
        h(&mut out, "X-Mms-Ack-Request", b(e.ack_request));
        h(&mut out, "X-Mms-Originator-System", e.originator_system.as_deref());
        let counter = e.forward_counter.map(|n| n.to_string());
        h(&mut out, "X-Mms-Forward-Counter", counter.as_deref());
        h(&mut out, "X-Mms-Content-Class", e.content_class.as_deref());
        h(&mut out, "X-Mms-Request-Status-Code", e.request_status.as_ref().map(|v| v.as_str()));
        let status_text = e.status_text.as_deref().map(encode_text);
        h(&mut out, "X-Mms-Status-Text", status_text.as_deref());
        h(&mut out, "X-Mms-MM-Status-Code", e.mm_status.as_ref().map(|v| v.as_str()));
        h(&mut out, "X-Mms-MM-Status-Extension", e.mm_status_extension.as_deref());
        h(&mut out, "X-Mms-Forward-To-Originator-UA", b(e.forward_to_originator_ua));
        h(&mut out, "X-Mms-Read-Status", e.read_status.as_ref().map(|v| v.as_str()));
        h(&mut out, "From", e.from.as_ref().map(|a| a.raw.as_str()));
        let list = |l: &[AddressField]| {
            (!l.is_empty()).then(|| l.iter().map(|a| a.raw.as_str()).collect::<Vec<_>>().join(", "))
        };
        h(&mut out, "To", list(&e.to).as_deref());
        h(&mut out, "Cc", list(&e.cc).as_deref());
        h(&mut out, "Date", e.date.as_ref().and_then(date_text).as_deref());
        let subject = e.subject.as_deref().map(encode_text);
        h(&mut out, "Subject", subject.as_deref());
        h(&mut out, "Sender", e.sender.as_deref());
        h(&mut out, "Message-ID", e.rfc822_message_id.as_deref());
        for (k, v) in &e.extra {
            write_header(&mut out, k, v);
        }
        match &self.body {
            Some(body) => {
                write_header(&mut out, "MIME-Version", "1.0");
                write_message_body(&mut out, body);
            }
            None => out.extend_from_slice(b"\r\n"),
        }
        out
    }

    /// The model as [`Mm4::to_bytes`] carries it, so `parse(to_bytes(m)) == m.as_emitted()`:
    /// Bcc dropped (envelope only on MM4), our version when none was given, the type spelled
    /// canonically, no Date that does not parse, the subject's white-space runs (and control
    /// characters) as single spaces, text parts declared UTF-8 (they are written in UTF-8
    /// whatever charset they came in), a single text body ending on a line break.
    pub fn as_emitted(&self) -> Mm4 {
        let mut m = self.clone();
        m.elements.bcc.clear();
        m.elements.mms_version.get_or_insert_with(|| MMS_VERSION.to_string());
        m.message_type_raw = None;
        // A Date that does not parse is not written; one that does is written as `date_text`.
        m.elements.date = m
            .elements
            .date
            .as_ref()
            .and_then(|d| Some(DateField { raw: date_text(d)?, unix: d.unix }));
        // Text fields read back with runs of white space as one (see `parse`).
        for t in [&mut m.elements.subject, &mut m.elements.status_text].into_iter().flatten() {
            *t = super::parse::collapse_spaces(t);
        }
        if let Some(body) = &mut m.body {
            utf8_texts(body);
            // A text body ends on a line break (see mime::write_message_body).
            if let Body::Text(t) = &mut body.body
                && !t.ends_with('\n')
            {
                t.push('\n');
            }
        }
        m
    }
}

/// The `Date` as written: only a date that reads as one, and as received only when it is a
/// plain RFC 5322 date-time (§3.3), else the same instant in canonical form. mail-parser's date
/// parser runs into the next header line after junk around a readable date (fuzz findings),
/// and an ISO 8601 date (VectorCore's) is not one a peer must read.
fn date_text(d: &DateField) -> Option<String> {
    let unix = d.unix?;
    Some(if is_plain_date(&d.raw) { d.raw.clone() } else { super::build::rfc5322_date(unix) })
}

/// `[Day,] D Mon YYYY HH:MM[:SS] ±HHMM|zone [(comment)]` in ASCII with spaces and tabs between,
/// nothing else. (The weekday is checked as a name, not against the date: both read the same.)
fn is_plain_date(s: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    if !s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)) {
        return false;
    }
    const ZONES: [&str; 10] = ["UT", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"];
    let digits = |t: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    let (s, comment) = match s.split_once('(') {
        Some((head, c)) => (head, Some(c)),
        None => (s, None),
    };
    if comment
        .is_some_and(|c| !c.ends_with(')') || !c.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
    {
        return false;
    }
    let mut t: Vec<&str> = s.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    if t.first().is_some_and(|d| DAYS.contains(d)) {
        t.remove(0);
    }
    let [day, month, year, time, zone] = t[..] else { return false };
    let time_ok = {
        let f: Vec<&str> = time.split(':').collect();
        (2..=3).contains(&f.len()) && f.iter().all(|x| digits(x, 2..=2))
    };
    let zone_ok = ((zone.starts_with('+') || zone.starts_with('-')) && digits(&zone[1..], 4..=4))
        || ZONES.contains(&zone);
    digits(day, 1..=2) && MONTHS.contains(&month) && digits(year, 4..=4) && time_ok && zone_ok
}

fn utf8_texts(p: &mut Part) {
    match &mut p.body {
        Body::Multipart(children) => children.iter_mut().for_each(utf8_texts),
        Body::Text(_) if p.content_type.main_type() == "text" => p.charset = Some("utf-8".into()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_received_only_when_plain() {
        for plain in [
            "Mon, 01 Jan 2024 10:00:00 +0000",
            "1 Jan 2024 10:00 -0500",
            "Tue, 02 Jul 2024 09:30:00 GMT (UTC)",
        ] {
            assert!(is_plain_date(plain), "{plain}");
        }
        for odd in [
            "2024-01-01T10:00:00Z",
            "Fon, 01 Jan 2024 10:00:00 +000-Mms-TranT-0s",
            "Mon, 01 Jan 24 10:00:00 +0000",
            "Mon, 01 Jan 2024 10:00:00 +0000 junk",
            "Mon, 01 Jan 2024 10:00:00 +0000 (open",
            "1:2, 01 Jan 2024 10:00:00 +0000",
            "Mon, 01\u{a0}Jan 2024 10:00:00 +0000",
        ] {
            assert!(!is_plain_date(odd), "{odd}");
        }
        let iso = DateField { raw: "2024-01-01T10:00:00Z".into(), unix: Some(1_704_103_200) };
        assert_eq!(date_text(&iso).as_deref(), Some("Mon, 01 Jan 2024 10:00:00 +0000"));
        let junk = DateField { raw: "soon".into(), unix: None };
        assert_eq!(date_text(&junk), None);
    }
}
