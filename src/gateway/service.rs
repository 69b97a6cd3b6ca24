//! Starting and stopping the whole service: spool recovery, key, queue, listeners, HTTP.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;

use super::convert::{Converters, Direction};
use super::http;
use super::metrics::Metrics;
use super::queue::Queue;
use super::server::{Server, load_tls};
use super::spool::Spool;
use super::token::Keys;

/// A started gateway.
pub struct Running {
    /// The bound SMTP addresses (port 0 in the config is resolved here).
    pub smtp: Vec<SocketAddr>,
    pub http: Option<SocketAddr>,
    pub metrics: Metrics,
    pub queue: Arc<Queue>,
    stop: watch::Sender<bool>,
    server: Arc<Server>,
    queue_task: JoinHandle<()>,
}

impl Running {
    /// Graceful shutdown: stop accepting, 421 to every session, finish what is in flight.
    pub async fn stop(self) {
        tracing::info!(context = "server", event = "stopping");
        let _ = self.stop.send(true);
        let drained = self.server.drained(Duration::from_secs(30)).await;
        let _ = tokio::time::timeout(Duration::from_secs(35), self.queue_task).await;
        tracing::info!(context = "server", event = "stopped", sessions_drained = drained);
    }
}

/// Starts the gateway with these converters.
pub async fn start(config: Config, converters: Converters) -> Result<Running, String> {
    for w in &config.warnings {
        tracing::warn!(context = "config", "{w}");
    }
    let config = Arc::new(config);
    let spool = Spool::open(&config.server.spool).map_err(|e| e.to_string())?;
    let (key, generated) =
        spool.hmac_key(config.server.hmac_key.as_deref()).map_err(|e| e.to_string())?;
    if generated {
        tracing::warn!(
            context = "config",
            "no server.hmac_key: generated one into {}/hmac.key; instances that should verify each other's reports need the same key",
            config.server.spool.display()
        );
    }
    let keys = Arc::new(Keys::new(
        &key,
        config.server.hmac_key_previous.as_deref().map(str::as_bytes),
        &config.server.hostname,
    ));
    for r in &config.routes {
        if !converters.has(Direction::FromMm(r.convert)) {
            tracing::warn!(context = "config", route = %r.name, "conversion to {} is not in this build: RCPT TO for this route is answered 451 4.3.3", r.convert);
        }
    }
    let metrics = Metrics::new();
    // Checked here so a bad file stops the start instead of failing every smtps:// delivery.
    let tls_ca = match &config.delivery.tls_ca {
        Some(p) => {
            let pem =
                std::fs::read(p).map_err(|e| format!("delivery.tls_ca: {}: {e}", p.display()))?;
            lettre::transport::smtp::client::Certificate::from_pem(&pem)
                .map_err(|e| format!("delivery.tls_ca: {}: {e}", p.display()))?;
            Some(pem)
        }
        None => None,
    };
    let queue = Queue::new(config.clone(), spool, converters, keys, metrics.clone(), tls_ca)
        .map_err(|e| e.to_string())?;
    let resumed = queue.recover().map_err(|e| e.to_string())?;
    let tls = match (&config.server.tls_cert, &config.server.tls_key) {
        (Some(c), Some(k)) => Some(load_tls(c, k).map_err(|e| e.to_string())?),
        _ => None,
    };
    let mut listeners = Vec::new();
    for addr in &config.server.listen {
        listeners.push(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?,
        );
    }
    let http_listener = match config.server.http {
        Some(a) => Some(
            tokio::net::TcpListener::bind(a)
                .await
                .map_err(|e| format!("cannot listen on {a} (http): {e}"))?,
        ),
        None => None,
    };
    let (tx, rx) = tokio::sync::watch::channel(false);
    let server = Server::new(queue.clone(), tls);
    let mut smtp = Vec::new();
    for l in listeners {
        let addr = l.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(context = "smtp", event = "listening", addr = %addr);
        smtp.push(addr);
        tokio::spawn(server.clone().listen(l, rx.clone()));
    }
    let mut http_addr = None;
    if let Some(h) = http_listener {
        let addr = h.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(context = "http", event = "listening", addr = %addr);
        http_addr = Some(addr);
        tokio::spawn(http::run(h, metrics, rx.clone()));
    }
    tracing::info!(context = "server", event = "started", hostname = %config.server.hostname, spool = %config.server.spool.display(), resumed, workers = config.server.workers);
    let queue_task = tokio::spawn(queue.clone().run(rx));
    Ok(Running {
        smtp,
        http: http_addr,
        metrics: queue.metrics.clone(),
        queue,
        stop: tx,
        server,
        queue_task,
    })
}
