//! Malformed images never panic: truncated files, corrupted bytes, huge declared dimensions
//! (refused by the pixel limits before any pixel buffer exists) and zero sizes.
mod common;

use mm3gw::render::decode::{DecodeError, DecodeLimits, decode};
use mm3gw::render::image_to_fax::{ImageOptions, image_to_pages};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = common::root().join("samples/interop/images");
    let mut out = Vec::new();
    for sub in ["jpeg", "png", "gif", "bmp", "wbmp"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap().flatten() {
            let data = std::fs::read(e.path()).unwrap();
            // The 1600x1200 photo only slows the debug build down; it adds no format.
            if data.len() < 150_000 {
                out.push((format!("{sub}/{}", e.file_name().to_string_lossy()), data));
            }
        }
    }
    assert!(out.len() > 20);
    out
}

#[test]
fn truncated_images_give_errors_not_panics() {
    let limits = DecodeLimits::default();
    for (name, data) in corpus() {
        let n = data.len();
        for cut in [0, 1, 2, 3, 8, 16, 33, 100, n / 4, n / 2, n - n / 10, n - 1] {
            let part = &data[..cut.min(n)];
            let r = std::panic::catch_unwind(|| decode(part, None, true, &limits));
            assert!(r.is_ok(), "{name} cut at {cut} panics");
        }
    }
}

#[test]
fn corrupted_bytes_give_errors_not_panics() {
    let limits = DecodeLimits::default();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for (name, data) in corpus() {
        for round in 0..6 {
            let mut d = data.clone();
            for _ in 0..(1 + round * 3) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Corrupt the header region more often: that is where sizes live.
                let span = if round % 2 == 0 { d.len().min(256) } else { d.len() };
                let i = (state % span as u64) as usize;
                d[i] ^= (state >> 32) as u8 | 1;
            }
            let r = std::panic::catch_unwind(|| decode(&d, None, true, &limits));
            assert!(r.is_ok(), "{name} round {round} panics");
        }
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

/// A PNG header declaring `w`x`h` greyscale, with a tiny IDAT.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], body: &[u8]| {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(body);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(common::root().join("samples/interop/images").join(rel)).unwrap()
}

/// Patches a JPEG's SOF0 height and width.
fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut d = sample("jpeg/baseline.jpg");
    let sof = d.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    d[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    d[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    d
}

fn bmp_declaring(w: i32, h: i32) -> Vec<u8> {
    let mut d = sample("bmp/rgb24.bmp");
    d[18..22].copy_from_slice(&w.to_le_bytes());
    d[22..26].copy_from_slice(&h.to_le_bytes());
    d
}

fn gif_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut d = sample("gif/static.gif");
    d[6..8].copy_from_slice(&w.to_le_bytes());
    d[8..10].copy_from_slice(&h.to_le_bytes());
    // The first image descriptor too (after the global colour table).
    if let Some(p) = d.iter().position(|&b| b == 0x2C) {
        d[p + 5..p + 7].copy_from_slice(&w.to_le_bytes());
        d[p + 7..p + 9].copy_from_slice(&h.to_le_bytes());
    }
    d
}

#[test]
fn huge_declared_dimensions_are_refused_before_decoding() {
    let limits = DecodeLimits::default();
    for (name, data) in [
        ("png", png_declaring(100_000, 100_000)),
        ("png 1x2^31", png_declaring(1, 0x7FFF_FFFF)),
        ("jpeg", jpeg_declaring(65_000, 65_000)),
        ("bmp", bmp_declaring(1_000_000, 1_000_000)),
    ] {
        let started = std::time::Instant::now();
        let r = decode(&data, None, false, &limits);
        assert!(
            matches!(r, Err(DecodeError::TooLarge { .. }) | Err(DecodeError::Corrupt { .. })),
            "{name}: {r:?}"
        );
        // Refused from the header: no time spent on a 10^10-pixel buffer.
        assert!(started.elapsed().as_secs() < 5, "{name}");
    }
    // The limits are what refuses them: the PNG with a sane size parses its header fine.
    assert!(matches!(
        decode(&png_declaring(100_000, 100_000), None, false, &limits),
        Err(DecodeError::TooLarge { width: 100_000, .. })
    ));
    assert!(matches!(
        decode(&jpeg_declaring(65_000, 65_000), None, false, &limits),
        Err(DecodeError::TooLarge { .. })
    ));
    let r = decode(&gif_declaring(65_000, 65_000), None, true, &limits);
    assert!(r.is_err(), "{r:?}");
    // A page-level limit too: a picture that would need more pages than allowed.
    let o = ImageOptions { max_pages: 0, ..ImageOptions::default() };
    assert!(image_to_pages(&sample("png/gray8.png"), &o).is_err());
}

#[test]
fn zero_sizes_are_errors() {
    let limits = DecodeLimits::default();
    for (name, data) in [
        ("png 0x10", png_declaring(0, 10)),
        ("jpeg 0x0", jpeg_declaring(0, 0)),
        ("bmp 0x0", bmp_declaring(0, 0)),
        ("gif 0x0", gif_declaring(0, 0)),
        ("wbmp 0x0", vec![0, 0, 0, 0]),
        ("empty", Vec::new()),
    ] {
        let r = std::panic::catch_unwind(|| decode(&data, None, false, &limits));
        let r = r.unwrap_or_else(|_| panic!("{name} panics"));
        assert!(r.is_err(), "{name}: {r:?}");
    }
}
