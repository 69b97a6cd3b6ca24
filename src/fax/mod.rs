//! Fax images: ITU-T T.4 (MH, MR) and T.6 (MMR) coding, TIFF-F (RFC 3949 Profiles S and F)
//! reading and writing, and a profile checker.
//!
//! Sans-IO throughout: everything takes byte slices and returns values or writes to
//! `impl Write`. Layout (shell, variants, tables, container apart):
//! - [`page`]: the bilevel [`Page`] and PBM;
//! - `codes`, `bits`, `line`: code tables, bit reader/writer, the 1-D/2-D line coder shared by
//!   MH/MR and MMR;
//! - [`t4`]: MH/MR streams (EOL framing, fill, tag bits, RTC, resynchronisation);
//! - [`t6`]: MMR streams (EOFB);
//! - [`tiff_read`], [`tiff_write`]: the TIFF container (tolerant reader, strict writer);
//! - [`check`]: Profile S/F conformance of a file.
//!
//! The source for every rule is `spec/t37-fax.md` (the project's fact sheet).

mod bits;
pub mod check;
mod codes;
#[doc(hidden)]
pub mod fuzzing;
pub mod line;
pub mod page;
pub mod t4;
pub mod t6;
pub mod tiff_read;
pub mod tiff_write;

pub use page::{Page, PageError, Resolution};

/// How a page's image data is coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    /// T.4 1-D (TIFF Compression 3, T4Options bit 0 clear).
    Mh,
    /// T.4 2-D (Compression 3, T4Options bit 0 set).
    Mr,
    /// T.6 (Compression 4).
    Mmr,
    /// TIFF Compression 2: MH runs, no EOLs, every row byte-aligned. Read only.
    Rle,
    /// TIFF Compression 1 (bilevel rows as is). Read only.
    Uncompressed,
}

impl std::fmt::Display for Coding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Coding::Mh => "MH (T.4 1-D)",
            Coding::Mr => "MR (T.4 2-D)",
            Coding::Mmr => "MMR (T.6)",
            Coding::Rle => "CCITT RLE (TIFF compression 2)",
            Coding::Uncompressed => "uncompressed",
        })
    }
}

/// Bit order within each byte of a coded stream (TIFF FillOrder).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FillOrder {
    /// FillOrder 1: first bit in the most significant bit (the TIFF default when absent).
    #[default]
    Msb,
    /// FillOrder 2: first bit in the least significant bit (modem order; Profile S).
    Lsb,
}

impl std::fmt::Display for FillOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FillOrder::Msb => "msb (1)",
            FillOrder::Lsb => "lsb (2)",
        })
    }
}

/// Named caps on what a decoder or reader will allocate; every header value is checked against
/// them before any buffer is made. Fuzz targets use tight ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Pixels per row. The widest fax page (A3 at 400 dpi) is 4864.
    pub max_width: u32,
    /// Rows per page. An A3 page at 400 lpi is about 6600; long rolls go beyond.
    pub max_height: u32,
    /// Pages per file.
    pub max_pages: u32,
    /// Bytes in one strip (or one raw stream).
    pub max_strip_bytes: u64,
    /// Pixels in one file, all pages together.
    pub max_total_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_width: 8192,
            max_height: 65_536,
            max_pages: 1000,
            max_strip_bytes: 64 << 20,
            // About 150 A4 fine pages (64 MiB of bitmaps).
            max_total_pixels: 1 << 29,
        }
    }
}

impl Limits {
    /// Refuses a page before anything is allocated for it.
    pub(crate) fn check_page(&self, width: u64, height: u64) -> Result<(), PageError> {
        if width == 0 || height == 0 {
            return Err(PageError::Empty);
        }
        if width > u64::from(self.max_width)
            || height > u64::from(self.max_height)
            || width * height > self.max_total_pixels
        {
            return Err(PageError::TooLarge {
                width,
                height,
                max_width: self.max_width,
                max_height: self.max_height,
                max_pixels: self.max_total_pixels,
            });
        }
        Ok(())
    }
}

/// Widths the spec sheet lists (§1.3 table): Letter/A4, B4, A3 at 200, 300 and 400 dpi.
pub const VALID_WIDTHS: [u32; 9] = [1728, 2048, 2432, 2592, 3072, 3648, 3456, 4096, 4864];
