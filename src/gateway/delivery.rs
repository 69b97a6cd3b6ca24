//! Delivery to a next hop, and the retry schedule.
//!
//! - `file:DIR` writes `<id>.eml` and then `<id>.json` (the envelope: MAIL FROM, RCPT TO and the
//!   DSN parameters) into `DIR`, each durably (temp, fsync, rename, fsync dir), like lettre's
//!   FileTransport: a reader that waits for the `.json` always finds a complete `.eml`.
//! - `smtp://host:port` uses lettre's async SMTP connection with STARTTLS when the server offers it
//!   (opportunistic: encrypted, certificate not verified, Postfix's `may` level), and
//!   `smtps://` implicit TLS with certificate verification. DSN parameters (ENVID, RET, NOTIFY,
//!   ORCPT) are sent when the server advertises DSN.
//!
//! Errors answer [`DeliveryError::is_transient`] the way lettre's do, and the queue decides
//! between retry and failure report from that alone (aesthetics lesson 6).
use std::path::Path;
use std::time::Duration;

use lettre::Address;
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{
    ClientId, MailBodyParameter, MailParameter, RcptParameter,
};
use serde::Serialize;

use crate::config::NextHop;
use crate::mail::envelope::xtext_encode;

use super::spool::{Envelope, write_durable};

/// A failed delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    pub transient: bool,
    /// The SMTP reply code, when the server gave one.
    pub code: Option<u16>,
    pub message: String,
}

impl DeliveryError {
    pub fn is_transient(&self) -> bool {
        self.transient
    }

    pub fn is_permanent(&self) -> bool {
        !self.transient
    }

    fn transient(message: impl Into<String>) -> Self {
        DeliveryError { transient: true, code: None, message: message.into() }
    }

    fn permanent(message: impl Into<String>) -> Self {
        DeliveryError { transient: false, code: None, message: message.into() }
    }

    fn from_lettre(stage: &str, e: lettre::transport::smtp::Error) -> Self {
        let code = e.status().map(u16::from);
        DeliveryError { transient: !e.is_permanent(), code, message: format!("{stage}: {e}") }
    }
}

/// The delay before attempt `attempts + 1`: `retry_min · 2^(attempts-1)`, capped at `retry_max`,
/// minus up to a quarter of it as jitter (`jitter` is any random number), so a burst of failures
/// does not retry in lockstep. Pure; the caller supplies the randomness.
pub fn backoff(attempts: u32, retry_min: u64, retry_max: u64, jitter: u64) -> u64 {
    let exp = attempts.saturating_sub(1).min(40);
    let base = retry_min.saturating_mul(1u64 << exp).min(retry_max).max(1);
    base - jitter % (base / 4 + 1)
}

/// The envelope file written beside each `<id>.eml` of a `file:` next hop.
#[derive(Debug, Serialize)]
pub struct EnvelopeFile<'a> {
    pub id: &'a str,
    pub mail_from: &'a str,
    pub rcpt_to: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ret: Option<&'a str>,
    /// Per recipient: NOTIFY and ORCPT as they would go on the RCPT command.
    pub dsn: Vec<RcptDsn<'a>>,
}

#[derive(Debug, Serialize)]
pub struct RcptDsn<'a> {
    pub rcpt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orcpt: Option<String>,
}

/// Settings of the SMTP client side.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Our EHLO name.
    pub hostname: String,
    pub timeout: Duration,
    /// `delivery.tls_ca` as read at start (PEM), trusted for `smtps://` beside the built-in roots.
    pub tls_ca: Option<std::sync::Arc<Vec<u8>>>,
}

/// Delivers one message; `Ok` carries the server's final reply (or the file path).
pub async fn deliver(
    hop: &NextHop,
    id: &str,
    env: &Envelope,
    body: &[u8],
    client: &ClientSettings,
) -> Result<String, DeliveryError> {
    match hop {
        NextHop::File(dir) => {
            let (dir, id, env, body) = (dir.clone(), id.to_owned(), env.clone(), body.to_vec());
            tokio::task::spawn_blocking(move || deliver_file(&dir, &id, &env, &body))
                .await
                .map_err(|e| DeliveryError::transient(format!("file delivery task: {e}")))?
        }
        NextHop::Smtp { host, port, implicit_tls } => tokio::time::timeout(
            client.timeout * 4,
            deliver_smtp(host, *port, *implicit_tls, env, body, client),
        )
        .await
        .map_err(|_| DeliveryError::transient(format!("smtp://{host}:{port}: timed out")))?,
    }
}

/// Writes `<id>.eml` then `<id>.json` into `dir` (created if missing).
pub fn deliver_file(
    dir: &Path,
    id: &str,
    env: &Envelope,
    body: &[u8],
) -> Result<String, DeliveryError> {
    let tmp = dir.join(".tmp");
    std::fs::create_dir_all(&tmp)
        .map_err(|e| DeliveryError::transient(format!("{}: {e}", tmp.display())))?;
    let file = EnvelopeFile {
        id,
        mail_from: &env.mail_from,
        rcpt_to: env.rcpt_to.iter().map(|r| r.address.as_str()).collect(),
        envid: env.envid.as_deref(),
        ret: env.ret.as_deref(),
        dsn: env
            .rcpt_to
            .iter()
            .map(|r| RcptDsn {
                rcpt: &r.address,
                notify: r.notify.as_deref(),
                orcpt: r.orcpt.as_ref().map(|o| format!("rfc822;{}", xtext_encode(o))),
            })
            .collect(),
    };
    let json =
        serde_json::to_vec_pretty(&file).map_err(|e| DeliveryError::permanent(e.to_string()))?;
    let io = |e: super::spool::SpoolError| DeliveryError::transient(e.to_string());
    write_durable(&tmp, dir, &format!("{id}.eml"), body).map_err(io)?;
    write_durable(&tmp, dir, &format!("{id}.json"), &json).map_err(io)?;
    Ok(format!("{}/{id}.eml", dir.display()))
}

async fn deliver_smtp(
    host: &str,
    port: u16,
    implicit_tls: bool,
    env: &Envelope,
    body: &[u8],
    client: &ClientSettings,
) -> Result<String, DeliveryError> {
    let hello = ClientId::Domain(client.hostname.clone());
    let tls = |verify: bool| {
        let mut b = TlsParameters::builder(host.to_owned());
        if verify && let Some(pem) = &client.tls_ca {
            // Local setup, checked at start: never a reason to give up on a message.
            let ca = lettre::transport::smtp::client::Certificate::from_pem(pem)
                .map_err(|e| DeliveryError::transient(format!("delivery.tls_ca: {e}")))?;
            b = b.add_root_certificate(ca);
        }
        b.dangerous_accept_invalid_certs(!verify)
            .dangerous_accept_invalid_hostnames(!verify)
            .build_rustls()
            .map_err(|e| DeliveryError::transient(format!("TLS setup for {host}: {e}")))
    };
    let implicit = if implicit_tls { Some(tls(true)?) } else { None };
    let mut conn = AsyncSmtpConnection::connect_tokio1(
        (host, port),
        Some(client.timeout),
        &hello,
        implicit,
        None,
    )
    .await
    .map_err(|e| DeliveryError::from_lettre("connect", e))?;
    if !implicit_tls && conn.can_starttls() {
        conn.starttls(tls(false)?, &hello)
            .await
            .map_err(|e| DeliveryError::from_lettre("STARTTLS", e))?;
    }
    let result = send(&mut conn, env, body, &hello).await;
    match &result {
        Ok(_) => {
            let _ = conn.quit().await;
        }
        Err(_) => conn.abort().await,
    }
    result
}

async fn send(
    conn: &mut AsyncSmtpConnection,
    env: &Envelope,
    body: &[u8],
    hello: &ClientId,
) -> Result<String, DeliveryError> {
    let wants_dsn = env.envid.is_some()
        || env.ret.is_some()
        || env.rcpt_to.iter().any(|r| r.notify.is_some() || r.orcpt.is_some());
    // lettre keeps no DSN flag from EHLO: ask again and read the keywords when DSN matters.
    let dsn = wants_dsn
        && conn
            .command(Ehlo::new(hello.clone()))
            .await
            .map(|r| {
                r.message().any(|l| {
                    l.split_whitespace().next().is_some_and(|k| k.eq_ignore_ascii_case("DSN"))
                })
            })
            .unwrap_or(false);
    let from =
        if env.mail_from.is_empty() {
            None
        } else {
            Some(env.mail_from.parse::<Address>().map_err(|e| {
                DeliveryError::permanent(format!("MAIL FROM <{}>: {e}", env.mail_from))
            })?)
        };
    let mut params = Vec::new();
    if !body.is_ascii() {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if dsn {
        if let Some(r) = &env.ret {
            params.push(MailParameter::Other { keyword: "RET".into(), value: Some(r.clone()) });
        }
        if let Some(e) = &env.envid {
            // lettre xtext-encodes parameter values itself.
            params.push(MailParameter::Other { keyword: "ENVID".into(), value: Some(e.clone()) });
        }
    }
    conn.command(Mail::new(from, params))
        .await
        .map_err(|e| DeliveryError::from_lettre("MAIL FROM", e))?;
    let mut accepted = 0;
    let mut last_err = None;
    for r in &env.rcpt_to {
        let addr = r
            .address
            .parse::<Address>()
            .map_err(|e| DeliveryError::permanent(format!("RCPT TO <{}>: {e}", r.address)))?;
        let mut rp = Vec::new();
        if dsn {
            if let Some(n) = &r.notify {
                rp.push(RcptParameter::Other { keyword: "NOTIFY".into(), value: Some(n.clone()) });
            }
            if let Some(o) = &r.orcpt {
                rp.push(RcptParameter::Other {
                    keyword: "ORCPT".into(),
                    value: Some(format!("rfc822;{o}")),
                });
            }
        }
        match conn.command(Rcpt::new(addr, rp)).await {
            Ok(_) => accepted += 1,
            Err(e) => {
                let e = DeliveryError::from_lettre(&format!("RCPT TO <{}>", r.address), e);
                // Any temporary refusal retries the whole message (at least once).
                if e.transient {
                    return Err(e);
                }
                last_err = Some(e);
            }
        }
    }
    if accepted == 0 {
        return Err(last_err.unwrap_or_else(|| DeliveryError::permanent("no recipients")));
    }
    if let Some(e) = &last_err {
        tracing::warn!(context = "delivery", event = "rcpt-refused", error = %e, "delivering to the other recipients");
    }
    conn.command(Data).await.map_err(|e| DeliveryError::from_lettre("DATA", e))?;
    let r = conn.message(body).await.map_err(|e| DeliveryError::from_lettre("end of DATA", e))?;
    Ok(format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::spool::Rcpt;

    #[test]
    fn backoff_grows_caps_and_jitters_within_a_quarter() {
        assert_eq!(backoff(1, 60, 3600, 0), 60);
        assert_eq!(backoff(2, 60, 3600, 0), 120);
        assert_eq!(backoff(7, 60, 3600, 0), 3600);
        assert_eq!(backoff(u32::MAX, 60, 3600, 0), 3600);
        for j in [1u64, 7, 999, u64::MAX] {
            let d = backoff(3, 60, 3600, j);
            assert!((180..=240).contains(&d), "{d}");
        }
        assert!(backoff(1, 1, 1, u64::MAX) >= 1);
    }

    #[test]
    fn xtext_escapes_plus_and_equals() {
        assert_eq!(xtext_encode("FAX=+4930@x"), "FAX+3D+2B4930@x");
    }

    #[test]
    fn file_next_hop_writes_eml_then_envelope() {
        let d = std::env::temp_dir().join(format!("mm3gw-filehop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let env = Envelope {
            mail_from: "+4917012345/TYPE=PLMN@gw.example".into(),
            rcpt_to: vec![Rcpt {
                address: "FAX=+4930123@off.example".into(),
                notify: Some("SUCCESS,FAILURE".into()),
                orcpt: Some("FAX=+4930123@off.example".into()),
            }],
            envid: Some("m3.abc".into()),
            ret: Some("HDRS".into()),
        };
        deliver_file(&d, "id1", &env, b"Subject: x\r\n\r\nbody\r\n").unwrap();
        assert_eq!(std::fs::read(d.join("id1.eml")).unwrap(), b"Subject: x\r\n\r\nbody\r\n");
        let j: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("id1.json")).unwrap()).unwrap();
        assert_eq!(j["mail_from"], "+4917012345/TYPE=PLMN@gw.example");
        assert_eq!(j["rcpt_to"][0], "FAX=+4930123@off.example");
        assert_eq!(j["envid"], "m3.abc");
        assert_eq!(j["dsn"][0]["orcpt"], "rfc822;FAX+3D+2B4930123@off.example");
        let _ = std::fs::remove_dir_all(&d);
    }
}
