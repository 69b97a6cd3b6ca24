//! Entry points shared by the cargo-fuzz targets (`fuzz/fuzz_targets/voice_*.rs`) and the
//! crasher replay test (`tests/voice_fuzz_regressions.rs`), so both drive the same code with the
//! same tight limits. Each must return normally for every input: errors are fine, panics not.

use super::{Format, Limits, Options, g711, g726, read, write};

fn limits() -> Limits {
    Limits { max_input_bytes: 1 << 20, max_duration_secs: 5, max_channels: 8, max_rate: 192_000 }
}

fn read_and_reencode(data: &[u8], format: Format) {
    let mut warnings = Vec::new();
    if let Ok((info, source)) = read(data, format, &limits(), &mut warnings) {
        assert!(info.frames <= u64::from(limits().max_duration_secs) * u64::from(info.rate.max(1)));
        let options = Options { limits: limits(), ..Options::default() };
        for target in [Format::Adpcm32k, Format::ULaw] {
            let _ = write(&source, target, &options, &mut warnings);
        }
    }
}

/// WAV (and the other symphonia containers, which share the probe).
pub fn wav(data: &[u8]) {
    read_and_reencode(data, Format::Wav);
    if let Some(format) = Format::sniff(data) {
        let mut warnings = Vec::new();
        let _ = read(data, format, &limits(), &mut warnings);
    }
}

/// AMR storage files, and 3GP files (AMR samples out of our MP4 box reader).
pub fn amr(data: &[u8]) {
    read_and_reencode(data, Format::Amr);
    let mut warnings = Vec::new();
    let _ = read(data, Format::Mp4, &limits(), &mut warnings);
    // The same bytes behind a valid magic reach the frame parser.
    let mut file = super::amr::MAGIC.to_vec();
    file.extend_from_slice(data);
    let _ = read(&file, Format::Amr, &limits(), &mut warnings);
}

/// G.726 in both packings and every rate, to linear and log PCM; and the bytes as PCM into the
/// encoder.
pub fn g726(data: &[u8]) {
    read_and_reencode(data, Format::Adpcm32k);
    read_and_reencode(data, Format::G726Aal2);
    for rate in [g726::Rate::Kbit16, g726::Rate::Kbit24, g726::Rate::Kbit32, g726::Rate::Kbit40] {
        let mut dec = g726::Decoder::new(rate);
        let mut enc = g726::Encoder::new(rate);
        for (i, &b) in data.iter().enumerate().take(1 << 16) {
            dec.decode_log(if i % 2 == 0 { g711::Law::A } else { g711::Law::Mu }, b);
            let s = dec.decode_linear(b >> 3);
            enc.encode_linear(s ^ i16::from(b));
            enc.encode_log(g711::Law::Mu, b);
        }
    }
}
