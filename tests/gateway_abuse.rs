//! Abuse while serving (issue 8 "Done when"): open relay attempts, oversize by SIZE and by DATA,
//! 10 000 recipients, slow-loris, unknown and out-of-order commands, TLS garbage after STARTTLS —
//! each refused with the right code while a normal client on other connections keeps getting its
//! messages through. Everything runs against 127.0.0.1, bounded in count and time.
mod common;
mod gateway_support;

use std::time::Duration;

use gateway_support::*;
use lettre::address::Envelope;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mm3gw::config::Config;
use mm3gw::gateway::service;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIMITS: &str = "message_bytes = 8192\nrecipients = 100\ncommand_timeout_s = 1\ndata_timeout_s = 2\nerrors = 5\nconnections_per_client = 64";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abuse_is_refused_while_a_normal_client_gets_through() {
    let sink = start_sink().await;
    let dir = tmpdir("abuse");
    let mut text = config_text(&dir, sink.addr, LIMITS);
    let tls = common::require_tool("openssl", "version");
    if tls {
        assert!(self_signed(&dir), "openssl could not make a test certificate");
        text = text.replace(
            "workers = 2\n",
            &format!(
                "workers = 2\ntls_cert = \"{0}/cert.pem\"\ntls_key = \"{0}/key.pem\"\n",
                dir.display()
            ),
        );
    }
    let gw =
        service::start(Config::from_toml(&text, "abuse.toml").unwrap(), fake_fax()).await.unwrap();
    let addr = gw.smtp[0];

    // The normal client: 20 messages, one connection each, while the abuse runs.
    let normal = tokio::spawn(async move {
        let c = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(addr.port())
            .build();
        let body = b"X-Mms-Message-Type: MM4_forward.REQ\r\nX-Mms-Transaction-ID: t\r\nX-Mms-Message-ID: m\r\nFrom: +4917012345/TYPE=PLMN\r\nTo: +12125550100/TYPE=PLMN\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
        let mut ok = 0;
        for _ in 0..20 {
            let env = Envelope::new(
                Some("a@mms.test".parse().unwrap()),
                vec!["FAX=+12125550100@fax.test".parse().unwrap()],
            )
            .unwrap();
            if c.send_raw(&env, body).await.is_ok() {
                ok += 1;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        ok
    });

    let relay = raw_dialogue(
        addr,
        b"EHLO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<victim@example.com>\r\nQUIT\r\n",
        5,
    );
    let size = raw_dialogue(addr, b"EHLO x\r\nMAIL FROM:<a@b.test> SIZE=1000000\r\nQUIT\r\n", 5);
    let mut big =
        b"EHLO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<FAX=+1212@fax.test>\r\nDATA\r\n".to_vec();
    for _ in 0..200 {
        big.extend_from_slice(&[b'x'; 98]);
        big.extend_from_slice(b"\r\n");
    }
    big.extend_from_slice(b".\r\nRSET\r\nQUIT\r\n");
    let data = raw_dialogue(addr, &big, 5);
    let mut many = b"EHLO x\r\nMAIL FROM:<a@b.test>\r\n".to_vec();
    for i in 0..10_000 {
        many.extend_from_slice(format!("RCPT TO:<FAX=+1212{i}@fax.test>\r\n").as_bytes());
    }
    many.extend_from_slice(b"QUIT\r\n");
    let rcpts = raw_dialogue(addr, &many, 20);
    let order = raw_dialogue(
        addr,
        b"FOO bar\r\nDATA\r\nRCPT TO:<a@fax.test>\r\nEHLO x\r\nDATA\r\nBDAT 5\r\nNOOP\r\n",
        5,
    );
    let (relay, size, data, rcpts, order) = tokio::join!(relay, size, data, rcpts, order);
    assert!(relay.contains("\r\n550 5.7.1 "), "{relay}");
    assert!(size.contains("\r\n552 5.3.4 "), "{size}");
    assert!(data.contains("\r\n552 5.3.4 Message exceeds") && data.contains("552 5.3.4 Message exceeds the fixed maximum size of 8192 bytes\r\n250 2.0.0 OK\r\n221"), "{data}");
    assert_eq!(rcpts.matches("250 2.1.5").count(), 100, "first 100 recipients");
    assert_eq!(rcpts.matches("452 4.5.3").count(), 9_900);
    let codes: Vec<&str> =
        order.lines().filter(|l| !l.starts_with("250-")).map(|l| &l[..3.min(l.len())]).collect();
    assert_eq!(codes, ["220", "500", "503", "503", "250", "503", "502", "421"], "{order}");

    // Slow-loris: one byte every 200 ms never completes a command within command_timeout_s.
    let started = std::time::Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut reply = vec![0u8; 4096];
    let n = s.read(&mut reply).await.unwrap();
    assert!(reply[..n].starts_with(b"220 "));
    let mut got = Vec::new();
    for b in b"EHLO slowly-slowly-slowly-slowly\r\n" {
        if s.write_all(&[*b]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), s.read(&mut reply)).await
        {
            got.extend_from_slice(&reply[..n]);
            if n == 0 || got.windows(5).any(|w| w == b"4.4.2") {
                break;
            }
        }
    }
    let got = String::from_utf8_lossy(&got).into_owned();
    assert!(got.contains("421 4.4.2"), "{got}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "slow-loris cut after about 1 s, took {:?}",
        started.elapsed()
    );

    if tls {
        // Garbage after STARTTLS: the handshake fails, the connection closes, others go on.
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"EHLO x\r\nSTARTTLS\r\n").await.unwrap();
        let mut r = Vec::new();
        while !r.windows(9).any(|w| w == b"220 2.0.0") {
            let n = s.read(&mut reply).await.unwrap();
            assert!(n > 0, "closed before STARTTLS was answered");
            r.extend_from_slice(&reply[..n]);
        }
        s.write_all(b"\x16\x03\x01\x00\x05garbage-garbage-garbage\r\n").await.unwrap();
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "the server closes the connection after the failed handshake");
        assert!(
            !String::from_utf8_lossy(&rest).contains("250"),
            "no SMTP after a failed handshake"
        );
        // A real STARTTLS client gets its message through.
        let params = TlsParameters::builder("mm3gw.test".into())
            .dangerous_accept_invalid_certs(true)
            .dangerous_accept_invalid_hostnames(true)
            .build_rustls()
            .unwrap();
        let c = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(addr.port())
            .tls(Tls::Required(params))
            .build();
        let env = Envelope::new(
            Some("a@mms.test".parse().unwrap()),
            vec!["FAX=+12125550100@fax.test".parse().unwrap()],
        )
        .unwrap();
        c.send_raw(&env, &sample("fwd-photo-text-smil")).await.unwrap();
        let m = gw.metrics.render();
        assert!(m.contains("mm3gw_smtp_rejected_total{reason=\"tls-handshake\"} 1"), "{m}");
    }

    assert_eq!(normal.await.unwrap(), 20, "the normal client got every message through");
    let expected = if tls { 21 } else { 20 };
    wait_for(20, "every normal message converted", || {
        (outbox(&dir.join("fax")).len() == expected).then_some(())
    })
    .await;
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_outside_the_allow_list_are_refused() {
    let sink = start_sink().await;
    let dir = tmpdir("allow");
    let text = config_text(&dir, sink.addr, "")
        .replace("workers = 2\n", "workers = 2\nallow_clients = [\"192.0.2.0/24\"]\n");
    let gw =
        service::start(Config::from_toml(&text, "allow.toml").unwrap(), fake_fax()).await.unwrap();
    let r = raw_dialogue(gw.smtp[0], b"EHLO x\r\n", 5).await;
    assert_eq!(r, "554 5.7.1 Access denied\r\n");
    assert!(
        gw.metrics.render().contains("mm3gw_smtp_rejected_total{reason=\"client-not-allowed\"} 1")
    );
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_limits_per_client_and_in_total() {
    let sink = start_sink().await;
    let dir = tmpdir("conn-limits");
    let text = config_text(&dir, sink.addr, "connections = 3\nconnections_per_client = 2");
    let gw =
        service::start(Config::from_toml(&text, "limits.toml").unwrap(), fake_fax()).await.unwrap();
    let addr = gw.smtp[0];
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut b = [0u8; 64];
        let n = s.read(&mut b).await.unwrap();
        assert!(b[..n].starts_with(b"220 "));
        open.push(s);
    }
    let third = raw_dialogue(addr, b"", 5).await;
    assert!(third.starts_with("421 4.7.0 ") && third.contains("from your address"), "{third}");
    drop(open.pop());
    // A slot frees up when a client goes away.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = raw_dialogue(addr, b"QUIT\r\n", 5).await;
    assert!(r.starts_with("220 ") && r.contains("221 "), "{r}");
    gw.stop().await;
    drop(open);

    // The total cap, with a per-client cap above it.
    let text =
        config_text(&dir.join("b"), sink.addr, "connections = 2\nconnections_per_client = 10");
    let gw =
        service::start(Config::from_toml(&text, "limits.toml").unwrap(), fake_fax()).await.unwrap();
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(gw.smtp[0]).await.unwrap();
        let mut b = [0u8; 64];
        assert!(s.read(&mut b).await.unwrap() > 0);
        open.push(s);
    }
    let third = raw_dialogue(gw.smtp[0], b"", 5).await;
    assert!(
        third.starts_with("421 4.7.0 ") && third.contains("Too many connections, try later"),
        "{third}"
    );
    drop(open);
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_data_is_cut_at_the_data_timeout() {
    let sink = start_sink().await;
    let dir = tmpdir("slow-data");
    let gw = service::start(
        Config::from_toml(&config_text(&dir, sink.addr, LIMITS), "t.toml").unwrap(),
        fake_fax(),
    )
    .await
    .unwrap();
    let mut s = tokio::net::TcpStream::connect(gw.smtp[0]).await.unwrap();
    s.write_all(b"EHLO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<FAX=+1212@fax.test>\r\nDATA\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // One byte every 150 ms: each read is quick, the whole DATA never ends (data_timeout_s = 2).
    while started.elapsed() < Duration::from_secs(6) && !got.windows(5).any(|w| w == b"4.4.2") {
        if s.write_all(b"x").await.is_err() {
            break;
        }
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(150), s.read(&mut buf)).await
        {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
    }
    let got = String::from_utf8_lossy(&got).into_owned();
    assert!(got.contains("354 ") && got.contains("421 4.4.2"), "{got}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
