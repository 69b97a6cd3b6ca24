//! The SMTP listeners (mini-redis shape): accept with backoff, cap connections in total
//! (a semaphore) and per client address, optional client allow-list, STARTTLS with rustls, and
//! graceful shutdown: on the signal, listeners stop, every session answers 421 at its next step
//! and closes, and the caller waits for the sessions to end.
//!
//! The session itself is the sans-IO [`Session`]; this module only moves bytes, applies the
//! timeouts (a whole command line within `command_timeout_s`, a whole DATA within
//! `data_timeout_s`, which also bounds slow-loris clients) and spools complete messages.
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

use super::metrics::Metrics;
use super::queue::Queue;
use super::router;
use super::session::{Event, RcptPolicy, Session, SessionConfig, StoreError};

/// Why the TLS configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Loads the certificate chain and key (PEM) for STARTTLS.
pub fn load_tls(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let file_err =
        |p: &Path, m: String| TlsError::File { path: p.display().to_string(), message: m };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_err(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_err(cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(file_err(cert, "no certificate in the file".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| file_err(key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok(TlsAcceptor::from(Arc::new(cfg)))
}

/// Per-client connection counts.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

impl PerClient {
    fn enter(&self, ip: IpAddr, limit: usize) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= limit {
            return false;
        }
        *n += 1;
        true
    }

    fn leave(&self, ip: IpAddr) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&ip);
            }
        }
    }
}

/// Everything the listeners share.
pub struct Server {
    queue: Arc<Queue>,
    session: Arc<SessionConfig>,
    policy: RcptPolicy,
    tls: Option<TlsAcceptor>,
    slots: Arc<Semaphore>,
    per_client: PerClient,
    /// Closed (all permits back) when every session has ended.
    sessions: Arc<Semaphore>,
}

const SESSION_PERMITS: u32 = 1 << 20;

impl Server {
    pub fn new(queue: Arc<Queue>, tls: Option<TlsAcceptor>) -> Arc<Server> {
        let config = queue.config.clone();
        let session = Arc::new(SessionConfig {
            hostname: config.server.hostname.clone(),
            limits: config.limits.clone(),
            starttls: tls.is_some(),
        });
        let (c, conv) = (config.clone(), queue.converters.clone());
        let policy: RcptPolicy = Arc::new(move |a: &str| router::classify(&c, &conv, a));
        Arc::new(Server {
            slots: Arc::new(Semaphore::new(config.limits.connections)),
            queue,
            session,
            policy,
            tls,
            per_client: PerClient::default(),
            sessions: Arc::new(Semaphore::new(SESSION_PERMITS as usize)),
        })
    }

    fn metrics(&self) -> &Metrics {
        &self.queue.metrics
    }

    /// Accepts on `listener` until shutdown.
    pub async fn listen(
        self: Arc<Self>,
        listener: TcpListener,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut backoff = Duration::from_millis(10);
        let allow: Arc<[crate::config::Cidr]> = match listener.local_addr() {
            Ok(a) => self.queue.config.server.allow_for(&a).into(),
            Err(_) => self.queue.config.server.allow_clients.clone().into(),
        };
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = shutdown.changed() => return,
            };
            let (sock, peer) = match accepted {
                Ok(x) => {
                    backoff = Duration::from_millis(10);
                    x
                }
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning (mini-redis).
                    tracing::warn!(context = "smtp", event = "accept-error", error = %e);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            };
            let Ok(guard) = self.sessions.clone().try_acquire_owned() else { continue };
            let srv = self.clone();
            let sd = shutdown.clone();
            let allow = allow.clone();
            tokio::spawn(async move {
                srv.connection(sock, peer, &allow, sd).await;
                drop(guard);
            });
        }
    }

    /// Waits (bounded) until every session has ended.
    pub async fn drained(&self, within: Duration) -> bool {
        tokio::time::timeout(within, self.sessions.acquire_many(SESSION_PERMITS)).await.is_ok()
    }

    async fn connection(
        self: Arc<Self>,
        mut sock: TcpStream,
        peer: SocketAddr,
        allow: &[crate::config::Cidr],
        shutdown: watch::Receiver<bool>,
    ) {
        let ip = peer.ip();
        let limits = &self.session.limits;
        let refuse = |reason: &str| {
            self.metrics().rejected.get_or_create(&Metrics::label("reason", reason)).inc()
        };
        if !allow.is_empty() && !allow.iter().any(|c| c.contains(ip)) {
            refuse("client-not-allowed");
            let _ = sock.write_all(b"554 5.7.1 Access denied\r\n").await;
            return;
        }
        let Ok(_slot) = self.slots.clone().try_acquire_owned() else {
            refuse("too-many-connections");
            let _ = sock
                .write_all(
                    format!(
                        "421 4.7.0 {} Too many connections, try later\r\n",
                        self.session.hostname
                    )
                    .as_bytes(),
                )
                .await;
            return;
        };
        if !self.per_client.enter(ip, limits.connections_per_client) {
            refuse("too-many-connections-per-client");
            let _ = sock
                .write_all(
                    format!(
                        "421 4.7.0 {} Too many connections from your address\r\n",
                        self.session.hostname
                    )
                    .as_bytes(),
                )
                .await;
            return;
        }
        self.metrics().connections.inc();
        let _ = sock.set_nodelay(true);
        let mut session = Session::new(self.session.clone(), self.policy.clone());
        let mut greeting = Vec::new();
        session.greeting(&mut greeting);
        let peer_s = ip.to_string();
        if sock.write_all(&greeting).await.is_ok() {
            match self.drive(&mut sock, &mut session, &peer_s, shutdown.clone()).await {
                Ok(Outcome::StartTls) => {
                    if let Some(acc) = &self.tls {
                        match tokio::time::timeout(
                            Duration::from_secs(limits.command_timeout_s.min(60)),
                            acc.accept(sock),
                        )
                        .await
                        {
                            Ok(Ok(mut tls)) => {
                                session.tls_started();
                                let _ = self.drive(&mut tls, &mut session, &peer_s, shutdown).await;
                                let _ = tls.shutdown().await;
                            }
                            Ok(Err(e)) => {
                                refuse("tls-handshake");
                                tracing::info!(context = "smtp", event = "tls-failed", peer = %peer, error = %e);
                            }
                            Err(_) => {
                                refuse("tls-timeout");
                            }
                        }
                    }
                }
                Ok(Outcome::Closed) | Err(_) => {}
            }
        }
        self.metrics().connections.dec();
        self.per_client.leave(ip);
    }

    async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: &mut S,
        session: &mut Session,
        peer: &str,
        mut shutdown: watch::Receiver<bool>,
    ) -> io::Result<Outcome> {
        let limits = &self.session.limits;
        let mut buf = vec![0u8; 16 * 1024];
        let mut out = Vec::new();
        let mut command_deadline = Instant::now() + Duration::from_secs(limits.command_timeout_s);
        let mut data_deadline: Option<Instant> = None;
        // Set at shutdown while a DATA is arriving: that message is finished (spooled and
        // answered) before the 421, the one thing in flight a session can complete.
        let mut closing = *shutdown.borrow();
        loop {
            if closing && !session.in_data() {
                session.shutdown(&mut out);
                io.write_all(&out).await?;
                return Ok(Outcome::Closed);
            }
            let deadline = data_deadline.unwrap_or(command_deadline);
            let read = if closing {
                tokio::time::timeout_at(deadline.into(), io.read(&mut buf)).await
            } else {
                tokio::select! {
                    r = tokio::time::timeout_at(deadline.into(), io.read(&mut buf)) => r,
                    _ = shutdown.changed() => {
                        closing = true;
                        continue;
                    }
                }
            };
            let n = match read {
                Err(_) => {
                    self.metrics()
                        .rejected
                        .get_or_create(&Metrics::label("reason", "timeout"))
                        .inc();
                    session.timeout(&mut out);
                    io.write_all(&out).await?;
                    return Ok(Outcome::Closed);
                }
                Ok(Err(e)) => return Err(e),
                Ok(Ok(0)) => return Ok(Outcome::Closed),
                Ok(Ok(n)) => n,
            };
            let mut ev = session.feed(&buf[..n], &mut out);
            loop {
                match ev {
                    Event::NeedInput => break,
                    Event::Message(_)
                        if self.queue.metrics.spool_messages.get()
                            >= limits.spool_messages as i64 =>
                    {
                        self.metrics()
                            .rejected
                            .get_or_create(&Metrics::label("reason", "spool-full"))
                            .inc();
                        session.stored(Err(StoreError::Full), &mut out);
                        ev = session.resume(&mut out);
                    }
                    Event::Message(m) => {
                        let t0 = Instant::now();
                        let r = self.queue.store_inbound(m, peer.to_owned()).await;
                        self.metrics().time_to_250_seconds.observe(t0.elapsed().as_secs_f64());
                        if let Err(e) = &r {
                            tracing::error!(context = "smtp", event = "store-failed", error = %e);
                        }
                        session.stored(r.map_err(|_| StoreError::Temporary), &mut out);
                        ev = session.resume(&mut out);
                    }
                    Event::StartTls => {
                        io.write_all(&out).await?;
                        io.flush().await?;
                        return Ok(Outcome::StartTls);
                    }
                    Event::Close => {
                        io.write_all(&out).await?;
                        io.flush().await?;
                        return Ok(Outcome::Closed);
                    }
                }
            }
            if !out.is_empty() {
                io.write_all(&out).await?;
                out.clear();
                // A reply means a command completed: the next one gets a fresh deadline.
                command_deadline = Instant::now() + Duration::from_secs(limits.command_timeout_s);
            }
            data_deadline = match (session.in_data(), data_deadline) {
                (true, None) => Some(Instant::now() + Duration::from_secs(limits.data_timeout_s)),
                (true, d) => d,
                (false, _) => None,
            };
        }
    }
}

enum Outcome {
    Closed,
    StartTls,
}
