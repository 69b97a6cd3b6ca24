//! The operator-facing subcommands of the binary: check-config, config, queue, and the README's
//! example session against `mm3gw serve`.
mod common;
mod gateway_support;

use std::process::Command;

use gateway_support::tmpdir;

fn mm3gw(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_mm3gw")).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn check_config_names_file_line_and_key() {
    let dir = tmpdir("cli-check");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[server]\nhostname = \"gw.example\"\n\n[limits]\nrecipients = 0\n")
        .unwrap();
    let (code, _, err) = mm3gw(&["check-config", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("{}:5:14: limits.recipients: 0 is out of range", bad.display())),
        "{err}"
    );
    let tls = dir.join("tls.toml");
    std::fs::write(
        &tls,
        "[server]\ntls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"\n",
    )
    .unwrap();
    let (code, _, err) = mm3gw(&["check-config", tls.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("server.tls_cert/tls_key: /nonexistent/cert.pem"), "{err}");
    let (code, out, _) = mm3gw(&["check-config"]);
    assert_eq!((code, out.trim()), (0, "embedded default: ok (2 routes)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_prints_the_effective_configuration_which_checks_again() {
    let dir = tmpdir("cli-config");
    let (code, out, _) = mm3gw(&["config"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("hostname = \"mm3gw.localhost\"")
            && out.contains("[[route]]")
            && out.contains("relay = \"file:outbox/reports\""),
        "{out}"
    );
    let printed = dir.join("printed.toml");
    std::fs::write(&printed, &out).unwrap();
    assert_eq!(mm3gw(&["check-config", printed.to_str().unwrap()]).0, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn queue_list_show_retry_drop() {
    use mm3gw::gateway::spool::{Entry, Envelope, Rcpt, Spool, Stage};
    let dir = tmpdir("cli-queue");
    let cfg = dir.join("gw.toml");
    std::fs::write(&cfg, format!("[server]\nspool = \"{}/spool\"\n", dir.display())).unwrap();
    let spool = Spool::open(dir.join("spool")).unwrap();
    let mut e = Entry {
        id: "0000000001-00000000000000aa".into(),
        stage: Stage::Outbound {
            next_hop: "smtp://127.0.0.1:9".into(),
            purpose: "mm4-res".into(),
            on_failure: None,
            dsn_on_failure: None,
        },
        envelope: Envelope {
            mail_from: "system-user@gw".into(),
            rcpt_to: vec![Rcpt::plain("system-user@mms.example")],
            envid: None,
            ret: None,
        },
        created: 1,
        expires: u64::MAX,
        attempts: 2,
        next_attempt: u64::MAX / 2,
        last_error: Some("451 later".into()),
        size: 0,
        crc32: 0,
        held: Some("operator".into()),
        origin: None,
    };
    spool.store(&mut e, b"x").unwrap();
    let c = cfg.to_str().unwrap();
    let (code, out, _) = mm3gw(&["queue", "--config", c, "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("0000000001-00000000000000aa  mm4-res->smtp://127.0.0.1:9")
            && out.contains("held: operator")
            && out.ends_with("1 message(s)\n"),
        "{out}"
    );
    let (_, out, _) = mm3gw(&["queue", "--config", c, "show", "0000000001-00000000000000aa"]);
    assert!(out.contains("\"last_error\": \"451 later\""), "{out}");
    assert_eq!(mm3gw(&["queue", "--config", c, "retry", "0000000001-00000000000000aa"]).0, 0);
    let after = spool.entry(&e.id).unwrap();
    assert!(after.held.is_none() && after.next_attempt < u64::MAX / 2);
    assert_eq!(mm3gw(&["queue", "--config", c, "drop", "0000000001-00000000000000aa"]).0, 0);
    assert!(spool.ids().unwrap().is_empty());
    let (code, _, err) = mm3gw(&["queue", "--config", c, "drop", "../../etc"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a spool id"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ends the child it wraps (by its own handle, never by name).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The README's example session ("Running the gateway"): `mm3gw serve` with the embedded
/// default configuration, Python smtplib hands it an MM4_forward.REQ for a fax number and one
/// for a voice mailbox, and the converted T.37 fax mail and VPIM message appear under
/// `outbox/` beside the MM4_forward.RES. The one change from the README: the default's fixed
/// ports (2525, 9125) become free ones, so the test runs beside other servers; the rest is
/// `mm3gw config`'s output (the embedded default) as it is, run from an empty folder.
#[test]
fn readme_session_serve_with_the_default_config_converts_into_outbox() {
    if !common::require_tool("python3", "--version") {
        return;
    }
    let dir = tmpdir("cli-readme");
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (smtp, http) = (free(), free());
    let (code, default, _) = mm3gw(&["config"]);
    assert_eq!(code, 0);
    let cfg = default
        .replace("\"127.0.0.1:2525\"", &format!("\"{smtp}\""))
        .replace("\"127.0.0.1:9125\"", &format!("\"{http}\""));
    assert!(cfg.contains(&smtp.to_string()) && cfg.contains(&http.to_string()), "{cfg}");
    std::fs::write(dir.join("gw.toml"), cfg).unwrap();
    let _server = Child(
        Command::new(env!("CARGO_BIN_EXE_mm3gw"))
            .args(["serve", "--config", "gw.toml"])
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(smtp).is_err() {
        assert!(start.elapsed().as_secs() < 30, "mm3gw serve did not listen");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let samples = common::root().join("samples/inspect");
    for (rcpt, sample) in [
        ("FAX=+12125550100@fax.localhost", "fwd-photo-text-smil"),
        ("+12125550100@voicemail.localhost", "fwd-amr-voice-note"),
    ] {
        let script = format!(
            "import smtplib; smtplib.SMTP(\"127.0.0.1\", {}).sendmail(\"+4917012345/TYPE=PLMN@mms.localhost\", [\"{rcpt}\"], open(\"{}\", \"rb\").read())",
            smtp.port(),
            samples.join(sample).join("input.eml").display()
        );
        let out = Command::new("python3").args(["-c", &script]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let emls = |sub: &str| -> Vec<String> {
        std::fs::read_dir(dir.join("outbox").join(sub))
            .map(|r| {
                r.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .filter_map(|p| std::fs::read_to_string(p).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let start = std::time::Instant::now();
    while emls("fax").is_empty() || emls("voicemail").is_empty() || emls("mmsc").len() < 2 {
        assert!(start.elapsed().as_secs() < 60, "nothing converted into outbox/");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let fax = &emls("fax")[0];
    assert!(fax.contains("Content-Type: image/tiff") && fax.contains("Subject: Photo for the fax"));
    assert!(fax.contains("To: FAX=+12125550100@offramp.localhost"), "{fax}");
    let vpim = &emls("voicemail")[0];
    assert!(vpim.contains("multipart/voice-message") && vpim.contains("audio/32kadpcm"));
    assert!(emls("mmsc").iter().all(|r| r.contains("X-Mms-Request-Status-Code: Ok")));
    let list = Command::new(env!("CARGO_BIN_EXE_mm3gw"))
        .args(["queue", "--config", "gw.toml", "list"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    drop(_server);
    let _ = std::fs::remove_dir_all(&dir);
}
