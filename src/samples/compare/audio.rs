//! Audio parts: decoded to 8 kHz mono (AMR-NB, G.726-32, G.711, WAV, MP3, AAC via
//! `crate::voice`) and compared by duration (±20 ms) and SNR, so a re-encoding of the same
//! speech matches while a cut, a lost second or other speech does not.
use crate::voice;

/// Largest duration difference that still matches.
pub const DURATION_TOLERANCE_S: f64 = 0.020;
/// The lowest signal-to-noise ratio (expected as the signal) at which two recordings are the
/// same: identical codecs give infinity, a re-encoding of the same speech well above 10 dB.
pub const SNR_MIN_DB: f64 = 10.0;

/// Decodes an audio part to its duration and 8 kHz mono samples.
pub fn decode(bytes: &[u8], mime: &str, name: Option<&str>) -> Result<(f64, Vec<i16>), String> {
    let (info, source) = voice::read_part(bytes, mime, name, &voice::Limits::default())
        .map_err(|e| e.to_string())?;
    let pcm = voice::to_8k_mono(&source).map_err(|e| e.to_string())?;
    Ok((info.duration_secs(), pcm))
}

/// Compares two audio parts.
pub fn compare(
    exp: &[u8],
    act: &[u8],
    mime: &str,
    name: Option<&str>,
    label: &str,
    out: &mut Vec<String>,
) {
    if exp == act {
        return;
    }
    let (de, e) = match decode(exp, mime, name) {
        Ok(v) => v,
        Err(err) => return out.push(format!("{label}: expected audio is unreadable: {err}")),
    };
    let (da, a) = match decode(act, mime, name) {
        Ok(v) => v,
        Err(err) => return out.push(format!("{label}: audio is unreadable: {err}")),
    };
    if (da - de).abs() > DURATION_TOLERANCE_S {
        out.push(format!("{label}: duration {da:.3} s, expected {de:.3} s"));
    }
    let s = snr(&e, &a);
    if s < SNR_MIN_DB {
        out.push(format!("{label}: SNR {s:.1} dB, below {SNR_MIN_DB} dB"));
    }
}

/// Signal-to-noise ratio of `b` against `a` over their common length (infinite when equal).
pub fn snr(a: &[i16], b: &[i16]) -> f64 {
    let (mut sig, mut noise) = (0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        sig += f64::from(x).powi(2);
        noise += (f64::from(x) - f64::from(y)).powi(2);
    }
    if noise == 0.0 {
        f64::INFINITY
    } else if sig == 0.0 {
        f64::NEG_INFINITY
    } else {
        10.0 * (sig / noise).log10()
    }
}
