//! `mm3gw serve`, `check-config`, `config` and `queue`: the service and its operations.
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{Config, LogFormat};
use crate::gateway::convert::Converters;
use crate::gateway::now;
use crate::gateway::service;
use crate::gateway::spool::{Spool, Stage};

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
            if let (Some(cert), Some(key)) = (&c.server.tls_cert, &c.server.tls_key)
                && let Err(e) = crate::gateway::server::load_tls(cert, key)
            {
                return super::fail(1, format_args!("server.tls_cert/tls_key: {e}"));
            }
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
    let running = service::start(config, Converters::builtin()).await?;
    shutdown_signal().await;
    running.stop().await;
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
