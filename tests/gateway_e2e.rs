//! The gateway end to end over real sockets (issue 8 "Done when", in-Rust part): lettre submits,
//! an in-test SMTP sink plays the MMSC, a folder next hop plays the fax offramp, and a second
//! instance with the same key turns the returning DSN into the MM4 delivery report.
mod common;
mod gateway_support;

use gateway_support::*;
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mm3gw::config::Config;
use mm3gw::gateway::service;

fn client(port: u16) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(port).build()
}

fn env(from: Option<&str>, to: &str) -> Envelope {
    Envelope::new(from.map(|f| f.parse().unwrap()), vec![to.parse().unwrap()]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mm4_to_fax_res_dsn_to_delivery_report_across_instances_and_forged_tokens() {
    let sink = start_sink().await;
    let dir = tmpdir("e2e");
    let a_cfg = Config::from_toml(&config_text(&dir.join("a"), sink.addr, ""), "a.toml").unwrap();
    let a = service::start(a_cfg, fake_fax()).await.unwrap();
    let smtp_a = client(a.smtp[0].port());

    // An MM4_forward.REQ for a fax recipient: 250, the fax mail lands in the outbox with its
    // envelope, and the MMSC gets MM4_forward.RES (Ok) for the REQ's Transaction-ID.
    let req = sample("fwd-photo-text-smil");
    let r = smtp_a
        .send_raw(
            &env(Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"), "FAX=+12125550100@fax.test"),
            &req,
        )
        .await
        .unwrap();
    assert_eq!(r.code().to_string(), "250");
    let json = wait_for(10, "the fax in the outbox", || outbox(&dir.join("a/fax")).pop()).await;
    let envelope = envelope_of(&json);
    assert_eq!(envelope["rcpt_to"][0], "FAX=+12125550100@fax.test");
    assert_eq!(envelope["mail_from"], "+4917012345@mm3gw.test");
    assert_eq!(envelope["ret"], "HDRS");
    assert_eq!(envelope["dsn"][0]["notify"], "SUCCESS,FAILURE");
    let fax = String::from_utf8(std::fs::read(json.with_extension("eml")).unwrap()).unwrap();
    assert!(fax.contains("Subject: Photo for the fax"), "{fax}");
    let mid = fax.lines().find_map(|l| l.strip_prefix("Message-ID: ")).unwrap().to_owned();
    assert!(mid.starts_with("<m3.") && mid.ends_with("@mm3gw.test>"), "{mid}");

    let res =
        wait_for(10, "MM4_forward.RES at the sink", || sink.messages().into_iter().next()).await;
    assert_eq!(res.mail_from, "system-user@mm3gw.test");
    assert_eq!(res.rcpt_to, ["system-user@mms.mnc002.mcc262.gprs"]);
    let t = res.text();
    for h in [
        "X-Mms-Message-Type: MM4_forward.RES",
        "X-Mms-Transaction-ID: \"T-0001@mms.example.net\"",
        "X-Mms-Request-Status-Code: Ok",
        "X-Mms-Message-ID: \"M-0001@mms.example.net\"",
    ] {
        assert!(t.contains(h), "{h} missing:\n{t}");
    }

    // A voicemail recipient has no conversion in this set: 451 4.3.3, nothing accepted.
    let e = smtp_a
        .send_raw(&env(Some("a@mms.test"), "+4930123@voicemail.test"), &req)
        .await
        .unwrap_err();
    assert!(e.is_transient(), "{e}");
    // Not ours at all: 550 5.7.1.
    let e =
        smtp_a.send_raw(&env(Some("a@mms.test"), "victim@example.com"), &req).await.unwrap_err();
    assert!(e.is_permanent() && e.to_string().contains("5.7.1"), "{e}");

    // Instance B: same key and hostname, its own spool. The offramp's DSN (RET=HDRS, so the
    // fax's Message-ID comes back) reaches B and becomes MM4_delivery_report.REQ at the MMSC.
    let b_cfg = Config::from_toml(&config_text(&dir.join("b"), sink.addr, ""), "b.toml").unwrap();
    let b = service::start(b_cfg, fake_fax()).await.unwrap();
    let smtp_b = client(b.smtp[0].port());
    let boundary = "--===============4850263963412459576==";
    let dsn = String::from_utf8(sample("dsn-delivered")).unwrap().replace(
        &format!("{boundary}--"),
        &format!("{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {mid}\r\nSubject: Photo for the fax\r\n\r\n{boundary}--"),
    );
    smtp_b.send_raw(&env(None, "+4917012345/TYPE=PLMN@mm3gw.test"), dsn.as_bytes()).await.unwrap();
    let dr = wait_for(10, "the delivery report at the sink", || sink.messages().into_iter().nth(1))
        .await;
    assert_eq!(dr.rcpt_to, ["system-user@mms.mnc002.mcc262.gprs"]);
    let t = dr.text();
    for h in [
        "X-Mms-Message-Type: MM4_delivery_report.REQ",
        "X-Mms-Message-ID: \"M-0001@mms.example.net\"",
        "X-Mms-MM-Status-Code: Retrieved",
        "From: +12125550100/TYPE=PLMN",
        "To: +4917012345/TYPE=PLMN",
    ] {
        assert!(t.contains(h), "{h} missing:\n{t}");
    }

    // A forged token: accepted at SMTP level, refused, counted, never reported.
    let forged = dsn.replace(&mid[4..20], "AAAAAAAAAAAAAAAA");
    smtp_b
        .send_raw(&env(None, "+4917012345/TYPE=PLMN@mm3gw.test"), forged.as_bytes())
        .await
        .unwrap();
    let http_b = b.http.unwrap();
    wait_for(10, "mm3gw_tokens_refused_total 1", || {
        let m = b.metrics.render();
        m.contains("mm3gw_tokens_refused_total 1").then_some(())
    })
    .await;
    let metrics = http_get(http_b, "/metrics").await;
    assert!(metrics.contains("mm3gw_reports_total{kind=\"delivery-report\"} 1"), "{metrics}");
    assert!(http_get(http_b, "/healthz").await.ends_with("ok\n"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.count(), 2, "nothing was reported for the forged token");

    a.stop().await;
    b.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spooled_messages_survive_a_restart_and_failures_retry() {
    // The MMSC is down at first: the RES is deferred, kept across a restart, and delivered once
    // the sink is up on the same port.
    let dir = tmpdir("restart");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let cfg = config_text(&dir, port, "");
    let a = service::start(Config::from_toml(&cfg, "t.toml").unwrap(), fake_fax()).await.unwrap();
    client(a.smtp[0].port())
        .send_raw(
            &env(Some("+4917012345/TYPE=PLMN@mms.test"), "FAX=+12125550100@fax.test"),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap();
    wait_for(10, "a deferred RES", || {
        let spool = mm3gw::gateway::spool::Spool::open(dir.join("spool")).ok()?;
        let ids = spool.ids().ok()?;
        ids.iter().filter_map(|i| spool.entry(i).ok()).find(|e| e.attempts > 0).map(|_| ())
    })
    .await;
    a.stop().await;

    let listener = tokio::net::TcpListener::bind(port).await;
    drop(listener); // make sure the port is free for the sink
    let sink = start_sink_on(port).await;
    let b = service::start(Config::from_toml(&cfg, "t.toml").unwrap(), fake_fax()).await.unwrap();
    let res = wait_for(15, "the RES after restart", || sink.messages().into_iter().next()).await;
    assert!(res.text().contains("X-Mms-Message-Type: MM4_forward.RES"));
    b.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fax_mail_to_an_mms_user_goes_to_the_mmsc_and_its_res_is_matched() {
    use std::sync::Arc;

    use mm3gw::config::Convert;
    use mm3gw::gateway::convert::{Direction, Outbound};
    use mm3gw::gateway::spool::{Envelope as SpoolEnvelope, Rcpt};

    let sink = start_sink().await;
    let dir = tmpdir("e2e-to-mm");
    let mut conv = fake_fax();
    // Stands in for interwork's fax mail -> MM4_forward.REQ.
    conv.register(
        Direction::ToMm(Convert::Fax),
        Arc::new(|m, _| {
            let mm_id = m.mm_id.unwrap_or("none");
            let body = format!("X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_forward.REQ\r\nX-Mms-Transaction-ID: \"tx-from-fax\"\r\n\
                        X-Mms-Message-ID: {mm_id}\r\nX-Mms-Ack-Request: Yes\r\nX-Mms-Originator-System: system-user@mm3gw.test\r\n\
                        From: +12125550100/TYPE=PLMN\r\nTo: +4917012345/TYPE=PLMN\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\
                        Subject: Fax from +12125550100, 1 page\r\nContent-Type: text/plain\r\n\r\npage\r\n");
            Ok(vec![Outbound {
                envelope: SpoolEnvelope { mail_from: "+12125550100/TYPE=PLMN@mm3gw.test".into(), rcpt_to: m.recipients.iter().map(Rcpt::plain).collect(), envid: None, ret: None },
                body: body.as_bytes().to_vec(),
                omissions: Vec::new(),
            }])
        }),
    );
    let gw = service::start(
        Config::from_toml(&config_text(&dir, sink.addr, ""), "t.toml").unwrap(),
        conv,
    )
    .await
    .unwrap();
    let smtp = client(gw.smtp[0].port());
    smtp.send_raw(
        &env(Some("FAX=+12125550100@onramp.test"), "+4917012345/TYPE=PLMN@mms.test"),
        &sample("other-t37-simple"),
    )
    .await
    .unwrap();
    let req =
        wait_for(10, "the MM4_forward.REQ at the MMSC", || sink.messages().into_iter().next())
            .await;
    assert_eq!(req.rcpt_to, ["+4917012345/TYPE=PLMN@mms.test"]);
    assert!(req.text().contains("X-Mms-Transaction-ID: \"tx-from-fax\""));
    let sent = dir.join("spool/sent");
    wait_for(5, "the sent marker", || (std::fs::read_dir(&sent).ok()?.count() == 1).then_some(()))
        .await;

    // The MMSC acknowledges: the RES is matched to the request (and its marker removed).
    let res = "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_forward.RES\r\nX-Mms-Transaction-ID: tx-from-fax\r\n\
               X-Mms-Message-ID: \"mm-from-fax@mm3gw.test\"\r\nX-Mms-Request-Status-Code: Ok\r\nSender: system-user@mms.test\r\n\r\n";
    smtp.send_raw(&env(Some("system-user@mms.test"), "system-user@mm3gw.test"), res.as_bytes())
        .await
        .unwrap();
    wait_for(10, "the RES matched", || (std::fs::read_dir(&sent).ok()?.count() == 0).then_some(()))
        .await;

    // The MMSC reports the MM as rejected: the onramp's sender gets an RFC 3464 DSN.
    let mm_id = req
        .text()
        .lines()
        .find_map(|l| l.strip_prefix("X-Mms-Message-ID: ").map(str::to_owned))
        .unwrap();
    assert!(mm_id.starts_with("<m3."), "{mm_id}");
    let dr = format!(
        "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_delivery_report.REQ\r\nX-Mms-Transaction-ID: dr-1\r\n\
         X-Mms-Message-ID: {mm_id}\r\nX-Mms-MM-Status-Code: Rejected\r\nX-Mms-Ack-Request: Yes\r\nX-Mms-Originator-System: system-user@mms.test\r\n\
         From: +4917012345/TYPE=PLMN\r\nTo: +12125550100/TYPE=PLMN\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\n"
    );
    smtp.send_raw(&env(Some("system-user@mms.test"), "system-user@mm3gw.test"), dr.as_bytes())
        .await
        .unwrap();
    let dsn_json =
        next_report(&dir, "the DSN to the onramp sender", "FAX=+12125550100@onramp.test").await;
    let dsn_path = dsn_json.with_extension("eml");
    let dsn = std::fs::read_to_string(&dsn_path).unwrap();
    assert!(
        dsn.contains("report-type=delivery-status")
            && dsn.contains("Action: failed")
            && dsn.contains("Status: 5.0.0"),
        "{dsn}"
    );
    let res = wait_for(10, "the DR.RES", || {
        sink.messages().into_iter().find(|m| m.text().contains("MM4_delivery_report.RES"))
    })
    .await;
    assert!(res.text().contains("X-Mms-Request-Status-Code: Ok"));
    if common::require_tool("python3", "--version") {
        let out = std::process::Command::new("python3")
            .args(["-c", "import email,sys\nm=email.message_from_binary_file(open(sys.argv[1],'rb'))\nprint(m.get_content_type(), [str(d) for p in m.walk() for d in p.defects])"])
            .arg(&dsn_path)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "multipart/report []");
    }
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spool_that_cannot_be_written_answers_451_never_250() {
    let (dir, _sink, gw) = gateway("e2e-disk", fake_fax()).await;
    let smtp = client(gw.smtp[0].port());
    // Break the spool: its tmp/ becomes a file, so no temp file can be created (works as root too).
    let tmp = dir.join("spool/tmp");
    std::fs::remove_dir_all(&tmp).unwrap();
    std::fs::write(&tmp, b"not a directory").unwrap();
    let e = smtp
        .send_raw(
            &env(Some("a@mms.test"), "FAX=+12125550100@fax.test"),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap_err();
    assert!(e.is_transient() && e.to_string().contains("4.3.0"), "{e}");
    assert!(gw.metrics.render().contains("mm3gw_messages_accepted_total 0"));
    // Repaired, the same message is accepted.
    std::fs::remove_file(&tmp).unwrap();
    std::fs::create_dir(&tmp).unwrap();
    smtp.send_raw(
        &env(Some("a@mms.test"), "FAX=+12125550100@fax.test"),
        &sample("fwd-photo-text-smil"),
    )
    .await
    .unwrap();
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The next report the gateway spooled into `reports/` (its envelope file), checked to go
/// with `MAIL FROM:<>` to `rcpt`.
async fn next_report(dir: &std::path::Path, what: &str, rcpt: &str) -> std::path::PathBuf {
    let json = wait_for(15, what, || outbox(&dir.join("reports")).pop()).await;
    let envelope = envelope_of(&json);
    assert_eq!(
        (envelope["mail_from"].as_str(), envelope["rcpt_to"][0].as_str()),
        (Some(""), Some(rcpt))
    );
    json
}

/// A scratch folder with a certificate made by `make` (openssl) and an acceptor serving it;
/// `None` without openssl (a failure under CI).
fn tls_dir(
    name: &str,
    make: fn(&std::path::Path) -> bool,
) -> Option<(std::path::PathBuf, tokio_rustls::TlsAcceptor)> {
    let dir = tmpdir(name);
    if !common::require_tool("openssl", "version") {
        return None;
    }
    assert!(make(&dir));
    let cert = (dir.join("cert.pem"), dir.join("key.pem"));
    Some((dir, mm3gw::gateway::server::load_tls(&cert.0, &cert.1).unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_next_hop_uses_starttls_when_offered_and_sends_dsn_parameters() {
    let Some((dir, acceptor)) = tls_dir("e2e-tls", self_signed) else { return };
    let sink = start_sink_with("127.0.0.1:0".parse().unwrap(), Some(acceptor)).await;
    // The fax route delivers over SMTP to the same TLS sink, so the DSN parameters are visible.
    let text = config_text(&dir, sink.addr, "").replace(
        &format!("next_hop = \"file:{}/fax\"", dir.display()),
        &format!("next_hop = \"smtp://{}\"", sink.addr),
    );
    let gw = service::start(Config::from_toml(&text, "t.toml").unwrap(), fake_fax()).await.unwrap();
    client(gw.smtp[0].port())
        .send_raw(
            &env(Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"), "FAX=+12125550100@fax.test"),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap();
    let msgs = wait_for(10, "fax and RES at the sink", || {
        let m = sink.messages();
        (m.len() == 2).then_some(m)
    })
    .await;
    assert!(msgs.iter().all(|m| m.tls), "both went over STARTTLS");
    let fax = msgs.iter().find(|m| m.rcpt_to == ["FAX=+12125550100@fax.test"]).unwrap();
    assert!(
        fax.mail_line.contains("RET=HDRS") && fax.mail_line.contains("ENVID=m3."),
        "{}",
        fax.mail_line
    );
    assert!(
        fax.rcpt_lines[0].contains("NOTIFY=SUCCESS,FAILURE")
            && fax.rcpt_lines[0].contains("ORCPT=rfc822;FAX+3D+2B12125550100@fax.test"),
        "{}",
        fax.rcpt_lines[0]
    );
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_spool_answers_452() {
    // The MMSC is down, so the first message's RES stays spooled and fills a spool of one.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tmpdir("e2e-full");
    let gw = service::start(
        Config::from_toml(&config_text(&dir, dead, "spool_messages = 1"), "t.toml").unwrap(),
        fake_fax(),
    )
    .await
    .unwrap();
    let smtp = client(gw.smtp[0].port());
    smtp.send_raw(
        &env(Some("a@mms.test"), "FAX=+12125550100@fax.test"),
        &sample("fwd-photo-text-smil"),
    )
    .await
    .unwrap();
    let e = smtp
        .send_raw(
            &env(Some("a@mms.test"), "FAX=+12125550100@fax.test"),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap_err();
    assert!(e.is_transient() && e.to_string().contains("4.3.1"), "{e}");
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mm4_to_voicemail_then_its_mdn_becomes_a_read_reply_report() {
    let (dir, sink, gw) = gateway("e2e-vpim", fake_fax_and_vpim()).await;
    let smtp = client(gw.smtp[0].port());
    let req = String::from_utf8(sample("fwd-photo-text-smil"))
        .unwrap()
        .replace("X-Mms-Ack-Request: Yes", "X-Mms-Ack-Request: No\r\nX-Mms-Read-Reply: Yes");
    smtp.send_raw(
        &env(Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"), "+12125550100@voicemail.test"),
        req.as_bytes(),
    )
    .await
    .unwrap();
    let json = wait_for(10, "the VPIM message", || outbox(&dir.join("voicemail")).pop()).await;
    let vpim = std::fs::read_to_string(json.with_extension("eml")).unwrap();
    let mid = vpim.lines().find_map(|l| l.strip_prefix("Message-ID: ")).unwrap().to_owned();
    let envelope = envelope_of(&json);
    assert_eq!(envelope["mail_from"], "+4917012345@mm3gw.test");

    // The voicemail platform's MDN (displayed) names the original Message-ID.
    let mdn =
        String::from_utf8(sample("mdn-displayed")).unwrap().replace("<x@mm3gw.example.net>", &mid);
    smtp.send_raw(&env(None, "+4917012345@mm3gw.test"), mdn.as_bytes()).await.unwrap();
    let rr = wait_for(10, "the read-reply report", || sink.messages().into_iter().next()).await;
    assert_eq!(rr.rcpt_to, ["system-user@mms.mnc002.mcc262.gprs"]);
    let t = rr.text();
    for h in [
        "X-Mms-Message-Type: MM4_read_reply_report.REQ",
        "X-Mms-Read-Status: Read",
        "X-Mms-Message-ID: \"M-0001@mms.example.net\"",
        "To: +4917012345/TYPE=PLMN",
    ] {
        assert!(t.contains(h), "{h} missing:\n{t}");
    }
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_a_message_in_flight_then_answers_421() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (dir, _sink, gw) = gateway("e2e-shutdown", fake_fax()).await;
    let addr = gw.smtp[0];
    let idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"EHLO c\r\nMAIL FROM:<a@mms.test>\r\nRCPT TO:<FAX=+12125550100@fax.test>\r\nDATA\r\n",
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"354 ") {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    let req = sample("fwd-photo-text-smil");
    let (head, tail) = req.split_at(req.len() / 2);
    s.write_all(head).await.unwrap();
    let stopping = tokio::spawn(gw.stop());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    s.write_all(tail).await.unwrap();
    s.write_all(b".\r\n").await.unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    let rest = String::from_utf8_lossy(&rest).into_owned();
    assert!(
        rest.starts_with("250 2.0.0 OK queued as ") && rest.contains("\r\n421 4.3.2 "),
        "{rest}"
    );
    stopping.await.unwrap();
    // The idle connection got the 421 too.
    let mut idle = idle;
    let mut r = Vec::new();
    let _ = idle.read_to_end(&mut r).await;
    assert!(String::from_utf8_lossy(&r).contains("421 4.3.2"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fax route whose next hop is SMTP (the sink), for the failure paths.
fn smtp_fax_config(
    dir: &std::path::Path,
    mmsc: std::net::SocketAddr,
    fax_hop: std::net::SocketAddr,
    delivery: &str,
) -> Config {
    let text = config_text(dir, mmsc, "")
        .replace(
            &format!("next_hop = \"file:{}/fax\"", dir.display()),
            &format!("next_hop = \"smtp://{fax_hop}\""),
        )
        .replace("retry_min_s = 1\nretry_max_s = 2\n", delivery);
    Config::from_toml(&text, "t.toml").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_fax_becomes_a_rejected_delivery_report() {
    let sink = start_sink().await;
    let dir = tmpdir("e2e-5xx");
    let gw = service::start(
        smtp_fax_config(&dir, sink.addr, sink.addr, "retry_min_s = 1\nretry_max_s = 2\n"),
        fake_fax(),
    )
    .await
    .unwrap();
    client(gw.smtp[0].port())
        .send_raw(
            &env(
                Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"),
                "FAX=+12125550199@reject.test",
            ),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap();
    let dr = wait_for(10, "the Rejected report", || {
        sink.messages().into_iter().find(|m| m.text().contains("MM4_delivery_report.REQ"))
    })
    .await;
    let t = dr.text();
    assert!(
        t.contains("X-Mms-MM-Status-Code: Rejected")
            && t.contains("From: +12125550199/TYPE=PLMN")
            && t.contains("550"),
        "{t}"
    );
    assert!(gw.metrics.render().contains("mm3gw_delivery_failures_total{purpose=\"fax\"} 1"));
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fax_that_cannot_be_delivered_in_its_lifetime_becomes_an_expired_report() {
    let sink = start_sink().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tmpdir("e2e-expiry");
    let gw = service::start(
        smtp_fax_config(
            &dir,
            sink.addr,
            dead,
            "lifetime_s = 1\nretry_min_s = 1\nretry_max_s = 1\n",
        ),
        fake_fax(),
    )
    .await
    .unwrap();
    client(gw.smtp[0].port())
        .send_raw(
            &env(Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"), "FAX=+12125550100@fax.test"),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap();
    let dr = wait_for(10, "the Expired report", || {
        sink.messages().into_iter().find(|m| m.text().contains("MM4_delivery_report.REQ"))
    })
    .await;
    assert!(dr.text().contains("X-Mms-MM-Status-Code: Expired"), "{}", dr.text());
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The built-in conversions (`interwork`): an MM with an AMR voice note leaves as VPIM v2 with
/// the report token as its Message-ID, and a VPIM message to an MMS user reaches the MMSC as an
/// MM4_forward.REQ with AMR audio, a fax mail one with a PNG slide per page, and an MM to a fax
/// number leaves as T.37 fax mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtin_conversions_both_ways() {
    use mm3gw::gateway::convert::Converters;
    let (dir, sink, gw) = gateway("e2e-builtin-voice", Converters::builtin()).await;
    let smtp = client(gw.smtp[0].port());
    smtp.send_raw(
        &env(Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"), "+12125550100@voicemail.test"),
        &sample("fwd-amr-voice-note"),
    )
    .await
    .unwrap();
    let json = wait_for(10, "the VPIM message", || outbox(&dir.join("voicemail")).pop()).await;
    let envelope = envelope_of(&json);
    assert_eq!(envelope["rcpt_to"][0], "+12125550100@vm.test");
    assert_eq!(envelope["mail_from"], "+4917012345@mm3gw.test");
    let vpim = std::fs::read_to_string(json.with_extension("eml")).unwrap();
    assert!(vpim.contains("multipart/voice-message; version=2.0"), "{vpim}");
    assert!(vpim.contains("Content-Type: audio/32kadpcm"), "{vpim}");
    assert!(vpim.contains("Subject: Voice note"), "{vpim}");
    let mid = vpim.lines().find_map(|l| l.strip_prefix("Message-ID: ")).unwrap();
    assert!(mid.starts_with("<m3.") && mid.ends_with("@mm3gw.test>"), "{mid}");

    smtp.send_raw(
        &env(Some("sender@example.org"), "+4917012345@mms.test"),
        &sample("other-vpim-voice"),
    )
    .await
    .unwrap();
    let fwd = wait_for(10, "the MM4_forward.REQ", || {
        sink.messages().into_iter().find(|m| m.text().contains("MM4_forward.REQ"))
    })
    .await;
    assert_eq!(fwd.rcpt_to, ["+4917012345/TYPE=PLMN@mms.test"]);
    let t = fwd.text();
    assert!(t.contains("Content-Type: audio/amr"), "{t}");
    // The sender kept, with the mail's display name (Jörg Müller, RFC 2047 in MM4).
    assert!(t.contains("From: =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <sender@example.org>"), "{t}");
    assert!(t.contains("X-Mms-Message-Class: Personal"), "{t}");

    // A T.37 fax mail (one TIFF page) to an MMS user: the page as image slides (strips when it
    // is too tall to read whole), the sender kept.
    smtp.send_raw(
        &env(Some("sender@example.org"), "+4917012345@mms.test"),
        &sample("other-t37-simple"),
    )
    .await
    .unwrap();
    let fwd = wait_for(10, "the fax as MM4_forward.REQ", || {
        sink.messages().into_iter().find(|m| m.text().contains("page1"))
    })
    .await;
    let t = fwd.text();
    assert!(t.contains("Content-Type: image/"), "{t}");
    // The sender kept, with the mail's display name (Jörg Müller, RFC 2047 in MM4).
    assert!(t.contains("From: =?utf-8?B?SsO2cmcgTcO8bGxlcg==?= <sender@example.org>"), "{t}");

    // An MM with a photo and text to a fax number: a T.37 fax mail with one TIFF-F document.
    smtp.send_raw(
        &env(Some("+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs"), "FAX=+12125550100@fax.test"),
        &sample("fwd-photo-text-smil"),
    )
    .await
    .unwrap();
    let json = wait_for(10, "the fax mail", || outbox(&dir.join("fax")).pop()).await;
    let envelope = envelope_of(&json);
    assert_eq!(envelope["rcpt_to"][0], "FAX=+12125550100@offramp.test");
    let fax = std::fs::read_to_string(json.with_extension("eml")).unwrap();
    assert!(fax.contains("Content-Type: image/tiff"), "{fax}");
    assert!(fax.contains("Subject: Photo for the fax"), "{fax}");
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The report flows back to fax senders, with the built-in conversions: the MMSC's read report
/// about an MM built from a fax mail becomes an MDN to its Disposition-Notification-To, and an
/// MM the MMSC refuses becomes a DSN (failed) to the onramp's return path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mmsc_read_report_becomes_an_mdn_and_a_refused_mm_a_dsn_to_the_fax_sender() {
    use mm3gw::gateway::convert::Converters;
    let (dir, sink, gw) = gateway("e2e-back-to-fax", Converters::builtin()).await;
    let smtp = client(gw.smtp[0].port());
    let fax = onramp_fax_asking_mdn();
    let onramp = "FAX=+12125550100@onramp.test";
    smtp.send_raw(&env(Some(onramp), "+4917012345@mms.test"), fax.as_bytes()).await.unwrap();
    let req = wait_for(10, "the MM4_forward.REQ", || sink.messages().into_iter().next()).await;
    let mm_id = req
        .text()
        .lines()
        .find_map(|l| l.strip_prefix("X-Mms-Message-ID: ").map(str::to_owned))
        .unwrap();
    let rr = format!(
        "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_read_reply_report.REQ\r\n\
         X-Mms-Transaction-ID: rr-1\r\nX-Mms-Message-ID: {mm_id}\r\nX-Mms-Read-Status: Read\r\n\
         From: +4917012345/TYPE=PLMN\r\nTo: +12125550100/TYPE=PLMN\r\n\
         Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\n"
    );
    smtp.send_raw(&env(Some("system-user@mms.test"), "system-user@mm3gw.test"), rr.as_bytes())
        .await
        .unwrap();
    let json = next_report(&dir, "the MDN", "FAX=+12125550100@onramp.test").await;
    let mdn = std::fs::read_to_string(json.with_extension("eml")).unwrap();
    for h in [
        "report-type=disposition-notification",
        "Disposition: manual-action/MDN-sent-automatically; displayed",
        "Original-Message-ID: <swaks-1@example.net>",
        "Final-Recipient: rfc822; +4917012345@mm3gw.test",
    ] {
        assert!(mdn.contains(h), "{h} missing:\n{mdn}");
    }
    std::fs::remove_file(&json).unwrap();

    // The MMSC refuses the recipient (550): the onramp's sender gets a DSN `failed` naming the
    // fax mail's Message-ID.
    let refused =
        Envelope::new(Some(onramp.parse().unwrap()), vec!["reject-me@mms.test".parse().unwrap()])
            .unwrap();
    smtp.send_raw(&refused, fax.as_bytes()).await.unwrap();
    let json = next_report(&dir, "the DSN", onramp).await;
    let dsn = std::fs::read_to_string(json.with_extension("eml")).unwrap();
    for h in [
        "report-type=delivery-status",
        "Final-Recipient: rfc822; reject-me@mms.test",
        "Action: failed",
        // The sink's own enhanced code (550 5.1.1), not a generic 5.0.0.
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; ",
        "Message-ID: <swaks-1@example.net>",
    ] {
        assert!(dsn.contains(h), "{h} missing:\n{dsn}");
    }
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// An MM toward the MMSC that is deferred (451) gives a fax sender whose RCPT asked for
/// NOTIFY=DELAY one `delayed` DSN, at the first deferral only, while the gateway keeps retrying.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_mm_gives_the_fax_sender_one_delayed_dsn() {
    use mm3gw::gateway::convert::Converters;
    let (dir, sink, gw) = gateway("e2e-delayed", Converters::builtin()).await;
    let fax = std::fs::read_to_string(common::root().join("samples/mail/fax-swaks.eml")).unwrap();
    let onramp = "FAX=+12125550100@onramp.test";
    let session = format!(
        "EHLO onramp.test\r\nMAIL FROM:<{onramp}>\r\n\
         RCPT TO:<defer-me@mms.test> NOTIFY=DELAY,FAILURE ORCPT=rfc822;defer-me@mms.test\r\n\
         DATA\r\n{}\r\n.\r\nQUIT\r\n",
        fax.trim_end().replace("\n.", "\n..")
    );
    let replies = raw_dialogue(gw.smtp[0], session.as_bytes(), 20).await;
    assert!(replies.contains("\r\n250 2.0.0"), "{replies}");
    let json = next_report(&dir, "the delayed DSN", onramp).await;
    let dsn = std::fs::read_to_string(json.with_extension("eml")).unwrap();
    for h in [
        "report-type=delivery-status",
        "Action: delayed",
        "Status: 4.2.1",
        "Original-Recipient: rfc822; defer-me@mms.test",
        "Final-Recipient: rfc822; defer-me@mms.test",
        "Message-ID: <swaks-1@example.net>",
    ] {
        assert!(dsn.contains(h), "{h} missing:\n{dsn}");
    }
    // The later deferrals (retries every 1-2 s here) send no more DSNs.
    let spool = mm3gw::gateway::spool::Spool::open(dir.join("spool")).unwrap();
    let mm_attempts = || -> Option<u32> {
        spool.ids().ok()?.iter().filter_map(|id| spool.entry(id).ok()).map(|e| e.attempts).max()
    };
    wait_for(20, "three deferrals", || mm_attempts().filter(|&n| n >= 3)).await;
    assert_eq!(outbox(&dir.join("reports")).len(), 1, "one delayed DSN, not one per retry");
    assert!(sink.messages().is_empty(), "the MMSC took nothing");
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// `mm3gw queue retry ID` (another process) on a message deferred for an hour: the running
/// server picks it up at its next spool rescan (every 15 s) and delivers it now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_retry_from_the_cli_is_picked_up_by_the_running_server() {
    let dir = tmpdir("e2e-retry");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let cfg = config_text(&dir, port, "")
        .replace("retry_min_s = 1", "retry_min_s = 3000")
        .replace("retry_max_s = 2", "retry_max_s = 3600");
    let cfg_path = dir.join("gw.toml");
    std::fs::write(&cfg_path, &cfg).unwrap();
    let gw = service::start(Config::from_toml(&cfg, "t.toml").unwrap(), fake_fax()).await.unwrap();
    client(gw.smtp[0].port())
        .send_raw(
            &env(Some("+4917012345/TYPE=PLMN@mms.test"), "FAX=+12125550100@fax.test"),
            &sample("fwd-photo-text-smil"),
        )
        .await
        .unwrap();
    let id = wait_for(10, "the RES deferred", || {
        let spool = mm3gw::gateway::spool::Spool::open(dir.join("spool")).ok()?;
        let ids = spool.ids().ok()?;
        ids.iter().filter_map(|i| spool.entry(i).ok()).find(|e| e.attempts > 0).map(|e| e.id)
    })
    .await;
    let sink = start_sink_on(port).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mm3gw"))
        .args(["queue", "--config"])
        .arg(&cfg_path)
        .args(["retry", &id])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let res =
        wait_for(40, "the RES after queue retry", || sink.messages().into_iter().next()).await;
    assert!(res.text().contains("X-Mms-Message-Type: MM4_forward.RES"));
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// `smtps://` next hops: implicit TLS with the certificate verified. A server whose certificate
/// no trusted CA signed gets nothing (the message waits, the error names the certificate); with
/// its CA in `delivery.tls_ca` the message goes over TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtps_next_hop_verifies_the_certificate() {
    let Some((dir, acceptor)) = tls_dir("e2e-smtps", private_ca) else { return };
    let sink = start_smtps_sink(acceptor).await;
    let hop = format!("smtps://localhost:{}", sink.addr.port());
    let text = |extra: &str| {
        config_text(&dir, sink.addr, "")
            .replace(
                &format!("next_hop = \"file:{}/fax\"", dir.display()),
                &format!("next_hop = \"{hop}\""),
            )
            .replace("[mmsc]", &format!("{extra}\n[mmsc]"))
    };
    let send = |port: u16| async move {
        client(port)
            .send_raw(
                &env(Some("+4917012345/TYPE=PLMN@mms.test"), "FAX=+12125550100@fax.test"),
                &String::from_utf8(sample("fwd-photo-text-smil"))
                    .unwrap()
                    .replace("X-Mms-Ack-Request: Yes", "X-Mms-Ack-Request: No")
                    .into_bytes(),
            )
            .await
            .unwrap();
    };

    // Not trusted: deferred with a certificate error, nothing received.
    let gw =
        service::start(Config::from_toml(&text(""), "t.toml").unwrap(), fake_fax()).await.unwrap();
    send(gw.smtp[0].port()).await;
    let err = wait_for(10, "the fax deferred", || {
        let spool = mm3gw::gateway::spool::Spool::open(dir.join("spool")).ok()?;
        let ids = spool.ids().ok()?;
        ids.iter().filter_map(|i| spool.entry(i).ok()).find_map(|e| e.last_error)
    })
    .await;
    assert!(err.to_ascii_lowercase().contains("certificate"), "{err}");
    assert_eq!(sink.count(), 0);
    gw.stop().await;
    let _ = std::fs::remove_dir_all(dir.join("spool"));

    // Its CA configured: delivered over TLS.
    let ca = format!("tls_ca = \"{}\"", dir.join("ca.pem").display());
    let gw =
        service::start(Config::from_toml(&text(&ca), "t.toml").unwrap(), fake_fax()).await.unwrap();
    send(gw.smtp[0].port()).await;
    let fax = wait_for(10, "the fax over smtps", || sink.messages().into_iter().next()).await;
    assert!(fax.tls && fax.rcpt_to == ["FAX=+12125550100@fax.test"], "{fax:?}");
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
