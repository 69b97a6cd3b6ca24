//! MM image bytes → upright greyscale. JPEG goes through `jpeg-decoder` so a large picture can be
//! decoded at 1/2, 1/4 or 1/8 DCT scale when the page needs fewer pixels; PNG, GIF and BMP go
//! through `image`; WBMP is ours. Declared dimensions are checked against [`DecodeLimits`]
//! before any pixel buffer is made.
use std::io::Cursor;

use image::{AnimationDecoder, ImageDecoder};

use super::raster::Grey;

/// Named caps on decoding (decompression bombs are refused by these, before allocation).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecodeLimits {
    /// Pixels one image (one frame) may declare.
    pub max_pixels: u64,
    /// Longest side in pixels.
    pub max_side: u32,
    /// GIF frames looked at (and all kept frames together stay within `max_pixels`).
    pub max_frames: u32,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        // 64 MP covers any phone camera; 16384 px is beyond any handset display.
        DecodeLimits { max_pixels: 64 << 20, max_side: 16_384, max_frames: 64 }
    }
}

/// Container formats recognised by their magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Bmp,
    Wbmp,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
            Format::Wbmp => "WBMP",
        })
    }
}

/// Why an image could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not a JPEG, PNG, GIF, BMP or WBMP image")]
    UnknownFormat,
    #[error(
        "{format} image declares {width}x{height}, over the limit ({max_pixels} pixels, {max_side} per side)"
    )]
    TooLarge { format: Format, width: u64, height: u64, max_pixels: u64, max_side: u32 },
    #[error("{0} image has zero width or height")]
    Empty(Format),
    #[error("{format} data is corrupt: {reason}")]
    Corrupt { format: Format, reason: String },
}

/// A decoded picture: its frames (GIF animations may have several) and what was applied.
#[derive(Debug)]
pub struct Decoded {
    pub format: Format,
    /// Upright frames (EXIF orientation applied), alpha composited on white.
    pub frames: Vec<Grey>,
    /// Pixel size as stored, before any DCT scaling.
    pub source_size: (u32, u32),
    /// EXIF orientation found (1 when none).
    pub orientation: u16,
}

/// Guesses the format from magic bytes; WBMP (no magic) is taken when its header parses.
pub fn sniff(data: &[u8]) -> Option<Format> {
    match data {
        [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
        [0x89, b'P', b'N', b'G', ..] => Some(Format::Png),
        [b'G', b'I', b'F', b'8', ..] => Some(Format::Gif),
        [b'B', b'M', ..] => Some(Format::Bmp),
        _ => wbmp_header(data).map(|_| Format::Wbmp),
    }
}

impl DecodeLimits {
    fn check(&self, format: Format, width: u64, height: u64) -> Result<(), DecodeError> {
        if width == 0 || height == 0 {
            return Err(DecodeError::Empty(format));
        }
        if width > u64::from(self.max_side)
            || height > u64::from(self.max_side)
            || width * height > self.max_pixels
        {
            return Err(DecodeError::TooLarge {
                format,
                width,
                height,
                max_pixels: self.max_pixels,
                max_side: self.max_side,
            });
        }
        Ok(())
    }
}

/// Decodes `data`. `want` is the pixel size (after orientation) the caller will scale to, if
/// known: a JPEG is then decoded at the smallest DCT scale that still gives at least that many
/// pixels. `all_frames` keeps every distinct GIF frame instead of the first.
pub fn decode(
    data: &[u8],
    want: Option<&dyn Fn(u32, u32) -> (u32, u32)>,
    all_frames: bool,
    limits: &DecodeLimits,
) -> Result<Decoded, DecodeError> {
    let format = sniff(data).ok_or(DecodeError::UnknownFormat)?;
    match format {
        Format::Jpeg => decode_jpeg(data, want, limits),
        Format::Wbmp => decode_wbmp(data, limits),
        Format::Gif if all_frames => decode_gif_frames(data, limits),
        _ => decode_with_image(data, format, limits),
    }
}

fn corrupt(format: Format, e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Corrupt { format, reason: e.to_string() }
}

fn decode_jpeg(
    data: &[u8],
    want: Option<&dyn Fn(u32, u32) -> (u32, u32)>,
    limits: &DecodeLimits,
) -> Result<Decoded, DecodeError> {
    let f = Format::Jpeg;
    let mut dec = jpeg_decoder::Decoder::new(Cursor::new(data));
    dec.read_info().map_err(|e| corrupt(f, e))?;
    let info = dec.info().ok_or_else(|| corrupt(f, "no frame header"))?;
    let (sw, sh) = (u32::from(info.width), u32::from(info.height));
    limits.check(f, u64::from(sw), u64::from(sh))?;
    let orientation = orientation_from_jpeg_markers(data).unwrap_or(1);
    let (mut w, mut h) = (sw, sh);
    if let Some(want) = want {
        // The caller sizes for the upright picture; the decoder scales stored pixels.
        let swapped = (5..=8).contains(&orientation);
        let (uw, uh) = if swapped { (sh, sw) } else { (sw, sh) };
        let (tw, th) = want(uw, uh);
        let (tw, th) = if swapped { (th, tw) } else { (tw, th) };
        if tw < sw && th < sh {
            let clamp = |v: u32| u16::try_from(v.max(1)).unwrap_or(u16::MAX);
            let (a, b) = dec.scale(clamp(tw), clamp(th)).map_err(|e| corrupt(f, e))?;
            (w, h) = (u32::from(a), u32::from(b));
        }
    }
    dec.set_max_decoding_buffer_size((limits.max_pixels * 4).try_into().unwrap_or(usize::MAX));
    let px = dec.decode().map_err(|e| corrupt(f, e))?;
    let n = w as usize * h as usize;
    let grey: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => px,
        jpeg_decoder::PixelFormat::L16 => px.chunks_exact(2).map(|c| c[0]).collect(),
        jpeg_decoder::PixelFormat::RGB24 => {
            px.chunks_exact(3).map(|c| luma(c[0], c[1], c[2])).collect()
        }
        // jpeg-decoder hands out Adobe-inverted CMYK as plain CMYK (0 = no ink):
        // R = 255 - C scaled by K, as libjpeg-turbo's djpeg does for Adobe files.
        jpeg_decoder::PixelFormat::CMYK32 => px
            .chunks_exact(4)
            .map(|c| {
                let k = 255 - u32::from(c[3]);
                let ch = |v: u8| ((255 - u32::from(v)) * k / 255) as u8;
                luma(ch(c[0]), ch(c[1]), ch(c[2]))
            })
            .collect(),
    };
    if grey.len() != n {
        return Err(corrupt(f, format_args!("{} samples for {w}x{h}", grey.len())));
    }
    let g = Grey::from_vec(w, h, grey).ok_or(DecodeError::Empty(f))?;
    Ok(Decoded {
        format: f,
        frames: vec![g.orient(orientation)],
        source_size: (sw, sh),
        orientation,
    })
}

/// ITU-R BT.601 luma, integer.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000) as u8
}

/// Composites grey+alpha on white.
fn on_white(l: u8, a: u8) -> u8 {
    ((u32::from(l) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8
}

fn decode_with_image(
    data: &[u8],
    f: Format,
    limits: &DecodeLimits,
) -> Result<Decoded, DecodeError> {
    let reader = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| corrupt(f, e))?;
    let mut img_limits = image::Limits::default();
    img_limits.max_image_width = Some(limits.max_side);
    img_limits.max_image_height = Some(limits.max_side);
    img_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    let mut decoder = reader.into_decoder().map_err(|e| corrupt(f, e))?;
    let (sw, sh) = decoder.dimensions();
    limits.check(f, u64::from(sw), u64::from(sh))?;
    decoder.set_limits(img_limits).map_err(|e| corrupt(f, e))?;
    let orientation = match decoder.orientation() {
        Ok(o) => exif_number(o),
        Err(_) => 1,
    };
    let img = image::DynamicImage::from_decoder(decoder).map_err(|e| corrupt(f, e))?;
    let la = img.to_luma_alpha8();
    let px: Vec<u8> = la.pixels().map(|p| on_white(p.0[0], p.0[1])).collect();
    let g = Grey::from_vec(sw, sh, px).ok_or(DecodeError::Empty(f))?;
    Ok(Decoded {
        format: f,
        frames: vec![g.orient(orientation)],
        source_size: (sw, sh),
        orientation,
    })
}

fn exif_number(o: image::metadata::Orientation) -> u16 {
    use image::metadata::Orientation as O;
    match o {
        O::NoTransforms => 1,
        O::FlipHorizontal => 2,
        O::Rotate180 => 3,
        O::FlipVertical => 4,
        O::Rotate90FlipH => 5,
        O::Rotate90 => 6,
        O::Rotate270FlipH => 7,
        O::Rotate270 => 8,
    }
}

/// Every distinct composited frame of a GIF (identical consecutive frames collapse).
fn decode_gif_frames(data: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    let f = Format::Gif;
    let dec = image::codecs::gif::GifDecoder::new(Cursor::new(data)).map_err(|e| corrupt(f, e))?;
    let (sw, sh) = dec.dimensions();
    limits.check(f, u64::from(sw), u64::from(sh))?;
    let mut frames: Vec<Grey> = Vec::new();
    // Frames are kept while all of them together stay within one image's pixel limit.
    let per_frame = u64::from(sw) * u64::from(sh);
    let fit = (limits.max_pixels / per_frame.max(1)).clamp(1, u64::from(limits.max_frames));
    for frame in dec.into_frames().take(fit as usize) {
        let frame = frame.map_err(|e| corrupt(f, e))?;
        let buf = frame.into_buffer();
        let (w, h) = buf.dimensions();
        let px: Vec<u8> =
            buf.pixels().map(|p| on_white(luma(p.0[0], p.0[1], p.0[2]), p.0[3])).collect();
        let g = Grey::from_vec(w, h, px).ok_or(DecodeError::Empty(f))?;
        if frames.last() != Some(&g) {
            frames.push(g);
        }
    }
    if frames.is_empty() {
        return Err(corrupt(f, "no frames"));
    }
    Ok(Decoded { format: f, frames, source_size: (sw, sh), orientation: 1 })
}

/// WBMP type 0 header: type, fix-header, width, height as multi-byte integers; returns
/// (width, height, header length).
fn wbmp_header(data: &[u8]) -> Option<(u32, u32, usize)> {
    fn mbi(data: &[u8], pos: &mut usize) -> Option<u32> {
        let mut v: u32 = 0;
        for _ in 0..5 {
            let b = *data.get(*pos)?;
            *pos += 1;
            v = v.checked_mul(128)?.checked_add(u32::from(b & 0x7F))?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut pos = 0;
    if mbi(data, &mut pos)? != 0 {
        return None;
    }
    // Fix header field: no extension headers in type 0.
    if *data.get(pos)? != 0 {
        return None;
    }
    pos += 1;
    let w = mbi(data, &mut pos)?;
    let h = mbi(data, &mut pos)?;
    let needed = (w as usize).div_ceil(8).checked_mul(h as usize)?;
    // Without magic bytes, insist the size matches exactly, so random data is not a WBMP.
    (w > 0 && h > 0 && data.len() == pos + needed).then_some((w, h, pos))
}

fn decode_wbmp(data: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    let f = Format::Wbmp;
    let (w, h, pos) = wbmp_header(data).ok_or_else(|| corrupt(f, "bad header"))?;
    limits.check(f, u64::from(w), u64::from(h))?;
    let stride = (w as usize).div_ceil(8);
    let raster = data.get(pos..).ok_or_else(|| corrupt(f, "truncated"))?;
    let mut px = Vec::with_capacity(w as usize * h as usize);
    for row in raster.chunks_exact(stride).take(h as usize) {
        for x in 0..w as usize {
            // WBMP: bit 1 = white.
            let bit = row[x / 8] & (0x80 >> (x % 8));
            px.push(if bit != 0 { 255 } else { 0 });
        }
    }
    let g = Grey::from_vec(w, h, px).ok_or_else(|| corrupt(f, "truncated"))?;
    Ok(Decoded { format: f, frames: vec![g], source_size: (w, h), orientation: 1 })
}

/// Finds the EXIF APP1 segment among a JPEG's markers and reads its orientation.
pub fn orientation_from_jpeg_markers(data: &[u8]) -> Option<u16> {
    let mut pos = 2;
    loop {
        let marker = data.get(pos..pos + 4)?;
        if marker[0] != 0xFF {
            return None;
        }
        let kind = marker[1];
        // Start of scan or image end: no more header segments.
        if kind == 0xDA || kind == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([marker[2], marker[3]]));
        let body = data.get(pos + 4..pos + 2 + len)?;
        if kind == 0xE1 && body.starts_with(b"Exif\0\0") {
            return exif_orientation(body.get(6..)?);
        }
        pos += 2 + len;
    }
}

/// Reads tag 0x0112 (Orientation) from IFD0 of a TIFF-structured EXIF block.
pub fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let be = match tiff.get(..2)? {
        b"II" => false,
        b"MM" => true,
        _ => return None,
    };
    let u16_at = |p: usize| -> Option<u16> {
        let b = tiff.get(p..p + 2)?;
        Some(if be { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) })
    };
    let u32_at = |p: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(p..p + 4)?.try_into().ok()?;
        Some(if be { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = u32_at(4)? as usize;
    let n = usize::from(u16_at(ifd)?);
    for i in 0..n {
        let e = ifd.checked_add(2 + 12 * i)?;
        if u16_at(e)? == 0x0112 {
            let v = u16_at(e + 8)?;
            return (1..=8).contains(&v).then_some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_orientation_both_byte_orders() {
        let mut mm = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        mm.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        assert_eq!(exif_orientation(&mm), Some(6));
        let mut ii = b"II\x2a\0\x08\0\0\0\x01\0".to_vec();
        ii.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0]);
        assert_eq!(exif_orientation(&ii), Some(8));
        assert_eq!(exif_orientation(&ii[..15]), None);
        assert_eq!(exif_orientation(b"MM\0\x2a\xff\xff\xff\xff"), None);
    }

    #[test]
    fn wbmp_and_limits() {
        // 10x2, row bytes 2: first row white, second black.
        let data = [0u8, 0, 10, 2, 0xFF, 0xC0, 0, 0];
        let d = decode(&data, None, false, &DecodeLimits::default()).unwrap();
        assert_eq!(d.format, Format::Wbmp);
        assert_eq!(d.frames[0].get(9, 0), 255);
        assert_eq!(d.frames[0].get(9, 1), 0);
        let tight = DecodeLimits { max_pixels: 10, ..DecodeLimits::default() };
        assert!(matches!(decode(&data, None, false, &tight), Err(DecodeError::TooLarge { .. })));
        assert!(matches!(decode(b"hello", None, false, &tight), Err(DecodeError::UnknownFormat)));
    }
}
