//! No panic on any input: every input of the conversion corpus, truncated and with bytes
//! flipped (seeded, so a failure replays), goes through `convert_message` the way `mm3gw
//! convert` runs it, and must come back as a conversion or an error, never a panic.
mod common;

use std::path::PathBuf;

use mm3gw::cli::convert::{To, convert_message};
use mm3gw::config::Config;
use mm3gw::samples::case::Case;

fn inputs() -> Vec<(PathBuf, Vec<u8>, Option<To>, Config)> {
    let dir = common::root().join("samples/interwork");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    cases.sort();
    cases
        .into_iter()
        .filter_map(|case| {
            // The case as the samples engine reads it: its target and its own configuration.
            let name = case.file_name()?.to_string_lossy().into_owned();
            if !case.join("case.toml").is_file() {
                return None; // media/, not a case
            }
            let c = Case::load(&name, &case).unwrap_or_else(|e| panic!("{name}: {e}"));
            let config = c.configuration(&Config::embedded().unwrap()).unwrap();
            let to = c.kind.target().filter(|t| *t != To::Mm);
            let raw = std::fs::read(case.join("input.eml")).unwrap();
            Some((case, raw, to, config))
        })
        .collect()
}

/// A small seeded generator (xorshift): the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_corpus_inputs_never_panic() {
    let mut rng = Rng(0x6d6d_3367_7721);
    let mut runs = 0;
    for (case, raw, to, config) in inputs() {
        let mut variants: Vec<Vec<u8>> = Vec::new();
        // Cut in the header, in the middle and near the end.
        for cut in [raw.len() / 20, raw.len() / 2, raw.len() - raw.len() / 50] {
            variants.push(raw[..cut].to_vec());
        }
        // Flip bytes: one in the header section, then a burst anywhere.
        let mut one = raw.clone();
        let i = rng.below(raw.len().min(600));
        one[i] ^= 0x5a;
        variants.push(one);
        let mut burst = raw.clone();
        for _ in 0..16 {
            let i = rng.below(burst.len());
            burst[i] = rng.below(256) as u8;
        }
        variants.push(burst);
        for v in variants {
            // Ok or Err are both fine; a panic fails the test and names the case.
            let _ = convert_message(&v, to, None, &config, 1_704_103_260, "case@mm3gw.localhost");
            runs += 1;
        }
        eprintln!("{}: ok", case.file_name().unwrap().to_string_lossy());
    }
    assert!(runs >= 200, "{runs} runs");
}
