//! `mm3gw convert`: detects the input kind, writes the output and prints the omissions.
use std::process::Command;

fn sample(name: &str) -> String {
    format!("{}/samples/inspect/{name}/input.eml", env!("CARGO_MANIFEST_DIR"))
}

fn convert(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_mm3gw")).arg("convert").args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn convert_each_direction_and_report_omissions() {
    let dir = std::env::temp_dir().join(format!("mm3gw-convert-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = |n: &str| dir.join(n).to_str().unwrap().to_owned();

    let (code, stdout, _) =
        convert(&[&sample("fwd-amr-voice-note"), "-o", &out("v.eml"), "--to", "vpim"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("RCPT TO:<+12125550100@vm.localhost>"), "{stdout}");
    let v = std::fs::read_to_string(dir.join("v.eml")).unwrap();
    assert!(v.contains("multipart/voice-message"));

    // A photo and text to VPIM: the voice-less MM is refused with the reason.
    let (code, _, stderr) =
        convert(&[&sample("fwd-photo-text-smil"), "-o", &out("x.eml"), "--to", "vpim"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no audio"), "{stderr}");

    let (code, stdout, _) =
        convert(&[&sample("fwd-photo-text-smil"), "-o", &out("f.eml"), "--to", "fax"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("RCPT TO:<FAX=+12125550100@offramp.localhost>"), "{stdout}");

    // Mixed MM to IVM: what is left behind is printed.
    let (code, stdout, _) = convert(&[&sample("fwd-mixed"), "-o", &out("i.eml"), "--to", "ivm"]);
    if code == 0 {
        assert!(stdout.contains("omitted:"), "{stdout}");
    }

    // Fax mail and VPIM → MM, detected without --to.
    for (s, n) in [("other-t37-simple", "m1.eml"), ("other-vpim-voice", "m2.eml")] {
        let (code, stdout, stderr) = convert(&[&sample(s), "-o", &out(n)]);
        assert_eq!(code, 0, "{s}: {stdout}{stderr}");
        let mm = std::fs::read_to_string(dir.join(n)).unwrap();
        assert!(mm.contains("X-Mms-Message-Type: MM4_forward.REQ"), "{s}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
