//! The gateway service: the only part of mm3gw that touches sockets, disks and clocks.
//!
//! # Layout
//! - [`session`]: the ESMTP server session as a sans-IO state machine over smtp-proto receivers
//!   (one receiver state per phase, one handler file per verb); whole dialogues are tested
//!   without sockets.
//! - [`router`]: which envelope recipients the gateway claims (routes, MMS users, its own
//!   system/bounce address) and which it refuses (no open relay).
//! - [`spool`]: the durable queue; its durability contract is the module doc.
//! - [`token`]: the HMAC-signed report token carried in Message-ID and ENVID (design.md).
//! - [`convert`]: the seam where the conversions (fax, VPIM, IVM and back) plug in.
//! - [`process`]: what happens to a spooled message: route, convert, acknowledge, report.
//! - [`delivery`]: next hops (`file:` folders, SMTP with lettre), retry with backoff.
//! - [`queue`]: the scheduler that runs processing and deliveries, and resumes after restart.
//! - [`server`]: listeners, connection limits, STARTTLS, graceful shutdown.
//! - [`service`]: starting and stopping the whole gateway (`mm3gw serve`, integration tests).
//! - [`metrics`], [`http`]: Prometheus metrics, `/metrics` and `/healthz`.
//!
//! The clock and the random source are read in exactly two functions below ([`now`],
//! [`random_bytes`]); everything else takes time and randomness as arguments, so retry,
//! expiry and token code is testable without waiting.
pub mod convert;
pub mod delivery;
pub mod http;
pub mod metrics;
pub mod process;
pub mod queue;
pub mod router;
pub mod server;
pub mod service;
pub mod session;
pub mod spool;
pub mod token;
pub mod workers;

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch: the gateway's one clock.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Fills `buf` from the operating system's random source: the gateway's one source of randomness
/// (spool ids, retry jitter, generated keys).
pub fn random_bytes(buf: &mut [u8]) {
    use ring::rand::SecureRandom;
    if ring::rand::SystemRandom::new().fill(buf).is_err() {
        // The OS source failing is not recoverable in any useful way; fall back to the clock so
        // ids stay unique-ish rather than panicking inside a connection task.
        let t = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> ((i % 16) * 8)) as u8 ^ i as u8;
        }
    }
}

/// A random `u64` (jitter).
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    random_bytes(&mut b);
    u64::from_le_bytes(b)
}

/// An RFC 5322 date-time in UTC (`Mon, 01 Jan 2024 10:00:00 +0000`) from Unix seconds.
pub fn rfc5322_date(unix: u64) -> String {
    crate::mm::build::rfc5322_date(i64::try_from(unix).unwrap_or(i64::MAX / 2))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(super::rfc5322_date(1_704_103_200), "Mon, 01 Jan 2024 10:00:00 +0000");
        assert_eq!(super::rfc5322_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }
}
