//! The gateway's SMTP session, the report-token verifier and the config loader on arbitrary
//! bytes. The session input is split at the first byte's value so chunk boundaries vary, and
//! fed twice: raw, and mapped onto the SMTP command alphabet to reach deeper states
//! (smtp-proto's `into_alphabet` idea).
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use mm3gw::config::Limits;
use mm3gw::gateway::router::{Target, Verdict};
use mm3gw::gateway::session::{Event, RcptPolicy, Session, SessionConfig};
use mm3gw::gateway::token::Keys;

const ALPHABET: &[u8] = b"EHLO MAIL FROM:<a@b> RCPT TO:<x@y> DATA\r\n.STARTTLS RSET NOOP QUIT=;+SIZE=9 NOTIFY ORCPT=rfc822;";

fn run(input: &[u8], split: usize) {
    let cfg = Arc::new(SessionConfig {
        hostname: "gw.fuzz".into(),
        limits: Limits { message_bytes: 4096, line_bytes: 512, errors: 50, ..Limits::default() },
        starttls: true,
    });
    let policy: RcptPolicy = Arc::new(|a: &str| if a.ends_with("@y") { Verdict::Accept(Target::Local) } else { Verdict::RelayDenied });
    let mut s = Session::new(cfg, policy);
    let mut out = Vec::new();
    for chunk in input.chunks(split.max(1)) {
        let mut ev = s.feed(chunk, &mut out);
        loop {
            match ev {
                Event::Message(_) => {
                    s.stored(Ok("id".into()), &mut out);
                    ev = s.resume(&mut out);
                }
                Event::StartTls => {
                    s.tls_started();
                    break;
                }
                Event::NeedInput | Event::Close => break,
            }
        }
        out.clear();
    }
}

fuzz_target!(|data: &[u8]| {
    let split = data.first().copied().unwrap_or(1) as usize;
    run(data, split);
    let mapped: Vec<u8> = data.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()]).collect();
    run(&mapped, split);
    let keys = Keys::new(b"0123456789abcdef0123456789abcdef", None, "gw.fuzz");
    let text = String::from_utf8_lossy(data);
    let _ = keys.verify(&text);
    let _ = keys.find_in(&text);
    let _ = mm3gw::config::Config::from_toml(&text, "fuzz.toml");
});
