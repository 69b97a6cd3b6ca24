//! No panic on any input: every sample message, truncated at many offsets and with bytes
//! flipped, gives either a usable parse or a typed error, and the inspector a report.
mod common;

use mm3gw::inspect::inspect;
use mm3gw::mm::{self, Limits};

/// A small deterministic generator (SplitMix64), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn sample_inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["samples/inspect", "samples/interop/mime"] {
        let Ok(entries) = std::fs::read_dir(common::root().join(dir)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let file = if p.is_dir() { p.join("input.eml") } else { p.clone() };
            if file.extension().is_some_and(|x| x == "eml") && file.is_file() {
                out.push((file.display().to_string(), std::fs::read(&file).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// Parses one variant; checks the contract rather than just "did not crash".
fn check(name: &str, raw: &[u8], limits: &Limits) {
    match mm::parse(raw, limits) {
        Ok(parsed) => {
            // What parses must also emit and parse again: no half-built models.
            match mm::parse(&parsed.mm.to_bytes(), limits) {
                Ok(again) => assert_eq!(again.mm, parsed.mm.as_emitted(), "{name}: round trip"),
                Err(e) => panic!("{name}: re-parse of our own output failed: {e}"),
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "{name}: error without a message"),
    }
    let report = inspect(raw, limits);
    assert!(report.usable || report.errors().next().is_some(), "{name}: unusable without a reason");
}

#[test]
fn truncated_and_bit_flipped_samples_never_panic() {
    let inputs = sample_inputs();
    assert!(inputs.len() >= 25, "samples not found ({} inputs)", inputs.len());
    let limits = Limits::default();
    let mut rng = Rng(0x006d_6d33_6777);
    let mut variants = 0;
    for (name, raw) in &inputs {
        for k in 0..48 {
            let cut = if k < 16 { raw.len() * k / 16 } else { rng.below(raw.len() + 1) };
            check(&format!("{name} cut at {cut}"), &raw[..cut], &limits);
            variants += 1;
        }
        for _ in 0..48 {
            let mut v = raw.clone();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(v.len());
                if let Some(b) = v.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            check(&format!("{name} flipped"), &v, &limits);
            variants += 1;
        }
        // Structural damage: every header's colon, boundary dashes and CRs removed.
        let text = String::from_utf8_lossy(raw);
        for mangled in [text.replace(": ", " "), text.replace("--", "-"), text.replace('\r', "")] {
            check(&format!("{name} mangled"), mangled.as_bytes(), &limits);
            variants += 1;
        }
    }
    assert!(variants > 2000, "{variants} variants");
}

#[test]
fn limits_refuse_before_work() {
    let raw =
        std::fs::read(common::root().join("samples/inspect/fwd-slides/input.eml")).expect("sample");
    let tight = Limits { max_message_bytes: 100, ..Limits::default() };
    assert!(matches!(mm::parse(&raw, &tight), Err(mm::Error::TooLarge { .. })));
    let tight = Limits { max_parts: 3, ..Limits::default() };
    assert!(matches!(mm::parse(&raw, &tight), Err(mm::Error::TooManyParts { .. })));
    let tight = Limits { max_depth: 0, ..Limits::default() };
    assert!(matches!(mm::parse(&raw, &tight), Err(mm::Error::TooDeep { .. })));
    // Deep nesting built on purpose: refused by the depth limit, not by the stack.
    let mut deep = String::from(
        "X-Mms-Message-Type: MM4_forward.REQ\r\nX-Mms-Transaction-ID: t\r\n\
        X-Mms-Message-ID: m\r\nFrom: +4917012345/TYPE=PLMN\r\n",
    );
    for i in 0..60 {
        deep.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    deep.push_str("Content-Type: text/plain\r\n\r\nx\r\n");
    assert!(matches!(
        mm::parse(deep.as_bytes(), &Limits::default()),
        Err(mm::Error::TooDeep { .. })
    ));
}
