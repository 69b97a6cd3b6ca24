//! AMR-NB (3GPP TS 26.090) in the RFC 4867 §5 storage format (`#!AMR\n`), coded by
//! rvoip-codec-core's fixed-point port of the 3GPP reference (`codec_core`).
//!
//! The container is parsed here rather than by `codec_core::codecs::amr::storage`, because that
//! reader rejects a whole file for one truncated or unknown record: a voice note cut short in
//! transit should still give its decoded prefix, with a warning.
//!
//! Decoding goes through the codec's `VariableRateCodec::decode_frame` so SID and NO_DATA frames
//! take the reference decoder's DTX path (comfort noise), not concealment.

use codec_core::codecs::amr::AmrCodec;
use codec_core::types::{CodecConfig, CodedFrame, FrameKind, VariableRateCodec};

use super::Warning;

/// The storage-format magic number.
pub const MAGIC: &[u8] = b"#!AMR\n";
/// Samples per 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;

/// Speech payload octets per frame type 0..=8 (the 8 speech modes, then SID); FT 15 (NO_DATA)
/// has none, FT 9..=14 are not AMR-NB frames.
const PAYLOAD_OCTETS: [usize; 9] = [12, 13, 15, 17, 19, 20, 26, 31, 5];
const FT_SID: u8 = 8;
const FT_NO_DATA: u8 = 15;

/// Errors of the AMR module.
#[derive(Debug, thiserror::Error)]
pub enum AmrError {
    #[error("not an AMR-NB storage file (no \"#!AMR\\n\" magic{})", if *.wideband { "; AMR-WB is not supported" } else { "" })]
    NotAmr { wideband: bool },
    #[error("AMR frame type {frame_type} at offset {offset} is not an AMR-NB frame")]
    BadFrameType { frame_type: u8, offset: usize },
    #[error("AMR codec failed on frame {frame}: {reason}")]
    Codec { frame: usize, reason: String },
    #[error(
        "AMR mode {0} does not exist (0..=7: 4.75, 5.15, 5.9, 6.7, 7.4, 7.95, 10.2, 12.2 kbit/s)"
    )]
    BadMode(u8),
}

/// One of the eight AMR-NB speech modes, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode(u8);

impl Mode {
    /// 12.2 kbit/s, the highest quality and the usual MMS voice-note mode.
    pub const MR122: Mode = Mode(7);
    /// 4.75 kbit/s.
    pub const MR475: Mode = Mode(0);

    /// The mode with index 0..=7.
    pub fn from_index(index: u8) -> Result<Self, AmrError> {
        if index <= 7 { Ok(Mode(index)) } else { Err(AmrError::BadMode(index)) }
    }

    /// Parses "12.2", "12.2k", "4.75" or an index "0".."7".
    pub fn parse(s: &str) -> Option<Self> {
        const RATES: [&str; 8] = ["4.75", "5.15", "5.9", "6.7", "7.4", "7.95", "10.2", "12.2"];
        let s = s.trim().trim_end_matches(['k', 'K']);
        RATES
            .iter()
            .position(|r| *r == s)
            .map(|i| Mode(i as u8))
            .or_else(|| s.parse::<u8>().ok().filter(|i| *i <= 7).map(Mode))
    }

    /// Frame type index (0..=7).
    pub fn index(self) -> u8 {
        self.0
    }
}

/// What a storage file holds, without decoding it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Frames per frame type 0..=15.
    pub frame_types: [usize; 16],
    /// Total frames (each 20 ms).
    pub frames: usize,
    /// Set when the file stopped at a truncated or unknown record.
    pub truncated_at: Option<usize>,
}

impl Summary {
    /// Duration in samples at 8 kHz.
    pub fn samples(&self) -> u64 {
        self.frames as u64 * FRAME_SAMPLES as u64
    }
}

/// One storage record: frame type, quality bit, payload.
struct Record<'a> {
    frame_type: u8,
    quality_ok: bool,
    payload: &'a [u8],
}

/// Walks the records of a storage file; stops (with `Err(offset)`) at a truncated or unknown one.
fn records(
    bytes: &[u8],
) -> Result<impl Iterator<Item = Result<Record<'_>, (usize, u8)>>, AmrError> {
    let Some(mut rest) = bytes.strip_prefix(MAGIC) else {
        return Err(AmrError::NotAmr { wideband: bytes.starts_with(b"#!AMR-WB\n") });
    };
    let mut offset = MAGIC.len();
    let mut done = false;
    Ok(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let (&header, tail) = rest.split_first()?;
        let frame_type = (header >> 3) & 0xF;
        let len = match frame_type {
            0..=FT_SID => PAYLOAD_OCTETS[usize::from(frame_type)],
            FT_NO_DATA => 0,
            _ => {
                done = true;
                return Some(Err((offset, frame_type)));
            }
        };
        let Some(payload) = tail.get(..len) else {
            done = true;
            return Some(Err((offset, frame_type)));
        };
        rest = &tail[len..];
        offset += 1 + len;
        Some(Ok(Record { frame_type, quality_ok: header & 0x04 != 0, payload }))
    }))
}

/// Counts frames by type.
pub fn summarize(bytes: &[u8]) -> Result<Summary, AmrError> {
    let mut s = Summary::default();
    for r in records(bytes)? {
        match r {
            Ok(r) => {
                s.frame_types[usize::from(r.frame_type)] += 1;
                s.frames += 1;
            }
            Err((offset, _)) => s.truncated_at = Some(offset),
        }
    }
    Ok(s)
}

fn decoder() -> Result<AmrCodec, AmrError> {
    AmrCodec::new(&CodecConfig::amr_nb())
        .map_err(|e| AmrError::Codec { frame: 0, reason: e.to_string() })
}

/// Decodes a storage file to 8 kHz PCM. At most `max_samples` are produced; a truncated or
/// unknown record ends decoding with a warning and the decoded prefix.
pub fn decode(
    bytes: &[u8],
    max_samples: u64,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<i16>, AmrError> {
    let mut codec = decoder()?;
    // At most 13 samples per input byte (4.75 kbit/s), never beyond the limit.
    let capacity =
        bytes.len().saturating_mul(13).min(usize::try_from(max_samples).unwrap_or(usize::MAX));
    let mut pcm = Vec::with_capacity(capacity.min(1 << 24));
    // A gap or SID carries no speech mode of its own: the last one seen stands in.
    let mut last_mode = Mode::MR122.0;
    for (n, r) in records(bytes)?.enumerate() {
        let r = match r {
            Ok(r) => r,
            Err((offset, frame_type)) => {
                warnings.push(Warning::Truncated {
                    what: "AMR",
                    detail: format!("record {n} (frame type {frame_type}) at offset {offset} is truncated or unknown"),
                });
                break;
            }
        };
        if pcm.len() as u64 >= max_samples {
            warnings.push(Warning::LimitReached { what: "AMR", samples: pcm.len() as u64 });
            break;
        }
        let kind = match r.frame_type {
            FT_SID => FrameKind::ComfortNoise,
            FT_NO_DATA => FrameKind::NoData,
            mode => {
                last_mode = mode;
                FrameKind::Speech
            }
        };
        let frame = CodedFrame {
            kind,
            mode: last_mode,
            quality_ok: r.quality_ok,
            data: r.payload.to_vec(),
        };
        let out = codec
            .decode_frame(&frame)
            .map_err(|e| AmrError::Codec { frame: n, reason: e.to_string() })?;
        pcm.extend_from_slice(&out);
    }
    Ok(pcm)
}

/// Encodes 8 kHz PCM to a storage file, padding the last frame with silence. With `dtx`, the
/// reference VAD replaces pauses with SID and NO_DATA frames.
pub fn encode(pcm: &[i16], mode: Mode, dtx: bool) -> Result<Vec<u8>, AmrError> {
    let mut config = CodecConfig::amr_nb();
    config.parameters.amr.mode_set = 1 << mode.0;
    config.parameters.amr.dtx = dtx;
    let mut codec =
        AmrCodec::new(&config).map_err(|e| AmrError::Codec { frame: 0, reason: e.to_string() })?;
    let frames = pcm.len().div_ceil(FRAME_SAMPLES);
    let mut out = Vec::with_capacity(MAGIC.len() + frames * 32);
    out.extend_from_slice(MAGIC);
    let mut block = [0i16; FRAME_SAMPLES];
    for (n, chunk) in pcm.chunks(FRAME_SAMPLES).enumerate() {
        block[..chunk.len()].copy_from_slice(chunk);
        block[chunk.len()..].fill(0);
        let coded = codec
            .encode_frame(&block)
            .map_err(|e| AmrError::Codec { frame: n, reason: e.to_string() })?;
        let frame_type = match coded.kind {
            FrameKind::Speech => coded.mode,
            FrameKind::ComfortNoise => FT_SID,
            FrameKind::NoData | FrameKind::Lost => FT_NO_DATA,
        };
        out.push((frame_type << 3) | 0x04);
        if frame_type != FT_NO_DATA {
            out.extend_from_slice(&coded.data);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_by_rate_and_index() {
        assert_eq!(Mode::parse("12.2"), Some(Mode::MR122));
        assert_eq!(Mode::parse("4.75k"), Some(Mode::MR475));
        assert_eq!(Mode::parse("6"), Some(Mode(6)));
        assert_eq!(Mode::parse("13"), None);
    }

    #[test]
    fn every_mode_round_trips_with_the_right_frame_count() {
        let pcm: Vec<i16> = (0..1000).map(|n| ((n * 37) % 2000) as i16 - 1000).collect();
        for index in 0..=7 {
            let file = encode(&pcm, Mode::from_index(index).unwrap(), false).unwrap();
            let s = summarize(&file).unwrap();
            assert_eq!(s.frames, 7, "mode {index}");
            assert_eq!(s.frame_types[usize::from(index)], 7);
            let mut w = Vec::new();
            assert_eq!(decode(&file, u64::MAX, &mut w).unwrap().len(), 7 * 160);
            assert!(w.is_empty());
        }
    }

    #[test]
    fn truncated_file_gives_prefix_and_warning() {
        let file = encode(&[0; 800], Mode::MR122, false).unwrap();
        let cut = &file[..file.len() - 3];
        let mut w = Vec::new();
        assert_eq!(decode(cut, u64::MAX, &mut w).unwrap().len(), 4 * 160);
        assert_eq!(w.len(), 1);
        assert!(matches!(decode(b"RIFF", u64::MAX, &mut w), Err(AmrError::NotAmr { .. })));
    }
}
