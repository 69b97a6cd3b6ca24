//! The operator-facing subcommands of the binary: check-config, config, queue.
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
