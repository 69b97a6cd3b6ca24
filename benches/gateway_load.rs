//! Load benchmark for the gateway (issue 8): MM4_forward.REQs carrying a ~100 KB JPEG and a 10 s
//! AMR-NB note, sent over 16 SMTP connections to a gateway on 127.0.0.1, with an in-process SMTP
//! sink as the MMSC. Prints accepted msgs/s, processed msgs/s, p50/p99 time from the end of DATA
//! to the 250, and the peak RSS of the process (gateway + load client).
//!
//! `cargo bench --bench gateway_load` (MESSAGES=… to change the count, 640 by default).
//!
//! The fax conversion is a stand-in that copies the MM (the real one lands with `interwork/`),
//! so "processed" measures the gateway's own pipeline (spool, route, RES, folder delivery), not
//! conversion cost; the 1→2 worker scaling target needs the real conversion and is not measured.
#[path = "../tests/gateway_support/mod.rs"]
mod gateway_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use gateway_support::*;
use mm3gw::config::{Config, Convert};
use mm3gw::gateway::convert::{Converters, Direction, Outbound};
use mm3gw::gateway::service;
use mm3gw::gateway::spool::{Envelope, Rcpt};
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

fn copy_converter() -> Converters {
    let mut c = Converters::builtin();
    c.register(
        Direction::FromMm(Convert::Fax),
        Arc::new(|m, _| {
            Ok(m.message_ids
                .iter()
                .map(|(rcpt, _)| Outbound {
                    envelope: Envelope {
                        mail_from: "a@mm3gw.test".into(),
                        rcpt_to: vec![Rcpt::plain(rcpt)],
                        envid: None,
                        ret: None,
                    },
                    body: m.body.to_vec(),
                    omissions: Vec::new(),
                })
                .collect())
        }),
    );
    c
}

async fn client(addr: std::net::SocketAddr, msgs: Vec<Vec<u8>>) -> Vec<Duration> {
    let s = tokio::net::TcpStream::connect(addr).await.unwrap();
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
    for m in msgs {
        w.write_all(b"MAIL FROM:<a@mms.test>\r\nRCPT TO:<FAX=+12125550100@fax.test>\r\nDATA\r\n")
            .await
            .unwrap();
        for _ in 0..3 {
            read_final(&mut r).await;
        }
        w.write_all(&m).await.unwrap();
        let t0 = Instant::now();
        w.write_all(b".\r\n").await.unwrap();
        let reply = read_final(&mut r).await;
        assert!(reply.starts_with("250"), "{reply}");
        times.push(t0.elapsed());
    }
    let _ = w.write_all(b"QUIT\r\n").await;
    times
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(640);
    let sink = start_sink().await;
    let dir = tmpdir("load");
    let cfg = config_text(&dir, sink.addr, "message_bytes = 1048576\nconnections_per_client = 64")
        .replace("workers = 2", "workers = 2\nlog_format = \"text\"");
    let gw = service::start(Config::from_toml(&cfg, "load.toml").unwrap(), copy_converter())
        .await
        .unwrap();
    let (jpeg, amr) = (jpeg_100k(), amr_10s());
    let (jb, ab) = (b64_lines(&jpeg), b64_lines(&amr));
    let size = message(0, &jb, &ab).len();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let msgs: Vec<Vec<u8>> =
            (c..n).step_by(CONNECTIONS).map(|i| message(i, &jb, &ab)).collect();
        tasks.push(tokio::spawn(client(gw.smtp[0], msgs)));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let accepted_in = started.elapsed();
    let fax_dir = dir.join("fax");
    while outbox(&fax_dir).len() < n || sink.count() < n {
        assert!(started.elapsed() < Duration::from_secs(300), "processing stalled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let processed_in = started.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "gateway_load: {n} MM4_forward.REQ of {} KB (JPEG {} KB + AMR 10 s) over {CONNECTIONS} connections",
        size / 1024,
        jpeg.len() / 1024
    );
    println!("  accepted  {:.1} msgs/s", n as f64 / accepted_in.as_secs_f64());
    println!(
        "  processed {:.1} msgs/s (spooled, routed, stand-in conversion, RES to the sink, fax to the folder)",
        n as f64 / processed_in.as_secs_f64()
    );
    println!(
        "  time from end of DATA to 250: p50 {:.1} ms, p99 {:.1} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
    println!("  peak RSS {} MiB (gateway and load client in one process)", peak_rss_kib() / 1024);
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
