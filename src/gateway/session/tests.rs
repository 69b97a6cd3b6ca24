//! Whole SMTP dialogues run in memory: bytes in, reply bytes out, no sockets.
use std::sync::Arc;

use super::*;
use crate::gateway::router::{Target, Verdict};

fn session(limits: Limits, starttls: bool) -> Session {
    let cfg = Arc::new(SessionConfig { hostname: "gw.test".into(), limits, starttls });
    let policy: RcptPolicy = Arc::new(|a: &str| {
        if a.ends_with("@fax.test") {
            Verdict::Accept(Target::Route(0))
        } else if a.ends_with("@gw.test") {
            Verdict::Accept(Target::Local)
        } else if a.ends_with("@later.test") {
            Verdict::NotCapable("no converter".into())
        } else {
            Verdict::RelayDenied
        }
    });
    Session::new(cfg, policy)
}

/// Feeds each chunk; every message is "stored" as `id1`, `id2`, …; returns replies and messages.
fn run(s: &mut Session, chunks: &[&[u8]]) -> (String, Vec<Message>, bool) {
    let mut out = Vec::new();
    let mut msgs = Vec::new();
    let mut closed = false;
    for c in chunks {
        let mut ev = s.feed(c, &mut out);
        loop {
            match ev {
                Event::NeedInput => break,
                Event::Message(m) => {
                    msgs.push(m);
                    s.stored(Ok(format!("id{}", msgs.len())), &mut out);
                    ev = s.resume(&mut out);
                }
                Event::StartTls => {
                    s.tls_started();
                    break;
                }
                Event::Close => {
                    closed = true;
                    break;
                }
            }
        }
        if closed {
            break;
        }
    }
    (String::from_utf8(out).unwrap(), msgs, closed)
}

#[test]
fn pipelined_transaction_with_dsn_parameters() {
    let mut s = session(Limits::default(), false);
    let mut out = Vec::new();
    s.greeting(&mut out);
    assert_eq!(out, b"220 gw.test ESMTP mm3gw\r\n");
    let (r, msgs, closed) = run(
        &mut s,
        &[b"EHLO client.test\r\nMAIL FROM:<a@b.test> RET=HDRS ENVID=abc+2Bdef\r\nRCPT TO:<FAX=+4930123@fax.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;FAX+3D+2B4930123@fax.test\r\nRCPT TO:<x@evil.test>\r\nRCPT TO:<y@later.test>\r\nDATA\r\n",
          b"Subject: hi\r\n\r\n..dot\r\nline\r\n.\r\nQUIT\r\n"],
    );
    assert_eq!(
        r,
        "250-gw.test\r\n250-SIZE 10485760\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 DSN\r\n\
         250 2.1.0 OK\r\n250 2.1.5 OK\r\n550 5.7.1 Relaying denied: not a recipient this gateway serves\r\n\
         451 4.3.3 Recipient not served yet: no converter\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n\
         250 2.0.0 OK queued as id1\r\n221 2.0.0 gw.test Bye\r\n"
    );
    assert!(closed);
    let m = &msgs[0];
    assert_eq!(m.body, b"Subject: hi\r\n\r\n.dot\r\nline\r\n");
    assert_eq!(m.envelope.mail_from, "a@b.test");
    assert_eq!(m.envelope.envid.as_deref(), Some("abc+def"));
    assert_eq!(m.envelope.ret.as_deref(), Some("HDRS"));
    assert_eq!(m.envelope.rcpt_to.len(), 1);
    assert_eq!(m.envelope.rcpt_to[0].notify.as_deref(), Some("SUCCESS,FAILURE"));
    assert_eq!(m.envelope.rcpt_to[0].orcpt.as_deref(), Some("FAX=+4930123@fax.test"));
    assert_eq!(m.targets, vec![Target::Route(0)]);
}

#[test]
fn byte_by_byte_input_gives_the_same_dialogue() {
    let input = b"HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<bounce@gw.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n";
    let chunks: Vec<&[u8]> = input.chunks(1).collect();
    let (r, msgs, _) = run(&mut session(Limits::default(), false), &chunks);
    assert_eq!(
        r,
        "250 gw.test\r\n250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 OK queued as id1\r\n221 2.0.0 gw.test Bye\r\n"
    );
    assert_eq!(msgs[0].envelope.mail_from, "");
    assert_eq!(msgs[0].targets, vec![Target::Local]);
}

#[test]
fn out_of_order_and_unknown_commands() {
    let (r, msgs, _) = run(
        &mut session(Limits::default(), false),
        &[b"MAIL FROM:<a@b.test>\r\nEHLO c\r\nRCPT TO:<a@fax.test>\r\nDATA\r\nFOO bar\r\nMAIL FROM:<a@b.test>\r\nMAIL FROM:<a@b.test>\r\nDATA\r\nBDAT 10 LAST\r\nAUTH PLAIN\r\nSTARTTLS\r\n"],
    );
    let codes: Vec<&str> = r.lines().map(|l| &l[..3]).collect();
    assert_eq!(
        codes,
        [
            "503", "250", "250", "250", "250", "250", "250", "503", "503", "500", "250", "503",
            "554", "502", "502", "502"
        ]
    );
    assert!(msgs.is_empty());
}

#[test]
fn too_many_errors_closes_the_connection() {
    let l = Limits { errors: 3, ..Limits::default() };
    let (r, _, closed) =
        run(&mut session(l, false), &[b"EHLO c\r\nXYZZY\r\nXYZZY\r\nXYZZY\r\nNOOP\r\n"]);
    assert!(closed);
    assert!(r.ends_with("500 5.5.1 Command unrecognized\r\n421 4.7.0 gw.test Too many errors, closing connection\r\n"), "{r}");
    assert!(!r.contains("2.0.0 OK\r\n"));
}

#[test]
fn recipient_limit_answers_452_and_keeps_the_first() {
    let l = Limits { recipients: 2, ..Limits::default() };
    let mut input = b"EHLO c\r\nMAIL FROM:<a@b.test>\r\n".to_vec();
    for i in 0..5 {
        input.extend_from_slice(format!("RCPT TO:<n{i}@fax.test>\r\n").as_bytes());
    }
    input.extend_from_slice(b"DATA\r\nx\r\n.\r\n");
    let (r, msgs, _) = run(&mut session(l, false), &[&input]);
    assert_eq!(r.matches("452 4.5.3").count(), 3, "{r}");
    assert_eq!(msgs[0].envelope.rcpt_to.len(), 2);
}

#[test]
fn oversize_by_size_and_by_data() {
    let l = Limits { message_bytes: 2048, ..Limits::default() };
    let (r, _, _) =
        run(&mut session(l.clone(), false), &[b"EHLO c\r\nMAIL FROM:<a@b.test> SIZE=4096\r\n"]);
    assert!(
        r.ends_with("552 5.3.4 Message size exceeds the fixed maximum of 2048 bytes\r\n"),
        "{r}"
    );

    let mut s = session(l, false);
    let big = vec![b'x'; 1000];
    let mut chunks: Vec<Vec<u8>> =
        vec![b"EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@fax.test>\r\nDATA\r\n".to_vec()];
    for _ in 0..10 {
        let mut c = big.clone();
        c.extend_from_slice(b"\r\n");
        chunks.push(c);
    }
    chunks.push(
        b".\r\nRSET\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@fax.test>\r\nDATA\r\nsmall\r\n.\r\n"
            .to_vec(),
    );
    let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
    let (r, msgs, _) = run(&mut s, &refs);
    assert!(
        r.contains(
            "552 5.3.4 Message exceeds the fixed maximum size of 2048 bytes\r\n250 2.0.0 OK\r\n"
        ),
        "{r}"
    );
    assert_eq!(msgs.len(), 1, "the session stays in sync and takes the next message");
    assert_eq!(msgs[0].body, b"small\r\n");
}

#[test]
fn overlong_lines_are_drained_and_refused() {
    let l = Limits { line_bytes: 512, ..Limits::default() };
    let long = format!("NOOP {}\r\nNOOP\r\n", "a".repeat(3000));
    let chunks: Vec<&[u8]> = long.as_bytes().chunks(700).collect();
    let (r, _, _) = run(&mut session(l, false), &chunks);
    assert_eq!(r, "500 5.5.6 Line too long\r\n250 2.0.0 OK\r\n");
}

#[test]
fn starttls_discards_pipelined_plaintext_and_resets() {
    let mut s = session(Limits::default(), true);
    let (r, _, _) = run(&mut s, &[b"EHLO c\r\nSTARTTLS\r\nMAIL FROM:<injected@x>\r\n"]);
    assert!(
        r.contains("250 STARTTLS\r\n") && r.ends_with("220 2.0.0 Ready to start TLS\r\n"),
        "{r}"
    );
    let (r, _, _) = run(&mut s, &[b"MAIL FROM:<a@b.test>\r\nEHLO c\r\nSTARTTLS\r\n"]);
    assert!(r.starts_with("503 5.5.1 Send EHLO or HELO first\r\n"), "{r}");
    assert!(
        !r.contains("STARTTLS\r\n") && r.ends_with("502 5.5.1 STARTTLS not available\r\n"),
        "{r}"
    );
}

#[test]
fn failed_store_answers_451_and_the_session_goes_on() {
    let mut s = session(Limits::default(), false);
    let mut out = Vec::new();
    let ev = s.feed(
        b"HELO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@fax.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n",
        &mut out,
    );
    assert!(matches!(ev, Event::Message(_)));
    s.stored(Err(StoreError::Temporary), &mut out);
    assert!(matches!(s.resume(&mut out), Event::NeedInput));
    let r = String::from_utf8(out).unwrap();
    assert!(
        r.ends_with("451 4.3.0 Cannot store the message now, try again later\r\n250 2.0.0 OK\r\n"),
        "{r}"
    );
}

#[test]
fn no_panic_on_garbage_input() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..200 {
        let mut s = session(Limits::default(), true);
        let mut out = Vec::new();
        for _ in 0..20 {
            let mut chunk = Vec::new();
            for _ in 0..(seed % 64) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = b"MAIL FROM:<>RCPT TO DATA\r\n.EHLO STARTTLS=;+@x\x00\xff";
                chunk.push(if round % 2 == 0 {
                    alphabet[(seed % alphabet.len() as u64) as usize]
                } else {
                    seed as u8
                });
            }
            match s.feed(&chunk, &mut out) {
                Event::Message(_) => s.stored(Ok("x".into()), &mut out),
                Event::StartTls => s.tls_started(),
                Event::Close => break,
                Event::NeedInput => {}
            }
        }
    }
}

#[test]
fn mail_loops_are_refused() {
    let mut input = b"HELO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@fax.test>\r\nDATA\r\n".to_vec();
    for _ in 0..=MAX_HOPS {
        input.extend_from_slice(b"Received: from x by y; Mon, 01 Jan 2024 10:00:00 +0000\r\n");
    }
    input.extend_from_slice(b"Subject: loop\r\n\r\nbody\r\n.\r\nNOOP\r\n");
    let (r, msgs, _) = run(&mut session(Limits::default(), false), &[&input]);
    assert!(msgs.is_empty());
    assert!(
        r.ends_with("554 5.4.6 Too many Received headers: mail loop\r\n250 2.0.0 OK\r\n"),
        "{r}"
    );
}

#[test]
fn non_ascii_addresses_are_refused_without_smtputf8() {
    let (r, msgs, _) = run(
        &mut session(Limits::default(), false),
        &["EHLO c\r\nMAIL FROM:<jürgen@b.test>\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<müller@fax.test>\r\nQUIT\r\n".as_bytes()],
    );
    let codes: Vec<&str> = r.lines().filter(|l| !l.starts_with("250-")).map(|l| &l[..3]).collect();
    assert_eq!(codes, ["250", "553", "250", "553", "221"], "{r}");
    assert!(msgs.is_empty());
}

#[test]
fn messages_per_connection_is_capped() {
    let l = Limits { messages_per_connection: 1, ..Limits::default() };
    let one = "MAIL FROM:<a@b.test>\r\nRCPT TO:<a@fax.test>\r\nDATA\r\nx\r\n.\r\n";
    let (r, msgs, closed) =
        run(&mut session(l, false), &[format!("HELO c\r\n{one}{one}").as_bytes()]);
    assert_eq!(msgs.len(), 1);
    assert!(
        closed
            && r.ends_with("421 4.7.0 gw.test Too many messages on this connection, reconnect\r\n"),
        "{r}"
    );
}
