//! Returning DSNs and MDNs through `mm3gw convert` (`convert_message`): the report cases of
//! samples/interwork (their `case.toml` names the `gateway.toml` beside them, whose key signed
//! their tokens; tests/samples.rs compares them with their expected files) map the status their
//! README names; reports whose token does not verify, or that cannot be verified for want of a
//! key, are refused with a reason and never turned into a report.
mod common;

use std::path::{Path, PathBuf};

use mm3gw::cli::convert::{To, convert_message};
use mm3gw::config::Config;

const NOW: i64 = 1_704_103_260;

fn report_cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(common::root().join("samples/interwork"))
        .expect("samples/interwork")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.toml").is_file() && p.join("gateway.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 6, "the DSN/MDN report cases are missing: {dirs:?}");
    dirs
}

fn config_of(dir: &Path) -> Config {
    Config::load(Some(&dir.join("gateway.toml"))).expect("gateway.toml")
}

/// The report as the corpus writes it: envelope lines, then the message with LF line ends.
fn render(dir: &Path, raw: &[u8]) -> Result<String, String> {
    let c = convert_message(raw, Some(To::Mm), None, &config_of(dir), NOW, "case@mm3gw.localhost")?;
    let mut out = format!("X-Case-Mail-From: <{}>\n", c.envelope.mail_from);
    for r in &c.envelope.rcpt_to {
        out.push_str(&format!("X-Case-Rcpt-To: <{r}>\n"));
    }
    for o in &c.omissions {
        out.push_str(&format!("X-Case-Omitted: {o}\n"));
    }
    out.push_str(&String::from_utf8_lossy(&c.bytes).replace("\r\n", "\n"));
    Ok(out)
}

/// Each case's README names the MM4 status it must map to (spec/mms.md §5): check the output
/// says so, independently of the expected file.
#[test]
fn report_cases_map_the_status_their_readme_names() {
    for dir in report_cases() {
        let readme = std::fs::read_to_string(dir.join("README")).unwrap();
        let out = render(&dir, &std::fs::read(dir.join("input.eml")).unwrap()).unwrap();
        let (kind, field) = if readme.contains("MM4_delivery_report.REQ") {
            ("MM4_delivery_report.REQ", "X-Mms-MM-Status-Code: ")
        } else {
            ("MM4_read_reply_report.REQ", "X-Mms-Read-Status: ")
        };
        assert!(out.contains(&format!("X-Mms-Message-Type: {kind}")), "{}", dir.display());
        let status = readme.trim().rsplit(kind).next().unwrap().trim();
        assert!(
            out.contains(&format!("{field}{status}")),
            "{}: wants {field}{status} in\n{out}",
            dir.display()
        );
        // The report goes back to the MM's originator through the originating MMSC.
        assert!(out.contains("To: +4917012345/TYPE=PLMN"), "{}", dir.display());
        assert!(out.contains("X-Case-Rcpt-To: <system-user@mms.mnc002.mcc262.gprs>"));
    }
}

fn a_case(name: &str) -> (PathBuf, Vec<u8>) {
    let dir = common::root().join("samples/interwork").join(name);
    let raw = std::fs::read(dir.join("input.eml")).unwrap();
    (dir, raw)
}

#[test]
fn a_report_is_refused_without_a_key_or_with_another_key() {
    let (dir, raw) = a_case("report-dsn-failed-to-dr");
    // No key: the embedded configuration generates its key into the spool at run time.
    let embedded = Config::embedded().unwrap();
    let err = convert_message(&raw, None, None, &embedded, NOW, "x@mm3gw.localhost").unwrap_err();
    assert!(err.contains("report refused") && err.contains("hmac_key"), "{err}");
    // Another key: the signature does not verify.
    let mut other = config_of(&dir);
    other.server.hmac_key = Some("another key of at least thirty-two characters".into());
    let err = convert_message(&raw, None, None, &other, NOW, "x@mm3gw.localhost").unwrap_err();
    assert!(err.contains("report refused") && err.contains("signature"), "{err}");
    // The previous key still verifies (rotation).
    other.server.hmac_key_previous = config_of(&dir).server.hmac_key;
    assert!(convert_message(&raw, None, None, &other, NOW, "x@mm3gw.localhost").is_ok());
}

#[test]
fn altered_tokens_and_reports_without_one_are_refused() {
    let (dir, raw) = a_case("report-mdn-displayed-to-rr");
    let text = String::from_utf8(raw).unwrap();
    let i = text.find("<m3.").unwrap() + 10;
    let mut forged = text.clone().into_bytes();
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let err = convert_message(&forged, None, None, &config_of(&dir), NOW, "x@h").unwrap_err();
    assert!(err.starts_with("report refused"), "{err}");
    let end = text[i..].find('>').unwrap() + i;
    let none = format!("{}<plain-id@peer.example>{}", &text[..i - 10], &text[end + 1..]);
    let err =
        convert_message(none.as_bytes(), None, None, &config_of(&dir), NOW, "x@h").unwrap_err();
    assert!(err.contains("no mm3gw token"), "{err}");
}

#[test]
fn outcomes_that_need_no_report_say_so() {
    // A delayed DSN and a `processed` MDN ask for no MM4 report (spec/mms.md §5).
    let (dir, raw) = a_case("report-dsn-failed-to-dr");
    let delayed = String::from_utf8(raw).unwrap().replace("Action: failed", "Action: delayed");
    let err =
        convert_message(delayed.as_bytes(), None, None, &config_of(&dir), NOW, "x@h").unwrap_err();
    assert!(err.contains("no MM4 report needed") && err.contains("delayed"), "{err}");
    let (dir, raw) = a_case("report-mdn-deleted-to-rr");
    let processed = String::from_utf8(raw).unwrap().replace("; deleted", "; processed");
    let err = convert_message(processed.as_bytes(), None, None, &config_of(&dir), NOW, "x@h")
        .unwrap_err();
    assert!(err.contains("no MM4 report needed"), "{err}");
}

#[test]
fn the_cli_refuses_with_exit_1_and_converts_with_the_configured_key() {
    let (dir, _) = a_case("report-dsn-expired-to-dr");
    let out = std::env::temp_dir().join(format!("mm3gw-report-{}.eml", std::process::id()));
    let bin = env!("CARGO_BIN_EXE_mm3gw");
    let run = |with_config: bool| {
        let mut c = std::process::Command::new(bin);
        c.arg("convert").arg(dir.join("input.eml")).arg("-o").arg(&out);
        // Run where no spool/hmac.key exists, so only --config can supply the key.
        c.current_dir(std::env::temp_dir());
        if with_config {
            c.arg("--config").arg(dir.join("gateway.toml"));
        }
        c.output().unwrap()
    };
    let refused = run(false);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("report refused"));
    let ok = run(true);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(report.contains("X-Mms-MM-Status-Code: Expired"), "{report}");
    let _ = std::fs::remove_file(&out);
}

#[test]
fn a_dsn_naming_two_recipients_writes_the_first_report_and_lists_the_second() {
    let (dir, raw) = a_case("report-dsn-failed-to-dr");
    let text = String::from_utf8(raw).unwrap();
    let block_start = text.find("Final-Recipient:").unwrap();
    let block_end = text[block_start..].find("\r\n\r\n").map_or(text.len(), |e| block_start + e);
    let second = text[block_start..block_end].replace("+12125550100", "+12125550199");
    let two = format!("{}\r\n\r\n{second}{}", &text[..block_end], &text[block_end..]);
    let c = convert_message(two.as_bytes(), None, None, &config_of(&dir), NOW, "x@h").unwrap();
    assert_eq!(c.omissions.len(), 1, "{:?}", c.omissions);
    assert_eq!(c.omissions[0].part, "report 2");
    assert!(String::from_utf8_lossy(&c.bytes).contains("X-Mms-MM-Status-Code: Rejected"));
}
