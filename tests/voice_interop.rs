//! Voice interop: our codecs against the third-party tools a gateway meets (ffmpeg, SoX with
//! libopencore-amrnb) and the interop corpus in samples/interop/audio (see its MANIFEST.tsv for
//! how each file was made). Tests that run a tool call `common::require_tool` first: skipped on
//! a developer machine without it, failing under CI.
//!
//! Thresholds, stated once:
//! - G.726 vs ffmpeg: ffmpeg is not bit-exact (NOTES.md), so quality is compared: SNR against
//!   the source of our encoding decoded by ffmpeg, and of ffmpeg's encoding decoded by us, each
//!   at least ffmpeg's own encode→decode SNR minus 0.5 dB.
//! - A G.726 file in the wrong (AAL2) nibble order must score below 3 dB (garbage), the right
//!   one above 15 dB.
//! - AMR-NB, G.711 decode and G.711 encode: exact, sample for sample / byte for byte.

mod common;

use std::path::PathBuf;
use std::process::Command;

use mm3gw::voice::g711::{self, Law};
use mm3gw::voice::g726::{self, Packing};
use mm3gw::voice::{self, Format, Options, amr};

fn corpus(name: &str) -> Vec<u8> {
    let path = common::root().join("samples/interop/audio").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn s16(bytes: &[u8]) -> Vec<i16> {
    bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect()
}

/// The 8 kHz source every encoded corpus file was made from.
fn source() -> Vec<i16> {
    s16(&corpus("speech-8k.s16le"))
}

fn snr_db(reference: &[i16], test: &[i16]) -> f64 {
    let n = reference.len().min(test.len());
    assert!(n > 1000, "too few samples to compare ({n})");
    let (sig, noise) =
        reference[..n].iter().zip(&test[..n]).fold((0.0, 0.0), |(s, e), (&r, &t)| {
            let (r, t) = (f64::from(r), f64::from(t));
            (s + r * r, e + (r - t) * (r - t))
        });
    10.0 * (sig / noise.max(1e-9)).log10()
}

/// A scratch file path unique to this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mm3gw-voice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn run(tool: &str, args: &[&str]) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// SoX decode of `input` (with any input options before it) to raw s16le samples.
fn sox_to_s16(input: &[&str], tag: &str) -> Vec<i16> {
    let out = scratch(&format!("{tag}.sox.s16"));
    let mut args = input.to_vec();
    args.extend_from_slice(&["-t", "raw", "-e", "signed", "-b", "16", "-L", path_str(&out)]);
    run("sox", &args);
    s16(&std::fs::read(&out).unwrap())
}

fn ffmpeg(args: &[&str]) {
    let mut all = vec!["-nostdin", "-hide_banner", "-loglevel", "error", "-y"];
    all.extend_from_slice(args);
    run("ffmpeg", &all);
}

fn path_str(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

// ---------------------------------------------------------------- AMR-NB

#[test]
fn amr_decode_equals_libopencore_sample_for_sample() {
    for name in ["speech.amr-12k2", "speech.amr-4k75", "speech.amr-12k2-dtx"] {
        let mut warnings = Vec::new();
        let ours = amr::decode(&corpus(&format!("{name}.amr")), u64::MAX, &mut warnings).unwrap();
        let reference = s16(&corpus(&format!("ref/{name}.opencore-dec.s16le")));
        assert_eq!(ours.len(), reference.len(), "{name}: length");
        let diff = ours.iter().zip(&reference).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{name}: {diff} samples differ from SoX/libopencore");
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
    }
}

/// Without DTX our encoder writes libopencore's bitstream byte for byte (the corpus files were
/// encoded by GStreamer's amrnbenc, which drops the final partial frame: we pad it instead).
#[test]
fn amr_encode_equals_libopencore_without_dtx() {
    let pcm = source();
    for (mode, name) in
        [(amr::Mode::MR122, "speech.amr-12k2.amr"), (amr::Mode::MR475, "speech.amr-4k75.amr")]
    {
        let ours = amr::encode(&pcm, mode, false).unwrap();
        let theirs = corpus(name);
        assert_eq!(amr::summarize(&ours).unwrap().frames, pcm.len().div_ceil(160));
        assert_eq!(&ours[..theirs.len()], &theirs[..], "{name}: bitstream differs");
    }
}

#[test]
fn our_amr_files_decode_in_sox_and_ffmpeg_with_the_expected_duration() {
    if !common::require_tool("sox", "--version") || !common::require_tool("ffmpeg", "-version") {
        return;
    }
    let pcm = source();
    let frames = pcm.len().div_ceil(160);
    for (mode, dtx) in
        [(amr::Mode::MR122, false), (amr::Mode::MR475, false), (amr::Mode::MR122, true)]
    {
        let file = amr::encode(&pcm, mode, dtx).unwrap();
        let amr_path = scratch(&format!("ours-{}-{dtx}.amr", mode.index()));
        std::fs::write(&amr_path, &file).unwrap();
        let mut w = Vec::new();
        let ours = amr::decode(&file, u64::MAX, &mut w).unwrap();
        assert_eq!(ours.len(), frames * 160);

        let by_sox = sox_to_s16(&[path_str(&amr_path)], &format!("ours-{}-{dtx}", mode.index()));
        // SoX decodes with the reference decoder, as we do: identical samples, hence duration.
        assert_eq!(by_sox.len(), ours.len(), "mode {} dtx {dtx}: SoX duration", mode.index());
        assert_eq!(by_sox, ours, "mode {} dtx {dtx}: SoX decodes differently", mode.index());

        // ffmpeg 5.1 implements no SID frames (NOTES.md), so only non-DTX files are its to read.
        if !dtx {
            let ff_out = scratch(&format!("ours-{}.ff.s16", mode.index()));
            ffmpeg(&[
                "-i",
                path_str(&amr_path),
                "-f",
                "s16le",
                "-ar",
                "8000",
                "-ac",
                "1",
                path_str(&ff_out),
            ]);
            let by_ff = s16(&std::fs::read(&ff_out).unwrap());
            assert_eq!(by_ff.len(), frames * 160, "mode {}: ffmpeg duration", mode.index());
            // ffmpeg's float decoder is not bit-exact; it must still hear the same speech.
            let snr = snr_db(&ours, &by_ff);
            assert!(snr > 15.0, "mode {}: ffmpeg decode only {snr:.1} dB from ours", mode.index());
        }
    }
}

// ---------------------------------------------------------------- G.711

#[test]
fn g711_encode_follows_ffmpeg_on_the_corpus() {
    let pcm = source();
    assert_eq!(g711::encode_all(Law::Mu, &pcm), corpus("speech.ulaw"));
    assert_eq!(g711::encode_all(Law::A, &pcm), corpus("speech.alaw"));
}

#[test]
fn g711_matches_ffmpeg_for_every_input_and_sox_on_decode() {
    if !common::require_tool("ffmpeg", "-version") || !common::require_tool("sox", "--version") {
        return;
    }
    let all: Vec<i16> = (i16::MIN..=i16::MAX).collect();
    let pcm_path = scratch("all.s16");
    std::fs::write(&pcm_path, all.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<_>>())
        .unwrap();
    let codes: Vec<u8> = (0..=255).collect();
    for (law, fmt, sox_enc) in [(Law::Mu, "mulaw", "mu-law"), (Law::A, "alaw", "a-law")] {
        // Encoding: ffmpeg's rule, all 65 536 inputs.
        let enc_path = scratch(&format!("all.{fmt}"));
        ffmpeg(&[
            "-f",
            "s16le",
            "-ar",
            "8000",
            "-ac",
            "1",
            "-i",
            path_str(&pcm_path),
            "-f",
            fmt,
            path_str(&enc_path),
        ]);
        let theirs = std::fs::read(&enc_path).unwrap();
        let ours = g711::encode_all(law, &all);
        let diff = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
        assert_eq!((theirs.len(), diff), (65536, 0), "{fmt}: encoding differs from ffmpeg");

        // Decoding: both tools, all 256 code words.
        let codes_path = scratch(&format!("codes.{fmt}"));
        std::fs::write(&codes_path, &codes).unwrap();
        let ff_dec = scratch(&format!("codes.{fmt}.ff.s16"));
        ffmpeg(&[
            "-f",
            fmt,
            "-ar",
            "8000",
            "-ac",
            "1",
            "-i",
            path_str(&codes_path),
            "-f",
            "s16le",
            path_str(&ff_dec),
        ]);
        let by_sox = sox_to_s16(
            &[
                "-t",
                "raw",
                "-r",
                "8000",
                "-c",
                "1",
                "-e",
                sox_enc,
                "-b",
                "8",
                path_str(&codes_path),
            ],
            &format!("codes.{fmt}"),
        );
        let ours = g711::decode_all(law, &codes);
        assert_eq!(s16(&std::fs::read(&ff_dec).unwrap()), ours, "{fmt}: ffmpeg decode");
        assert_eq!(by_sox, ours, "{fmt}: SoX decode");
    }
}

// ---------------------------------------------------------------- G.726

/// SNR of ffmpeg's decode of a `g726le` file against the source.
fn ffmpeg_g726le_decode(octets: &[u8], tag: &str) -> Vec<i16> {
    let input = scratch(&format!("{tag}.g726"));
    std::fs::write(&input, octets).unwrap();
    let out = scratch(&format!("{tag}.dec.s16"));
    ffmpeg(&[
        "-f",
        "g726le",
        "-code_size",
        "4",
        "-sample_rate",
        "8000",
        "-i",
        path_str(&input),
        "-f",
        "s16le",
        path_str(&out),
    ]);
    s16(&std::fs::read(&out).unwrap())
}

#[test]
fn g726_quality_matches_ffmpeg_both_ways() {
    if !common::require_tool("ffmpeg", "-version") {
        return;
    }
    let src = source();
    // ffmpeg's own encode -> decode of the source.
    let wav = common::root().join("samples/interop/audio/speech-8k.wav");
    let ff_file = scratch("ff.g726le");
    ffmpeg(&[
        "-i",
        wav.to_str().unwrap(),
        "-c:a",
        "g726le",
        "-b:a",
        "32k",
        "-f",
        "g726le",
        path_str(&ff_file),
    ]);
    let ff_octets = std::fs::read(&ff_file).unwrap();
    let baseline = snr_db(&src, &ffmpeg_g726le_decode(&ff_octets, "ff"));

    let ours = g726::encode_linear_32k(&src, Packing::Rfc3802);
    let ours_by_ff = snr_db(&src, &ffmpeg_g726le_decode(&ours, "ours"));
    let theirs_by_us = snr_db(&src, &g726::decode_linear_32k(&ff_octets, Packing::Rfc3802));
    let corpus_by_us = snr_db(
        &src,
        &g726::decode_linear_32k(&corpus("speech.g726-32k-le.g726"), Packing::Rfc3802),
    );
    eprintln!(
        "G.726 SNR: ffmpeg->ffmpeg {baseline:.2} dB, ours->ffmpeg {ours_by_ff:.2}, ffmpeg->ours {theirs_by_us:.2}, corpus->ours {corpus_by_us:.2}"
    );
    assert!(baseline > 15.0, "ffmpeg baseline {baseline:.2} dB is implausible");
    assert!(
        ours_by_ff >= baseline - 0.5,
        "our encoding, ffmpeg decode: {ours_by_ff:.2} dB vs {baseline:.2}"
    );
    assert!(
        theirs_by_us >= baseline - 0.5,
        "ffmpeg encoding, our decode: {theirs_by_us:.2} dB vs {baseline:.2}"
    );
    assert!(corpus_by_us >= baseline - 0.5, "corpus -le file, our decode: {corpus_by_us:.2} dB");
}

/// The packing can never silently flip: the AAL2-order file read as audio/32kadpcm is noise,
/// and read as what it is, speech.
#[test]
fn g726_wrong_packing_is_garbage() {
    let src = source();
    let be = corpus("speech.g726-32k-be.g726");
    let wrong = snr_db(&src, &g726::decode_linear_32k(&be, Packing::Rfc3802));
    let right = snr_db(&src, &g726::decode_linear_32k(&be, Packing::Aal2));
    assert!(wrong < 3.0, "AAL2 file read as RFC 3802: {wrong:.2} dB, should be garbage");
    assert!(right > 15.0, "AAL2 file read as AAL2: {right:.2} dB");
    // And through the format layer: the .g726aal2 reader, repacked to 32kadpcm, is the -le file.
    let (_, out, _) =
        voice::convert(&be, Format::G726Aal2, Format::Adpcm32k, &Options::default()).unwrap();
    assert_eq!(out.bytes, corpus("speech.g726-32k-le.g726"));
}

/// A second, independent decoder: SoX's Sun G.721 code reads .au encoding 23 LSB-nibble first.
#[test]
fn g726_our_stream_decodes_in_sox_as_g721() {
    if !common::require_tool("sox", "--version") {
        return;
    }
    let src = source();
    let mut au = b".snd\x00\x00\x00\x1c\xff\xff\xff\xff\x00\x00\x00\x17\x00\x00\x1f\x40\x00\x00\x00\x01\x00\x00\x00\x00".to_vec();
    au.extend(g726::encode_linear_32k(&src, Packing::Rfc3802));
    let au_path = scratch("ours.au");
    std::fs::write(&au_path, &au).unwrap();
    let snr = snr_db(&src, &sox_to_s16(&[path_str(&au_path)], "ours.au"));
    assert!(snr > 18.0, "SoX G.721 decode of our stream: {snr:.2} dB");
}

// ---------------------------------------------------------------- every corpus file

#[test]
fn every_corpus_file_converts_to_32kadpcm_and_amr_with_the_right_duration() {
    const SOURCE_SECS: f64 = 57999.0 / 8000.0;
    let manifest = String::from_utf8(corpus("MANIFEST.tsv")).unwrap();
    let mut converted = 0;
    for line in manifest.lines().skip(1) {
        let path = line.split('\t').next().unwrap();
        let Some(name) = path.strip_prefix("audio/").filter(|n| !n.starts_with("ref/")) else {
            continue;
        };
        let ext = name.rsplit('.').next().unwrap();
        let from = match ext {
            "s16le" => Format::Pcm,
            "ulaw" => Format::ULaw,
            "alaw" => Format::ALaw,
            "g726" if name.contains("-be") => Format::G726Aal2,
            "g726" => Format::Adpcm32k,
            other => Format::from_name(other).unwrap_or_else(|| panic!("{name}: no format")),
        };
        let bytes = corpus(name);
        for to in [Format::Adpcm32k, Format::Amr] {
            let (info, out, warnings) =
                voice::convert(&bytes, from, to, &Options::default()).unwrap();
            assert!(
                warnings.iter().all(|w| *w == voice::Warning::PaddedOddSample),
                "{name}: {warnings:?}"
            );
            // The corpus AMR files hold 362 whole frames of the 7.25 s source (7.24 s).
            for (what, secs) in [("input", info.duration_secs()), ("output", out.duration_secs())] {
                assert!(
                    (secs - SOURCE_SECS).abs() <= 0.020,
                    "{name} -> {to:?}: {what} lasts {secs:.3} s"
                );
            }
            let mut w = Vec::new();
            let (back, _) = voice::read(&out.bytes, to, &Default::default(), &mut w).unwrap();
            assert_eq!(back.frames, out.frames, "{name} -> {to:?}: written length");
            converted += 1;
        }
    }
    assert_eq!(converted, 2 * 19, "corpus files converted");
}

/// Exact durations, not estimates: MP3 gapless trimming and the MP4 edit list give the source's
/// sample count (ffprobe agrees: 7.250 s; the 3GP holds 362 whole AMR frames).
#[test]
fn container_durations_are_exact() {
    for (name, format, rate, frames) in [
        ("speech.mp3", Format::Mp3, 44100, 319_720),
        ("speech.m4a", Format::Mp4, 44100, 319_725),
        ("speech.amr-12k2.3gp", Format::Mp4, 8000, 57_920),
        ("speech-44k-stereo.wav", Format::Wav, 44100, 319_720),
        ("speech-8k-s24.wav", Format::Wav, 8000, 57_999),
    ] {
        let mut w = Vec::new();
        let (info, _) = voice::read(&corpus(name), format, &Default::default(), &mut w).unwrap();
        assert_eq!((info.rate, info.frames), (rate, frames), "{name}");
        assert!(w.is_empty(), "{name}: {w:?}");
    }
}

/// Downmix and band-limited resampling line up with the 8 kHz source that SoX made from the
/// same speech (different filters, so not exact): SNR at least 20 dB from 44.1 kHz stereo,
/// 30 dB from 16 kHz, 15 dB through the MP3 and AAC codecs.
#[test]
fn resampled_inputs_match_the_8k_source() {
    let src = source();
    for (name, format, min_db) in [
        ("speech-44k-stereo.wav", Format::Wav, 20.0),
        ("speech-16k.wav", Format::Wav, 30.0),
        ("speech.mp3", Format::Mp3, 15.0),
        ("speech.m4a", Format::Mp4, 15.0),
    ] {
        let mut w = Vec::new();
        let (_, source) = voice::read(&corpus(name), format, &Default::default(), &mut w).unwrap();
        let pcm = voice::to_8k_mono(&source).unwrap();
        assert!(pcm.len().abs_diff(src.len()) <= 1, "{name}: {} samples", pcm.len());
        let snr = snr_db(&src, &pcm);
        assert!(snr >= min_db, "{name}: {snr:.1} dB against the 8 kHz source");
    }
}
