//! WAV writing (hound). Reading goes through symphonia with every other container
//! ([`super::decode`]), which covers PCM 8-32 bit, float, A-law, µ-law and
//! WAVE_FORMAT_EXTENSIBLE with the same code path.

use std::io::Cursor;

/// Errors of the WAV writer.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("cannot write WAV ({rate} Hz, {channels} ch): {source}")]
    Write { rate: u32, channels: u16, source: hound::Error },
}

/// Writes interleaved 16-bit PCM as a canonical RIFF WAVE file.
pub fn write_pcm16(samples: &[i16], rate: u32, channels: u16) -> Result<Vec<u8>, WavError> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let wrap = |source| WavError::Write { rate, channels, source };
    let mut cursor = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    {
        let mut writer = hound::WavWriter::new(&mut cursor, spec).map_err(wrap)?;
        let mut w16 = writer.get_i16_writer(samples.len() as u32);
        for &s in samples {
            w16.write_sample(s);
        }
        w16.flush().map_err(wrap)?;
        writer.finalize().map_err(wrap)?;
    }
    Ok(cursor.into_inner())
}
