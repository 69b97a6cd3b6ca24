//! Downmix and band-limited sample-rate conversion (rubato's FFT resampler: its anti-aliasing
//! low-pass keeps the 4-8 kHz band of a 16/44.1/48 kHz source out of 8 kHz telephone audio,
//! which naive decimation would fold back as noise).

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Errors of the resampler.
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    #[error("cannot resample {from} Hz to {to} Hz: {reason}")]
    Setup { from: u32, to: u32, reason: String },
    #[error("resampling failed: {0}")]
    Process(String),
}

/// Averages the channels of interleaved 16-bit audio into one (rounding half away from zero).
pub fn downmix(samples: &[i16], channels: u16) -> Vec<i16> {
    let n = usize::from(channels.max(1));
    if n == 1 {
        return samples.to_vec();
    }
    samples
        .chunks_exact(n)
        .map(|frame| {
            let sum: i32 = frame.iter().map(|&s| i32::from(s)).sum();
            let n = n as i32;
            ((sum + if sum >= 0 { n / 2 } else { -(n / 2) }) / n) as i16
        })
        .collect()
}

/// Converts mono 16-bit audio from `from` Hz to `to` Hz. The output has
/// `ceil(len * to / from)` samples and is aligned with the input (the filter delay is removed).
pub fn resample(mono: &[i16], from: u32, to: u32) -> Result<Vec<i16>, ResampleError> {
    if from == to || mono.is_empty() {
        return Ok(mono.to_vec());
    }
    let setup = |reason: String| ResampleError::Setup { from, to, reason };
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, 1024, 1, FixedSync::Both)
        .map_err(|e| setup(e.to_string()))?;
    let input: Vec<f32> = mono.iter().map(|&s| f32::from(s) / 32768.0).collect();
    let out_len = resampler.process_all_needed_output_len(input.len());
    let mut output = vec![0f32; out_len];
    let adapter_in =
        InterleavedSlice::new(&input[..], 1, input.len()).map_err(|e| setup(e.to_string()))?;
    let mut adapter_out =
        InterleavedSlice::new_mut(&mut output[..], 1, out_len).map_err(|e| setup(e.to_string()))?;
    let (_, produced) = resampler
        .process_all_into_buffer(&adapter_in, &mut adapter_out, input.len(), None)
        .map_err(|e| ResampleError::Process(e.to_string()))?;
    let expected = (mono.len() as u64 * u64::from(to)).div_ceil(u64::from(from)) as usize;
    output.truncate(produced.min(expected));
    Ok(output.iter().map(|&s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, rate: u32, secs: f64) -> Vec<i16> {
        let n = (f64::from(rate) * secs) as usize;
        (0..n)
            .map(|i| {
                (10000.0 * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
                    as i16
            })
            .collect()
    }

    fn rms(x: &[i16]) -> f64 {
        (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn passband_is_kept_and_alias_band_removed() {
        let pass = resample(&tone(1000.0, 44100, 1.0), 44100, 8000).unwrap();
        assert_eq!(pass.len(), 8000);
        assert!((rms(&pass[500..7500]) - 7071.0).abs() < 300.0, "{}", rms(&pass));
        // 6 kHz would alias to 2 kHz under naive decimation; band-limited, it vanishes.
        let stop = resample(&tone(6000.0, 44100, 1.0), 44100, 8000).unwrap();
        assert!(rms(&stop[500..7500]) < 100.0, "{}", rms(&stop));
    }

    #[test]
    fn downmix_averages() {
        assert_eq!(downmix(&[100, 200, -3, -4], 2), [150, -4]);
    }
}
