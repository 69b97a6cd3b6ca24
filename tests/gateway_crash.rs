//! Crash test (issue 8 "Done when"): 500 messages from 4 concurrent clients while the server
//! binary is SIGKILLed at random moments three times and restarted on the same spool. Every
//! message that got a 250 must reach the sink; duplicates are counted and printed; zero lost.
//! Only 127.0.0.1; the test ends the processes it started, by their handles.
mod gateway_support;

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gateway_support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const MESSAGES: usize = 500;
const CLIENTS: usize = 4;

fn message(i: usize) -> String {
    format!(
        "X-Mms-3GPP-MMS-Version: 6.10.0\r\nX-Mms-Message-Type: MM4_delivery_report.REQ\r\nX-Mms-Transaction-ID: crash-{i}\r\n\
         X-Mms-Message-ID: mid-{i}\r\nX-Mms-Ack-Request: Yes\r\nX-Mms-Originator-System: system-user@mms.test\r\n\
         X-Mms-MM-Status-Code: Retrieved\r\nX-Mms-Forward-To-Originator-UA: Yes\r\nFrom: +4930123/TYPE=PLMN\r\n\
         To: +4917012345/TYPE=PLMN\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nreport {i}\r\n"
    )
}

/// One SMTP transaction; `Ok` only when the server answered 250 after DATA.
async fn submit(addr: std::net::SocketAddr, i: usize) -> Result<(), String> {
    let s = tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| "connect timeout")?
        .map_err(|e| e.to_string())?;
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    let mut expect = async |r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
                            code: &str|
           -> Result<String, String> {
        loop {
            line.clear();
            let n = tokio::time::timeout(Duration::from_secs(5), r.read_line(&mut line))
                .await
                .map_err(|_| "reply timeout")?
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("closed".into());
            }
            if line.as_bytes().get(3) == Some(&b'-') {
                continue;
            }
            return if line.starts_with(code) { Ok(line.clone()) } else { Err(line.clone()) };
        }
    };
    expect(&mut r, "220").await?;
    w.write_all(b"EHLO crash\r\nMAIL FROM:<client@mms.test>\r\nRCPT TO:<system-user@mm3gw.test>\r\nDATA\r\n").await.map_err(|e| e.to_string())?;
    for code in ["250", "250", "250", "354"] {
        expect(&mut r, code).await?;
    }
    w.write_all(format!("{}.\r\n", message(i)).as_bytes()).await.map_err(|e| e.to_string())?;
    expect(&mut r, "250").await?;
    let _ = w.write_all(b"QUIT\r\n").await;
    Ok(())
}

fn spawn_server(config: &std::path::Path, log: &std::path::Path) -> std::process::Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_mm3gw"))
        .args(["serve", "--config"])
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_three_times_loses_nothing() {
    let sink = start_sink().await;
    let dir = tmpdir("crash");
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let cfg = config_text(&dir, sink.addr, "connections_per_client = 64")
        .replace("listen = [\"127.0.0.1:0\"]", &format!("listen = [\"{addr}\"]"))
        .replace("http = \"127.0.0.1:0\"", "http = \"\"");
    let cfg_path = dir.join("gw.toml");
    std::fs::write(&cfg_path, cfg).unwrap();
    let log = dir.join("server.log");
    let server = Arc::new(Mutex::new(Some(spawn_server(&cfg_path, &log))));
    wait_for(20, "the server listening", || std::net::TcpStream::connect(addr).ok()).await;

    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (next, acked) = (next.clone(), acked.clone());
        clients.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= MESSAGES {
                    return;
                }
                // Retry until this message gets its 250 (bounded: the test has a deadline).
                while submit(addr, i).await.is_err() {
                    assert!(
                        started.elapsed() < Duration::from_secs(90),
                        "message {i} never accepted"
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                acked.lock().unwrap().insert(i);
            }
        }));
    }

    // Three SIGKILLs at random moments, each followed by a restart on the same spool.
    let mut seed =
        u64::from(std::process::id()) ^ started.elapsed().as_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    for round in 0..3 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let wait = 200 + (seed >> 33) % 900;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let mut child = server.lock().unwrap().take().unwrap();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        eprintln!(
            "crash test: SIGKILL {} after {wait} ms, {} acked so far",
            round + 1,
            acked.lock().unwrap().len()
        );
        *server.lock().unwrap() = Some(spawn_server(&cfg_path, &log));
    }
    for c in clients {
        c.await.unwrap();
    }
    assert_eq!(acked.lock().unwrap().len(), MESSAGES);

    let txid = |m: &Received| {
        m.text().lines().find_map(|l| {
            l.strip_prefix("X-Mms-Transaction-ID: crash-")
                .and_then(|n| n.trim().parse::<usize>().ok())
        })
    };
    let outcome = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let seen: HashSet<usize> = sink.messages().iter().filter_map(txid).collect();
            if seen.len() >= MESSAGES {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let mut counts: HashMap<usize, usize> = HashMap::new();
    for m in sink.messages() {
        if let Some(i) = txid(&m) {
            *counts.entry(i).or_default() += 1;
        }
    }
    let lost: Vec<usize> = (0..MESSAGES).filter(|i| !counts.contains_key(i)).collect();
    let duplicates: usize = counts.values().map(|c| c - 1).sum();
    eprintln!(
        "crash test: {} acknowledged, {} reached the sink, {duplicates} duplicates, {} lost, {:?}",
        MESSAGES,
        counts.len(),
        lost.len(),
        started.elapsed()
    );
    if let Some(mut c) = server.lock().unwrap().take() {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(
        outcome.is_ok() && lost.is_empty(),
        "lost {lost:?}; server log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
