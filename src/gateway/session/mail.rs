//! MAIL FROM: opens a transaction; SIZE checked against the limit, DSN RET/ENVID kept.
use smtp_proto::{
    MAIL_BODY_BINARYMIME, MAIL_REQUIRETLS, MAIL_RET_FULL, MAIL_RET_HDRS, MAIL_SMTPUTF8, MailFrom,
};

use super::{Event, Session, Transaction, reply};

impl Session {
    pub(super) fn mail(&mut self, from: MailFrom<String>, out: &mut Vec<u8>) -> Option<Event> {
        if self.helo.is_none() {
            return self.error(out, 503, "5.5.1", "Send EHLO or HELO first");
        }
        if self.tx.is_some() {
            return self.error(out, 503, "5.5.1", "Nested MAIL command");
        }
        if self.messages >= self.cfg.limits.messages_per_connection {
            reply(
                out,
                421,
                "4.7.0",
                &format!("{} Too many messages on this connection, reconnect", self.cfg.hostname),
            );
            self.state = super::State::Closed;
            return Some(Event::Close);
        }
        if from.flags & (MAIL_BODY_BINARYMIME | MAIL_SMTPUTF8 | MAIL_REQUIRETLS) != 0 {
            return self.error(
                out,
                555,
                "5.5.4",
                "BINARYMIME, SMTPUTF8 and REQUIRETLS are not offered",
            );
        }
        if !from.address.is_ascii() {
            // RFC 6531 §3.5: without SMTPUTF8 (not offered) a non-ASCII address is refused.
            return self.error(
                out,
                553,
                "5.6.7",
                "Non-ASCII addresses need SMTPUTF8, which is not offered",
            );
        }
        if from.size as u64 > self.cfg.limits.message_bytes {
            // A refusal by policy, not a protocol error: not counted toward the error limit.
            reply(
                out,
                552,
                "5.3.4",
                &format!(
                    "Message size exceeds the fixed maximum of {} bytes",
                    self.cfg.limits.message_bytes
                ),
            );
            return None;
        }
        let ret = if from.flags & MAIL_RET_FULL != 0 {
            Some("FULL".to_owned())
        } else if from.flags & MAIL_RET_HDRS != 0 {
            Some("HDRS".to_owned())
        } else {
            None
        };
        self.tx = Some(Transaction {
            mail_from: from.address,
            envid: from.env_id,
            ret,
            rcpts: Vec::new(),
        });
        reply(out, 250, "2.1.0", "OK");
        None
    }
}
