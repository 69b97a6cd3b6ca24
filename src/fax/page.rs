//! The bilevel page every codec and container shares, and PBM (raw P4) in and out.
use std::io::{self, Write};

use super::Limits;

/// Pixel density in dots per inch, as written in X/YResolution with ResolutionUnit inch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Resolution {
    pub x: u16,
    pub y: u16,
}

impl Resolution {
    /// 3.85 lines/mm, "standard" (spec sheet §2).
    pub const STANDARD: Resolution = Resolution { x: 204, y: 98 };
    /// 7.7 lines/mm, "fine".
    pub const FINE: Resolution = Resolution { x: 204, y: 196 };
    /// 15.4 lines/mm, "superfine" (Profile F only).
    pub const SUPERFINE: Resolution = Resolution { x: 204, y: 391 };
}

impl std::fmt::Display for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{} dpi", self.x, self.y)
    }
}

/// A bilevel page: rows packed MSB first, 1 = black, each row padded to a whole byte (the PBM
/// layout, so PBM output is a header plus `data`).
#[derive(Clone, PartialEq, Eq)]
pub struct Page {
    width: u32,
    height: u32,
    stride: usize,
    data: Vec<u8>,
    /// `None` when the source does not say (PBM, raw G3).
    pub resolution: Option<Resolution>,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Page({}x{}, {:?})", self.width, self.height, self.resolution)
    }
}

/// Why a page could not be made or read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    #[error(
        "page {width}x{height} exceeds the limits (max {max_width}x{max_height}, {max_pixels} pixels)"
    )]
    TooLarge { width: u64, height: u64, max_width: u32, max_height: u32, max_pixels: u64 },
    #[error("page has zero width or height")]
    Empty,
    #[error("not a raw PBM (P4) file: {0}")]
    NotPbm(&'static str),
    #[error("PBM data has {found} bytes, {width}x{height} needs {needed}")]
    PbmTruncated { width: u32, height: u32, needed: usize, found: usize },
    #[error("rows have {found} bytes, {width}x{height} needs {needed}")]
    WrongSize { width: u32, height: u32, needed: usize, found: usize },
}

impl Page {
    /// An all-white page, refused before allocating when it breaks `limits`.
    pub fn new(width: u32, height: u32, limits: &Limits) -> Result<Page, PageError> {
        limits.check_page(u64::from(width), u64::from(height))?;
        let stride = width.div_ceil(8) as usize;
        Ok(Page {
            width,
            height,
            stride,
            data: vec![0; stride * height as usize],
            resolution: None,
        })
    }

    /// Wraps packed rows (MSB first, 1 = black, rows padded to a byte).
    pub fn from_rows(width: u32, height: u32, data: Vec<u8>) -> Result<Page, PageError> {
        if width == 0 || height == 0 {
            return Err(PageError::Empty);
        }
        let stride = width.div_ceil(8) as usize;
        let needed = stride * height as usize;
        if data.len() != needed {
            return Err(PageError::WrongSize { width, height, needed, found: data.len() });
        }
        let mut p = Page { width, height, stride, data, resolution: None };
        p.clear_padding();
        Ok(p)
    }

    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.stride
    }
    /// All rows, packed.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    pub fn row(&self, y: u32) -> &[u8] {
        let start = y as usize * self.stride;
        &self.data[start..start + self.stride]
    }
    pub(crate) fn data_mut(&mut self) -> &mut Vec<u8> {
        &mut self.data
    }
    /// Whether pixel (x, y) is black.
    pub fn pixel(&self, x: u32, y: u32) -> bool {
        let b = self.row(y)[x as usize / 8];
        b & (0x80 >> (x % 8)) != 0
    }

    /// Inverts every pixel (Photometric 1 = min-is-black pages).
    pub(crate) fn invert(&mut self) {
        for b in &mut self.data {
            *b = !*b;
        }
        self.clear_padding();
    }

    /// Drops rows past `height` (pages shorter than their header said).
    pub(crate) fn truncate(&mut self, height: u32) {
        self.height = self.height.min(height);
        self.data.truncate(self.stride * self.height as usize);
    }

    fn clear_padding(&mut self) {
        let used = self.width % 8;
        if used == 0 {
            return;
        }
        let mask = !(0xFFu8 >> used);
        for row in self.data.chunks_exact_mut(self.stride) {
            if let Some(last) = row.last_mut() {
                *last &= mask;
            }
        }
    }

    /// Parses a raw PBM (P4) image, the one format `fax decode` writes and `fax encode` reads.
    pub fn from_pbm(bytes: &[u8], limits: &Limits) -> Result<Page, PageError> {
        let mut p = PbmHeader { bytes, pos: 0 };
        if bytes.get(..2) != Some(b"P4") {
            return Err(PageError::NotPbm("missing P4 magic"));
        }
        p.pos = 2;
        let width = p.number()?;
        let height = p.number()?;
        // Exactly one whitespace byte separates the header from the raster.
        if !bytes.get(p.pos).is_some_and(u8::is_ascii_whitespace) {
            return Err(PageError::NotPbm("no whitespace after the height"));
        }
        let raster = &bytes[p.pos + 1..];
        limits.check_page(width, height)?;
        let (width, height) = (width as u32, height as u32);
        let stride = width.div_ceil(8) as usize;
        let needed = stride * height as usize;
        if raster.len() < needed {
            return Err(PageError::PbmTruncated { width, height, needed, found: raster.len() });
        }
        Page::from_rows(width, height, raster[..needed].to_vec())
    }

    /// Writes the page as raw PBM (P4); returns the bytes written.
    pub fn write_pbm(&self, mut out: impl Write) -> io::Result<usize> {
        let header = format!("P4\n{} {}\n", self.width, self.height);
        out.write_all(header.as_bytes())?;
        out.write_all(&self.data)?;
        out.flush()?;
        Ok(header.len() + self.data.len())
    }

    pub fn to_pbm(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.data.len() + 20);
        // Writing to a Vec cannot fail.
        let _ = self.write_pbm(&mut v);
        v
    }
}

struct PbmHeader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl PbmHeader<'_> {
    /// Skips whitespace and `#` comments, then reads a decimal number.
    fn number(&mut self) -> Result<u64, PageError> {
        loop {
            match self.bytes.get(self.pos) {
                Some(c) if c.is_ascii_whitespace() => self.pos += 1,
                Some(b'#') => {
                    while self.bytes.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                Some(c) if c.is_ascii_digit() => break,
                _ => return Err(PageError::NotPbm("bad header")),
            }
        }
        let mut v: u64 = 0;
        while let Some(c) = self.bytes.get(self.pos).filter(|c| c.is_ascii_digit()) {
            v = v.saturating_mul(10).saturating_add(u64::from(c - b'0'));
            self.pos += 1;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbm_round_trip_and_padding() {
        let l = Limits::default();
        let p = Page::from_pbm(b"P4\n# c\n10 2\n\xff\xff\x00\x40", &l).unwrap();
        assert_eq!((p.width(), p.height()), (10, 2));
        assert_eq!(p.data(), &[0xff, 0xc0, 0x00, 0x40]);
        assert!(p.pixel(9, 0) && !p.pixel(1, 1) && p.pixel(9, 1));
        assert_eq!(Page::from_pbm(&p.to_pbm(), &l).unwrap(), p);
    }

    #[test]
    fn pbm_errors() {
        let l = Limits::default();
        assert!(matches!(Page::from_pbm(b"P1\n1 1\n0", &l), Err(PageError::NotPbm(_))));
        assert!(matches!(Page::from_pbm(b"P4\n16 2\n\0", &l), Err(PageError::PbmTruncated { .. })));
        assert!(matches!(Page::from_pbm(b"P4\n0 2\n", &l), Err(PageError::Empty)));
        assert!(matches!(
            Page::from_pbm(b"P4\n1728 1000000000\n", &l),
            Err(PageError::TooLarge { .. })
        ));
    }
}
