//! Interop with third-party peers (issue 8 "Done when"): swaks and Python's smtplib submit to the
//! gateway, Python aiosmtpd plays the MMSC, and Python's `email` package reads what the gateway
//! sent (MM4_forward.RES, MM4_delivery_report.REQ) without defects. Needs swaks, aiosmtpd and
//! python3: skipped locally when missing, a failure under CI (`.ci/run` installs them).
mod common;
mod gateway_support;

use std::process::{Command, Stdio};

use gateway_support::*;
use mm3gw::config::Config;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_and_smtplib_in_aiosmtpd_out() {
    if !(common::require_tool("swaks", "--version")
        && common::require_tool("aiosmtpd", "--version")
        && common::require_tool("python3", "--version"))
    {
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
