//! TIFF-F documents: the TIFF-FX profile they conform to (S, F or none), then decoded and
//! compared page by page — count, size, resolution, compression (the coding the TIFF declares)
//! and every pixel. A re-encoding of the same pages within the same profile (other strips,
//! byte alignment) matches; one lost or changed pixel does not.
use crate::fax::check::{Profile, check};
use crate::fax::tiff_read;
use crate::fax::{Limits, Page};

/// Compares two TIFF documents.
pub fn compare(exp: &[u8], act: &[u8], label: &str, out: &mut Vec<String>) {
    let limits = Limits::default();
    let e = match tiff_read::read(exp, &limits) {
        Ok(p) => p,
        Err(err) => return out.push(format!("{label}: expected TIFF is unreadable: {err}")),
    };
    let a = match tiff_read::read(act, &limits) {
        Ok(p) => p,
        Err(err) => return out.push(format!("{label}: TIFF is unreadable: {err}")),
    };
    let (pe, pa) = (conformance(exp), conformance(act));
    if pe.0 != pa.0 {
        let why = pa.1.map_or(String::new(), |v| format!(" ({v})"));
        out.push(format!("{label}: conforms to Profile {}, expected {}{why}", pa.0, pe.0));
    }
    if e.len() != a.len() {
        out.push(format!("{label}: {} pages, expected {}", a.len(), e.len()));
    }
    for (n, (pe, pa)) in e.iter().zip(&a).enumerate() {
        let page = format!("{label} page {}", n + 1);
        let (se, sa) = ((pe.page.width(), pe.page.height()), (pa.page.width(), pa.page.height()));
        if se != sa {
            out.push(format!("{page}: {}x{} pixels, expected {}x{}", sa.0, sa.1, se.0, se.1));
            continue;
        }
        let res = |r: Option<crate::fax::Resolution>| {
            r.map_or("none".into(), |r| format!("{}x{} dpi", r.x, r.y))
        };
        if pe.info.resolution != pa.info.resolution {
            out.push(format!(
                "{page}: resolution {}, expected {}",
                res(pa.info.resolution),
                res(pe.info.resolution)
            ));
        }
        if pe.info.coding != pa.info.coding {
            out.push(format!(
                "{page}: compression {:?}, expected {:?}",
                pa.info.coding, pe.info.coding
            ));
        }
        let d = differing_pixels(&pe.page, &pa.page);
        if d > 0 {
            out.push(format!("{page}: {d} pixels differ"));
        }
    }
}

/// The strictest TIFF-FX profile a file conforms to, with its first Profile S violation.
fn conformance(data: &[u8]) -> (&'static str, Option<String>) {
    let s = check(data, Profile::S);
    if s.is_empty() {
        return ("S", None);
    }
    let first = s.first().map(ToString::to_string);
    if check(data, Profile::F).is_empty() { ("F", first) } else { ("none", first) }
}

/// Pixels that differ between two pages of the same size (padding bits ignored).
pub fn differing_pixels(a: &Page, b: &Page) -> u64 {
    let w = a.width() as usize;
    let full = w / 8;
    let rest = (w % 8) as u32;
    let mask = if rest == 0 { 0 } else { 0xFFu8 << (8 - rest) };
    let mut n = 0u64;
    for y in 0..a.height().min(b.height()) {
        let (ra, rb) = (a.row(y), b.row(y));
        for (x, y) in ra.iter().zip(rb).take(full) {
            n += u64::from((x ^ y).count_ones());
        }
        if rest > 0
            && let (Some(x), Some(y)) = (ra.get(full), rb.get(full))
        {
            n += u64::from(((x ^ y) & mask).count_ones());
        }
    }
    n
}
