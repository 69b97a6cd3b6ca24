//! G.726 against the ITU-T conformance sequences (G.726 Appendix II, as shipped by the ITU-T
//! G.191 STL in samples/interop/g726-itu): every word of every 32 kbit/s sequence must match,
//! for the reset ("r") and the homing ("h") variants.
//!
//! File format: 16-bit little-endian words, one PCM code word or one ADPCM code word each.

mod common;

use mm3gw::voice::g711::Law;
use mm3gw::voice::g726::{Decoder, Encoder, Rate};

/// The homing sequences (`pcm_init.*`, `i_ini_*`) are 3496 words long; the files pad them with
/// 57 zero words and then bytes left over from the STL's hex-to-binary conversion (the first
/// word above 255). Zero is a valid 16 kbit/s code word, so the padding is cut by count.
fn homing_words(name: &str) -> Vec<u8> {
    let path = common::root().join("samples/interop/g726-itu").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let all: Vec<u16> = bytes.chunks_exact(2).map(|w| u16::from_le_bytes([w[0], w[1]])).collect();
    const PADDING: usize = 57;
    let marker = all.iter().position(|&v| v > 255).unwrap_or(all.len());
    let end = marker.checked_sub(PADDING).expect("padding");
    assert_eq!(end, 3496, "{name}: homing sequence length");
    assert!(all[end..marker].iter().all(|&v| v == 0), "{name}: padding is not zero");
    all[..end].iter().map(|&v| v as u8).collect()
}

fn words(name: &str) -> Vec<u8> {
    let path = common::root().join("samples/interop/g726-itu").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!bytes.is_empty() && bytes.len().is_multiple_of(2), "{name}: not 16-bit words");
    bytes
        .chunks_exact(2)
        .map(|w| {
            let v = u16::from_le_bytes([w[0], w[1]]);
            assert!(v < 256, "{name}: word {v:#x} is not right-aligned 8-bit");
            v as u8
        })
        .collect()
}

fn law_of(c: char) -> Law {
    if c == 'a' { Law::A } else { Law::Mu }
}

fn first_mismatch(got: &[u8], want: &[u8]) -> Option<(usize, u8, u8)> {
    assert_eq!(got.len(), want.len(), "length");
    got.iter().zip(want).enumerate().find(|(_, (g, w))| g != w).map(|(i, (g, w))| (i, *g, *w))
}

fn rate_of(bits: u32) -> Rate {
    match bits {
        16 => Rate::Kbit16,
        24 => Rate::Kbit24,
        32 => Rate::Kbit32,
        _ => Rate::Kbit40,
    }
}

/// Encoder: `<h|r><n|v><rate>f<a|m>.i` from `nrm`/`ovr` input. The homing variant first runs
/// the codec through `pcm_init`, whose output is not part of the sequence.
fn check_encoder(prefix: char, kind: char, kbit: u32, law: char) -> Result<(), String> {
    let input = words(&format!("{}.{law}", if kind == 'n' { "nrm" } else { "ovr" }));
    let want = words(&format!("{prefix}{kind}{kbit}f{law}.i"));
    let mut enc = Encoder::new(rate_of(kbit));
    if prefix == 'h' {
        for c in homing_words(&format!("pcm_init.{law}")) {
            enc.encode_log(law_of(law), c);
        }
    }
    let got: Vec<u8> = input.iter().map(|&c| enc.encode_log(law_of(law), c)).collect();
    match first_mismatch(&got, &want) {
        None => Ok(()),
        Some((i, g, w)) => {
            Err(format!("{prefix}{kind}{kbit}f{law}.i: word {i}: got {g}, want {w}"))
        }
    }
}

/// Decoder: ADPCM `input` decoded to law `out_law`, compared with `expected`. Homing runs the
/// decoder through `i_ini_<rate>.<home_law>` first, `home_law` being the output law (also for
/// the cross-overs: the decoder's state does not depend on the law, only the homing codes do).
fn check_decoder(
    homing: Option<char>,
    input: &str,
    kbit: u32,
    out_law: char,
    expected: &str,
) -> Result<(), String> {
    let codes = words(input);
    let want = words(expected);
    let mut dec = Decoder::new(rate_of(kbit));
    if let Some(home_law) = homing {
        for c in homing_words(&format!("i_ini_{kbit}.{home_law}")) {
            dec.decode_log(law_of(out_law), c);
        }
    }
    let got: Vec<u8> = codes.iter().map(|&c| dec.decode_log(law_of(out_law), c)).collect();
    match first_mismatch(&got, &want) {
        None => Ok(()),
        Some((i, g, w)) => {
            Err(format!("{input} -> {expected}: word {i}: got {g:#04x}, want {w:#04x}"))
        }
    }
}

fn run_rate(kbit: u32) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut note = |r: Result<(), String>| {
        checked += 1;
        if let Err(e) = r {
            failures.push(e);
        }
    };
    for prefix in ['r', 'h'] {
        for kind in ['n', 'v'] {
            for law in ['a', 'm'] {
                note(check_encoder(prefix, kind, kbit, law));
                let i = format!("{prefix}{kind}{kbit}f{law}.i");
                // Same law out, then the cross-over: A-law codes to µ-law (fx), µ to A (fc).
                let home = |l: char| (prefix == 'h').then_some(l);
                note(check_decoder(
                    home(law),
                    &i,
                    kbit,
                    law,
                    &format!("{prefix}{kind}{kbit}f{law}.o"),
                ));
                let (other, cross) = if law == 'a' { ('m', 'x') } else { ('a', 'c') };
                note(check_decoder(
                    home(other),
                    &i,
                    kbit,
                    other,
                    &format!("{prefix}{kind}{kbit}f{cross}.o"),
                ));
            }
        }
        // Decoder-only input i<rate>: ri/hi<rate>f<law>.o.
        for law in ['a', 'm'] {
            let home = (prefix == 'h').then_some(law);
            note(check_decoder(
                home,
                &format!("i{kbit}"),
                kbit,
                law,
                &format!("{prefix}i{kbit}f{law}.o"),
            ));
        }
    }
    (checked, failures)
}

#[test]
fn every_32kbit_sequence_is_reproduced_word_for_word() {
    let (checked, failures) = run_rate(32);
    assert_eq!(checked, 28, "sequences checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Known mismatches outside the 32 kbit/s requirement. The list may only shrink: an entry that
/// starts passing fails the test so it gets removed.
const KNOWN_FAILURES: &[&str] = &[
    // Homing variant, µ-law codes to A-law output at 16 kbit/s: every other 16 kbit/s sequence
    // (reset and homing, including hn16fa -> hn16fx) matches; cause not found yet.
    "hn16fm.i -> hn16fc.o",
];

#[test]
fn the_other_rates_are_reproduced_too() {
    let mut unexpected = Vec::new();
    let mut known_seen = Vec::new();
    for kbit in [16, 24, 40] {
        let (checked, failures) = run_rate(kbit);
        assert_eq!(checked, 28, "{kbit} kbit/s sequences checked");
        for f in failures {
            match KNOWN_FAILURES.iter().find(|k| f.starts_with(*k)) {
                Some(k) => known_seen.push(*k),
                None => unexpected.push(f),
            }
        }
    }
    assert!(unexpected.is_empty(), "{} failed:\n{}", unexpected.len(), unexpected.join("\n"));
    for k in KNOWN_FAILURES {
        assert!(known_seen.contains(k), "{k} passes now: remove it from KNOWN_FAILURES");
    }
}
