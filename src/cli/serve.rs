//! `mm3gw serve`, `check-config`, `config` and `queue`: the service and its operations.
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, LogFormat};
use crate::gateway::convert::{Converters, Direction};
use crate::gateway::metrics::Metrics;
use crate::gateway::queue::Queue;
use crate::gateway::server::{Server, load_tls};
use crate::gateway::spool::{Spool, Stage};
use crate::gateway::token::Keys;
use crate::gateway::{http, now};

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The configuration file (TOML); the embedded default when absent.
    #[arg(long, short)]
    config: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// The configuration file to check; the embedded default when absent.
    file: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct QueueArgs {
    /// The configuration file naming the spool; the embedded default when absent.
    #[arg(long, short)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    action: QueueAction,
}

#[derive(clap::Subcommand)]
pub(crate) enum QueueAction {
    /// One line per spooled message: id, stage, age, attempts, next attempt, recipients.
    List,
    /// A message's record (JSON) and its size.
    Show { id: String },
    /// Release a held message or retry a deferred one now.
    Retry { id: String },
    /// Remove a message from the spool, undelivered.
    Drop { id: String },
}

fn load(path: Option<&std::path::Path>) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|e| super::fail(1, e))
}

/// `mm3gw check-config [FILE]`: exit 0 when valid (warnings printed), 1 with `file:line:col: key:
/// message` otherwise.
pub(crate) fn check(args: CheckArgs) -> ExitCode {
    match load(args.file.as_deref()) {
        Ok(c) => {
            for w in &c.warnings {
                eprintln!("mm3gw: warning: {w}");
            }
            let name = args
                .file
                .as_ref()
                .map_or("embedded default".to_owned(), |p| p.display().to_string());
            println!("{name}: ok ({} routes)", c.routes.len());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `mm3gw config [FILE]`: the effective configuration as TOML.
pub(crate) fn print(args: CheckArgs) -> ExitCode {
    match load(args.file.as_deref()) {
        Ok(c) => {
            print!("{}", c.to_toml());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

/// `mm3gw queue …`: postqueue/postsuper over the spool.
pub(crate) fn queue(args: QueueArgs) -> ExitCode {
    let config = match load(args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let spool = match Spool::open(&config.server.spool) {
        Ok(s) => s,
        Err(e) => return super::fail(1, e),
    };
    let t = now();
    let result = match args.action {
        QueueAction::List => spool.ids().map(|ids| {
            for id in &ids {
                match spool.entry(id) {
                    Ok(e) => {
                        let stage = match &e.stage {
                            Stage::Inbound => "inbound".to_owned(),
                            Stage::Outbound { purpose, next_hop, .. } => {
                                format!("{purpose}->{next_hop}")
                            }
                        };
                        let state = match &e.held {
                            Some(r) => format!("held: {r}"),
                            None if e.next_attempt > t => {
                                format!("next in {}s", e.next_attempt - t)
                            }
                            None => "due".to_owned(),
                        };
                        let rcpts: Vec<&str> =
                            e.envelope.rcpt_to.iter().map(|r| r.address.as_str()).collect();
                        println!(
                            "{id}  {stage}  age {}s  attempts {}  {state}  <{}> -> {}",
                            t.saturating_sub(e.created),
                            e.attempts,
                            e.envelope.mail_from,
                            rcpts.join(", ")
                        );
                    }
                    Err(err) => println!("{id}  unreadable: {err}"),
                }
            }
            println!("{} message(s)", ids.len());
        }),
        QueueAction::Show { id } => spool.entry(&id).map(|e| {
            println!("{}", serde_json::to_string_pretty(&e).unwrap_or_default());
        }),
        QueueAction::Retry { id } => spool.entry(&id).and_then(|mut e| {
            e.held = None;
            e.next_attempt = t;
            spool.update(&e).map(|()| {
                println!("{id}: scheduled now (a running server picks it up within 15 s)")
            })
        }),
        QueueAction::Drop { id } => spool.remove(&id).map(|()| println!("{id}: dropped")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::fail(1, e),
    }
}

/// `mm3gw serve [--config FILE]`.
pub(crate) fn serve(args: ServeArgs) -> ExitCode {
    let config = match load(args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let sub = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.server.log_format {
        LogFormat::Json => sub.json().try_init(),
        LogFormat::Text => sub.try_init(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return super::fail(1, format_args!("cannot start the runtime: {e}")),
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::fail(1, e),
    }
}

/// The service: returns after a graceful shutdown (SIGTERM or Ctrl-C).
pub async fn run(config: Config) -> Result<(), String> {
    run_with(config, Converters::builtin(), shutdown_signal()).await
}

/// The service with explicit converters and shutdown future (tests use both).
pub async fn run_with(
    config: Config,
    converters: Converters,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
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
    let queue = Queue::new(config.clone(), spool, converters, keys, metrics.clone());
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
    for l in listeners {
        tracing::info!(context = "smtp", event = "listening", addr = %l.local_addr().map_err(|e| e.to_string())?);
        tokio::spawn(server.clone().listen(l, rx.clone()));
    }
    if let Some(h) = http_listener {
        tracing::info!(context = "http", event = "listening", addr = %h.local_addr().map_err(|e| e.to_string())?);
        tokio::spawn(http::run(h, metrics, rx.clone()));
    }
    tracing::info!(context = "server", event = "started", hostname = %config.server.hostname, spool = %config.server.spool.display(), resumed, workers = config.server.workers);
    let queue_task = tokio::spawn(queue.run(rx));
    shutdown.await;
    tracing::info!(context = "server", event = "stopping");
    let _ = tx.send(true);
    let drained = server.drained(Duration::from_secs(30)).await;
    let _ = tokio::time::timeout(Duration::from_secs(35), queue_task).await;
    tracing::info!(context = "server", event = "stopped", sessions_drained = drained);
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
