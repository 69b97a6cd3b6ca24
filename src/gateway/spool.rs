//! The spool: every message the gateway answered 250 for, and every message it built, until
//! it has been delivered or reported.
//!
//! # Durability contract
//! 1. **250 means on disk.** The SMTP session answers 250 only after [`Spool::store`] returned,
//!    and `store` returns only after both files of the entry are durable:
//!    `queue/<id>.eml` (the message bytes) and then `queue/<id>.json` (its [`Entry`]: envelope,
//!    DSN parameters, schedule, CRC-32 of the `.eml`). Each file is written to `tmp/` and
//!    `fsync`ed, then renamed into `queue/` (`.eml` first), and the `queue/` directory is
//!    `fsync`ed after the second rename, which makes both renames durable before the 250 (the
//!    Postfix/Maildir discipline; `flush()` is never relied on). Several entries stored together
//!    ([`Spool::store_all`], what processing builds from one message) share that directory
//!    `fsync`, after the last rename. A crash before that directory
//!    `fsync` can leave any subset of the two renames; none of them was acknowledged.
//! 2. **The `.json` commits the entry.** A `.eml` without its `.json` was never acknowledged
//!    and is removed at start; a `.json` whose `.eml` is missing, has another length, or fails
//!    its CRC is moved to `corrupt/` with a log line, never silently dropped and never delivered
//!    (after a crash between the two renames of rule 1 this can be an unacknowledged message).
//!    A `.json` that does not parse is moved to `corrupt/` too.
//! 3. **Updates replace, never modify.** A new schedule (attempts, next attempt, last error) is
//!    a new `.json` written to `tmp/`, `fsync`ed and renamed over the old one; a crash leaves
//!    either the old or the new record, both valid.
//! 4. **Removal uncommits first.** An entry is removed `.json` first, then `.eml`. A crash in
//!    between leaves an orphan `.eml` that rule 2 removes.
//! 5. **At least once.** An entry is removed only after its delivery succeeded (or its failure
//!    report is itself spooled), so a crash can cause a second delivery, never none.
//! 6. `tmp/` is emptied at start: what is there was never acknowledged.
//!
//! Layout: `<spool>/{queue,tmp,corrupt}/`, `<spool>/hmac.key` (a generated report key, 0600), and
//! `<spool>/sent/` (one small file per MM4 request we sent that asked for a .RES, named by the
//! SHA-256 of its Transaction-ID, so the .RES can be matched and logged; not durability-critical:
//! a lost marker only makes a .RES log as unmatched), and `<spool>/envid/` (ENVID → the signed
//! Message-ID of what we delivered, so a DSN that returns only the ENVID can still be
//! correlated on this instance; same expiry, same best-effort writes).
//! Durable writes go through the [`Disk`] trait, so tests fail each step in turn and check
//! that the error is reported (no 250) and recovery finds nothing or the whole entry.
//!
//! Ids are `<unix seconds, 10 hex>-<64 random bits, 16 hex>`: sortable by age, unique without
//! coordination, and safe as file names.
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// An SMTP envelope with the RFC 3461 DSN parameters kept for the outbound leg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Envelope {
    /// MAIL FROM; empty for the null reverse-path `<>`.
    pub mail_from: String,
    pub rcpt_to: Vec<Rcpt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envid: Option<String>,
    /// `FULL` or `HDRS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<String>,
}

/// One envelope recipient with its DSN parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Rcpt {
    pub address: String,
    /// e.g. `SUCCESS,FAILURE` or `NEVER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<String>,
    /// `addr-type;xtext`, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orcpt: Option<String>,
}

impl Rcpt {
    pub fn plain(address: impl Into<String>) -> Rcpt {
        Rcpt { address: address.into(), notify: None, orcpt: None }
    }
}

/// What an entry is waiting for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stage {
    /// Received over SMTP; waits to be routed and converted (`process`).
    Inbound,
    /// Built or converted here; waits to be delivered to `next_hop`.
    Outbound {
        next_hop: String,
        /// Why it exists (`fax`, `vpim`, `mm4-res`, `mm4-report`, `dsn`, …), for logs and reports.
        purpose: String,
        /// When this message fails for good, the failure report to spool (e.g. the MM4 delivery
        /// report the MM asked for), as built when the message was built; `None`: log only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on_failure: Option<FailureReport>,
        /// When this MM (built here from fax or voice mail) fails for good or is delayed, the
        /// DSN to its sender; `None`: the sender asked for none (`NOTIFY=NEVER`) or not an MM.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dsn_on_failure: Option<Box<DsnFailure>>,
    },
}

/// What to put in the RFC 3464 DSN to a fax or voice mail sender when the MM built from their
/// message fails toward the MMSC (failed, expired) or is delayed: the inbound envelope's DSN
/// request, kept because the MM4 leg cannot carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsnFailure {
    /// The inbound MAIL FROM: the DSN's only RCPT.
    pub return_path: String,
    /// The inbound recipient (an MMS user), the DSN's Final-Recipient.
    pub recipient: String,
    /// Its ORCPT as the session read it (xtext decoded, without the `rfc822;` type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orcpt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envid: Option<String>,
    /// The inbound Message-ID (returned as `text/rfc822-headers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// NOTIFY asked for DELAY: one `delayed` DSN at the first deferral.
    #[serde(default)]
    pub notify_delay: bool,
    /// NOTIFY was absent or named FAILURE (RFC 3461 §4.1): a `failed` DSN if it fails.
    #[serde(default = "failure_by_default")]
    pub notify_failure: bool,
}

/// Spools written before `notify_failure` existed kept a DsnFailure only when one was wanted.
fn failure_by_default() -> bool {
    true
}

/// What to report if an outbound message fails permanently or expires: the MM4 delivery report
/// the original MM asked for (spec/mms.md §5), built at failure time from these fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureReport {
    /// The original MM's X-Mms-Message-ID, byte for byte.
    pub mm_id: String,
    /// The original MM's `From` (the report's `To`).
    pub originator: String,
    /// Where the report goes (the REQ's reply address).
    pub originator_system: String,
    /// The recipient the report is about, as an MMS address (the report's `From`).
    pub recipient: String,
    pub delivery_report: bool,
    pub rs_delivery_report: bool,
}

/// What we remember of a sent MM4 request until its .RES comes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    pub id: String,
    pub purpose: String,
    pub message_type: String,
    /// Unix seconds.
    pub sent: u64,
}

/// The record of one spooled message (`queue/<id>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub stage: Stage,
    pub envelope: Envelope,
    /// Unix seconds.
    pub created: u64,
    /// Give up (and report) after this time.
    pub expires: u64,
    pub attempts: u32,
    pub next_attempt: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Length and CRC-32 of the `.eml`, checked at load.
    pub size: u64,
    pub crc32: u32,
    /// Set when the entry is held for an operator (`mm3gw queue retry|drop`): nothing runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
    /// Where it came from (client address, HELO), for logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Entry {
    /// A new entry, due now; `size` and `crc32` are filled in by [`Spool::store`].
    pub fn new(
        id: String,
        stage: Stage,
        envelope: Envelope,
        now: u64,
        expires: u64,
        origin: String,
    ) -> Entry {
        Entry {
            id,
            stage,
            envelope,
            created: now,
            expires,
            attempts: 0,
            next_attempt: now,
            last_error: None,
            size: 0,
            crc32: 0,
            held: None,
            origin: Some(origin),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool I/O on {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("spool entry {0} does not exist")]
    NotFound(String),
    #[error("spool entry {id} is corrupt: {reason}")]
    Corrupt { id: String, reason: String },
    #[error("\"{0}\" is not a spool id")]
    BadId(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io { path: path.to_owned(), source }
}

/// The disk operations a durable write is made of, behind a trait so tests can make any one of
/// them fail (vector disk_v2's `Filesystem`). [`RealDisk`] is the only production one.
pub trait Disk: Send + Sync + std::fmt::Debug {
    /// Creates (or truncates) `path` with `mode`, writes `bytes` and fsyncs the file.
    fn write_synced(&self, path: &Path, bytes: &[u8], mode: u32) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// fsyncs a directory, making the renames into it durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The operating system's file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealDisk;

impl Disk for RealDisk {
    fn write_synced(&self, path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
        let mut f = open_new(path, mode)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        sync_dir(dir)
    }
}

/// The spool directory.
#[derive(Debug, Clone)]
pub struct Spool {
    root: PathBuf,
    disk: std::sync::Arc<dyn Disk>,
}

/// What [`Spool::recover`] found.
#[derive(Debug, Default)]
pub struct Recovered {
    pub entries: Vec<Entry>,
    pub orphans_removed: usize,
    pub corrupt: Vec<String>,
}

impl Spool {
    /// Opens (creating the directories of) a spool.
    pub fn open(root: impl Into<PathBuf>) -> Result<Spool, SpoolError> {
        Spool::with_disk(root, std::sync::Arc::new(RealDisk))
    }

    /// Opens a spool whose durable writes go through `disk` (fault-injection tests).
    pub fn with_disk(
        root: impl Into<PathBuf>,
        disk: std::sync::Arc<dyn Disk>,
    ) -> Result<Spool, SpoolError> {
        let root = root.into();
        for d in ["queue", "tmp", "corrupt", "sent", "envid"] {
            let p = root.join(d);
            fs::create_dir_all(&p).map_err(io_err(&p))?;
        }
        Ok(Spool { root, disk })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn queue(&self) -> PathBuf {
        self.root.join("queue")
    }

    /// A new id (see the module doc).
    pub fn new_id(now: u64) -> String {
        let mut r = [0u8; 8];
        super::random_bytes(&mut r);
        format!("{:010x}-{:016x}", now, u64::from_le_bytes(r))
    }

    fn check_id(id: &str) -> Result<(), SpoolError> {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok { Ok(()) } else { Err(SpoolError::BadId(id.to_owned())) }
    }

    /// Durably stores a new entry (rules 1–2). `entry.size`/`crc32` are filled in here.
    pub fn store(&self, entry: &mut Entry, body: &[u8]) -> Result<(), SpoolError> {
        self.store_all(&mut [(entry, body)])
    }

    /// Durably stores several new entries (rules 1–2), each as [`Spool::store`] does, with one
    /// directory fsync after the last rename, which makes every rename before it durable:
    /// what processing builds from one message is spooled with one directory fsync instead of
    /// one per message. On an error, entries renamed before it may remain (a caller that
    /// retries can store them twice: at least once, never lost).
    pub fn store_all(&self, entries: &mut [(&mut Entry, &[u8])]) -> Result<(), SpoolError> {
        if entries.is_empty() {
            return Ok(());
        }
        let (tmp, q) = (self.root.join("tmp"), self.queue());
        for (entry, body) in entries.iter_mut() {
            Self::check_id(&entry.id)?;
            entry.size = body.len() as u64;
            entry.crc32 = crc32fast::hash(body);
            // No directory fsync yet: the one after the last record's rename covers them all.
            write_file(&*self.disk, &tmp, &q, &format!("{}.eml", entry.id), body)?;
            write_file(&*self.disk, &tmp, &q, &format!("{}.json", entry.id), &record(entry)?)?;
        }
        self.disk.sync_dir(&q).map_err(io_err(&q))
    }

    /// Replaces an entry's record (rule 3).
    pub fn update(&self, entry: &Entry) -> Result<(), SpoolError> {
        Self::check_id(&entry.id)?;
        self.write_record(entry)
    }

    fn write_record(&self, entry: &Entry) -> Result<(), SpoolError> {
        let (tmp, q) = (self.root.join("tmp"), self.queue());
        write_file(&*self.disk, &tmp, &q, &format!("{}.json", entry.id), &record(entry)?)?;
        self.disk.sync_dir(&q).map_err(io_err(&q))
    }

    /// Removes an entry (rule 4).
    pub fn remove(&self, id: &str) -> Result<(), SpoolError> {
        Self::check_id(id)?;
        let j = self.queue().join(format!("{id}.json"));
        match fs::remove_file(&j) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(SpoolError::NotFound(id.to_owned()));
            }
            Err(e) => return Err(SpoolError::Io { path: j, source: e }),
        }
        let e = self.queue().join(format!("{id}.eml"));
        let _ = fs::remove_file(&e);
        let _ = sync_dir(&self.queue());
        Ok(())
    }

    /// Loads one entry's record.
    pub fn entry(&self, id: &str) -> Result<Entry, SpoolError> {
        Self::check_id(id)?;
        let j = self.queue().join(format!("{id}.json"));
        let bytes = match fs::read(&j) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(SpoolError::NotFound(id.to_owned()));
            }
            Err(e) => return Err(SpoolError::Io { path: j, source: e }),
        };
        serde_json::from_slice(&bytes)
            .map_err(|e| SpoolError::Corrupt { id: id.to_owned(), reason: e.to_string() })
    }

    /// Loads an entry's message and checks it against the record.
    pub fn body(&self, entry: &Entry) -> Result<Vec<u8>, SpoolError> {
        Self::check_id(&entry.id)?;
        let p = self.queue().join(format!("{}.eml", entry.id));
        let body = match fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(SpoolError::Corrupt {
                    id: entry.id.clone(),
                    reason: "message file missing".into(),
                });
            }
            Err(e) => return Err(SpoolError::Io { path: p, source: e }),
        };
        if body.len() as u64 != entry.size || crc32fast::hash(&body) != entry.crc32 {
            return Err(SpoolError::Corrupt {
                id: entry.id.clone(),
                reason: format!(
                    "message file has {} bytes or a CRC that does not match its record",
                    body.len()
                ),
            });
        }
        Ok(body)
    }

    /// Ids of every committed entry, oldest first.
    pub fn ids(&self) -> Result<Vec<String>, SpoolError> {
        let q = self.queue();
        let mut ids = Vec::new();
        for de in fs::read_dir(&q).map_err(io_err(&q))? {
            let de = de.map_err(io_err(&q))?;
            let name = de.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".json")
                && Self::check_id(id).is_ok()
            {
                ids.push(id.to_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Start-up recovery (rules 2 and 6): empties `tmp/`, removes orphan `.eml` files, moves
    /// corrupt entries to `corrupt/`, and returns every valid entry.
    pub fn recover(&self) -> Result<Recovered, SpoolError> {
        let mut out = Recovered::default();
        let tmp = self.root.join("tmp");
        for de in fs::read_dir(&tmp).map_err(io_err(&tmp))?.flatten() {
            let _ = fs::remove_file(de.path());
        }
        let q = self.queue();
        let ids = self.ids()?;
        for de in fs::read_dir(&q).map_err(io_err(&q))?.flatten() {
            let name = de.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".eml")
                && !ids.iter().any(|i| i == id)
            {
                let _ = fs::remove_file(de.path());
                out.orphans_removed += 1;
            }
        }
        for id in ids {
            let checked = self.entry(&id).and_then(|e| self.body(&e).map(|_| e));
            match checked {
                Ok(e) => out.entries.push(e),
                Err(err) => {
                    tracing::error!(context = "spool", event = "corrupt", id = %id, error = %err, "moved to corrupt/");
                    self.quarantine(&id);
                    out.corrupt.push(id);
                }
            }
        }
        let _ = sync_dir(&q);
        Ok(out)
    }

    fn quarantine(&self, id: &str) {
        let c = self.root.join("corrupt");
        for ext in ["eml", "json"] {
            let from = self.queue().join(format!("{id}.{ext}"));
            let _ = fs::rename(&from, c.join(format!("{id}.{ext}")));
        }
        let _ = sync_dir(&c);
    }

    fn sent_path(&self, transaction_id: &str) -> PathBuf {
        let key = crate::mm::Id(transaction_id.to_owned());
        self.root.join("sent").join(hashed(key.key()))
    }

    /// Remembers which signed Message-ID an ENVID stands for.
    pub fn record_envid(&self, envid: &str, message_id: &str, now: u64) {
        let rec = SentRecord {
            id: message_id.to_owned(),
            purpose: "envid".into(),
            message_type: String::new(),
            sent: now,
        };
        if let Ok(json) = serde_json::to_vec(&rec) {
            let _ = fs::write(self.root.join("envid").join(hashed(envid.trim())), json);
        }
    }

    /// The signed Message-ID an ENVID stands for, when this instance delivered it.
    pub fn lookup_envid(&self, envid: &str) -> Option<String> {
        let b = fs::read(self.root.join("envid").join(hashed(envid.trim()))).ok()?;
        serde_json::from_slice::<SentRecord>(&b).ok().map(|r| r.id)
    }

    /// Remembers an MM4 request we sent that asked for a .RES (see the layout above).
    pub fn record_sent(&self, transaction_id: &str, record: &SentRecord) {
        if let Ok(json) = serde_json::to_vec(record) {
            let _ = fs::write(self.sent_path(transaction_id), json);
        }
    }

    /// The request a .RES answers, if we sent it; the marker is removed.
    pub fn take_sent(&self, transaction_id: &str) -> Option<SentRecord> {
        let p = self.sent_path(transaction_id);
        let r = fs::read(&p).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let _ = fs::remove_file(&p);
        r
    }

    /// Removes markers older than `max_age_s` (no .RES will come for them any more).
    pub fn expire_sent(&self, now: u64, max_age_s: u64) {
        for de in ["sent", "envid"]
            .iter()
            .filter_map(|d| fs::read_dir(self.root.join(d)).ok())
            .flat_map(|rd| rd.flatten())
        {
            let old = fs::read(de.path())
                .ok()
                .and_then(|b| serde_json::from_slice::<SentRecord>(&b).ok())
                .is_none_or(|r| r.sent.saturating_add(max_age_s) < now);
            if old {
                let _ = fs::remove_file(de.path());
            }
        }
    }

    /// The report-token key: the configured one, or one generated once into `<spool>/hmac.key`
    /// (mode 0600). Returns the key and whether it was generated now.
    pub fn hmac_key(&self, configured: Option<&str>) -> Result<(Vec<u8>, bool), SpoolError> {
        if let Some(k) = configured {
            return Ok((k.as_bytes().to_vec(), false));
        }
        let p = self.root.join("hmac.key");
        match fs::read(&p) {
            Ok(k) if k.len() >= 32 => return Ok((k, false)),
            Ok(_) => {
                return Err(SpoolError::Corrupt {
                    id: "hmac.key".into(),
                    reason: "shorter than 32 bytes".into(),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(SpoolError::Io { path: p, source: e }),
        }
        let mut raw = [0u8; 32];
        super::random_bytes(&mut raw);
        let key: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = self.root.join("tmp").join("hmac.key");
        let mut f = open_new(&tmp, 0o600).map_err(io_err(&tmp))?;
        f.write_all(key.as_bytes()).and_then(|()| f.sync_all()).map_err(io_err(&tmp))?;
        // Never replace a key another process wrote meanwhile: hard-link, which fails if present.
        match fs::hard_link(&tmp, &p) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(SpoolError::Io { path: p, source: e }),
        }
        let _ = fs::remove_file(&tmp);
        sync_dir(&self.root).map_err(io_err(&self.root))?;
        Ok((fs::read(&p).map_err(io_err(&p))?, true))
    }
}

/// A file-name-safe key: hex SHA-256.
fn hashed(key: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn open_new(path: &Path, mode: u32) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(path)
}

/// An entry's record, as `queue/<id>.json` holds it.
fn record(entry: &Entry) -> Result<Vec<u8>, SpoolError> {
    serde_json::to_vec_pretty(entry)
        .map_err(|e| SpoolError::Corrupt { id: entry.id.clone(), reason: e.to_string() })
}

/// Writes `name` into `dir` durably: temp file in `tmp`, fsync, rename, fsync `dir`.
pub fn write_durable(tmp: &Path, dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SpoolError> {
    write_file(&RealDisk, tmp, dir, name, bytes)?;
    sync_dir(dir).map_err(io_err(dir))
}

/// Temp file in `tmp`, fsync, rename into `dir`; the caller fsyncs `dir`.
fn write_file(
    disk: &dyn Disk,
    tmp: &Path,
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<(), SpoolError> {
    let mut r = [0u8; 6];
    super::random_bytes(&mut r);
    let t = tmp.join(format!(
        "{name}.{:012x}",
        u64::from_le_bytes([r[0], r[1], r[2], r[3], r[4], r[5], 0, 0])
    ));
    if let Err(e) = disk.write_synced(&t, bytes, 0o640) {
        let _ = fs::remove_file(&t);
        return Err(SpoolError::Io { path: t, source: e });
    }
    let dest = dir.join(name);
    if let Err(e) = disk.rename(&t, &dest) {
        let _ = fs::remove_file(&t);
        return Err(SpoolError::Io { path: dest, source: e });
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mm3gw-spool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    fn entry(id: &str) -> Entry {
        Entry {
            id: id.into(),
            stage: Stage::Inbound,
            envelope: Envelope {
                mail_from: "a@b.example".into(),
                rcpt_to: vec![Rcpt {
                    address: "FAX=+4930123@fax.localhost".into(),
                    notify: Some("SUCCESS,FAILURE".into()),
                    orcpt: Some("rfc822;FAX+3D+2B4930123@fax.localhost".into()),
                }],
                envid: Some("m3.abc".into()),
                ret: Some("HDRS".into()),
            },
            created: 100,
            expires: 1000,
            attempts: 0,
            next_attempt: 100,
            last_error: None,
            size: 0,
            crc32: 0,
            held: None,
            origin: None,
        }
    }

    #[test]
    fn store_load_update_remove() {
        let d = tmpdir("basic");
        let s = Spool::open(&d).unwrap();
        let id = Spool::new_id(100);
        let mut e = entry(&id);
        s.store(&mut e, b"Subject: x\r\n\r\nhello\r\n").unwrap();
        assert_eq!(s.ids().unwrap(), vec![id.clone()]);
        let loaded = s.entry(&id).unwrap();
        assert_eq!(loaded, e);
        assert_eq!(s.body(&loaded).unwrap(), b"Subject: x\r\n\r\nhello\r\n");
        let mut u = loaded.clone();
        u.attempts = 3;
        u.last_error = Some("451 try later".into());
        s.update(&u).unwrap();
        assert_eq!(s.entry(&id).unwrap().attempts, 3);
        assert!(
            fs::read_dir(d.join("tmp")).unwrap().next().is_none(),
            "tmp/ is empty after writes"
        );
        s.remove(&id).unwrap();
        assert!(s.ids().unwrap().is_empty());
        assert!(matches!(s.remove(&id), Err(SpoolError::NotFound(_))));
        let _ = fs::remove_dir_all(&d);
    }

    /// Model crashes and damage at every step of the contract and check recovery (rule 2, 6).
    #[test]
    fn recovery_after_crashes_and_corruption() {
        let d = tmpdir("recover");
        let s = Spool::open(&d).unwrap();
        let mut good = entry("0000000001-aaaa");
        s.store(&mut good, b"good").unwrap();
        // Crash after the .eml rename, before the .json: an orphan, never acknowledged.
        fs::write(d.join("queue/0000000002-bbbb.eml"), b"orphan").unwrap();
        // Crash mid-write of a temp file.
        fs::write(d.join("tmp/0000000003-cccc.eml.123"), b"partial").unwrap();
        // A truncated message behind a committed record.
        let mut trunc = entry("0000000004-dddd");
        s.store(&mut trunc, b"a longer body").unwrap();
        fs::write(d.join("queue/0000000004-dddd.eml"), b"a long").unwrap();
        // A flipped byte.
        let mut flip = entry("0000000005-eeee");
        s.store(&mut flip, b"abcdef").unwrap();
        fs::write(d.join("queue/0000000005-eeee.eml"), b"abcdeF").unwrap();
        // A record that does not parse, and one whose message is gone.
        fs::write(d.join("queue/0000000006-ffff.json"), b"{ not json").unwrap();
        fs::write(d.join("queue/0000000006-ffff.eml"), b"x").unwrap();
        let mut gone = entry("0000000007-0000");
        s.store(&mut gone, b"x").unwrap();
        fs::remove_file(d.join("queue/0000000007-0000.eml")).unwrap();

        let r = s.recover().unwrap();
        assert_eq!(r.entries, vec![good]);
        assert_eq!(r.orphans_removed, 1);
        assert_eq!(
            r.corrupt,
            vec!["0000000004-dddd", "0000000005-eeee", "0000000006-ffff", "0000000007-0000"]
        );
        assert!(d.join("corrupt/0000000005-eeee.json").exists());
        assert!(!d.join("queue/0000000002-bbbb.eml").exists());
        assert!(fs::read_dir(d.join("tmp")).unwrap().next().is_none());
        assert_eq!(s.ids().unwrap(), vec!["0000000001-aaaa"]);
        let _ = fs::remove_dir_all(&d);
    }

    /// Fails the n-th disk operation (vector `known_errors.rs` style).
    #[derive(Debug)]
    struct FailAt(usize, std::sync::atomic::AtomicUsize);

    impl FailAt {
        fn tick(&self) -> io::Result<()> {
            if self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == self.0 {
                return Err(io::Error::other("injected fault"));
            }
            Ok(())
        }
    }

    impl Disk for FailAt {
        fn write_synced(&self, path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
            self.tick()?;
            RealDisk.write_synced(path, bytes, mode)
        }
        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            self.tick()?;
            RealDisk.rename(from, to)
        }
        fn sync_dir(&self, dir: &Path) -> io::Result<()> {
            self.tick()?;
            RealDisk.sync_dir(dir)
        }
    }

    /// Every disk operation of a store, failed in turn: `store` reports the error (the session
    /// answers 451, not 250), and recovery finds either nothing or the whole, valid entry.
    #[test]
    fn a_failure_at_any_step_of_a_store_is_reported_and_recovers_cleanly() {
        for n in 0..6 {
            let d = tmpdir(&format!("fault{n}"));
            let spool =
                Spool::with_disk(&d, std::sync::Arc::new(FailAt(n, Default::default()))).unwrap();
            let mut e = entry("0000000009-aaaa");
            let stored = spool.store(&mut e, b"the message");
            assert_eq!(stored.is_ok(), n >= 5, "step {n}");
            let r = Spool::open(&d).unwrap().recover().unwrap();
            assert!(r.corrupt.is_empty(), "step {n}: {:?}", r.corrupt);
            match r.entries.as_slice() {
                [] => assert!(stored.is_err(), "step {n}: a stored entry was lost"),
                [got] => assert_eq!(got, &e, "step {n}"),
                more => panic!("step {n}: {more:?}"),
            }
            assert!(fs::read_dir(d.join("tmp")).unwrap().next().is_none());
            let _ = fs::remove_dir_all(&d);
        }
    }

    #[test]
    fn ids_are_checked_and_keys_generated_once() {
        let d = tmpdir("ids");
        let s = Spool::open(&d).unwrap();
        assert!(matches!(s.entry("../etc/passwd"), Err(SpoolError::BadId(_))));
        let (k1, fresh1) = s.hmac_key(None).unwrap();
        let (k2, fresh2) = s.hmac_key(None).unwrap();
        assert!(fresh1 && !fresh2 && k1 == k2 && k1.len() == 64);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(fs::metadata(d.join("hmac.key")).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(s.hmac_key(Some("configured")).unwrap().0, b"configured");
        let rec = SentRecord {
            id: "x".into(),
            purpose: "mm4-forward".into(),
            message_type: "MM4_forward.REQ".into(),
            sent: 10,
        };
        s.record_sent("\"tx-1@gw\"", &rec);
        assert_eq!(
            s.take_sent("<tx-1@gw>"),
            Some(rec.clone()),
            "matched on the id without quotes/brackets"
        );
        assert_eq!(s.take_sent("tx-1@gw"), None, "taken once");
        s.record_envid("m3.abc", "<m3.x@gw>", 10);
        assert_eq!(s.lookup_envid(" m3.abc "), Some("<m3.x@gw>".into()));
        s.record_sent("tx-2", &rec);
        s.expire_sent(100, 50);
        assert_eq!(s.take_sent("tx-2"), None);
        assert_eq!(s.lookup_envid("m3.abc"), None, "expired");
        let _ = fs::remove_dir_all(&d);
    }
}
