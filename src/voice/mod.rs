//! Voice: the codecs and containers of the voice-mail flows (design.md, "voice/").
//!
//! Everything here is sans-IO: bytes in, bytes or samples out.
//! - [`g726`]: ITU-T G.726 ADPCM, bit-exact; audio/32kadpcm packing (RFC 3802).
//! - [`g711`]: A-law and µ-law.
//! - [`amr`]: AMR-NB in the `#!AMR` storage format (rvoip-codec-core).
//! - [`decode`]: WAV, MP3, AAC via symphonia; [`mp4`]: AMR in 3GP and MP4 edit lists.
//! - [`wav`]: WAV writing; [`resample`]: downmix and band-limited resampling.
//!
//! [`read`] turns any supported input into a [`Source`] plus its [`Info`] (exact duration from
//! sample counts); [`write`] encodes a source into a target [`Format`]. Raw G.711 and G.726
//! stay in their code words between the two, so `.al`/`.ul` ↔ `.32kadpcm` runs G.726's own
//! log-PCM paths (with the synchronous coding adjustment) and a repacking never re-encodes.

pub mod amr;
pub mod decode;
#[doc(hidden)]
pub mod fuzzing;
pub mod g711;
pub mod g726;
pub mod mp4;
pub mod resample;
pub mod wav;

use g711::Law;
use g726::Packing;

/// The telephone rate every voice codec here runs at.
pub const RATE_8K: u32 = 8000;

/// Input and output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// RIFF WAVE (read: any PCM/float/G.711 variant; written as 16-bit PCM).
    Wav,
    /// AMR-NB storage format (`#!AMR\n`).
    Amr,
    /// audio/32kadpcm: raw G.726-32, RFC 3802 nibble order.
    Adpcm32k,
    /// Raw G.726-32 in the AAL2 (ffmpeg `g726`) nibble order.
    G726Aal2,
    /// Raw µ-law, 8 kHz mono.
    ULaw,
    /// Raw A-law, 8 kHz mono.
    ALaw,
    /// Raw signed 16-bit little-endian PCM, 8 kHz mono.
    Pcm,
    /// MP3 (read only).
    Mp3,
    /// MP4/M4A/3GP with AAC or AMR-NB (read only).
    Mp4,
}

impl Format {
    /// Every name accepted by [`Format::from_name`], for messages.
    pub const NAMES: &'static str =
        "wav, amr, 32kadpcm (also 726), g726aal2, ul, al, pcm, mp3, m4a/mp4/3gp";

    /// The format for a file extension or a `--from`/`--to` name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "wav" | "wave" => Format::Wav,
            "amr" => Format::Amr,
            "32kadpcm" | "726" => Format::Adpcm32k,
            "g726aal2" => Format::G726Aal2,
            "ul" | "ulaw" | "mulaw" | "u8" => Format::ULaw,
            "al" | "alaw" => Format::ALaw,
            "pcm" | "s16le" | "raw" => Format::Pcm,
            "mp3" => Format::Mp3,
            "m4a" | "mp4" | "3gp" | "3gpp" | "aac" => Format::Mp4,
            _ => return None,
        })
    }

    /// The format a MIME audio type names, if any (`audio/32kadpcm`, `audio/amr`, …).
    pub fn from_mime(mime: &str) -> Option<Self> {
        Some(match mime.trim().to_ascii_lowercase().as_str() {
            "audio/32kadpcm" => Format::Adpcm32k,
            "audio/basic" | "audio/pcmu" => Format::ULaw,
            "audio/pcma" => Format::ALaw,
            "audio/amr" => Format::Amr,
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Format::Wav,
            "audio/mpeg" | "audio/mp3" => Format::Mp3,
            "audio/mp4" | "audio/aac" | "audio/3gpp" | "audio/m4a" => Format::Mp4,
            _ => return None,
        })
    }

    /// Recognises self-describing containers by their first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WAVE") {
            Some(Format::Wav)
        } else if bytes.starts_with(amr::MAGIC) {
            Some(Format::Amr)
        } else if mp4::sniff(bytes) {
            Some(Format::Mp4)
        } else if bytes.starts_with(b"ID3")
            || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0)
        {
            Some(Format::Mp3)
        } else {
            None
        }
    }

    /// The canonical extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Wav => "wav",
            Format::Amr => "amr",
            Format::Adpcm32k => "32kadpcm",
            Format::G726Aal2 => "g726aal2",
            Format::ULaw => "ul",
            Format::ALaw => "al",
            Format::Pcm => "pcm",
            Format::Mp3 => "mp3",
            Format::Mp4 => "m4a",
        }
    }
}

/// Size and duration limits (named settings; see `Default` for the values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_input_bytes: usize,
    /// Longest audio decoded, in seconds; decoding stops there with a warning.
    pub max_duration_secs: u32,
    /// Most channels accepted.
    pub max_channels: u16,
    /// Highest sample rate accepted, in Hz (the resampler's work grows with the rate).
    pub max_rate: u32,
}

impl Default for Limits {
    fn default() -> Self {
        // A VPIM voice message is "several minutes" (RFC 3801 §4.4.3); 30 min of 44.1 kHz
        // stereo WAV is ~300 MiB, so a 256 MiB input cap and a 30 min duration cap agree.
        Self {
            max_input_bytes: 256 << 20,
            max_duration_secs: 30 * 60,
            max_channels: 8,
            max_rate: 384_000,
        }
    }
}

impl Limits {
    fn max_frames(&self, rate: u32) -> u64 {
        u64::from(self.max_duration_secs) * u64::from(rate)
    }
}

/// Something that did not stop a conversion but that the caller should know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// The input ended early or has garbage at its end; the decoded prefix is kept.
    Truncated { what: &'static str, detail: String },
    /// Decoding stopped at [`Limits::max_duration_secs`].
    LimitReached { what: &'static str, samples: u64 },
    /// Corrupt packets skipped by a decoder.
    SkippedPackets { count: usize },
    /// An odd number of 32kadpcm samples was padded with one silent sample (RFC 3802 §4).
    PaddedOddSample,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Truncated { what, detail } => {
                write!(f, "{what}: {detail}; kept the decoded prefix")
            }
            Warning::LimitReached { what, samples } => {
                write!(
                    f,
                    "{what}: duration limit reached after {samples} samples; the rest is dropped"
                )
            }
            Warning::SkippedPackets { count } => write!(f, "skipped {count} corrupt packet(s)"),
            Warning::PaddedOddSample => write!(f, "odd sample count padded with one silent sample"),
        }
    }
}

/// Errors of the voice pipeline; each wraps the module that failed, or says which limit hit.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("cannot tell the audio format; name it (one of: {})", Format::NAMES)]
    UnknownFormat,
    #[error("input is {bytes} bytes, over the limit of {limit}")]
    InputTooLarge { bytes: usize, limit: usize },
    #[error("{channels} channels, over the limit of {limit}")]
    TooManyChannels { channels: u16, limit: u16 },
    #[error("sample rate {rate} Hz is outside 1..={limit} Hz")]
    BadRate { rate: u32, limit: u32 },
    #[error("cannot write {0:?}: read-only format")]
    ReadOnly(Format),
    #[error("{format:?} input has no audio")]
    Empty { format: Format },
    #[error("MP4 track codec '{0}' is not supported")]
    Mp4Codec(String),
    #[error(transparent)]
    Amr(#[from] amr::AmrError),
    #[error(transparent)]
    Mp4(#[from] mp4::Mp4Error),
    #[error(transparent)]
    Decode(#[from] decode::DecodeError),
    #[error(transparent)]
    Wav(#[from] wav::WavError),
    #[error(transparent)]
    Resample(#[from] resample::ResampleError),
}

/// Linear PCM at any rate and channel count, interleaved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pcm {
    pub rate: u32,
    pub channels: u16,
    pub samples: Vec<i16>,
}

impl Pcm {
    /// Frames (samples per channel).
    pub fn frames(&self) -> u64 {
        (self.samples.len() / usize::from(self.channels.max(1))) as u64
    }
}

/// Decoded input, kept as code words where that avoids a lossy detour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Linear(Pcm),
    /// G.711 code words, 8 kHz mono.
    Log(Law, Vec<u8>),
    /// Unpacked G.726-32 code words (4 bits each), 8 kHz mono.
    Adpcm(Vec<u8>),
}

/// What an input is; `frames / rate` is its exact duration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    pub format: Format,
    /// Codec description, e.g. "G.726-32 (RFC 3802 packing)", "AMR-NB 12.2 kbit/s".
    pub codec: String,
    pub rate: u32,
    pub channels: u16,
    /// Frames (samples per channel).
    pub frames: u64,
}

impl Info {
    /// Exact duration in seconds.
    pub fn duration_secs(&self) -> f64 {
        if self.rate == 0 { 0.0 } else { self.frames as f64 / f64::from(self.rate) }
    }

    /// VPIM Content-Duration: whole seconds, rounded up (RFC 3803; a 0.4 s clip says 1).
    pub fn content_duration(&self) -> u64 {
        if self.rate == 0 { 0 } else { self.frames.div_ceil(u64::from(self.rate)) }
    }
}

/// How to encode.
#[derive(Clone, Debug)]
pub struct Options {
    pub limits: Limits,
    /// AMR-NB mode for `.amr` output.
    pub amr_mode: amr::Mode,
    /// AMR-NB discontinuous transmission (SID/NO_DATA in pauses).
    pub amr_dtx: bool,
    /// Voice-mail level normalisation: scale so the RMS is this many dBFS (peak kept ≤ -1 dBFS).
    pub normalize_dbfs: Option<f64>,
    /// Sample rate of `.wav` output (default: the source's; 8 kHz sources stay 8 kHz).
    pub wav_rate: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            amr_mode: amr::Mode::MR122,
            amr_dtx: false,
            normalize_dbfs: None,
            wav_rate: None,
        }
    }
}

/// How many bytes of a raw 8 kHz stream to read: all, or what `max_samples` need (each sample
/// taking `bytes_per_sample`, 0.5 for G.726-32), with a warning.
fn raw_len(
    bytes: &[u8],
    bytes_per_sample: f64,
    max_samples: u64,
    what: &'static str,
    warnings: &mut Vec<Warning>,
) -> usize {
    let max = (max_samples as f64 * bytes_per_sample) as usize;
    if bytes.len() > max {
        warnings.push(Warning::LimitReached { what, samples: max_samples });
        max
    } else {
        bytes.len()
    }
}

/// Decodes an input of known format.
pub fn read(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<(Info, Source), VoiceError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(VoiceError::InputTooLarge {
            bytes: bytes.len(),
            limit: limits.max_input_bytes,
        });
    }
    let max8k = limits.max_frames(RATE_8K);
    let info8k = |codec: String, frames: usize| Info {
        format,
        codec,
        rate: RATE_8K,
        channels: 1,
        frames: frames as u64,
    };
    Ok(match format {
        Format::ULaw | Format::ALaw => {
            let law = if format == Format::ULaw { Law::Mu } else { Law::A };
            let n = raw_len(bytes, 1.0, max8k, "G.711", warnings);
            let name = if law == Law::Mu { "G.711 µ-law" } else { "G.711 A-law" };
            (info8k(name.into(), n), Source::Log(law, bytes[..n].to_vec()))
        }
        Format::Pcm => {
            let n = raw_len(bytes, 2.0, max8k, "PCM", warnings);
            if n % 2 == 1 {
                warnings.push(Warning::Truncated { what: "PCM", detail: "odd byte count".into() });
            }
            let samples: Vec<i16> =
                bytes[..n].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
            (
                info8k("PCM s16le".into(), samples.len()),
                Source::Linear(Pcm { rate: RATE_8K, channels: 1, samples }),
            )
        }
        Format::Adpcm32k | Format::G726Aal2 => {
            let packing = if format == Format::Adpcm32k { Packing::Rfc3802 } else { Packing::Aal2 };
            let n = raw_len(bytes, 0.5, max8k, "G.726", warnings);
            let codes: Vec<u8> = g726::unpack(&bytes[..n], packing).collect();
            let name = match packing {
                Packing::Rfc3802 => "G.726-32 (audio/32kadpcm, RFC 3802 packing)",
                Packing::Aal2 => "G.726-32 (AAL2 packing)",
            };
            (info8k(name.into(), codes.len()), Source::Adpcm(codes))
        }
        Format::Amr => {
            let summary = amr::summarize(bytes)?;
            let pcm = amr::decode(bytes, max8k, warnings)?;
            let mode = (0..8).rev().find(|&m| summary.frame_types[m] > 0);
            let codec = match mode {
                Some(m) => format!(
                    "AMR-NB {} kbit/s",
                    ["4.75", "5.15", "5.9", "6.7", "7.4", "7.95", "10.2", "12.2"][m]
                ),
                None => "AMR-NB".into(),
            };
            (
                info8k(codec, pcm.len()),
                Source::Linear(Pcm { rate: RATE_8K, channels: 1, samples: pcm }),
            )
        }
        Format::Mp4 => {
            let track = mp4::audio_track(bytes)?;
            if &track.codec == b"samr" {
                let mut storage = amr::MAGIC.to_vec();
                for sample in track.samples(bytes)? {
                    storage.extend_from_slice(sample);
                }
                let (mut info, source) = read(&storage, Format::Amr, limits, warnings)?;
                info.format = Format::Mp4;
                info.codec = format!("{} in 3GP", info.codec);
                (info, source)
            } else if &track.codec == b"mp4a" {
                linear_via_symphonia(bytes, format, Some("m4a"), limits, warnings)?
            } else {
                return Err(VoiceError::Mp4Codec(
                    String::from_utf8_lossy(&track.codec).into_owned(),
                ));
            }
        }
        Format::Wav => {
            let r = linear_via_symphonia(bytes, format, Some("wav"), limits, warnings)?;
            if let Some((declared, present)) = wav_data_shortfall(bytes) {
                warnings.push(Warning::Truncated {
                    what: "WAV",
                    detail: format!("data chunk declares {declared} bytes, {present} present"),
                });
            }
            r
        }
        Format::Mp3 => linear_via_symphonia(bytes, format, Some("mp3"), limits, warnings)?,
    })
}

fn linear_via_symphonia(
    bytes: &[u8],
    format: Format,
    ext: Option<&str>,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<(Info, Source), VoiceError> {
    let d = decode::decode(bytes, ext, limits, warnings)?;
    if d.channels > limits.max_channels {
        return Err(VoiceError::TooManyChannels {
            channels: d.channels,
            limit: limits.max_channels,
        });
    }
    let mut pcm = Pcm { rate: d.rate, channels: d.channels, samples: d.samples };
    // The MP4 edit list can only shorten; this is a backstop for the decoder's own stop.
    let max = limits.max_frames(d.rate);
    if pcm.frames() > max {
        pcm.samples.truncate(max as usize * usize::from(pcm.channels));
    }
    let info = Info {
        format,
        codec: d.codec,
        rate: pcm.rate,
        channels: pcm.channels,
        frames: pcm.frames(),
    };
    Ok((info, Source::Linear(pcm)))
}

/// `(declared, present)` when a WAV file's `data` chunk is cut short (symphonia decodes what is
/// there without saying so). `0xFFFFFFFF` is the streaming writers' "unknown size", not a cut.
fn wav_data_shortfall(bytes: &[u8]) -> Option<(u64, u64)> {
    let mut pos = 12usize;
    while let Some(header) = bytes.get(pos..pos + 8) {
        let size = u64::from(u32::from_le_bytes([header[4], header[5], header[6], header[7]]));
        let present = (bytes.len() - pos - 8) as u64;
        if &header[..4] == b"data" {
            return (size != 0xFFFF_FFFF && size > present).then_some((size, present));
        }
        pos = pos.checked_add(8 + usize::try_from(size + (size & 1)).ok()?)?;
    }
    None
}

/// Finds the format from a name (extension) or, failing that, the content.
pub fn detect(name: Option<&str>, bytes: &[u8]) -> Result<Format, VoiceError> {
    name.and_then(Format::from_name)
        .or_else(|| Format::sniff(bytes))
        .ok_or(VoiceError::UnknownFormat)
}

/// Decodes an audio body part: the format from its MIME type, else its file name's
/// extension, else its content.
pub fn read_part(
    bytes: &[u8],
    mime: &str,
    name: Option<&str>,
    limits: &Limits,
) -> Result<(Info, Source), VoiceError> {
    let format = match Format::from_mime(mime) {
        Some(f) => f,
        None => detect(name.and_then(|n| n.rsplit_once('.')).map(|(_, ext)| ext), bytes)?,
    };
    read(bytes, format, limits, &mut Vec::new())
}

/// Linear 8 kHz mono from any source.
pub fn to_8k_mono(source: &Source) -> Result<Vec<i16>, VoiceError> {
    Ok(match source {
        Source::Log(law, codes) => g711::decode_all(*law, codes),
        Source::Adpcm(codes) => {
            let mut dec = g726::Decoder::new(g726::Rate::Kbit32);
            codes.iter().map(|&c| dec.decode_linear(c)).collect()
        }
        Source::Linear(pcm) => {
            let mono = resample::downmix(&pcm.samples, pcm.channels);
            resample::resample(&mono, pcm.rate, RATE_8K)?
        }
    })
}

/// Scales to an RMS of `target_dbfs`, never pushing the peak above -1 dBFS (voice-mail
/// profiles want comparable loudness across senders).
pub fn normalize(samples: &mut [i16], target_dbfs: f64) {
    if samples.is_empty() {
        return;
    }
    let energy: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    let rms = (energy / samples.len() as f64).sqrt();
    let peak = samples.iter().map(|&s| i32::from(s).abs()).max().unwrap_or(0);
    if rms < 1.0 || peak == 0 {
        return;
    }
    let want = 32768.0 * 10f64.powf(target_dbfs / 20.0);
    let ceiling = 32768.0 * 10f64.powf(-1.0 / 20.0) / f64::from(peak);
    let gain = (want / rms).min(ceiling);
    for s in samples.iter_mut() {
        *s = (f64::from(*s) * gain).round().clamp(-32768.0, 32767.0) as i16;
    }
}

/// The encoded output and its exact length.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub rate: u32,
    pub channels: u16,
    pub frames: u64,
}

impl Encoded {
    pub fn duration_secs(&self) -> f64 {
        self.frames as f64 / f64::from(self.rate)
    }
}

/// Encodes a source into `target`.
pub fn write(
    source: &Source,
    target: Format,
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Result<Encoded, VoiceError> {
    let mono8k = |frames: usize, bytes: Vec<u8>| Encoded {
        bytes,
        rate: RATE_8K,
        channels: 1,
        frames: frames as u64,
    };
    let linear8k = || -> Result<Vec<i16>, VoiceError> {
        let mut pcm = to_8k_mono(source)?;
        if let Some(db) = options.normalize_dbfs {
            normalize(&mut pcm, db);
        }
        Ok(pcm)
    };
    let keep_codes = options.normalize_dbfs.is_none();
    Ok(match target {
        Format::Mp3 | Format::Mp4 => return Err(VoiceError::ReadOnly(target)),
        Format::ULaw | Format::ALaw => {
            let law = if target == Format::ULaw { Law::Mu } else { Law::A };
            let codes = match source {
                Source::Log(l, codes) if *l == law && keep_codes => codes.clone(),
                Source::Adpcm(codes) if keep_codes => {
                    let mut dec = g726::Decoder::new(g726::Rate::Kbit32);
                    codes.iter().map(|&c| dec.decode_log(law, c)).collect()
                }
                _ => g711::encode_all(law, &linear8k()?),
            };
            mono8k(codes.len(), codes)
        }
        Format::Adpcm32k | Format::G726Aal2 => {
            let packing = if target == Format::Adpcm32k { Packing::Rfc3802 } else { Packing::Aal2 };
            let (frames, bytes) = match source {
                Source::Adpcm(codes) if keep_codes => {
                    let mut out = Vec::new();
                    g726::pack(codes, packing, &mut out);
                    (codes.len(), out)
                }
                Source::Log(law, codes) if keep_codes => {
                    (codes.len(), g726::encode_log_32k(*law, codes, packing))
                }
                _ => {
                    let pcm = linear8k()?;
                    (pcm.len(), g726::encode_linear_32k(&pcm, packing))
                }
            };
            if frames % 2 == 1 {
                warnings.push(Warning::PaddedOddSample);
            }
            mono8k(frames + frames % 2, bytes)
        }
        Format::Amr => {
            let pcm = linear8k()?;
            let bytes = amr::encode(&pcm, options.amr_mode, options.amr_dtx)?;
            mono8k(pcm.len().div_ceil(amr::FRAME_SAMPLES) * amr::FRAME_SAMPLES, bytes)
        }
        Format::Pcm => {
            let pcm = linear8k()?;
            mono8k(pcm.len(), pcm.iter().flat_map(|s| s.to_le_bytes()).collect())
        }
        Format::Wav => {
            if let Some(rate) = options.wav_rate.filter(|&r| r == 0 || r > options.limits.max_rate)
            {
                return Err(VoiceError::BadRate { rate, limit: options.limits.max_rate });
            }
            let mut pcm = match (source, options.wav_rate) {
                (Source::Linear(p), None) => p.clone(),
                (Source::Linear(p), Some(rate)) => {
                    let mono = resample::downmix(&p.samples, p.channels);
                    Pcm { rate, channels: 1, samples: resample::resample(&mono, p.rate, rate)? }
                }
                (_, rate) => {
                    let mono = to_8k_mono(source)?;
                    let rate = rate.unwrap_or(RATE_8K);
                    Pcm { rate, channels: 1, samples: resample::resample(&mono, RATE_8K, rate)? }
                }
            };
            if let Some(db) = options.normalize_dbfs {
                normalize(&mut pcm.samples, db);
            }
            let bytes = wav::write_pcm16(&pcm.samples, pcm.rate, pcm.channels)?;
            Encoded { bytes, rate: pcm.rate, channels: pcm.channels, frames: pcm.frames() }
        }
    })
}

/// Reads `bytes` as `from` and writes `to`.
pub fn convert(
    bytes: &[u8],
    from: Format,
    to: Format,
    options: &Options,
) -> Result<(Info, Encoded, Vec<Warning>), VoiceError> {
    let mut warnings = Vec::new();
    let (info, source) = read(bytes, from, &options.limits, &mut warnings)?;
    if info.frames == 0 {
        return Err(VoiceError::Empty { format: from });
    }
    let out = write(&source, to, options, &mut warnings)?;
    Ok((info, out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_content() {
        assert_eq!(Format::from_name("32KADPCM"), Some(Format::Adpcm32k));
        assert_eq!(Format::from_name("g726"), None, "ambiguous packing must be named");
        assert_eq!(Format::sniff(b"#!AMR\n\x3c"), Some(Format::Amr));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WAVEfmt "), Some(Format::Wav));
        assert!(matches!(detect(Some("x"), b"garbage"), Err(VoiceError::UnknownFormat)));
    }

    #[test]
    fn content_duration_rounds_up() {
        let info = |frames| Info {
            format: Format::Pcm,
            codec: String::new(),
            rate: 8000,
            channels: 1,
            frames,
        };
        assert_eq!(info(3200).content_duration(), 1);
        assert_eq!(info(8000).content_duration(), 1);
        assert_eq!(info(8001).content_duration(), 2);
    }

    #[test]
    fn repacking_g726_never_reencodes() {
        let octets: Vec<u8> = (0..=255).collect();
        let (info, out, w) =
            convert(&octets, Format::Adpcm32k, Format::G726Aal2, &Options::default()).unwrap();
        assert_eq!(info.frames, 512);
        assert!(w.is_empty());
        let swapped: Vec<u8> = octets.iter().map(|o| o.rotate_left(4)).collect();
        assert_eq!(out.bytes, swapped);
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits { max_input_bytes: 10, ..Limits::default() };
        let mut w = Vec::new();
        assert!(matches!(
            read(&[0; 11], Format::ULaw, &limits, &mut w),
            Err(VoiceError::InputTooLarge { .. })
        ));
        let limits = Limits { max_duration_secs: 1, ..Limits::default() };
        let (info, _) = read(&[0xFF; 9000], Format::ULaw, &limits, &mut w).unwrap();
        assert_eq!(info.frames, 8000);
        assert!(matches!(w[0], Warning::LimitReached { .. }));
    }

    #[test]
    fn truncated_wav_decodes_its_prefix_with_a_warning() {
        let wav = wav::write_pcm16(&[1000; 800], 8000, 1).unwrap();
        let mut w = Vec::new();
        let (info, _) = read(&wav, Format::Wav, &Limits::default(), &mut w).unwrap();
        assert_eq!((info.frames, w.len()), (800, 0));
        let (info, _) =
            read(&wav[..wav.len() - 100], Format::Wav, &Limits::default(), &mut w).unwrap();
        assert_eq!(info.frames, 750);
        assert!(matches!(&w[..], [Warning::Truncated { what: "WAV", .. }]), "{w:?}");
    }

    #[test]
    fn normalize_hits_target_rms_without_clipping() {
        let mut x: Vec<i16> = (0..8000).map(|n| if n % 2 == 0 { 100 } else { -100 }).collect();
        normalize(&mut x, -20.0);
        assert!((i32::from(x[0]) - 3277).abs() <= 1, "{}", x[0]);
    }
}
