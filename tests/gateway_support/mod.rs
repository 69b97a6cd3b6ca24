//! Shared by the gateway integration tests: an in-test SMTP sink, a stand-in fax converter, and
//! small helpers. Everything binds 127.0.0.1 only and stops with the test.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mm3gw::config::Convert;
use mm3gw::gateway::convert::{ConvertError, Converters, Direction, Outbound, SpooledMessage};
use mm3gw::gateway::spool::{Envelope, Rcpt};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// `openssl ARGS` run in `dir`; whether it succeeded (`false` when openssl is missing).
fn openssl(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A new P-256 key (`key`) and, for `subject`, a one-day self-signed certificate or, with
/// `csr`, a signing request (`out`).
fn new_key(dir: &Path, subject: &str, key: &str, out: &str, csr: bool) -> bool {
    let kind: &[&str] = if csr { &[] } else { &["-x509", "-days", "1"] };
    let common = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let names = ["-subj", subject, "-keyout", key, "-out", out];
    let args: Vec<&str> =
        ["req"].iter().chain(kind).chain(&common).chain(&names).copied().collect();
    openssl(dir, &args)
}

/// Makes a self-signed certificate and key (PEM) in `dir` with openssl; `false` when openssl is
/// missing (the caller skips, or fails under CI through `require_tool`).
pub fn self_signed(dir: &Path) -> bool {
    new_key(dir, "/CN=mm3gw.test", "key.pem", "cert.pem", false)
}

/// Makes a private CA (`ca.pem`) and a server certificate it signed for `localhost`
/// (`cert.pem`, `key.pem`) in `dir` with openssl; `false` when openssl fails.
pub fn private_ca(dir: &Path) -> bool {
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .is_ok()
        && new_key(dir, "/CN=mm3gw test CA", "ca.key", "ca.pem", false)
        && new_key(dir, "/CN=localhost", "key.pem", "leaf.csr", true)
        && openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                "leaf.ext",
                "-out",
                "cert.pem",
            ],
        )
}

/// A sink speaking implicit TLS (SMTPS) from the first byte.
pub async fn start_smtps_sink(tls: tokio_rustls::TlsAcceptor) -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let rec = received.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (rec, tls) = (rec.clone(), tls.clone());
            tokio::spawn(async move {
                let Ok(mut s) = tls.accept(sock).await else { return };
                let _ = s.write_all(b"220 sink ESMTP\r\n").await;
                sink_session(s, &rec, false, true).await;
            });
        }
    });
    Sink { addr, received }
}

pub const KEY: &str = "integration-test-key-of-32-characters!";

/// One message the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub mail_line: String,
    pub rcpt_to: Vec<String>,
    pub rcpt_lines: Vec<String>,
    pub data: Vec<u8>,
    /// Received after STARTTLS.
    pub tls: bool,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// A minimal SMTP server that accepts everything (advertising DSN) and records it.
pub struct Sink {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

fn addr_of(line: &str) -> String {
    let s = line.find('<').map_or("", |i| &line[i + 1..]);
    s[..s.find('>').unwrap_or(0)].to_owned()
}

pub async fn start_sink() -> Sink {
    start_sink_on("127.0.0.1:0".parse().unwrap()).await
}

pub async fn start_sink_on(addr: SocketAddr) -> Sink {
    start_sink_with(addr, None).await
}

/// A sink that also offers STARTTLS with this acceptor.
pub async fn start_sink_with(addr: SocketAddr, tls: Option<tokio_rustls::TlsAcceptor>) -> Sink {
    let listener = TcpListener::bind(addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let rec = received.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (rec, tls) = (rec.clone(), tls.clone());
            tokio::spawn(async move {
                let _ = sock.write_all(b"220 sink ESMTP\r\n").await;
                if let Some(sock) = sink_session(sock, &rec, tls.is_some(), false).await
                    && let Some(acc) = tls
                    && let Ok(tls_sock) = acc.accept(sock).await
                {
                    sink_session(tls_sock, &rec, false, true).await;
                }
            });
        }
    });
    Sink { addr, received }
}

/// One sink dialogue; returns the stream when the client asked for STARTTLS.
async fn sink_session<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    sock: S,
    rec: &Mutex<Vec<Received>>,
    offer_tls: bool,
    tls: bool,
) -> Option<S> {
    let mut r = BufReader::new(sock);
    let mut cur = Received {
        mail_from: String::new(),
        mail_line: String::new(),
        rcpt_to: vec![],
        rcpt_lines: vec![],
        data: vec![],
        tls,
    };
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        let up = line.to_ascii_uppercase();
        let reply: &[u8] = if up.starts_with("EHLO") {
            if offer_tls {
                b"250-sink\r\n250-DSN\r\n250-STARTTLS\r\n250-8BITMIME\r\n250 PIPELINING\r\n"
            } else {
                b"250-sink\r\n250-DSN\r\n250-8BITMIME\r\n250 PIPELINING\r\n"
            }
        } else if up.starts_with("STARTTLS") && offer_tls {
            let _ = r.get_mut().write_all(b"220 go ahead\r\n").await;
            return Some(r.into_inner());
        } else if up.starts_with("MAIL") {
            cur = Received {
                mail_from: addr_of(&line),
                mail_line: line.trim_end().to_owned(),
                rcpt_to: vec![],
                rcpt_lines: vec![],
                data: vec![],
                tls,
            };
            b"250 2.1.0 ok\r\n"
        } else if up.starts_with("RCPT") && up.contains("REJECT") {
            b"550 5.1.1 no such user here\r\n"
        } else if up.starts_with("RCPT") && up.contains("DEFER") {
            b"451 4.2.1 mailbox busy, try later\r\n"
        } else if up.starts_with("RCPT") {
            cur.rcpt_to.push(addr_of(&line));
            cur.rcpt_lines.push(line.trim_end().to_owned());
            b"250 2.1.5 ok\r\n"
        } else if up.starts_with("DATA") {
            let _ = r.get_mut().write_all(b"354 go\r\n").await;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if r.read_until(b'\n', &mut l).await.unwrap_or(0) == 0 {
                    return None;
                }
                if l == b".\r\n" {
                    break;
                }
                let l = if l.starts_with(b"..") { l[1..].to_vec() } else { l };
                data.extend_from_slice(&l);
            }
            cur.data = data;
            rec.lock().unwrap().push(cur.clone());
            b"250 2.0.0 sunk\r\n"
        } else if up.starts_with("QUIT") {
            let _ = r.get_mut().write_all(b"221 bye\r\n").await;
            return None;
        } else {
            b"250 ok\r\n"
        };
        if r.get_mut().write_all(reply).await.is_err() {
            return None;
        }
    }
}

/// Stands in for `interwork/`'s MM -> fax conversion: one fax mail per recipient with the token
/// Message-ID the gateway hands over, the MM's subject, and a fake TIFF part. Only that one
/// conversion (not the built-in voice ones), so a voicemail recipient still has none.
pub fn fake_fax() -> Converters {
    let mut c = Converters::default();
    c.register(
        Direction::FromMm(Convert::Fax),
        Arc::new(|m: &SpooledMessage<'_>, _| {
            let text = String::from_utf8_lossy(m.body);
            if text.contains("NOCONV") {
                return Err(ConvertError::ContentNotAccepted("nothing a fax can carry".into()));
            }
            let subject = text.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or("").to_owned();
            Ok(m.message_ids
                .iter()
                .map(|(rcpt, mid)| Outbound {
                    envelope: Envelope { mail_from: format!("+4917012345/TYPE=PLMN@{}", m.config.server.hostname), rcpt_to: vec![Rcpt::plain(rcpt)], envid: None, ret: None },
                    omissions: Vec::new(),
                    body: format!("From: +4917012345@{h}\r\nTo: {rcpt}\r\nMessage-ID: {mid}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: image/tiff; application=faxbw\r\nContent-Transfer-Encoding: base64\r\n\r\nSUkqAA==\r\n", h = m.config.server.hostname).into_bytes(),
                })
                .collect())
        }),
    );
    c
}

/// `fake_fax` plus a stand-in MM -> VPIM conversion (same shape, `audio/32kadpcm` part).
pub fn fake_fax_and_vpim() -> Converters {
    let mut c = fake_fax();
    c.register(
        Direction::FromMm(Convert::Vpim),
        Arc::new(|m: &SpooledMessage<'_>, _| {
            Ok(m.message_ids
                .iter()
                .map(|(rcpt, mid)| Outbound {
                    envelope: Envelope { mail_from: String::new(), rcpt_to: vec![Rcpt::plain(rcpt)], envid: None, ret: None },
                    omissions: Vec::new(),
                    body: format!("From: +4917012345@{h}\r\nTo: {rcpt}\r\nMessage-ID: {mid}\r\nSubject: voice\r\nMIME-Version: 1.0 (Voice 2.0)\r\nContent-Type: multipart/voice-message; version=2.0; boundary=v\r\n\r\n--v\r\nContent-Type: audio/32kadpcm\r\nContent-Disposition: inline; voice=Voice-Message\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--v--\r\n", h = m.config.server.hostname).into_bytes(),
                })
                .collect())
        }),
    );
    c
}

pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mm3gw-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Polls `f` every 20 ms until it returns `Some`, or panics after `secs`.
pub async fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `.json` files in a folder next hop.
pub fn outbox(dir: &Path) -> Vec<PathBuf> {
    files_with(dir, "json")
}

/// The files in `dir` with extension `ext`, sorted (none when `dir` does not exist yet).
pub fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/samples/inspect/{name}/input.eml", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
}

/// The onramp's fax mail (samples/mail/fax-swaks.eml, from `FAX=+12125550100@onramp.test`),
/// asking for an MDN at that same address.
pub fn onramp_fax_asking_mdn() -> String {
    let path = format!("{}/samples/mail/fax-swaks.eml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap().replacen(
        "Subject:",
        "Disposition-Notification-To: <FAX=+12125550100@onramp.test>\r\nSubject:",
        1,
    )
}

/// One HTTP GET to 127.0.0.1, returning the body.
pub async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

/// A raw SMTP client: sends `input`, returns every reply byte until the server closes or
/// `secs` pass.
pub async fn raw_dialogue(addr: SocketAddr, input: &[u8], secs: u64) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(input).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(secs), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// A gateway configuration for tests: ephemeral ports, spool and outboxes under `dir`, the
/// MMSC next hop at `mmsc`.
pub fn config_text(dir: &Path, mmsc: SocketAddr, extra_limits: &str) -> String {
    format!(
        r#"
[server]
hostname = "mm3gw.test"
listen = ["127.0.0.1:0"]
http = "127.0.0.1:0"
spool = "{d}/spool"
workers = 2
hmac_key = "{KEY}"

[limits]
{extra_limits}

[delivery]
retry_min_s = 1
retry_max_s = 2
relay = "file:{d}/reports"

[mmsc]
domains = ["mms.test"]
next_hop = "smtp://{mmsc}"

[[route]]
name = "fax"
recipients = ["FAX=*@*", "*@fax.test"]
convert = "fax"
peer_domain = "offramp.test"
next_hop = "file:{d}/fax"

[[route]]
name = "voicemail"
recipients = ["*@voicemail.test"]
convert = "vpim"
peer_domain = "vm.test"
next_hop = "file:{d}/voicemail"
"#,
        d = dir.display()
    )
}

/// A gateway under test: `config_text`'s configuration in `tmpdir(name)`, an in-test sink as
/// its MMSC, these converters.
pub async fn gateway(
    name: &str,
    converters: Converters,
) -> (PathBuf, Sink, mm3gw::gateway::service::Running) {
    let sink = start_sink().await;
    let dir = tmpdir(name);
    let config =
        mm3gw::config::Config::from_toml(&config_text(&dir, sink.addr, ""), "t.toml").unwrap();
    let gw = mm3gw::gateway::service::start(config, converters).await.unwrap();
    (dir, sink, gw)
}

/// The envelope (`<id>.json`) a folder next hop wrote beside a message.
pub fn envelope_of(json: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap()
}
