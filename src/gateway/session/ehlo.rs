//! EHLO / HELO: greet, advertise the extensions, reset the transaction (RFC 5321 §4.1.4).
use super::{Event, Session, reply};

impl Session {
    pub(super) fn ehlo(
        &mut self,
        host: String,
        extended: bool,
        out: &mut Vec<u8>,
    ) -> Option<Event> {
        self.tx = None;
        self.helo = Some(host);
        let h = &self.cfg.hostname;
        if !extended {
            reply(out, 250, "", h);
            return None;
        }
        let mut caps = vec![
            format!("SIZE {}", self.cfg.limits.message_bytes),
            "PIPELINING".to_owned(),
            "8BITMIME".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
            "DSN".to_owned(),
        ];
        if self.cfg.starttls && !self.tls {
            caps.push("STARTTLS".to_owned());
        }
        out.extend_from_slice(format!("250-{h}\r\n").as_bytes());
        for (i, c) in caps.iter().enumerate() {
            let sep = if i + 1 == caps.len() { ' ' } else { '-' };
            out.extend_from_slice(format!("250{sep}{c}\r\n").as_bytes());
        }
        None
    }
}
