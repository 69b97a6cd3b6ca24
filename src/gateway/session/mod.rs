//! The ESMTP server session as a sans-IO state machine.
//!
//! [`Session`] is fed the bytes a client sent and appends its replies to an output buffer; it
//! never reads a socket, a file or a clock. Whenever the shell must do I/O for it, it stops and
//! returns an [`Event`]: a complete message to spool (answer with [`Session::stored`]), a STARTTLS
//! handshake to run ([`Session::tls_started`]), or the end of the connection. Pipelined input
//! that arrives meanwhile stays buffered in the session and is processed by [`Session::resume`].
//!
//! The phase is a state enum of smtp-proto receivers (legacy stalwart smtp-server shape): command
//! lines, DATA (`DataReceiver`, which removes dot-stuffing), an oversized DATA being drained so
//! the dialogue stays in sync (`DummyDataReceiver`, then 552), and an overlong command line being
//! drained (`DummyLineReceiver`, then 500). One handler file per verb: [`ehlo`], [`mail`],
//! [`rcpt`], [`data`].
use std::sync::Arc;

use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver, DummyLineReceiver};
use smtp_proto::{Error as ProtoError, Request};

use crate::config::Limits;

use super::router::{Target, Verdict};
use super::spool::{Envelope, Rcpt};

mod data;
mod ehlo;
mod mail;
mod rcpt;

/// What a session needs to know about its listener.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub hostname: String,
    pub limits: Limits,
    /// STARTTLS can be offered (a certificate is configured).
    pub starttls: bool,
}

/// More `Received:` headers than this is a mail loop (Postfix's `hopcount_limit` default is 50;
/// MM4 paths are short).
pub const MAX_HOPS: usize = 30;

/// Decides each RCPT TO (see `router::classify`).
pub type RcptPolicy = Arc<dyn Fn(&str) -> Verdict + Send + Sync>;

/// What the shell must do next.
#[derive(Debug)]
pub enum Event {
    /// Read more input (after writing the output).
    NeedInput,
    /// Spool this message durably, then call [`Session::stored`].
    Message(Message),
    /// Write the output, then run the TLS handshake and call [`Session::tls_started`].
    StartTls,
    /// Write the output and close the connection.
    Close,
}

/// A complete message from one transaction.
#[derive(Debug, Clone)]
pub struct Message {
    pub helo: String,
    pub tls: bool,
    pub envelope: Envelope,
    /// Where each envelope recipient leads (same order as `envelope.rcpt_to`).
    pub targets: Vec<Target>,
    /// The DATA, dot-stuffing removed, ending in CRLF.
    pub body: Vec<u8>,
}

/// Why a message could not be stored (the shell's answer to [`Event::Message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// Disk full, I/O error: 451 4.3.0, the client keeps the message.
    Temporary,
    /// The spool holds `limits.spool_messages`: 452 4.3.1, the client retries later.
    Full,
}

enum State {
    Request,
    Data {
        rx: DataReceiver,
        buf: Vec<u8>,
    },
    DataTooLarge(DummyDataReceiver),
    LineTooLong(DummyLineReceiver),
    /// A message was handed to the shell; waiting for [`Session::stored`].
    AwaitStore,
    Closed,
}

struct Transaction {
    mail_from: String,
    envid: Option<String>,
    ret: Option<String>,
    rcpts: Vec<(Rcpt, Target)>,
}

/// One SMTP server session.
pub struct Session {
    cfg: Arc<SessionConfig>,
    policy: RcptPolicy,
    state: State,
    pending: Vec<u8>,
    helo: Option<String>,
    tls: bool,
    tx: Option<Transaction>,
    errors: u32,
    messages: u32,
}

impl Session {
    pub fn new(cfg: Arc<SessionConfig>, policy: RcptPolicy) -> Session {
        Session {
            cfg,
            policy,
            state: State::Request,
            pending: Vec::new(),
            helo: None,
            tls: false,
            tx: None,
            errors: 0,
            messages: 0,
        }
    }

    /// The 220 banner.
    pub fn greeting(&self, out: &mut Vec<u8>) {
        reply(out, 220, "", &format!("{} ESMTP mm3gw", self.cfg.hostname));
    }

    /// Feeds client bytes; replies are appended to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Event {
        if matches!(self.state, State::Closed) {
            return Event::Close;
        }
        self.pending.extend_from_slice(input);
        self.run(out)
    }

    /// Continues with buffered input after an event was handled.
    pub fn resume(&mut self, out: &mut Vec<u8>) -> Event {
        self.run(out)
    }

    /// The answer to [`Event::Message`]: 250 only when the spool says the message is durable.
    pub fn stored(&mut self, result: Result<String, StoreError>, out: &mut Vec<u8>) {
        match result {
            Ok(id) => {
                self.messages += 1;
                reply(out, 250, "2.0.0", &format!("OK queued as {id}"));
            }
            Err(StoreError::Temporary) => {
                reply(out, 451, "4.3.0", "Cannot store the message now, try again later")
            }
            Err(StoreError::Full) => {
                reply(out, 452, "4.3.1", "Insufficient system storage, try again later")
            }
        }
        self.tx = None;
        if matches!(self.state, State::AwaitStore) {
            self.state = State::Request;
        }
    }

    /// After a successful handshake: forget everything said in plaintext (RFC 3207 §4.2).
    pub fn tls_started(&mut self) {
        self.tls = true;
        self.helo = None;
        self.tx = None;
        self.pending.clear();
        self.state = State::Request;
    }

    /// The client was too slow: 421 and close.
    pub fn timeout(&mut self, out: &mut Vec<u8>) {
        reply(out, 421, "4.4.2", &format!("{} Timeout, closing connection", self.cfg.hostname));
        self.state = State::Closed;
    }

    /// The server is shutting down: 421 and close (the client retries elsewhere or later).
    pub fn shutdown(&mut self, out: &mut Vec<u8>) {
        reply(
            out,
            421,
            "4.3.2",
            &format!("{} Service shutting down, try again later", self.cfg.hostname),
        );
        self.state = State::Closed;
    }

    /// Whether the session is inside DATA (the shell applies the DATA timeout then).
    pub fn in_data(&self) -> bool {
        matches!(self.state, State::Data { .. } | State::DataTooLarge(_))
    }

    /// The end of an oversize DATA: the transaction is void, 552.
    fn too_large(&mut self, out: &mut Vec<u8>) {
        self.state = State::Request;
        self.tx = None;
        reply(
            out,
            552,
            "5.3.4",
            &format!(
                "Message exceeds the fixed maximum size of {} bytes",
                self.cfg.limits.message_bytes
            ),
        );
    }

    fn run(&mut self, out: &mut Vec<u8>) -> Event {
        loop {
            match &mut self.state {
                State::Closed => return Event::Close,
                State::AwaitStore => return Event::NeedInput,
                State::LineTooLong(rx) => {
                    if !drain(&mut self.pending, |it| rx.ingest(it)) {
                        return Event::NeedInput;
                    }
                    self.state = State::Request;
                }
                State::DataTooLarge(rx) => {
                    if !drain(&mut self.pending, |it| rx.ingest(it)) {
                        return Event::NeedInput;
                    }
                    self.too_large(out);
                }
                State::Data { rx, buf } => {
                    let done = drain(&mut self.pending, |it| rx.ingest(it, buf));
                    if buf.len() as u64 > self.cfg.limits.message_bytes {
                        if done {
                            self.too_large(out);
                        } else {
                            // Keep reading (and discarding) to the end of DATA, then answer 552.
                            self.state = State::DataTooLarge(DummyDataReceiver::new_data(rx));
                        }
                        continue;
                    }
                    if !done {
                        return Event::NeedInput;
                    }
                    let body = std::mem::take(buf);
                    if data::hops(&body) > MAX_HOPS {
                        // A mail loop (RFC 5321 §6.3): refuse rather than spool it again.
                        self.state = State::Request;
                        self.tx = None;
                        reply(out, 554, "5.4.6", "Too many Received headers: mail loop");
                        continue;
                    }
                    self.state = State::AwaitStore;
                    if let Some(m) = self.finish_message(body) {
                        return Event::Message(m);
                    }
                    self.state = State::Request;
                }
                State::Request => {
                    let Some(nl) = self.pending.iter().position(|&b| b == b'\n') else {
                        if self.pending.len() > self.cfg.limits.line_bytes {
                            self.pending.clear();
                            self.state = State::LineTooLong(DummyLineReceiver::default());
                            if let Some(e) = self.error(out, 500, "5.5.6", "Line too long") {
                                return e;
                            }
                            continue;
                        }
                        return Event::NeedInput;
                    };
                    let line: Vec<u8> = self.pending.drain(..=nl).collect();
                    if line.len() > self.cfg.limits.line_bytes {
                        if let Some(e) = self.error(out, 500, "5.5.6", "Line too long") {
                            return e;
                        }
                        continue;
                    }
                    let parsed = Request::parse(&mut line.iter()).map(Request::into_owned);
                    if let Some(e) = self.request(parsed, out) {
                        return e;
                    }
                }
            }
        }
    }

    /// Counts a client error and writes its reply; past the limit, 421 and close.
    fn error(&mut self, out: &mut Vec<u8>, code: u16, esc: &str, text: &str) -> Option<Event> {
        reply(out, code, esc, text);
        self.errors += 1;
        if self.errors >= self.cfg.limits.errors {
            reply(
                out,
                421,
                "4.7.0",
                &format!("{} Too many errors, closing connection", self.cfg.hostname),
            );
            self.state = State::Closed;
            return Some(Event::Close);
        }
        None
    }

    fn request(
        &mut self,
        parsed: Result<Request<String>, ProtoError>,
        out: &mut Vec<u8>,
    ) -> Option<Event> {
        let req = match parsed {
            Ok(r) => r,
            Err(ProtoError::UnknownCommand) => {
                return self.error(out, 500, "5.5.1", "Command unrecognized");
            }
            Err(ProtoError::SyntaxError { syntax }) => {
                return self.error(out, 501, "5.5.4", &format!("Syntax: {syntax}"));
            }
            Err(ProtoError::InvalidSenderAddress) => {
                return self.error(out, 501, "5.1.7", "Invalid sender address");
            }
            Err(ProtoError::InvalidRecipientAddress) => {
                return self.error(out, 501, "5.1.3", "Invalid recipient address");
            }
            Err(ProtoError::InvalidParameter { param }) => {
                return self.error(out, 501, "5.5.4", &format!("Invalid parameter {param}"));
            }
            Err(ProtoError::UnsupportedParameter { param }) => {
                return self.error(out, 555, "5.5.4", &format!("Unsupported parameter {param}"));
            }
            Err(ProtoError::ResponseTooLong) => {
                return self.error(out, 500, "5.5.6", "Line too long");
            }
            Err(_) => return self.error(out, 500, "5.5.2", "Syntax error"),
        };
        match req {
            Request::Ehlo { host } => self.ehlo(host, true, out),
            Request::Helo { host } => self.ehlo(host, false, out),
            Request::Lhlo { .. } => self.error(out, 500, "5.5.1", "This is not an LMTP server"),
            Request::Mail { from } => self.mail(from, out),
            Request::Rcpt { to } => self.rcpt(to, out),
            Request::Data => self.data(out),
            Request::Bdat { .. } => self.error(out, 502, "5.5.1", "CHUNKING is not offered"),
            Request::StartTls => self.starttls(out),
            Request::Rset => {
                self.tx = None;
                reply(out, 250, "2.0.0", "OK");
                None
            }
            Request::Noop { .. } => {
                reply(out, 250, "2.0.0", "OK");
                None
            }
            Request::Quit => {
                reply(out, 221, "2.0.0", &format!("{} Bye", self.cfg.hostname));
                self.state = State::Closed;
                Some(Event::Close)
            }
            Request::Vrfy { .. } => {
                reply(
                    out,
                    252,
                    "2.5.0",
                    "Cannot VRFY user, but will accept the message and attempt delivery",
                );
                None
            }
            Request::Help { .. } => {
                reply(out, 214, "2.0.0", "mm3gw: MM4 <-> T.37 fax mail / VPIM; see the README");
                None
            }
            Request::Auth { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => self.error(out, 502, "5.5.1", "Command not implemented"),
        }
    }

    fn starttls(&mut self, out: &mut Vec<u8>) -> Option<Event> {
        if !self.cfg.starttls || self.tls {
            return self.error(out, 502, "5.5.1", "STARTTLS not available");
        }
        if self.tx.is_some() {
            return self.error(out, 503, "5.5.1", "STARTTLS not allowed inside a transaction");
        }
        reply(out, 220, "2.0.0", "Ready to start TLS");
        // Anything pipelined after STARTTLS was sent in plaintext: discard it (RFC 3207 §4.2).
        self.pending.clear();
        Some(Event::StartTls)
    }
}

/// Feeds `pending` to a receiver and drops the bytes it used; `true` when the receiver is done
/// (the end of the line or of DATA was seen).
fn drain(
    pending: &mut Vec<u8>,
    ingest: impl FnOnce(&mut std::slice::Iter<'_, u8>) -> bool,
) -> bool {
    let mut it = pending.iter();
    let done = ingest(&mut it);
    let used = pending.len() - it.as_slice().len();
    pending.drain(..used);
    done
}

/// Writes one reply line: `code esc text CRLF` (esc may be empty).
pub(crate) fn reply(out: &mut Vec<u8>, code: u16, esc: &str, text: &str) {
    use std::io::Write;
    let _ = if esc.is_empty() {
        write!(out, "{code} {text}\r\n")
    } else {
        write!(out, "{code} {esc} {text}\r\n")
    };
}

#[cfg(test)]
mod tests;
