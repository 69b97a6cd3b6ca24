//! The scheduler: runs processing (on the low-priority conversion threads of `workers`, off the
//! async reactor) and deliveries (bounded concurrency) for every spooled entry when it is due, retries with
//! backoff until the entry's lifetime, and resumes every entry after a restart.
//!
//! Due times live in memory (a min-heap, as in the legacy Stalwart queue) and on disk in each
//! entry's record; the heap is rebuilt from the spool at start and refreshed by a periodic
//! rescan, which also picks up changes made by `mm3gw queue retry|drop` while the server runs.
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore, watch};

use crate::config::{Config, NextHop};
use crate::mm::MmStatus;

use super::convert::Converters;
use super::delivery::{self, ClientSettings};
use super::metrics::Metrics;
use super::process::{self, Ctx, DsnKind, Event, NewMessage};
use super::session::Message;
use super::spool::{Entry, SentRecord, Spool, SpoolError, Stage};
use super::token::Keys;
use super::workers::{WorkerError, Workers};

/// How often the spool directory is rescanned for entries changed from outside.
const RESCAN: Duration = Duration::from_secs(15);

/// The running queue, shared by the SMTP sessions and the scheduler.
pub struct Queue {
    pub config: Arc<Config>,
    pub spool: Spool,
    pub converters: Converters,
    pub keys: Arc<Keys>,
    pub metrics: Metrics,
    state: Mutex<Schedule>,
    wake: Notify,
    workers: Arc<Semaphore>,
    /// Converted results waiting to be spooled (as many as `workers`).
    spooling: Arc<Semaphore>,
    /// The threads conversions run on (as many as `workers` permits).
    pool: Workers,
    /// `delivery.tls_ca`, read once at start.
    tls_ca: Option<Arc<Vec<u8>>>,
    deliveries: Arc<Semaphore>,
}

#[derive(Default)]
struct Schedule {
    heap: BinaryHeap<Reverse<(u64, String)>>,
    /// id → due time of its live heap item (older heap items for the id are stale).
    due: HashMap<String, u64>,
    running: HashSet<String>,
}

impl Queue {
    pub fn new(
        config: Arc<Config>,
        spool: Spool,
        converters: Converters,
        keys: Arc<Keys>,
        metrics: Metrics,
        tls_ca: Option<Vec<u8>>,
    ) -> Result<Arc<Queue>, WorkerError> {
        let workers = Arc::new(Semaphore::new(config.server.workers.max(1)));
        let spooling = Arc::new(Semaphore::new(config.server.workers.max(1)));
        let deliveries = Arc::new(Semaphore::new(config.delivery.concurrency.max(1)));
        let pool = Workers::new(config.server.workers.max(1))?;
        Ok(Arc::new(Queue {
            config,
            spool,
            converters,
            keys,
            metrics,
            state: Mutex::default(),
            wake: Notify::new(),
            pool,
            tls_ca: tls_ca.map(Arc::new),
            workers,
            spooling,
            deliveries,
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Schedules (or reschedules) an entry.
    pub fn schedule(&self, id: &str, due: u64) {
        let mut s = self.lock();
        if s.due.get(id) == Some(&due) {
            return;
        }
        s.due.insert(id.to_owned(), due);
        s.heap.push(Reverse((due, id.to_owned())));
        drop(s);
        self.wake.notify_one();
    }

    /// Recovers the spool and schedules every entry (a restart resumes every message).
    pub fn recover(&self) -> Result<usize, SpoolError> {
        let r = self.spool.recover()?;
        if r.orphans_removed > 0 || !r.corrupt.is_empty() {
            tracing::warn!(
                context = "spool",
                event = "recovered",
                orphans_removed = r.orphans_removed,
                corrupt = r.corrupt.len()
            );
        }
        let n = r.entries.len();
        for e in r.entries.into_iter().filter(|e| e.held.is_none()) {
            self.schedule(&e.id, e.next_attempt);
        }
        self.metrics.spool_messages.set(n as i64);
        Ok(n)
    }

    /// Spools a message received over SMTP (blocking disk I/O off the reactor). The caller
    /// answers 250 only when this returns `Ok`.
    pub async fn store_inbound(
        self: &Arc<Self>,
        msg: Message,
        peer: String,
    ) -> Result<String, SpoolError> {
        let q = self.clone();
        let now = super::now();
        let id = Spool::new_id(now);
        let received = format!(
            "Received: from {} ([{peer}])\r\n\tby {} (mm3gw) with {} id {id};\r\n\t{}\r\n",
            if msg.helo.is_empty() { "unknown" } else { &msg.helo },
            self.config.server.hostname,
            if msg.tls { "ESMTPS" } else { "ESMTP" },
            super::rfc5322_date(now)
        );
        let origin = format!("{peer} helo={}", msg.helo);
        let expires = now + self.config.delivery.lifetime_s;
        let mut entry = Entry::new(id.clone(), Stage::Inbound, msg.envelope, now, expires, origin);
        let stored = tokio::task::spawn_blocking(move || {
            let mut body = Vec::with_capacity(received.len() + msg.body.len());
            body.extend_from_slice(received.as_bytes());
            body.extend_from_slice(&msg.body);
            q.spool.store(&mut entry, &body).map(|()| entry)
        })
        .await
        .map_err(|e| SpoolError::Io {
            path: self.spool.root().into(),
            source: std::io::Error::other(e.to_string()),
        })??;
        self.metrics.accepted.inc();
        self.metrics.spool_messages.inc();
        tracing::info!(context = "smtp", event = "accepted", id = %stored.id, from = %stored.envelope.mail_from, rcpts = stored.envelope.rcpt_to.len(), size = stored.size);
        self.schedule(&id, now);
        Ok(id)
    }

    /// Runs due entries until `shutdown` turns true, then waits (bounded) for work in flight.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut last_scan = Instant::now();
        loop {
            if *shutdown.borrow() {
                break;
            }
            if last_scan.elapsed() >= RESCAN {
                last_scan = Instant::now();
                let q = self.clone();
                let _ = tokio::task::spawn_blocking(move || q.rescan()).await;
            }
            let now = super::now();
            let mut ready = Vec::new();
            let mut next_due = None;
            {
                let mut s = self.lock();
                while let Some(Reverse((due, id))) = s.heap.peek().cloned() {
                    if s.due.get(&id) != Some(&due) {
                        s.heap.pop();
                        continue;
                    }
                    if due > now {
                        next_due = Some(due);
                        break;
                    }
                    s.heap.pop();
                    s.due.remove(&id);
                    if s.running.insert(id.clone()) {
                        ready.push(id);
                    }
                }
            }
            for id in ready {
                let q = self.clone();
                tokio::spawn(async move {
                    q.run_entry(&id).await;
                    q.lock().running.remove(&id);
                });
            }
            let wait = next_due
                .map_or(RESCAN, |d| Duration::from_secs(d.saturating_sub(now)).min(RESCAN))
                .max(Duration::from_millis(50));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
        // Finish what is in flight (bounded): take every permit back.
        let drain = async {
            let _w = self.workers.acquire_many(self.config.server.workers.max(1) as u32).await;
            let _s = self.spooling.acquire_many(self.config.server.workers.max(1) as u32).await;
            let _d =
                self.deliveries.acquire_many(self.config.delivery.concurrency.max(1) as u32).await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(30), drain).await;
    }

    /// Picks up entries added or rescheduled from outside (the `queue` subcommands).
    fn rescan(&self) {
        self.spool.expire_sent(super::now(), self.config.delivery.lifetime_s);
        let Ok(ids) = self.spool.ids() else { return };
        self.metrics.spool_messages.set(ids.len() as i64);
        for id in ids {
            let known = {
                let s = self.lock();
                s.running.contains(&id) || s.due.contains_key(&id)
            };
            if let Ok(e) = self.spool.entry(&id)
                && e.held.is_none()
                && (!known || self.lock().due.get(&id).is_some_and(|&d| d != e.next_attempt))
            {
                self.schedule(&id, e.next_attempt);
            }
        }
    }

    async fn run_entry(self: &Arc<Self>, id: &str) {
        let (q, id2) = (self.clone(), id.to_owned());
        let Ok(loaded) = tokio::task::spawn_blocking(move || q.spool.entry(&id2)).await else {
            return;
        };
        let entry = match loaded {
            Ok(e) => e,
            Err(SpoolError::NotFound(_)) => return, // dropped meanwhile
            Err(e) => {
                tracing::error!(context = "queue", event = "unreadable", id = %id, error = %e);
                return;
            }
        };
        if entry.held.is_some() {
            return;
        }
        match &entry.stage {
            Stage::Inbound => self.process_entry(entry).await,
            Stage::Outbound { .. } => self.deliver_entry(entry).await,
        }
    }

    /// Converts on a conversion thread, then spools what the conversion built and finishes the
    /// inbound entry on a blocking thread. The conversion threads only compute: while the
    /// results are written (fsyncs), the thread and its `workers` permit already convert the
    /// next message, and they never take a lock (the schedule's, for one) that the SMTP
    /// sessions wait on at their low priority. At most `workers` results wait to be spooled
    /// (the `spooling` permits), so memory stays bounded by the configuration.
    async fn process_entry(self: &Arc<Self>, entry: Entry) {
        let Ok(permit) = self.workers.clone().acquire_owned().await else { return };
        let q = self.clone();
        let e2 = entry.clone();
        let result = self
            .pool
            .run(move || {
                let body = q.spool.body(&e2)?;
                let started = Instant::now();
                let lookup = |e: &str| q.spool.lookup_envid(e);
                let ctx = Ctx {
                    config: &q.config,
                    converters: &q.converters,
                    keys: &q.keys,
                    now: super::now(),
                    envid_lookup: &lookup,
                };
                let plan = process::process(&e2, &body, &ctx);
                q.metrics.conversion_seconds.observe(started.elapsed().as_secs_f64());
                Ok::<_, SpoolError>(plan)
            })
            .await;
        let Ok(_spooling) = self.spooling.clone().acquire_owned().await else { return };
        drop(permit);
        // The writes (fsyncs) off the reactor and off the conversion threads.
        let q = self.clone();
        let _ = tokio::task::spawn_blocking(move || q.finish_processing(entry, result)).await;
    }

    /// After processing (blocking): spool what the plan built, then finish the inbound entry
    /// once all of it is durable, or keep it (retry later on disk trouble, held otherwise).
    fn finish_processing(
        &self,
        mut entry: Entry,
        result: Result<Result<process::Plan, SpoolError>, WorkerError>,
    ) {
        let stored = result.map(|r| {
            r.and_then(|plan| {
                if plan.hold.is_none() {
                    self.store_outbounds(&entry, &plan.messages)?;
                }
                Ok(plan)
            })
        });
        let plan = match stored {
            Ok(Ok(p)) => p,
            Ok(Err(e @ SpoolError::Io { .. })) => {
                // Disk trouble (full, I/O error): try again later; the entry stays as it is.
                let retry = super::now() + self.config.delivery.retry_min_s;
                tracing::error!(context = "queue", event = "process-error", id = %entry.id, error = %e, retry_at = retry);
                entry.next_attempt = retry;
                let _ = self.spool.update(&entry);
                self.schedule(&entry.id, retry);
                return;
            }
            Ok(Err(e)) => {
                tracing::error!(context = "queue", event = "process-error", id = %entry.id, error = %e);
                self.hold(&mut entry, e.to_string());
                return;
            }
            Err(e) => {
                tracing::error!(context = "queue", event = "process-panic", id = %entry.id, error = %e);
                self.hold(&mut entry, format!("processing failed: {e}"));
                return;
            }
        };
        for ev in &plan.events {
            self.log_event(&entry, ev);
        }
        if let Some(reason) = plan.hold {
            self.hold(&mut entry, reason);
            return;
        }
        // The plan's messages are durable: only now is the inbound entry finished.
        if self.spool.remove(&entry.id).is_ok() {
            self.metrics.spool_messages.dec();
        }
        tracing::info!(context = "queue", event = "processed", id = %entry.id, outbound = plan.messages.len());
    }

    fn hold(&self, entry: &mut Entry, reason: String) {
        tracing::warn!(context = "queue", event = "held", id = %entry.id, reason = %reason);
        entry.held = Some(reason);
        let _ = self.spool.update(entry);
    }

    /// Spools one message built at delivery time (a failure report; blocking).
    fn store_outbound(&self, parent: &Entry, m: NewMessage) -> Result<String, SpoolError> {
        let mut ids = self.store_outbounds(parent, std::slice::from_ref(&m))?;
        Ok(ids.pop().unwrap_or_default())
    }

    /// Spools the messages built from `parent` together, one directory fsync for all of them
    /// (blocking), and schedules them once all are durable.
    fn store_outbounds(
        &self,
        parent: &Entry,
        messages: &[NewMessage],
    ) -> Result<Vec<String>, SpoolError> {
        let now = super::now();
        let mut entries: Vec<Entry> = messages
            .iter()
            .map(|m| {
                let stage = Stage::Outbound {
                    next_hop: m.next_hop.to_string(),
                    purpose: m.purpose.clone(),
                    on_failure: m.on_failure.clone(),
                    dsn_on_failure: m.dsn_on_failure.clone().map(Box::new),
                };
                // Its own expiry when it has one (the MM's X-Mms-Expiry, a failure report's
                // fresh lifetime), else the lifetime of what it was built from.
                let expires = m.expires.unwrap_or(parent.expires);
                Entry::new(
                    Spool::new_id(now),
                    stage,
                    m.envelope.clone(),
                    now,
                    expires,
                    format!("built from {}", parent.id),
                )
            })
            .collect();
        let mut batch: Vec<(&mut Entry, &[u8])> =
            entries.iter_mut().zip(messages).map(|(e, m)| (e, m.body.as_slice())).collect();
        self.spool.store_all(&mut batch)?;
        let ids: Vec<String> = entries.into_iter().map(|e| e.id).collect();
        for id in &ids {
            self.metrics.spool_messages.inc();
            self.schedule(id, now);
        }
        Ok(ids)
    }

    /// Delivers one outbound entry. Its disk work (reading the body; afterwards removing the
    /// entry, records and reports, each with fsyncs) runs on blocking threads: on the reactor
    /// an fsync would hold up every SMTP session's 250 behind it.
    async fn deliver_entry(self: &Arc<Self>, entry: Entry) {
        let Ok(_permit) = self.deliveries.clone().acquire_owned().await else { return };
        let Stage::Outbound { next_hop, .. } = &entry.stage else { return };
        let hop = NextHop::parse(next_hop).map_err(|e| format!("bad next hop {next_hop}: {e}"));
        let q = self.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let mut entry = entry;
            let hop = match hop {
                Ok(h) => h,
                Err(why) => {
                    q.hold(&mut entry, why);
                    return None;
                }
            };
            match q.spool.body(&entry) {
                Ok(b) => Some((entry, hop, b)),
                Err(e) => {
                    tracing::error!(context = "queue", event = "unreadable", id = %entry.id, error = %e);
                    q.hold(&mut entry, format!("message file unreadable: {e}"));
                    None
                }
            }
        })
        .await;
        let Ok(Some((entry, hop, body))) = loaded else { return };
        let client = ClientSettings {
            hostname: self.config.server.hostname.clone(),
            timeout: Duration::from_secs(self.config.delivery.connect_timeout_s),
            tls_ca: self.tls_ca.clone(),
        };
        let result = delivery::deliver(&hop, &entry.id, &entry.envelope, &body, &client).await;
        let q = self.clone();
        let _ = tokio::task::spawn_blocking(move || q.settle(entry, &body, result)).await;
    }

    /// After a delivery attempt (blocking): remove the entry, or reschedule it, or report its
    /// failure, each durably.
    fn settle(
        &self,
        mut entry: Entry,
        body: &[u8],
        result: Result<String, delivery::DeliveryError>,
    ) {
        let Stage::Outbound { next_hop, purpose, on_failure, dsn_on_failure } = entry.stage.clone()
        else {
            return;
        };
        let now = super::now();
        let purpose_label = Metrics::label("purpose", &purpose);
        match result {
            Ok(reply) => {
                if purpose.starts_with("mm4-") && purpose != "mm4-res" {
                    self.remember_request(&entry, &purpose, body, now);
                }
                if let Some(envid) = &entry.envelope.envid
                    && let Some(mid) = process::header_value(body, "message-id")
                {
                    self.spool.record_envid(envid, &mid, now);
                }
                if self.spool.remove(&entry.id).is_ok() {
                    self.metrics.spool_messages.dec();
                }
                self.metrics.delivered.get_or_create(&purpose_label).inc();
                tracing::info!(context = "delivery", event = "delivered", id = %entry.id, purpose = %purpose, next_hop = %next_hop, attempts = entry.attempts + 1, reply = %reply);
            }
            Err(e) if e.is_transient() && now < entry.expires => {
                entry.attempts += 1;
                let d = &self.config.delivery;
                entry.next_attempt = now
                    + delivery::backoff(
                        entry.attempts,
                        d.retry_min_s,
                        d.retry_max_s,
                        super::random_u64(),
                    );
                entry.last_error = Some(e.to_string());
                if let Err(se) = self.spool.update(&entry) {
                    tracing::error!(context = "queue", event = "update-failed", id = %entry.id, error = %se);
                }
                // NOTIFY=DELAY: the fax/voice sender hears once, at the first deferral.
                if entry.attempts == 1
                    && let Some(df) = dsn_on_failure.as_deref().filter(|d| d.notify_delay)
                {
                    let dsn = process::failure_dsn(
                        df,
                        DsnKind::Delayed,
                        &e.to_string(),
                        e.code,
                        &self.config,
                        &entry.id,
                        now,
                    );
                    self.spool_report(&entry, self.built(&entry, dsn), "dsn");
                }
                tracing::warn!(context = "delivery", event = "deferred", id = %entry.id, purpose = %purpose, next_hop = %next_hop, attempts = entry.attempts, retry_in_s = entry.next_attempt - now, error = %e);
                self.schedule(&entry.id, entry.next_attempt);
            }
            Err(e) => {
                let expired = e.is_transient();
                let (status, text) = if expired {
                    (MmStatus::Expired, format!("not delivered within the lifetime: {e}"))
                } else {
                    (MmStatus::Rejected, e.to_string())
                };
                // The failure report is spooled before the failed entry goes (at least once).
                if let Some(fr) = &on_failure {
                    let dr =
                        process::failure_report(fr, status, &text, &self.config, &entry.id, now);
                    if !self.spool_report(&entry, dr, "delivery-report") {
                        self.hold(
                            &mut entry,
                            format!("failed ({e}) and its report could not be spooled"),
                        );
                        return;
                    }
                }
                if let Some(df) = dsn_on_failure.as_deref().filter(|d| d.notify_failure) {
                    let dsn = process::failure_dsn(
                        df,
                        if expired { DsnKind::Expired } else { DsnKind::Rejected },
                        &text,
                        e.code,
                        &self.config,
                        &entry.id,
                        now,
                    );
                    if !self.spool_report(&entry, self.built(&entry, dsn), "dsn") {
                        self.hold(
                            &mut entry,
                            format!("failed ({e}) and its DSN could not be spooled"),
                        );
                        return;
                    }
                }
                if self.spool.remove(&entry.id).is_ok() {
                    self.metrics.spool_messages.dec();
                }
                self.metrics.delivery_failures.get_or_create(&purpose_label).inc();
                tracing::error!(context = "delivery", event = if expired { "expired" } else { "failed" }, id = %entry.id, purpose = %purpose, next_hop = %next_hop, attempts = entry.attempts + 1, error = %e, reported = on_failure.is_some() || dsn_on_failure.is_some());
            }
        }
    }

    /// A report that could not be built (its input made a header we refuse to write) is
    /// logged, never silently skipped.
    fn built(&self, parent: &Entry, report: Result<NewMessage, String>) -> Option<NewMessage> {
        report
            .inspect_err(|e| {
                tracing::error!(context = "queue", event = "report-build-failed", id = %parent.id, error = %e);
            })
            .ok()
    }

    /// Spools a report built at delivery time and counts it; `false` when it could not be
    /// spooled (the caller keeps what it reports on). `None` (nothing to report) is fine.
    fn spool_report(&self, parent: &Entry, report: Option<NewMessage>, kind: &str) -> bool {
        let Some(report) = report else { return true };
        match self.store_outbound(parent, report) {
            Ok(_) => {
                self.metrics.reports.get_or_create(&Metrics::label("kind", kind)).inc();
                true
            }
            Err(se) => {
                tracing::error!(context = "queue", event = "report-store-failed", id = %parent.id, error = %se);
                false
            }
        }
    }

    /// Records an MM4 request that asked for a .RES, so the .RES can be matched (`sent/`).
    fn remember_request(&self, entry: &Entry, purpose: &str, body: &[u8], now: u64) {
        let Ok(mm) = crate::mm::Mm4::parse(body) else { return };
        if mm.elements.ack_request != Some(true) {
            return;
        }
        if let Some(tx) = &mm.elements.transaction_id {
            let rec = SentRecord {
                id: entry.id.clone(),
                purpose: purpose.to_owned(),
                message_type: mm.message_type.to_string(),
                sent: now,
            };
            self.spool.record_sent(tx.raw(), &rec);
        }
    }

    fn log_event(&self, entry: &Entry, ev: &Event) {
        let id = &entry.id;
        match ev {
            Event::Converted { target, messages } => {
                tracing::info!(context = "process", event = "converted", id = %id, target = %target, messages)
            }
            Event::ConversionFailed { target, reason } => {
                tracing::warn!(context = "process", event = "conversion-failed", id = %id, target = %target, reason = %reason)
            }
            Event::Omitted { target, what } => {
                tracing::warn!(context = "process", event = "omitted", id = %id, target = %target, what = %what)
            }
            Event::Acknowledged { status } => {
                tracing::info!(context = "process", event = "acknowledged", id = %id, status = %status)
            }
            Event::Report { kind, status } => {
                self.metrics.reports.get_or_create(&Metrics::label("kind", kind)).inc();
                tracing::info!(context = "process", event = "report", id = %id, kind = %kind, status = %status);
            }
            Event::ReportNotNeeded { reason } => {
                tracing::info!(context = "process", event = "report-not-needed", id = %id, reason = %reason)
            }
            Event::TokenRefused { reason } => {
                self.metrics.tokens_refused.inc();
                tracing::warn!(context = "process", event = "token-refused", id = %id, reason = %reason, from = %entry.envelope.mail_from);
            }
            Event::Uncorrelatable => {
                tracing::warn!(context = "process", event = "uncorrelatable", id = %id, from = %entry.envelope.mail_from)
            }
            Event::ResponseReceived { message_type, transaction_id, status } => {
                match self.spool.take_sent(transaction_id) {
                    Some(sent) => {
                        tracing::info!(context = "process", event = "response", id = %id, message_type = %message_type, transaction_id = %transaction_id, status = %status, matched = %sent.id, request = %sent.message_type, after_s = super::now().saturating_sub(sent.sent))
                    }
                    None => {
                        tracing::warn!(context = "process", event = "response-unmatched", id = %id, message_type = %message_type, transaction_id = %transaction_id, status = %status)
                    }
                }
            }
            Event::Dropped { reason } => {
                tracing::warn!(context = "process", event = "dropped", id = %id, reason = %reason)
            }
        }
    }
}
