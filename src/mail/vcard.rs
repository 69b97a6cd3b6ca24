//! The vCard subset voice mail carries (RFC 2426 vCard 3.0 in `text/directory`, RFC 2421
//! §4.3.3): who sent the message. Read leniently (RFC 2421's own example lacks FN and uses
//! `EMAIL;TYPE=INTERNET` and `ENCODING=URI`; vCard 2.1 and 4.0 lines are read the same way),
//! written strictly as 3.0 with FN, N, TEL and EMAIL.
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no BEGIN:VCARD … END:VCARD block")]
    NoCard,
    #[error("vCard of {bytes} bytes exceeds the limit of {limit}")]
    TooLarge { bytes: usize, limit: usize },
}

/// The fields the gateway uses: display name, numbers, mail addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VCard {
    /// `FN`, else built from `N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tel: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

impl VCard {
    /// The display name for an MM originator: the name, else the first number.
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.tel.first().map(String::as_str))
    }

    /// vCard 3.0 text, CRLF line ends, long lines folded at 75 octets (RFC 2425 §5.8.1).
    pub fn to_text(&self) -> String {
        let mut lines = vec!["BEGIN:VCARD".to_string(), "VERSION:3.0".to_string()];
        let name = self.display_name().unwrap_or("");
        lines.push(format!("FN:{}", escape(name)));
        lines.push(format!("N:{};;;;", escape(name)));
        if let Some(o) = &self.org {
            lines.push(format!("ORG:{}", escape(o)));
        }
        lines.extend(self.tel.iter().map(|t| format!("TEL;TYPE=VOICE:{}", escape(t))));
        lines.extend(self.email.iter().map(|e| format!("EMAIL;TYPE=INTERNET:{}", escape(e))));
        lines.push("END:VCARD".into());
        let mut out = String::new();
        for l in lines {
            fold(&mut out, &l);
        }
        out
    }

    /// Reads the first card in `text`.
    pub fn parse(text: &str, max_bytes: usize) -> Result<VCard, Error> {
        if text.len() > max_bytes {
            return Err(Error::TooLarge { bytes: text.len(), limit: max_bytes });
        }
        let mut unfolded: Vec<String> = Vec::new();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            match (line.strip_prefix([' ', '\t']), unfolded.last_mut()) {
                (Some(cont), Some(last)) => last.push_str(cont),
                _ => unfolded.push(line.to_string()),
            }
        }
        let mut card = VCard::default();
        let (mut inside, mut seen, mut n) = (false, false, None);
        for line in &unfolded {
            let Some((left, value)) = line.split_once(':') else { continue };
            let mut params = left.split(';');
            let prop = params.next().unwrap_or("");
            // Group prefixes (`item1.TEL`) are allowed by RFC 2425.
            let prop = prop.rsplit('.').next().unwrap_or(prop).to_ascii_uppercase();
            let value = value.trim();
            match prop.as_str() {
                "BEGIN" if value.eq_ignore_ascii_case("vcard") => (inside, seen) = (true, true),
                "END" if value.eq_ignore_ascii_case("vcard") && inside => break,
                _ if !inside => {}
                "FN" if !value.is_empty() => card.name = Some(unescape(value)),
                "N" => n = Some(unescape_n(value)),
                "ORG" if !value.is_empty() => card.org = Some(unescape(value).replace(';', " ")),
                "TEL" if !value.is_empty() => {
                    card.tel.push(unescape(value.trim_start_matches("tel:")))
                }
                "EMAIL" if !value.is_empty() => card.email.push(unescape(value)),
                _ => {}
            }
        }
        if !seen {
            return Err(Error::NoCard);
        }
        if card.name.is_none() {
            card.name = n.filter(|s| !s.is_empty());
        }
        Ok(card)
    }
}

/// `N:family;given;additional;prefix;suffix` → "prefix given additional family suffix".
fn unescape_n(value: &str) -> String {
    let f: Vec<String> = split_unescaped(value).into_iter().map(|s| unescape(&s)).collect();
    let get = |i: usize| f.get(i).map(String::as_str).unwrap_or("");
    [get(3), get(1), get(2), get(0), get(4)]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn split_unescaped(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, ';') => out.push(String::new()),
            (true, c) => {
                escaped = false;
                if let Some(last) = out.last_mut() {
                    last.push('\\');
                    last.push(c);
                }
            }
            (false, c) => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out.trim().to_string()
}

/// Appends `line` folded into ≤75-octet pieces at character boundaries, CRLF ended.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_folding() {
        let card = VCard {
            name: Some("Jörg Müller; Söhne".into()),
            tel: vec!["+4917012345".into()],
            email: vec!["+4917012345@gw.example".into()],
            org: None,
        };
        let text = card.to_text();
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jörg Müller\\; Söhne\r\n"));
        assert_eq!(VCard::parse(&text, 4096).unwrap(), card);
        let long = VCard { name: Some("x".repeat(200)), ..VCard::default() };
        let t = long.to_text();
        assert!(t.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(VCard::parse(&t, 4096).unwrap().name, long.name);
    }

    #[test]
    fn reads_rfc2421_example_without_fn() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nN:Parsons;Glenn;;Mr.;\nTEL:+1-613-555-1212\n\
                    EMAIL;TYPE=INTERNET:+16135551212@vm1.mycompany.com\n\
                    item1.X-SOUND;TYPE=32KADPCM;ENCODING=URI:CID:part1@VM2-4321\nEND:VCARD\n";
        let c = VCard::parse(text, 4096).unwrap();
        assert_eq!(c.name.as_deref(), Some("Mr. Glenn Parsons"));
        assert_eq!(c.tel, ["+1-613-555-1212"]);
        assert_eq!(c.email, ["+16135551212@vm1.mycompany.com"]);
        assert_eq!(VCard::parse("hello", 4096), Err(Error::NoCard));
        assert!(matches!(VCard::parse(&"x".repeat(10), 5), Err(Error::TooLarge { .. })));
    }
}
