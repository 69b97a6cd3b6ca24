//! DATA: 354, then the body through smtp-proto's `DataReceiver`; the complete message is handed to
//! the shell, which spools it before the 250 (see `Session::stored`).
use smtp_proto::request::receiver::DataReceiver;

use super::super::spool::Envelope;
use super::{Event, Message, Session, State, reply};

impl Session {
    pub(super) fn data(&mut self, out: &mut Vec<u8>) -> Option<Event> {
        match &self.tx {
            None => self.error(out, 503, "5.5.1", "Send MAIL first"),
            Some(tx) if tx.rcpts.is_empty() => self.error(out, 554, "5.5.1", "No valid recipients"),
            Some(_) => {
                reply(out, 354, "", "Start mail input; end with <CRLF>.<CRLF>");
                self.state = State::Data { rx: DataReceiver::new(), buf: Vec::new() };
                None
            }
        }
    }

    pub(super) fn finish_message(&mut self, body: Vec<u8>) -> Option<Message> {
        let tx = self.tx.take()?;
        let (rcpt_to, targets) = tx.rcpts.into_iter().unzip();
        Some(Message {
            helo: self.helo.clone().unwrap_or_default(),
            tls: self.tls,
            envelope: Envelope { mail_from: tx.mail_from, rcpt_to, envid: tx.envid, ret: tx.ret },
            targets,
            body,
        })
    }
}

/// The number of `Received:` header fields in a message's header section.
pub(super) fn hops(body: &[u8]) -> usize {
    let end = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(body.len());
    body[..end]
        .split(|&b| b == b'\n')
        .filter(|l| l.len() >= 9 && l[..9].eq_ignore_ascii_case(b"received:"))
        .count()
}
