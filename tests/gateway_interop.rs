//! Interop with third-party peers (issue 8 "Done when"): swaks and Python's smtplib submit to the
//! gateway, Python aiosmtpd plays the MMSC, the fax offramp, the voicemail platform and the
//! report relay (`tests/peers/raw_sink.py` keeps each message byte for byte with its envelope),
//! and Python's `email` package (`tests/peers/mailcheck.py`) reads what the gateway sent without
//! defects. Needs swaks, aiosmtpd and python3: skipped locally when missing, a failure under CI
//! (`.ci/run` installs them).
mod common;
mod gateway_support;

use std::process::{Command, Stdio};

use gateway_support::*;
use mm3gw::config::Config;
use mm3gw::gateway::convert::Converters;
use mm3gw::gateway::service;

/// Ends the child it wraps (by its own handle, never by name).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn maildir_messages(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("new"))
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn python_defects(path: &std::path::Path) -> String {
    let out = Command::new("python3")
        .args(["-c", "import email,sys\nm=email.message_from_binary_file(open(sys.argv[1],'rb'))\nprint(m['X-Mms-Message-Type'], [str(d) for p in m.walk() for d in p.defects])"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// swaks, aiosmtpd and Python: the real peers these tests drive (a failure under CI).
fn peers_installed() -> bool {
    common::require_tool("swaks", "--version")
        && common::require_tool("aiosmtpd", "--version")
        && common::require_tool("python3", "--version")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_and_smtplib_in_aiosmtpd_out() {
    if !peers_installed() {
        return;
    }
    let dir = tmpdir("interop");
    let mmsc = free_port();
    let maildir = dir.join("mmsc");
    let _sink = Child(
        Command::new("aiosmtpd")
            .args(["-n", "-l", &mmsc.to_string(), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(10, "aiosmtpd listening", || std::net::TcpStream::connect(mmsc).ok()).await;
    let gw = service::start(
        Config::from_toml(&config_text(&dir, mmsc, ""), "interop.toml").unwrap(),
        fake_fax(),
    )
    .await
    .unwrap();
    let port = gw.smtp[0].port();

    // swaks submits an MM4_forward.REQ for a fax recipient.
    let req_path = dir.join("req.eml");
    std::fs::write(&req_path, sample("fwd-photo-text-smil")).unwrap();
    let swaks = Command::new("swaks")
        .args([
            "--server",
            &format!("127.0.0.1:{port}"),
            "--from",
            "mmsc-sender@mms.mnc002.mcc262.gprs",
            "--to",
            "FAX=+12125550100@fax.test",
        ])
        .arg("--data")
        .arg(format!("@{}", req_path.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = tokio::task::spawn_blocking(move || swaks.wait_with_output().unwrap()).await.unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && transcript.contains("<-  250 2.0.0 OK queued as"),
        "{transcript}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let res = wait_for(15, "the RES at aiosmtpd", || maildir_messages(&maildir).pop()).await;
    assert_eq!(python_defects(&res), "MM4_forward.RES []");
    let fax = wait_for(10, "the fax mail", || outbox(&dir.join("fax")).pop()).await;
    let mid = std::fs::read_to_string(fax.with_extension("eml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: ").map(str::to_owned))
        .unwrap();

    // Python smtplib brings the offramp's DSN back (null sender, RET=HDRS headers).
    let boundary = "--===============4850263963412459576==";
    let dsn = String::from_utf8(sample("dsn-delivered")).unwrap().replace(
        &format!("{boundary}--"),
        &format!("{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {mid}\r\n\r\n{boundary}--"),
    );
    let dsn_path = dir.join("dsn.eml");
    std::fs::write(&dsn_path, dsn).unwrap();
    let py = Command::new("python3")
        .args(["-c", "import smtplib,sys\ns=smtplib.SMTP('127.0.0.1',int(sys.argv[1]))\nprint(s.sendmail('', ['+4917012345/TYPE=PLMN@mm3gw.test'], open(sys.argv[2],'rb').read()))\ns.quit()"])
        .arg(port.to_string())
        .arg(&dsn_path)
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    wait_for(15, "the delivery report at aiosmtpd", || {
        (maildir_messages(&maildir).len() == 2).then_some(())
    })
    .await;
    let all = maildir_messages(&maildir);
    let reports: Vec<String> = all.iter().map(|p| python_defects(p)).collect();
    assert!(reports.contains(&"MM4_delivery_report.REQ []".to_owned()), "{reports:?}");
    gw.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A real SMTP peer: aiosmtpd with `tests/peers/raw_sink.py`, storing what it gets byte for
/// byte with its envelope.
fn raw_sink(addr: std::net::SocketAddr, dir: &std::path::Path) -> Child {
    Child(
        Command::new("aiosmtpd")
            .args(["-n", "-l", &addr.to_string(), "-c", "raw_sink.RawSink"])
            .arg(dir)
            .env("PYTHONPATH", common::root().join("tests/peers"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// What a raw sink received: (the `.eml`, its envelope as JSON), in arrival order.
fn sunk(dir: &std::path::Path) -> Vec<(std::path::PathBuf, serde_json::Value)> {
    files_with(dir, "eml")
        .into_iter()
        .filter_map(|p| {
            let env =
                serde_json::from_slice(&std::fs::read(p.with_extension("json")).ok()?).ok()?;
            Some((p, env))
        })
        .collect()
}

/// Python's view of messages (`tests/peers/mailcheck.py`): content type, the named headers,
/// the defects of every part.
fn python_view(headers: &str, files: &[std::path::PathBuf]) -> Vec<serde_json::Value> {
    let out = Command::new("python3")
        .arg(common::root().join("tests/peers/mailcheck.py"))
        .arg(headers)
        .args(files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Python smtplib submits `file` (with RCPT options, e.g. NOTIFY); panics on a refusal.
async fn smtplib(port: u16, from: &str, to: &str, rcpt_options: &str, file: &std::path::Path) {
    let script = "import smtplib,sys\ns=smtplib.SMTP('127.0.0.1',int(sys.argv[1]),timeout=30)\n\
                  opts=[o for o in sys.argv[4].split(' ') if o]\n\
                  print(s.sendmail(sys.argv[2],[sys.argv[3]],open(sys.argv[5],'rb').read(),rcpt_options=opts))\ns.quit()";
    let mut cmd = Command::new("python3");
    cmd.args(["-c", script, &port.to_string(), from, to, rcpt_options]).arg(file);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "smtplib: {}", String::from_utf8_lossy(&out.stderr));
}

/// swaks submits `file`; panics unless the gateway answered 250.
async fn swaks(port: u16, from: &str, to: &str, file: &std::path::Path) {
    let mut cmd = Command::new("swaks");
    // POSIXLY_CORRECT: else Getopt::Long takes a leading `+` (`+4917…`) for an option prefix.
    cmd.args(["--server", &format!("127.0.0.1:{port}"), "--from", from, "--to", to])
        .env("POSIXLY_CORRECT", "1")
        .arg("--data")
        .arg(format!("@{}", file.display()))
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && transcript.contains("<-  250 2.0.0 OK queued as"),
        "swaks: {transcript}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn header_of(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// Waits until a sink holds a message whose text contains every needle; returns it.
async fn arrival(
    dir: &std::path::Path,
    what: &str,
    needles: &[&str],
) -> (std::path::PathBuf, serde_json::Value, String) {
    wait_for(30, what, || {
        sunk(dir).into_iter().find_map(|(p, env)| {
            let t = String::from_utf8_lossy(&std::fs::read(&p).ok()?).into_owned();
            needles.iter().all(|n| t.contains(n)).then_some((p, env, t))
        })
    })
    .await
}

/// Issue 8 "Done when", real peers: Python smtplib and swaks submit every kind of message, real
/// aiosmtpd servers play the MMSC and the fax offramp / voicemail platform / report relay, the
/// built-in conversions run, and Python's email package reads everything the gateway sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_with_smtplib_swaks_and_aiosmtpd() {
    if !peers_installed() {
        return;
    }
    let dir = tmpdir("interop-all");
    let (mmsc, ext) = (free_port(), free_port());
    let (mmsc_dir, ext_dir) = (dir.join("mmsc"), dir.join("external"));
    let _mmsc_sink = raw_sink(mmsc, &mmsc_dir);
    let _ext_sink = raw_sink(ext, &ext_dir);
    for a in [mmsc, ext] {
        wait_for(10, "aiosmtpd listening", || std::net::TcpStream::connect(a).ok()).await;
    }
    let config = |d: &std::path::Path| {
        config_text(d, mmsc, "")
            .replace(&format!("file:{}/fax", d.display()), &format!("smtp://{ext}"))
            .replace(&format!("file:{}/voicemail", d.display()), &format!("smtp://{ext}"))
            .replace(&format!("file:{}/reports", d.display()), &format!("smtp://{ext}"))
    };
    let a = service::start(
        Config::from_toml(&config(&dir.join("a")), "a.toml").unwrap(),
        Converters::builtin(),
    )
    .await
    .unwrap();
    let b = service::start(
        Config::from_toml(&config(&dir.join("b")), "b.toml").unwrap(),
        Converters::builtin(),
    )
    .await
    .unwrap();
    let (pa, pb) = (a.smtp[0].port(), b.smtp[0].port());
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let mms_user = "+4917012345/TYPE=PLMN@mms.mnc002.mcc262.gprs";

    // 1. smtplib: MM4_forward.REQ for a fax recipient -> T.37 fax mail at the offramp, RES Ok.
    let req = write("req-fax.eml", &sample("fwd-photo-text-smil"));
    smtplib(pa, mms_user, "FAX=+12125550100@fax.test", "", &req).await;
    let (fax, fax_env, fax_text) =
        arrival(&ext_dir, "the fax mail", &["Subject: Photo for the fax"]).await;
    assert_eq!(fax_env["rcpt_to"][0], "FAX=+12125550100@offramp.test");
    assert_eq!(fax_env["mail_from"], "+4917012345@mm3gw.test");
    let fax_mid = header_of(&fax_text, "Message-ID").unwrap();
    assert!(fax_mid.starts_with("<m3.") && fax_mid.ends_with("@mm3gw.test>"), "{fax_mid}");
    let v = &python_view("To,MIME-Version", std::slice::from_ref(&fax))[0];
    assert_eq!(v["defects"], serde_json::json!([]), "{v}");
    assert!(v["parts"].as_array().unwrap().iter().any(|p| p == "image/tiff"), "{v}");
    assert_eq!(v["To"], "FAX=+12125550100@offramp.test");
    let (_, res_env, _) = arrival(
        &mmsc_dir,
        "the RES for the fax REQ",
        &["MM4_forward.RES", "\"T-0001@mms.example.net\"", "X-Mms-Request-Status-Code: Ok"],
    )
    .await;
    assert_eq!(res_env["rcpt_to"][0], "system-user@mms.mnc002.mcc262.gprs");
    assert_eq!(res_env["mail_from"], "system-user@mm3gw.test");

    // 2. swaks: MM4_forward.REQ with an AMR note (asking for a read reply) for a voice mailbox
    //    -> VPIM v2 at the voicemail platform, RES Ok.
    let voice = String::from_utf8(sample("fwd-amr-voice-note"))
        .unwrap()
        .replace("T-0001@", "T-0002@")
        .replace("M-0001@", "M-0002@")
        .replace("X-Mms-Ack-Request: Yes", "X-Mms-Ack-Request: Yes\r\nX-Mms-Read-Reply: Yes");
    let req = write("req-voice.eml", voice.as_bytes());
    swaks(pa, mms_user, "+12125550100@voicemail.test", &req).await;
    let (vpim, vpim_env, vpim_text) =
        arrival(&ext_dir, "the VPIM message", &["multipart/voice-message"]).await;
    assert_eq!(vpim_env["rcpt_to"][0], "+12125550100@vm.test");
    let vpim_mid = header_of(&vpim_text, "Message-ID").unwrap();
    let v = &python_view("Subject,MIME-Version", std::slice::from_ref(&vpim))[0];
    assert_eq!(v["defects"], serde_json::json!([]), "{v}");
    assert_eq!(v["content_type"], "multipart/voice-message");
    assert!(v["parts"].as_array().unwrap().iter().any(|p| p == "audio/32kadpcm"), "{v}");
    assert_eq!(v["Subject"], "Voice note");
    arrival(&mmsc_dir, "the RES for the voice REQ", &["MM4_forward.RES", "\"T-0002@"]).await;

    // 3. smtplib: a T.37 fax mail from an onramp (asking for an MDN and DSNs) to an MMS user
    //    -> MM4_forward.REQ at the MMSC with image slides and a signed Message-ID.
    let fax_in = onramp_fax_asking_mdn();
    let fax_in = write("fax-in.eml", fax_in.as_bytes());
    let onramp = "FAX=+12125550100@onramp.test";
    smtplib(pa, onramp, "+4917012345/TYPE=PLMN@mms.test", "NOTIFY=SUCCESS,FAILURE", &fax_in).await;
    let (_, fwd_env, fwd_text) =
        arrival(&mmsc_dir, "the fax as MM4_forward.REQ", &["MM4_forward.REQ", "Fax via swaks"])
            .await;
    assert_eq!(fwd_env["rcpt_to"][0], "+4917012345/TYPE=PLMN@mms.test");
    assert!(fwd_text.contains("X-Mms-Read-Reply: Yes"), "{fwd_text}");
    let mm_from_fax = header_of(&fwd_text, "X-Mms-Message-ID").unwrap();
    assert!(mm_from_fax.contains("m3."), "{mm_from_fax}");

    // 4. swaks: a VPIM message to an MMS user -> MM4_forward.REQ with AMR audio.
    let vpim_in = write("vpim-in.eml", &sample("other-vpim-voice"));
    swaks(pa, "sender@example.org", "+4917012345@mms.test", &vpim_in).await;
    let (_, _, fwd_vpim_text) = arrival(
        &mmsc_dir,
        "the VPIM as MM4_forward.REQ",
        &["MM4_forward.REQ", "Content-Type: audio/amr"],
    )
    .await;
    // The sender with the display name its vCard gives (RFC 2047, not ASCII).
    let from = header_of(&fwd_vpim_text, "From").unwrap();
    assert!(from.ends_with("<sender@example.org>") && from.contains("=?utf-8?"), "{from}");

    // 5. The offramp's DSN for the fax of step 1 reaches instance B (same key, own spool) by
    //    smtplib -> MM4_delivery_report.REQ (Retrieved) at the MMSC.
    let boundary = "--===============4850263963412459576==";
    let dsn = String::from_utf8(sample("dsn-delivered")).unwrap().replace(
        &format!("{boundary}--"),
        &format!("{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {fax_mid}\r\n\r\n{boundary}--"),
    );
    let dsn_path = write("dsn.eml", dsn.as_bytes());
    smtplib(pb, "", "+4917012345@mm3gw.test", "", &dsn_path).await;
    let (dr, dr_env, _) = arrival(
        &mmsc_dir,
        "the MM4 delivery report",
        &["MM4_delivery_report.REQ", "\"M-0001@mms.example.net\""],
    )
    .await;
    assert_eq!(dr_env["rcpt_to"][0], "system-user@mms.mnc002.mcc262.gprs");
    let v = &python_view("X-Mms-MM-Status-Code,From,To", std::slice::from_ref(&dr))[0];
    assert_eq!(
        (&v["X-Mms-MM-Status-Code"], &v["To"]),
        (&serde_json::json!("Retrieved"), &serde_json::json!("+4917012345/TYPE=PLMN"))
    );

    // 6. swaks: the voicemail platform's MDN (displayed) for the VPIM of step 2 ->
    //    MM4_read_reply_report.REQ (Read) at the MMSC.
    let mdn = String::from_utf8(sample("mdn-displayed"))
        .unwrap()
        .replace("<x@mm3gw.example.net>", &vpim_mid);
    let mdn_path = write("mdn.eml", mdn.as_bytes());
    swaks(pa, "<>", "+4917012345@mm3gw.test", &mdn_path).await;
    let (rr, _, _) = arrival(
        &mmsc_dir,
        "the MM4 read-reply report",
        &["MM4_read_reply_report.REQ", "\"M-0002@mms.example.net\""],
    )
    .await;
    let v = &python_view("X-Mms-Read-Status", std::slice::from_ref(&rr))[0];
    assert_eq!(v["X-Mms-Read-Status"], "Read");

    // 7. A forged token at B: accepted at SMTP level, refused, counted, never reported.
    let forged = dsn.replace(&fax_mid[4..20], "AAAAAAAAAAAAAAAA");
    let forged_path = write("forged.eml", forged.as_bytes());
    smtplib(pb, "", "+4917012345@mm3gw.test", "", &forged_path).await;
    wait_for(15, "the forged token refused", || {
        b.metrics.render().contains("mm3gw_tokens_refused_total 1").then_some(())
    })
    .await;

    // 8. The MMSC reports the MM built from the fax as retrieved (smtplib) -> an RFC 3464 DSN
    //    (delivered) to the onramp's sender, which Python reads without defects; DR.RES Ok.
    let mmsc_report = |kind: &str, status: &str| {
        format!(
            "X-Mms-3GPP-MMS-Version: 6.16.0\r\nX-Mms-Message-Type: MM4_{kind}.REQ\r\nX-Mms-Transaction-ID: {kind}-1\r\n\
             X-Mms-Message-ID: {mm_from_fax}\r\n{status}\r\nX-Mms-Ack-Request: Yes\r\n\
             X-Mms-Originator-System: system-user@mms.test\r\nFrom: +4917012345/TYPE=PLMN\r\n\
             To: +12125550100/TYPE=PLMN\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\n"
        )
    };
    let dr_in = write(
        "mmsc-dr.eml",
        mmsc_report("delivery_report", "X-Mms-MM-Status-Code: Retrieved").as_bytes(),
    );
    smtplib(pa, "system-user@mms.test", "system-user@mm3gw.test", "", &dr_in).await;
    let (dsn_out, dsn_env, _) =
        arrival(&ext_dir, "the DSN to the onramp sender", &["report-type=delivery-status"]).await;
    assert_eq!(
        (&dsn_env["mail_from"], &dsn_env["rcpt_to"][0]),
        (&serde_json::json!("<>"), &serde_json::json!(onramp))
    );
    let v = &python_view("Auto-Submitted", std::slice::from_ref(&dsn_out))[0];
    assert_eq!(v["content_type"], "multipart/report");
    assert_eq!(v["defects"], serde_json::json!([]), "{v}");
    assert!(v["parts"].as_array().unwrap().iter().any(|p| p == "message/delivery-status"), "{v}");
    let dsn_text = std::fs::read_to_string(&dsn_out).unwrap();
    assert!(
        dsn_text.contains("Action: delivered") && dsn_text.contains("Status: 2.0.0"),
        "{dsn_text}"
    );
    arrival(&mmsc_dir, "the DR.RES", &["MM4_delivery_report.RES", "X-Mms-Request-Status-Code: Ok"])
        .await;

    // 9. The MMSC's read report about it (smtplib) -> an RFC 3798 MDN (displayed) to the fax
    //    mail's Disposition-Notification-To; RR.RES Ok.
    let rr_in = write(
        "mmsc-rr.eml",
        mmsc_report("read_reply_report", "X-Mms-Read-Status: Read").as_bytes(),
    );
    smtplib(pa, "system-user@mms.test", "system-user@mm3gw.test", "", &rr_in).await;
    let (mdn_out, mdn_env, mdn_text) =
        arrival(&ext_dir, "the MDN to the fax sender", &["report-type=disposition-notification"])
            .await;
    assert_eq!(mdn_env["rcpt_to"][0], "FAX=+12125550100@onramp.test");
    assert_eq!(mdn_env["mail_from"], "<>");
    assert!(
        mdn_text.contains("; displayed")
            && mdn_text.contains("Original-Message-ID: <swaks-1@example.net>"),
        "{mdn_text}"
    );
    let v = &python_view("", std::slice::from_ref(&mdn_out))[0];
    assert_eq!(v["defects"], serde_json::json!([]), "{v}");
    arrival(
        &mmsc_dir,
        "the RR.RES",
        &["MM4_read_reply_report.RES", "X-Mms-Request-Status-Code: Ok"],
    )
    .await;

    // Everything both peers received reads without defects in Python's email package.
    let all: Vec<_> = sunk(&mmsc_dir).into_iter().chain(sunk(&ext_dir)).map(|(p, _)| p).collect();
    for v in python_view("X-Mms-Message-Type", &all) {
        assert_eq!(v["defects"], serde_json::json!([]), "{v}");
    }
    let drs = sunk(&mmsc_dir)
        .iter()
        .filter(|(p, _)| std::fs::read_to_string(p).unwrap().contains("MM4_delivery_report.REQ"))
        .count();
    assert_eq!(drs, 1, "one delivery report (step 5), none for the forged token");
    a.stop().await;
    b.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
