//! `mm3gw audio` end to end: the ITU-T G.726 sequences through the command line (the `.al`/`.ul`
//! ↔ `.32kadpcm` conversions run the standard's log-PCM paths), `audio info`, and errors.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn mm3gw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mm3gw")).args(args).output().expect("run mm3gw")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm3gw-voice-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// An ITU sequence file (16-bit words) as one byte per word.
fn itu(name: &str) -> Vec<u8> {
    let bytes =
        std::fs::read(common::root().join("samples/interop/g726-itu").join(name)).expect(name);
    bytes.chunks_exact(2).map(|w| w[0]).collect()
}

/// audio/32kadpcm octets of 4-bit code words.
fn packed(codes: &[u8]) -> Vec<u8> {
    codes.chunks(2).map(|p| (p[1] << 4) | p[0]).collect()
}

#[test]
fn itu_sequences_round_trip_through_the_cli() {
    for (law, ext) in [('a', "al"), ('m', "ul")] {
        let pcm = scratch(&format!("nrm.{ext}"));
        std::fs::write(&pcm, itu(&format!("nrm.{law}"))).unwrap();
        let adpcm = scratch(&format!("nrm-{law}.32kadpcm"));
        let out =
            mm3gw(&["audio", "convert", pcm.to_str().unwrap(), "-o", adpcm.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            std::fs::read(&adpcm).unwrap(),
            packed(&itu(&format!("rn32f{law}.i"))),
            "encoder, {ext}"
        );

        // Decoder: the reference code words back to the same law (with SYNC) ...
        let codes = scratch(&format!("rn32f{law}.32kadpcm"));
        std::fs::write(&codes, packed(&itu(&format!("rn32f{law}.i")))).unwrap();
        let back = scratch(&format!("rn32f{law}.{ext}"));
        let out =
            mm3gw(&["audio", "convert", codes.to_str().unwrap(), "-o", back.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read(&back).unwrap(), itu(&format!("rn32f{law}.o")), "decoder, {ext}");

        // ... and to the other law (the cross-over sequences), format named explicitly.
        let (other, cross) = if law == 'a' { ("ul", 'x') } else { ("al", 'c') };
        let crossed = scratch(&format!("rn32f{law}.cross"));
        let out = mm3gw(&[
            "audio",
            "convert",
            codes.to_str().unwrap(),
            "-o",
            crossed.to_str().unwrap(),
            "--to",
            other,
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            std::fs::read(&crossed).unwrap(),
            itu(&format!("rn32f{cross}.o")),
            "cross-over to {other}"
        );
    }
}

#[test]
fn info_prints_codec_rate_channels_and_duration() {
    let amr = common::root().join("samples/interop/audio/speech.amr-12k2.amr");
    let out = mm3gw(&["audio", "info", amr.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "codec: AMR-NB 12.2 kbit/s\nrate: 8000 Hz\nchannels: 1\nduration: 7.240 s (57920 samples)\n"
    );
}

#[test]
fn bad_input_fails_cleanly() {
    let garbage = scratch("garbage.amr");
    std::fs::write(&garbage, b"#!AMR\n\x74\x00").unwrap();
    let out = mm3gw(&[
        "audio",
        "convert",
        garbage.to_str().unwrap(),
        "-o",
        scratch("x.wav").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no audio"));

    let unknown = scratch("noise.bin");
    std::fs::write(&unknown, [1u8, 2, 3]).unwrap();
    let out = mm3gw(&["audio", "info", unknown.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));

    // A truncated AMR file converts its whole frames and warns.
    let amr =
        std::fs::read(common::root().join("samples/interop/audio/speech.amr-4k75.amr")).unwrap();
    let cut = scratch("cut.amr");
    std::fs::write(&cut, &amr[..amr.len() - 5]).unwrap();
    let out = mm3gw(&[
        "audio",
        "convert",
        cut.to_str().unwrap(),
        "-o",
        scratch("cut.pcm").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    assert_eq!(std::fs::metadata(scratch("cut.pcm")).unwrap().len(), 361 * 160 * 2);
}
