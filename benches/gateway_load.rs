//! Load benchmark for the gateway (issue 8): MM4_forward.REQs carrying a ~100 KB JPEG and a 10 s
//! AMR-NB note, sent over 16 SMTP connections to a gateway on 127.0.0.1 running the built-in
//! conversions (every other message to a fax number, the others to a voice mailbox), with an
//! in-process SMTP sink as the MMSC. Prints accepted msgs/s, converted msgs/s, p50/p99 time from
//! the end of DATA to the 250 (while the conversions run), the peak RSS of the process (gateway +
//! load client), and then the conversion throughput of the same messages on 1 and on 2 threads
//! (the conversions alone, no I/O; handed out from one shared queue like the gateway's pool,
//! with the CPU time per message and how long the threads waited for a CPU, and a pure
//! arithmetic loop's 1→2 scaling for what the machine gives two threads at that moment).
//!
//! The client sends each DATA in one write on a TCP_NODELAY socket, as MTAs do: two writes
//! with Nagle on made the final "." wait for the server's delayed ACK, up to 40 ms that the
//! time to 250 counted although the server had not seen the end of the message yet.
//!
//! `cargo bench --bench gateway_load` (MESSAGES=… to change the count, 320 by default;
//! WORKERS=… for `server.workers`, 2 by default; TARGET=host:port sends the same load to
//! another SMTP server, e.g. Postfix, and prints only the client-side figures).
#[path = "../tests/gateway_support/mod.rs"]
mod gateway_support;

use std::time::{Duration, Instant};

use base64::Engine;
use gateway_support::*;
use mm3gw::config::{Config, Convert};
use mm3gw::gateway::convert::{Converters, Direction, SpooledMessage, Target};
use mm3gw::gateway::service;
use mm3gw::gateway::spool::{Entry, Envelope, Rcpt, Stage};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const CONNECTIONS: usize = 16;

fn jpeg_100k() -> Vec<u8> {
    // Noise compresses badly, so a 270x220 noisy image at quality 90 is about 100 KB.
    let mut seed = 0x1234_5678u32;
    let img = image::RgbImage::from_fn(270, 220, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        image::Rgb([(seed >> 24) as u8, (seed >> 16) as u8, (seed >> 8) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    out
}

fn amr_10s() -> Vec<u8> {
    // RFC 4867 §5 storage: magic, then 500 frames of 20 ms at 12.2 kbit/s (header 0x3C + 31 bytes).
    let mut v = b"#!AMR\n".to_vec();
    for i in 0..500u32 {
        v.push(0x3C);
        v.extend((0..31).map(|j| (i * 31 + j) as u8));
    }
    v
}

fn message(i: usize, jpeg: &str, amr: &str) -> Vec<u8> {
    format!(
        "X-Mms-3GPP-MMS-Version: 6.10.0\r\nX-Mms-Message-Type: MM4_forward.REQ\r\nX-Mms-Transaction-ID: load-{i}\r\n\
         X-Mms-Message-ID: m-{i}@mms.test\r\nX-Mms-Ack-Request: Yes\r\nX-Mms-Originator-System: system-user@mms.test\r\n\
         From: +4917012345/TYPE=PLMN\r\nTo: +12125550100/TYPE=PLMN\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nSubject: load {i}\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n{jpeg}\r\n\
         --b\r\nContent-Type: audio/amr\r\nContent-Transfer-Encoding: base64\r\n\r\n{amr}\r\n--b--\r\n"
    )
    .into_bytes()
}

/// The DATA of a message: its bytes (no line starts with "."), then "." CRLF.
fn data(mut message: Vec<u8>) -> Vec<u8> {
    message.extend_from_slice(b".\r\n");
    message
}

fn b64_lines(b: &[u8]) -> String {
    let s = base64::engine::general_purpose::STANDARD.encode(b);
    s.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:")
                    .map(|v| v.trim().trim_end_matches(" kB").parse().unwrap_or(0))
            })
        })
        .unwrap_or(0)
}

/// Every other message to a fax number, the others to a voice mailbox.
fn rcpt_of(i: usize) -> &'static str {
    if i.is_multiple_of(2) { "FAX=+12125550100@fax.test" } else { "+12125550100@voicemail.test" }
}

async fn client(
    addr: std::net::SocketAddr,
    msgs: Vec<(usize, Vec<u8>)>,
    t0: Instant,
) -> Vec<(Duration, Duration)> {
    let s = tokio::net::TcpStream::connect(addr).await.unwrap();
    // As MTAs do (Postfix's vstream_tweak_tcp avoids Nagle delays; Python's smtplib sends the
    // message and its "." in one send), the whole DATA goes out in one write on a TCP_NODELAY
    // socket. With two writes and Nagle on, the "." waited in this client's kernel for the
    // server's delayed ACK (up to 40 ms on Linux) of the message's last partial segment, which
    // the time to 250 counted.
    s.set_nodelay(true).unwrap();
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    let mut read_final = async |r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>| loop {
        line.clear();
        r.read_line(&mut line).await.unwrap();
        if line.as_bytes().get(3) != Some(&b'-') {
            return line.clone();
        }
    };
    read_final(&mut r).await;
    w.write_all(b"EHLO load\r\n").await.unwrap();
    read_final(&mut r).await;
    let mut times = Vec::new();
    for (i, m) in msgs {
        let cmds = format!("MAIL FROM:<a@mms.test>\r\nRCPT TO:<{}>\r\nDATA\r\n", rcpt_of(i));
        w.write_all(cmds.as_bytes()).await.unwrap();
        for _ in 0..3 {
            read_final(&mut r).await;
        }
        // `m` is the whole DATA, its final "." CRLF included (`data`).
        w.write_all(&m).await.unwrap();
        let sent = Instant::now();
        let reply = read_final(&mut r).await;
        assert!(reply.starts_with("250"), "{reply}");
        times.push((sent.elapsed(), sent - t0));
    }
    let _ = w.write_all(b"QUIT\r\n").await;
    times
}

/// What this machine gives two threads right now: a pure arithmetic loop on 1 and on 2 threads,
/// the ratio of their rates (2.0 on two idle cores; less when other work shares them).
fn machine_scaling() -> f64 {
    let spin = |n: u64| {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..n {
            x = std::hint::black_box(x.rotate_left(5) ^ i).wrapping_mul(0x2545_F491_4F6C_DD1D);
        }
        x
    };
    let n = 200_000_000u64;
    let t = Instant::now();
    std::hint::black_box(spin(n));
    let one = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::thread::scope(|s| {
        let h = s.spawn(|| spin(n));
        std::hint::black_box(spin(n));
        let _ = h.join();
    });
    2.0 * n as f64 / t.elapsed().as_secs_f64() / one
}

/// One conversion of the load message `i` (a fax for even `i`, VPIM for odd) through the
/// built-in FromMm converters, as a conversion thread of the gateway runs it.
fn convert_one(conv: &Converters, cfg: &Config, i: usize, body: &[u8]) {
    let rcpt = rcpt_of(i).to_owned();
    let (kind, route) = if i.is_multiple_of(2) {
        (Convert::Fax, &cfg.routes[0])
    } else {
        (Convert::Vpim, &cfg.routes[1])
    };
    let entry = Entry::new(
        format!("bench-{i}"),
        Stage::Inbound,
        Envelope {
            mail_from: "a@mms.test".into(),
            rcpt_to: vec![Rcpt::plain(&rcpt)],
            envid: None,
            ret: None,
        },
        1_704_103_200,
        1_704_103_200 + 3600,
        "bench".into(),
    );
    let recipients = [rcpt.clone()];
    let ids = [(rcpt, format!("<bench-{i}@mm3gw.test>"))];
    let m = SpooledMessage {
        entry: &entry,
        body,
        recipients: &recipients,
        config: cfg,
        now: 1_704_103_200,
        message_ids: &ids,
        mm_id: None,
    };
    let f = conv.get(Direction::FromMm(kind)).unwrap();
    assert!(!f(&m, Target::Route(route)).unwrap().is_empty());
}

/// This thread's time on a CPU and time spent runnable but waiting for one, in seconds
/// (`/proc/thread-self/schedstat`; zeros where it is missing).
fn thread_times() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut f = s.split_whitespace().map(|v| v.parse::<f64>().unwrap_or(0.0) / 1e9);
    (f.next().unwrap_or(0.0), f.next().unwrap_or(0.0))
}

/// What one run of the conversions alone measured.
struct Rate {
    /// Messages per second, wall clock.
    per_s: f64,
    /// CPU time per message, ms: it stays the same from 1 to 2 threads when nothing is shared
    /// between them (no lock, no allocator or cache contention).
    cpu_ms: f64,
    /// The share of the threads' time they were runnable but had no CPU (other processes).
    waited: f64,
}

/// The conversions alone: `msgs` through the built-in FromMm converters on `threads` threads.
/// Work is handed out like the gateway's pool does (`src/gateway/workers.rs`: one shared
/// queue, an idle thread takes the next job), here an atomic index into `msgs`. A static split
/// (thread t taking messages t, t+threads, …) would give one thread every fax and the other
/// every voice message, since they alternate, and the run would last as long as the slower
/// kind alone.
fn conversion_rate(cfg: &Config, msgs: &[(usize, Vec<u8>)], threads: usize) -> Rate {
    let conv = Converters::builtin();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let started = Instant::now();
    let (cpu, waited) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (conv, next) = (&conv, &next);
                s.spawn(move || {
                    let (c0, w0) = thread_times();
                    while let Some((i, body)) =
                        msgs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        convert_one(conv, cfg, *i, body);
                    }
                    let (c1, w1) = thread_times();
                    (c1 - c0, w1 - w0)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let n = msgs.len() as f64;
    Rate {
        per_s: n / started.elapsed().as_secs_f64(),
        cpu_ms: cpu * 1e3 / n,
        waited: if cpu + waited > 0.0 { waited / (cpu + waited) } else { 0.0 },
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(320);
    let workers: usize = std::env::var("WORKERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let target: Option<std::net::SocketAddr> =
        std::env::var("TARGET").ok().and_then(|v| v.parse().ok());
    let sink = start_sink().await;
    let dir = tmpdir("load");
    let cfg = config_text(&dir, sink.addr, "message_bytes = 1048576\nconnections_per_client = 64")
        .replace("workers = 2", &format!("workers = {workers}"));
    let config = Config::from_toml(&cfg, "load.toml").unwrap();
    let gw = service::start(config.clone(), Converters::builtin()).await.unwrap();
    let addr = target.unwrap_or(gw.smtp[0]);
    let (jpeg, amr) = (jpeg_100k(), amr_10s());
    let (jb, ab) = (b64_lines(&jpeg), b64_lines(&amr));
    let size = message(0, &jb, &ab).len();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let msgs: Vec<(usize, Vec<u8>)> =
            (c..n).step_by(CONNECTIONS).map(|i| (i, data(message(i, &jb, &ab)))).collect();
        tasks.push(tokio::spawn(client(addr, msgs, started)));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let accepted_in = started.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)].0;
    let slowest: Vec<String> = times
        .iter()
        .rev()
        .take(4)
        .map(|(d, at)| {
            format!("{:.0} ms at +{:.0} ms", d.as_secs_f64() * 1e3, at.as_secs_f64() * 1e3)
        })
        .collect();
    println!(
        "gateway_load: {n} MM4_forward.REQ of {} KB (JPEG {} KB + AMR 10 s) over {CONNECTIONS} connections to {}",
        size / 1024,
        jpeg.len() / 1024,
        if target.is_some() { "TARGET" } else { "mm3gw" }
    );
    println!("  accepted  {:.1} msgs/s", n as f64 / accepted_in.as_secs_f64());
    println!(
        "  time from end of DATA to 250: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |t| t.0.as_secs_f64() * 1e3)
    );
    println!("  slowest: {} (after the first DATA)", slowest.join(", "));
    if target.is_none() {
        let (fax_dir, vm_dir) = (dir.join("fax"), dir.join("voicemail"));
        while outbox(&fax_dir).len() + outbox(&vm_dir).len() < n || sink.count() < n {
            assert!(started.elapsed() < Duration::from_secs(600), "processing stalled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let processed_in = started.elapsed();
        println!(
            "  converted {:.1} msgs/s (spooled, converted to T.37 / VPIM with {workers} worker(s), RES to the sink, delivered to the folders)",
            n as f64 / processed_in.as_secs_f64()
        );
        println!(
            "  peak RSS {} MiB (gateway and load client, which holds all {n} messages, in one process)",
            peak_rss_kib() / 1024
        );
    }
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    // The conversions alone, 1 then 2 threads, on the same messages.
    let k = n.min(128);
    let msgs: Vec<(usize, Vec<u8>)> = (0..k).map(|i| (i, message(i, &jb, &ab))).collect();
    // One of each kind first, so neither measured run pays for first-use work (page faults,
    // the font, lazily built tables).
    conversion_rate(&config, &msgs[..2], 1);
    let kind_ms = |parity: usize| {
        let some: Vec<_> = msgs.iter().filter(|(i, _)| i % 2 == parity).take(16).cloned().collect();
        conversion_rate(&config, &some, 1).cpu_ms
    };
    let (fax_ms, voice_ms) = (kind_ms(0), kind_ms(1));
    let machine_before = machine_scaling();
    let one = conversion_rate(&config, &msgs, 1);
    let two = conversion_rate(&config, &msgs, 2);
    let machine = (machine_before + machine_scaling()) / 2.0;
    println!(
        "  conversions alone ({k} messages, fax and voice alternating; CPU per message: fax {fax_ms:.1} ms, voice {voice_ms:.1} ms):"
    );
    println!(
        "    1 thread {:.1} msgs/s, 2 threads {:.1} msgs/s: x{:.2}; CPU per message {:.1} ms on 1 thread, {:.1} ms on 2 (x{:.2}); \
         runnable without a CPU {:.0} % / {:.0} % of the time",
        one.per_s,
        two.per_s,
        two.per_s / one.per_s,
        one.cpu_ms,
        two.cpu_ms,
        two.cpu_ms / one.cpu_ms,
        one.waited * 100.0,
        two.waited * 100.0
    );
    println!(
        "    a pure arithmetic loop scales x{machine:.2} on this machine now (before and after, {} cores online)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}
