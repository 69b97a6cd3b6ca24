//! Pictures (JPEG, PNG, GIF, BMP, WBMP): decoded to greyscale and compared by PSNR, so a
//! re-encoded JPEG of the same picture matches while another picture, crop or size does not.
use crate::render::decode::{DecodeLimits, decode};

/// The lowest peak signal-to-noise ratio (on luminance) at which two pictures are the same.
/// 30 dB keeps ordinary JPEG re-encoding (typically 35–45 dB) and catches visible edits.
pub const PSNR_MIN_DB: f64 = 30.0;

/// Compares two encoded pictures.
pub fn compare(exp: &[u8], act: &[u8], label: &str, out: &mut Vec<String>) {
    if exp == act {
        return;
    }
    let limits = DecodeLimits::default();
    let first =
        |data: &[u8]| decode(data, None, false, &limits).map(|d| d.frames.into_iter().next());
    let e = match first(exp) {
        Ok(Some(g)) => g,
        Ok(None) => return out.push(format!("{label}: expected picture has no frame")),
        Err(err) => return out.push(format!("{label}: expected picture is unreadable: {err}")),
    };
    let a = match first(act) {
        Ok(Some(g)) => g,
        Ok(None) => return out.push(format!("{label}: picture has no frame")),
        Err(err) => return out.push(format!("{label}: picture is unreadable: {err}")),
    };
    if (e.width(), e.height()) != (a.width(), a.height()) {
        return out.push(format!(
            "{label}: {}x{} pixels, expected {}x{}",
            a.width(),
            a.height(),
            e.width(),
            e.height()
        ));
    }
    let p = psnr(e.pixels(), a.pixels());
    if p < PSNR_MIN_DB {
        out.push(format!("{label}: PSNR {p:.1} dB, below {PSNR_MIN_DB} dB"));
    }
}

/// Peak signal-to-noise ratio of two 8-bit planes of the same length (infinite when equal).
pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let n = a.len().min(b.len()).max(1) as f64;
    let se: f64 = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum();
    if se == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64.powi(2) / (se / n)).log10() }
}
