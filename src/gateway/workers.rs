//! The conversion threads: `server.workers` dedicated OS threads at a lower CPU priority.
//!
//! Conversions are CPU-bound (image rendering, T.4 coding, AMR and G.726 coding). On tokio's
//! blocking pool they ran at the same priority as the threads that answer SMTP and fsync the
//! spool, so on a busy machine a client waited for its `250` behind a conversion's time slice.
//! Here they run on their own threads, each lowered by [`NICE`] (Linux nice values are per
//! thread), so the reactor and the spool writes always win the CPU and conversions use what is
//! left. A panicking job loses only its own result ([`WorkerError::Lost`]); the thread lives on.
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// How much lower than the rest of the process conversions run (nice +10: about a tenth of
/// the CPU share of a nice-0 thread when both want it).
pub const NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("the conversion job panicked or its thread is gone")]
    Lost,
    /// Without its threads every conversion would be lost while the server looked healthy.
    #[error("cannot start conversion thread {index}: {source}")]
    Spawn { index: usize, source: std::io::Error },
}

/// A fixed set of low-priority threads fed through one queue.
pub struct Workers {
    tx: Sender<Job>,
}

impl Workers {
    /// Starts `n` threads (at least one). They end when the pool is dropped.
    pub fn new(n: usize) -> Result<Workers, WorkerError> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for index in 0..n.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("mm3gw-convert-{index}"))
                .spawn(move || worker(&rx))
                .map_err(|source| WorkerError::Spawn { index, source })?;
        }
        Ok(Workers { tx })
    }

    /// Runs `f` on a conversion thread and awaits its result.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, WorkerError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.tx.send(job).map_err(|_| WorkerError::Lost)?;
        rx.await.map_err(|_| WorkerError::Lost)
    }
}

fn worker(rx: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return, // the pool is gone
        };
        // A panic drops the job's result sender: the waiting caller sees `Lost`.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

/// Lowers this thread's priority by [`NICE`]; a failure (e.g. a sandbox) only costs latency.
fn lower_priority() {
    let tid = rustix::thread::gettid();
    let now = rustix::process::getpriority_process(Some(tid)).unwrap_or(0);
    if let Err(e) = rustix::process::setpriority_process(Some(tid), (now + NICE).min(19)) {
        tracing::warn!(context = "queue", event = "worker-priority", error = %e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_lowered_threads_and_a_panic_loses_only_its_result() {
        let w = Workers::new(2).unwrap();
        let (name, nice) = w
            .run(|| {
                let tid = rustix::thread::gettid();
                (
                    std::thread::current().name().map(str::to_owned),
                    rustix::process::getpriority_process(Some(tid)).unwrap(),
                )
            })
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("mm3gw-convert-"));
        let ours = rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        // Raising nice needs no privilege, so it holds wherever the suite runs.
        assert_eq!(nice, (ours + NICE).min(19));
        assert!(matches!(w.run(|| panic!("boom")).await, Err(WorkerError::Lost)));
        assert_eq!(w.run(|| 2 + 2).await.unwrap(), 4);
    }
}
