//! RCPT TO: no open relay (550 5.7.1), recipient limit (452 4.5.3), DSN NOTIFY/ORCPT kept.
use smtp_proto::{
    RCPT_NOTIFY_DELAY, RCPT_NOTIFY_FAILURE, RCPT_NOTIFY_NEVER, RCPT_NOTIFY_SUCCESS, RcptTo,
};

use super::super::router::Verdict;
use super::super::spool::Rcpt;
use super::{Event, Session, reply};

impl Session {
    pub(super) fn rcpt(&mut self, to: RcptTo<String>, out: &mut Vec<u8>) -> Option<Event> {
        let Some(tx) = &self.tx else {
            return self.error(out, 503, "5.5.1", "Send MAIL first");
        };
        if tx.rcpts.len() >= self.cfg.limits.recipients {
            // RFC 5321 §4.5.3.1.10: 452, and the client sends the rest in another transaction.
            reply(
                out,
                452,
                "4.5.3",
                &format!(
                    "Too many recipients (at most {} per message)",
                    self.cfg.limits.recipients
                ),
            );
            return None;
        }
        if !to.address.is_ascii() {
            // RFC 6531 §3.5; RFC 4356 §2.1.3 also refuses non-ASCII local parts toward MMS.
            return self.error(
                out,
                553,
                "5.6.7",
                "Non-ASCII addresses need SMTPUTF8, which is not offered",
            );
        }
        match (self.policy)(&to.address) {
            Verdict::Accept(target) => {
                let notify = notify_text(to.flags);
                let rcpt = Rcpt { address: to.address, notify, orcpt: to.orcpt };
                if let Some(tx) = &mut self.tx {
                    tx.rcpts.push((rcpt, target));
                }
                reply(out, 250, "2.1.5", "OK");
                None
            }
            Verdict::RelayDenied => self.error(
                out,
                550,
                "5.7.1",
                "Relaying denied: not a recipient this gateway serves",
            ),
            Verdict::BadAddress => self.error(out, 501, "5.1.3", "Bad recipient address syntax"),
            Verdict::NotCapable(why) => {
                reply(out, 451, "4.3.3", &format!("Recipient not served yet: {why}"));
                None
            }
        }
    }
}

fn notify_text(flags: u64) -> Option<String> {
    if flags & RCPT_NOTIFY_NEVER != 0 {
        return Some("NEVER".into());
    }
    let parts: Vec<&str> = [
        (RCPT_NOTIFY_SUCCESS, "SUCCESS"),
        (RCPT_NOTIFY_FAILURE, "FAILURE"),
        (RCPT_NOTIFY_DELAY, "DELAY"),
    ]
    .iter()
    .filter(|(f, _)| flags & f != 0)
    .map(|(_, n)| *n)
    .collect();
    if parts.is_empty() { None } else { Some(parts.join(",")) }
}
