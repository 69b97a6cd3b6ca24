//! WAV, MP3 and AAC (MP4/M4A/3GP) decoding with symphonia, to interleaved 16-bit PCM.
//!
//! Gapless trimming: symphonia removes an MP3's encoder delay and padding (LAME/Xing tag); an
//! MP4's edit list is applied here ([`super::mp4`]), since symphonia 0.5 ignores it.

use std::io::Cursor;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{Limits, Warning, mp4};

/// Errors of the container decoder.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unrecognised or unsupported audio container: {0}")]
    Probe(String),
    #[error("no decodable audio track")]
    NoTrack,
    #[error("audio track has no {0}")]
    MissingParameter(&'static str),
    #[error("{codec}: unsupported codec: {reason}")]
    UnsupportedCodec { codec: String, reason: String },
    #[error("{codec} decoder failed: {reason}")]
    Failed { codec: String, reason: String },
    #[error("decoder crashed on malformed input ({0})")]
    Panicked(String),
    #[error("{what} {value} is over the limit of {limit}")]
    Limit { what: &'static str, value: u64, limit: u64 },
}

/// Decoded audio and what it was.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// Codec short name (`pcm_s16le`, `mp3`, `aac`, …).
    pub codec: String,
    pub rate: u32,
    pub channels: u16,
    /// Interleaved samples.
    pub samples: Vec<i16>,
}

/// Decodes `bytes`, producing at most [`Limits::max_duration_secs`] of audio before stopping
/// with a [`Warning::LimitReached`]. The rate and channel limits are checked on the container's
/// parameters before any decoder is made (a decoder sizes its buffers from them). Corrupt
/// packets are skipped with a warning.
pub fn decode(
    bytes: &[u8],
    extension: Option<&str>,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Decoded, DecodeError> {
    // symphonia's demuxers are third-party code fed untrusted bytes: a panic there must become
    // an error for this one input, not a crashed gateway.
    let run = std::panic::AssertUnwindSafe(|| decode_inner(bytes, extension, limits, warnings));
    match std::panic::catch_unwind(run) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(DecodeError::Panicked(msg))
        }
    }
}

fn decode_inner(
    bytes: &[u8],
    extension: Option<&str>,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Decoded, DecodeError> {
    let mut hint = Hint::new();
    if let Some(ext) = extension {
        hint.with_extension(ext);
    }
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes.to_vec())), Default::default());
    let format_opts = FormatOptions { enable_gapless: true, ..Default::default() };
    let probed = symphonia::default::get_probe()
        .format(&hint, source, &format_opts, &MetadataOptions::default())
        .map_err(|e| DecodeError::Probe(e.to_string()))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or(DecodeError::NoTrack)?
        .clone();
    let limit = |what, value: u64, limit: u64| {
        if value > limit { Err(DecodeError::Limit { what, value, limit }) } else { Ok(()) }
    };
    let params = &track.codec_params;
    limit("sample rate", params.sample_rate.map_or(0, u64::from), u64::from(limits.max_rate))?;
    limit(
        "channel count",
        params.channels.map_or(0, |c| c.count() as u64),
        u64::from(limits.max_channels),
    )?;
    limit(
        "frames per packet",
        params.max_frames_per_packet.unwrap_or(0),
        u64::from(limits.max_rate) * 10,
    )?;
    let max_secs = limits.max_duration_secs;
    let codecs = symphonia::default::get_codecs();
    let codec = codecs
        .get_codec(track.codec_params.codec)
        .map_or_else(|| format!("{:?}", track.codec_params.codec), |d| d.short_name.to_string());
    let mut decoder =
        codecs.make(&track.codec_params, &DecoderOptions::default()).map_err(|e| {
            DecodeError::UnsupportedCodec { codec: codec.clone(), reason: e.to_string() }
        })?;
    let mut rate = track.codec_params.sample_rate.unwrap_or(0);
    let mut channels = track.codec_params.channels.map_or(0, |c| c.count() as u16);

    let mut samples: Vec<i16> = Vec::new();
    let mut buffer: Option<SampleBuffer<i16>> = None;
    let mut skipped = 0usize;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break;
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => {
                warnings.push(Warning::Truncated { what: "container", detail: e.to_string() });
                break;
            }
        };
        if packet.track_id() != track.id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            Err(SymphoniaError::DecodeError(_)) | Err(SymphoniaError::IoError(_)) => {
                skipped += 1;
                continue;
            }
            Err(e) => return Err(DecodeError::Failed { codec, reason: e.to_string() }),
        };
        let spec = *decoded.spec();
        if decoded.frames() == 0 {
            continue;
        }
        limit("sample rate", u64::from(spec.rate), u64::from(limits.max_rate))?;
        limit("channel count", spec.channels.count() as u64, u64::from(limits.max_channels))?;
        rate = spec.rate;
        channels = spec.channels.count() as u16;
        let buf = match &mut buffer {
            Some(b) if b.capacity() >= decoded.capacity() * usize::from(channels) => b,
            _ => buffer.insert(SampleBuffer::<i16>::new(decoded.capacity() as u64, spec)),
        };
        buf.copy_interleaved_ref(decoded);
        samples.extend_from_slice(buf.samples());
        let max_frames = u64::from(max_secs) * u64::from(rate);
        if channels > 0 && samples.len() as u64 / u64::from(channels) > max_frames {
            samples.truncate(max_frames as usize * usize::from(channels));
            warnings.push(Warning::LimitReached { what: "decoder", samples: max_frames });
            break;
        }
    }
    if skipped > 0 {
        warnings.push(Warning::SkippedPackets { count: skipped });
    }
    if rate == 0 {
        return Err(DecodeError::MissingParameter("sample rate"));
    }
    if channels == 0 {
        return Err(DecodeError::MissingParameter("channel count"));
    }
    if mp4::sniff(bytes)
        && let Ok(track) = mp4::audio_track(bytes)
        && let Some((skip, keep)) = track.trim()
        && track.timescale == rate
    {
        let ch = usize::from(channels);
        let start = (skip as usize).saturating_mul(ch).min(samples.len());
        let end = start.saturating_add((keep as usize).saturating_mul(ch)).min(samples.len());
        samples = samples[start..end].to_vec();
    }
    Ok(Decoded { codec, rate, channels, samples })
}
