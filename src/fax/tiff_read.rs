//! Tolerant TIFF reader for fax pages (RFC 3949 §2.1.3; RFC 3249 §5.2): either byte order, IFDs
//! and strips anywhere, several strips, FillOrder 1 or 2, T4Options absent, SHORT or LONG.
//! Every offset and count is bounds-checked against the file and the [`Limits`] before use.
//!
//! The `tiff` crate is not used: it decodes only G4, and the checker needs the raw IFD layout
//! (offsets, order, types) that it hides.
use std::borrow::Cow;
use std::collections::HashSet;

use super::t4::{self, T4Params};
use super::t6::{self, T6Error};
use super::{Coding, FillOrder, Limits, Page, PageError, Resolution, bits::reverse_bits};

/// TIFF tag numbers used by fax files.
pub mod tag {
    pub const NEW_SUBFILE_TYPE: u16 = 254;
    pub const IMAGE_WIDTH: u16 = 256;
    pub const IMAGE_LENGTH: u16 = 257;
    pub const BITS_PER_SAMPLE: u16 = 258;
    pub const COMPRESSION: u16 = 259;
    pub const PHOTOMETRIC: u16 = 262;
    pub const FILL_ORDER: u16 = 266;
    pub const DOCUMENT_NAME: u16 = 269;
    pub const IMAGE_DESCRIPTION: u16 = 270;
    pub const STRIP_OFFSETS: u16 = 273;
    pub const ORIENTATION: u16 = 274;
    pub const SAMPLES_PER_PIXEL: u16 = 277;
    pub const ROWS_PER_STRIP: u16 = 278;
    pub const STRIP_BYTE_COUNTS: u16 = 279;
    pub const X_RESOLUTION: u16 = 282;
    pub const Y_RESOLUTION: u16 = 283;
    pub const T4_OPTIONS: u16 = 292;
    pub const T6_OPTIONS: u16 = 293;
    pub const RESOLUTION_UNIT: u16 = 296;
    pub const PAGE_NUMBER: u16 = 297;
    pub const SOFTWARE: u16 = 305;
    pub const DATE_TIME: u16 = 306;
    pub const GLOBAL_PARAMETERS_IFD: u16 = 400;
    pub const BAD_FAX_LINES: u16 = 326;
    pub const CLEAN_FAX_DATA: u16 = 327;
    pub const CONSECUTIVE_BAD_FAX_LINES: u16 = 328;
}

/// Why a file or one of its pages cannot be read. Corrupt (reject), unsupported (refuse with a
/// reason) and limits (refuse as too large) are apart so the caller can answer each properly.
#[derive(Debug, thiserror::Error)]
pub enum TiffReadError {
    #[error("not a TIFF file (bad byte-order mark or magic)")]
    NotTiff,
    #[error("BigTIFF is not a fax format")]
    BigTiff,
    #[error("{what} at offset {offset} lies outside the {len}-byte file")]
    OutOfFile { what: &'static str, offset: u64, len: usize },
    #[error("page {page}: IFD claims {entries} entries (at most {MAX_IFD_ENTRIES} taken)")]
    TooManyEntries { page: usize, entries: u16 },
    #[error("IFD chain loops back to offset {offset}")]
    IfdLoop { offset: u32 },
    #[error("more than {max} pages")]
    TooManyPages { max: u32 },
    #[error("file has no pages")]
    NoPages,
    #[error("page {page}: tag {tag} appears twice")]
    DuplicateTag { page: usize, tag: u16 },
    #[error("page {page}: required tag {name} ({tag}) is missing")]
    MissingTag { page: usize, tag: u16, name: &'static str },
    #[error("page {page}: tag {tag} has an unusable value {value}")]
    BadValue { page: usize, tag: u16, value: u64 },
    #[error("page {page}: unsupported: {what}")]
    Unsupported { page: usize, what: String },
    #[error("page {page}: {offsets} strip offsets but {counts} strip byte counts")]
    StripCountMismatch { page: usize, offsets: usize, counts: usize },
    #[error("page {page}: strips overlap")]
    StripsOverlap { page: usize },
    #[error("page {page}: strip of {bytes} bytes exceeds the limit of {max}")]
    StripTooLarge { page: usize, bytes: u64, max: u64 },
    #[error("page {page}: {source}")]
    Page { page: usize, source: PageError },
    #[error("pages hold more than {max} pixels in all")]
    TotalPixels { max: u64 },
    #[error("page {page}: MMR data corrupt at row {row}: {cause}; rows before it kept")]
    MmrCorrupt { page: usize, row: u32, cause: String, partial: Box<DecodedPage> },
    #[error("page {page}: {source}")]
    T4 { page: usize, source: t4::T4Error },
}

/// What a caller does about a [`TiffReadError`]: reject the data as corrupt, refuse it as
/// unsupported (with the reason), or refuse it as too large (a 552 rather than a 554).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    Corrupt,
    Unsupported,
    TooLarge,
}

impl TiffReadError {
    pub fn class(&self) -> ErrorClass {
        use TiffReadError as E;
        match self {
            E::BigTiff | E::Unsupported { .. } => ErrorClass::Unsupported,
            E::TooManyPages { .. }
            | E::TooManyEntries { .. }
            | E::StripTooLarge { .. }
            | E::TotalPixels { .. }
            | E::Page { source: PageError::TooLarge { .. }, .. }
            | E::T4 {
                source: t4::T4Error::TooLong { .. } | t4::T4Error::Page(PageError::TooLarge { .. }),
                ..
            } => ErrorClass::TooLarge,
            _ => ErrorClass::Corrupt,
        }
    }
}

/// How one strip failed: MMR keeps its partial rows for the page-level error.
enum StripError {
    Tiff(TiffReadError),
    Mmr(T6Error),
}

/// A fax IFD has about 20 entries; this cap keeps a chain of overlapping IFDs, each claiming
/// 65 535 entries, from costing gigabytes.
pub const MAX_IFD_ENTRIES: u16 = 512;

/// One IFD entry as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub tag: u16,
    pub typ: u16,
    pub count: u32,
    /// The 4-byte value field: inline value(s) or an offset.
    pub field: [u8; 4],
    /// Where the values are: the field itself or the offset it holds.
    pub value_offset: u64,
    /// Bytes the values take (0 for an unknown type).
    pub value_len: u64,
}

/// One IFD (one page) as stored.
#[derive(Clone, Debug)]
pub struct Ifd {
    pub offset: u32,
    pub entries: Vec<Entry>,
    pub next: u32,
}

impl Ifd {
    pub fn get(&self, tag: u16) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }
    /// Bytes the IFD itself takes: count, entries, next offset.
    pub fn len(&self) -> u64 {
        2 + 12 * self.entries.len() as u64 + 4
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A parsed TIFF file: header and IFD chain, values read on demand.
#[derive(Debug)]
pub struct Tiff<'a> {
    data: &'a [u8],
    pub big_endian: bool,
    pub first_ifd: u32,
    pub ifds: Vec<Ifd>,
    limits: Limits,
}

/// What the tags say about one page.
#[derive(Clone, Debug, PartialEq)]
pub struct PageInfo {
    pub width: u32,
    pub height: u32,
    pub coding: Coding,
    pub fill_order: FillOrder,
    pub t4_options: u32,
    pub t6_options: u32,
    /// Photometric 1: the stream's black is stored as 0.
    pub min_is_black: bool,
    pub resolution: Option<Resolution>,
    pub rows_per_strip: u32,
    /// (offset, byte count) per strip.
    pub strips: Vec<(u64, u64)>,
    pub page_number: Option<(u16, u16)>,
}

/// A decoded page with what the decoder had to repair.
#[derive(Debug)]
pub struct DecodedPage {
    pub page: Page,
    pub info: PageInfo,
    /// BadFaxLines semantics: rows replaced by the previous row or missing.
    pub bad_lines: u32,
    /// ConsecutiveBadFaxLines semantics: the longest run of bad rows.
    pub consecutive_bad_lines: u32,
}

fn type_size(typ: u16) -> u64 {
    match typ {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => 0,
    }
}

impl<'a> Tiff<'a> {
    /// Parses the header and every IFD; values and strips are checked when a page is read.
    pub fn parse(data: &'a [u8], limits: &Limits) -> Result<Tiff<'a>, TiffReadError> {
        let big_endian = match data.get(..2) {
            Some(b"II") => false,
            Some(b"MM") => true,
            _ => return Err(TiffReadError::NotTiff),
        };
        let mut t =
            Tiff { data, big_endian, first_ifd: 0, ifds: Vec::new(), limits: limits.clone() };
        match t.u16_at(2) {
            Some(42) => {}
            Some(43) => return Err(TiffReadError::BigTiff),
            _ => return Err(TiffReadError::NotTiff),
        }
        t.first_ifd = t.u32_at(4).ok_or(TiffReadError::NotTiff)?;
        let mut seen = HashSet::new();
        let mut offset = t.first_ifd;
        while offset != 0 {
            if !seen.insert(offset) {
                return Err(TiffReadError::IfdLoop { offset });
            }
            if t.ifds.len() as u32 >= limits.max_pages {
                return Err(TiffReadError::TooManyPages { max: limits.max_pages });
            }
            let ifd = t.parse_ifd(offset, t.ifds.len())?;
            offset = ifd.next;
            t.ifds.push(ifd);
        }
        if t.ifds.is_empty() {
            return Err(TiffReadError::NoPages);
        }
        Ok(t)
    }

    fn out_of_file(&self, what: &'static str, offset: u64) -> TiffReadError {
        TiffReadError::OutOfFile { what, offset, len: self.data.len() }
    }

    fn parse_ifd(&self, offset: u32, page: usize) -> Result<Ifd, TiffReadError> {
        let base = u64::from(offset);
        let n = self.u16_at(base).ok_or_else(|| self.out_of_file("IFD", base))?;
        if n > MAX_IFD_ENTRIES {
            return Err(TiffReadError::TooManyEntries { page, entries: n });
        }
        let end = base + 2 + 12 * u64::from(n) + 4;
        if end > self.data.len() as u64 {
            return Err(self.out_of_file("IFD", base));
        }
        let mut entries = Vec::with_capacity(usize::from(n));
        let mut seen = [0u64; 1024]; // one bit per tag number
        for k in 0..u64::from(n) {
            let at = base + 2 + 12 * k;
            let (Some(tag), Some(typ), Some(count)) =
                (self.u16_at(at), self.u16_at(at + 2), self.u32_at(at + 4))
            else {
                return Err(self.out_of_file("IFD entry", at));
            };
            let mut field = [0u8; 4];
            field.copy_from_slice(&self.data[(at + 8) as usize..(at + 12) as usize]);
            let value_len = type_size(typ) * u64::from(count);
            let value_offset =
                if value_len <= 4 { at + 8 } else { u64::from(self.u32_at(at + 8).unwrap_or(0)) };
            if value_offset + value_len > self.data.len() as u64 {
                return Err(self.out_of_file("tag values", value_offset));
            }
            let (word, bit) = (usize::from(tag / 64), 1u64 << (tag % 64));
            if seen[word] & bit != 0 {
                return Err(TiffReadError::DuplicateTag { page, tag });
            }
            seen[word] |= bit;
            entries.push(Entry { tag, typ, count, field, value_offset, value_len });
        }
        let next = self.u32_at(end - 4).unwrap_or(0);
        Ok(Ifd { offset, entries, next })
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    fn bytes_at<const N: usize>(&self, at: u64) -> Option<[u8; N]> {
        let start = usize::try_from(at).ok()?;
        let s = self.data.get(start..start.checked_add(N)?)?;
        let mut b = [0u8; N];
        b.copy_from_slice(s);
        if self.big_endian {
            b.reverse();
        }
        Some(b)
    }
    fn u16_at(&self, at: u64) -> Option<u16> {
        self.bytes_at::<2>(at).map(u16::from_le_bytes)
    }
    fn u32_at(&self, at: u64) -> Option<u32> {
        self.bytes_at::<4>(at).map(u32::from_le_bytes)
    }

    /// Unsigned integer values of a BYTE, SHORT or LONG entry (`None` for other types).
    pub fn uints(&self, e: &Entry) -> Option<Vec<u64>> {
        let size = match e.typ {
            1 | 7 => 1,
            3 => 2,
            4 | 13 => 4,
            _ => return None,
        };
        // value_len was checked against the file in parse_ifd, so this allocation is bounded.
        (0..u64::from(e.count))
            .map(|k| {
                let at = e.value_offset + k * size;
                match size {
                    1 => self.data.get(at as usize).map(|&b| u64::from(b)),
                    2 => self.u16_at(at).map(u64::from),
                    _ => self.u32_at(at).map(u64::from),
                }
            })
            .collect()
    }

    /// The first value of an integer entry.
    pub fn uint(&self, e: &Entry) -> Option<u64> {
        if e.count == 0 {
            return None;
        }
        self.uints(&Entry { count: 1, ..*e })?.first().copied()
    }

    /// A RATIONAL (or integer) entry as a number.
    pub fn number(&self, e: &Entry) -> Option<f64> {
        match e.typ {
            5 => {
                let num = self.u32_at(e.value_offset)?;
                let den = self.u32_at(e.value_offset + 4)?;
                (den != 0).then(|| f64::from(num) / f64::from(den))
            }
            _ => self.uint(e).map(|v| v as f64),
        }
    }

    fn tag_uint(&self, page: usize, tag: u16) -> Option<u64> {
        self.ifds.get(page)?.get(tag).and_then(|e| self.uint(e))
    }

    fn required(&self, page: usize, tag: u16, name: &'static str) -> Result<u64, TiffReadError> {
        self.tag_uint(page, tag).ok_or(TiffReadError::MissingTag { page, tag, name })
    }

    /// Reads and checks one page's tags.
    pub fn page_info(&self, page: usize) -> Result<PageInfo, TiffReadError> {
        let bad = |tag, value| TiffReadError::BadValue { page, tag, value };
        let unsupported = |what: String| TiffReadError::Unsupported { page, what };
        let width = self.required(page, tag::IMAGE_WIDTH, "ImageWidth")?;
        let height = self.required(page, tag::IMAGE_LENGTH, "ImageLength")?;
        self.limits
            .check_page(width, height)
            .map_err(|source| TiffReadError::Page { page, source })?;
        let (width, height) = (width as u32, height as u32);
        if let Some(b) = self.tag_uint(page, tag::BITS_PER_SAMPLE).filter(|&b| b != 1) {
            return Err(unsupported(format!("{b} bits per sample (fax pages are bilevel)")));
        }
        if let Some(s) = self.tag_uint(page, tag::SAMPLES_PER_PIXEL).filter(|&s| s != 1) {
            return Err(unsupported(format!("{s} samples per pixel")));
        }
        let t4_options = self.tag_uint(page, tag::T4_OPTIONS).unwrap_or(0) as u32;
        let t6_options = self.tag_uint(page, tag::T6_OPTIONS).unwrap_or(0) as u32;
        let coding = match self.tag_uint(page, tag::COMPRESSION).unwrap_or(1) {
            1 => Coding::Uncompressed,
            2 => Coding::Rle,
            3 if t4_options & 1 == 1 => Coding::Mr,
            3 => Coding::Mh,
            4 => Coding::Mmr,
            c => return Err(unsupported(format!("compression {c}"))),
        };
        if (coding == Coding::Mh || coding == Coding::Mr) && t4_options & 2 != 0
            || coding == Coding::Mmr && t6_options & 2 != 0
        {
            return Err(unsupported("uncompressed mode (T4/T6Options bit 1)".into()));
        }
        let fill_order = match self.tag_uint(page, tag::FILL_ORDER).unwrap_or(1) {
            1 => FillOrder::Msb,
            2 => FillOrder::Lsb,
            v => return Err(bad(tag::FILL_ORDER, v)),
        };
        let min_is_black = match self.tag_uint(page, tag::PHOTOMETRIC).unwrap_or(0) {
            0 => false,
            1 => true,
            v => return Err(unsupported(format!("photometric interpretation {v}"))),
        };
        let rows_per_strip = match self.tag_uint(page, tag::ROWS_PER_STRIP) {
            Some(r) if r > 0 && r < u64::from(height) => r as u32,
            _ => height,
        };
        let ifd = &self.ifds[page];
        let offsets = ifd.get(tag::STRIP_OFFSETS).and_then(|e| self.uints(e)).ok_or(
            TiffReadError::MissingTag { page, tag: tag::STRIP_OFFSETS, name: "StripOffsets" },
        )?;
        let counts = ifd.get(tag::STRIP_BYTE_COUNTS).and_then(|e| self.uints(e)).ok_or(
            TiffReadError::MissingTag {
                page,
                tag: tag::STRIP_BYTE_COUNTS,
                name: "StripByteCounts",
            },
        )?;
        if offsets.len() != counts.len() || offsets.is_empty() {
            return Err(TiffReadError::StripCountMismatch {
                page,
                offsets: offsets.len(),
                counts: counts.len(),
            });
        }
        let strips: Vec<(u64, u64)> = offsets.into_iter().zip(counts).collect();
        for &(off, len) in &strips {
            if len > self.limits.max_strip_bytes {
                return Err(TiffReadError::StripTooLarge {
                    page,
                    bytes: len,
                    max: self.limits.max_strip_bytes,
                });
            }
            if off + len > self.data.len() as u64 {
                return Err(self.out_of_file("strip", off));
            }
        }
        let mut sorted: Vec<_> = strips.iter().filter(|s| s.1 > 0).collect();
        sorted.sort();
        if sorted.windows(2).any(|w| w[0].0 + w[0].1 > w[1].0) {
            return Err(TiffReadError::StripsOverlap { page });
        }
        let resolution = self.resolution(page);
        let page_number = ifd
            .get(tag::PAGE_NUMBER)
            .and_then(|e| self.uints(e))
            .filter(|v| v.len() == 2)
            .map(|v| (v[0] as u16, v[1] as u16));
        Ok(PageInfo {
            width,
            height,
            coding,
            fill_order,
            t4_options,
            t6_options,
            min_is_black,
            resolution,
            rows_per_strip,
            strips,
            page_number,
        })
    }

    fn resolution(&self, page: usize) -> Option<Resolution> {
        let ifd = self.ifds.get(page)?;
        let x = self.number(ifd.get(tag::X_RESOLUTION)?)?;
        let y = self.number(ifd.get(tag::Y_RESOLUTION)?)?;
        let scale = match self.tag_uint(page, tag::RESOLUTION_UNIT).unwrap_or(2) {
            2 => 1.0,
            3 => 2.54,
            _ => return None,
        };
        let dpi = |v: f64| (v * scale).round();
        let ok = |v: f64| (1.0..=u16::MAX as f64).contains(&v);
        (ok(dpi(x)) && ok(dpi(y))).then(|| Resolution { x: dpi(x) as u16, y: dpi(y) as u16 })
    }

    /// Decodes one page, repairing what a fax machine would repair.
    pub fn decode_page(&self, page: usize) -> Result<DecodedPage, TiffReadError> {
        let info = self.page_info(page)?;
        let (width, height) = (info.width, info.height);
        let new_page = || {
            Page::new(width, height, &self.limits)
                .map_err(|source| TiffReadError::Page { page, source })
        };
        // One strip per page (the fax norm) keeps the codec's page as is; several are copied in.
        let mut out = if info.rows_per_strip >= height { None } else { Some(new_page()?) };
        let (mut bad, mut longest) = (0u32, 0u32);
        let mut row0 = 0u32;
        for &(off, len) in &info.strips {
            if row0 >= height {
                break;
            }
            let rows = info.rows_per_strip.min(height - row0);
            let raw = &self.data[off as usize..(off + len) as usize];
            let data: Cow<'_, [u8]> = if info.fill_order == FillOrder::Lsb {
                let mut v = raw.to_vec();
                reverse_bits(&mut v);
                v.into()
            } else {
                raw.into()
            };
            let (strip, strip_bad, strip_longest) =
                match self.decode_strip(page, &info, &data, rows) {
                    Ok(s) => s,
                    Err(StripError::Tiff(e)) => return Err(e),
                    Err(StripError::Mmr(e)) => {
                        let base = match out.take() {
                            Some(p) => p,
                            None => new_page()?,
                        };
                        return Err(self.mmr_failure(page, info, base, row0, e));
                    }
                };
            bad += strip_bad;
            longest = longest.max(strip_longest);
            match &mut out {
                None => out = Some(strip),
                Some(o) => {
                    let stride = o.stride();
                    let at = row0 as usize * stride;
                    o.data_mut()[at..at + strip.data().len()].copy_from_slice(strip.data());
                }
            }
            row0 += rows;
        }
        let mut out = match out {
            Some(p) => p,
            None => new_page()?,
        };
        if row0 < height {
            // Strips missing for the last rows: white, counted as bad.
            bad += height - row0;
            longest = longest.max(height - row0);
        }
        if info.min_is_black {
            out.invert();
        }
        out.resolution = info.resolution;
        Ok(DecodedPage { page: out, info, bad_lines: bad, consecutive_bad_lines: longest })
    }

    /// Decodes `rows` rows from one strip's (MSB-first) data: the rows, bad lines, longest run.
    fn decode_strip(
        &self,
        page: usize,
        info: &PageInfo,
        data: &[u8],
        rows: u32,
    ) -> Result<(Page, u32, u32), StripError> {
        let width = info.width;
        match info.coding {
            Coding::Mmr => match t6::decode(data, width, rows, &self.limits) {
                Ok(p) => Ok((p, 0, 0)),
                Err(e) => Err(StripError::Mmr(e)),
            },
            Coding::Uncompressed => {
                let need = width.div_ceil(8) as usize * rows as usize;
                let mut v = data[..need.min(data.len())].to_vec();
                let missing = (need - v.len()).div_ceil(width.div_ceil(8) as usize) as u32;
                v.resize(need, 0);
                let p = Page::from_rows(width, rows, v)
                    .map_err(|source| StripError::Tiff(TiffReadError::Page { page, source }))?;
                Ok((p, missing, missing))
            }
            coding => {
                let params = T4Params {
                    width,
                    rows: Some(rows),
                    two_d: coding == Coding::Mr,
                    byte_aligned_rows: coding == Coding::Rle,
                };
                let d = t4::decode(data, &params, &self.limits)
                    .map_err(|source| StripError::Tiff(TiffReadError::T4 { page, source }))?;
                Ok((d.page, d.bad_lines, d.consecutive_bad_lines))
            }
        }
    }

    fn mmr_failure(
        &self,
        page: usize,
        info: PageInfo,
        mut out: Page,
        row0: u32,
        e: T6Error,
    ) -> TiffReadError {
        let (row, cause) = match &e {
            T6Error::Corrupt { row, cause, .. } => (row0 + row, cause.to_string()),
            T6Error::Short { row, expected, .. } => (
                row0 + row,
                format!("data ends (EOFB or end of strip) after {row} of {expected} rows"),
            ),
            T6Error::Nothing { cause } => (row0, cause.to_string()),
            other => (row0, other.to_string()),
        };
        if let Some(p) = e.partial() {
            let stride = out.stride();
            let start = row0 as usize * stride;
            let n = p.data().len();
            out.data_mut()[start..start + n].copy_from_slice(p.data());
        }
        out.truncate(row);
        if info.min_is_black {
            out.invert();
        }
        out.resolution = info.resolution;
        let partial =
            Box::new(DecodedPage { page: out, info, bad_lines: 0, consecutive_bad_lines: 0 });
        TiffReadError::MmrCorrupt { page, row, cause, partial }
    }

    /// Decodes every page, holding all of them to `max_total_pixels`.
    pub fn decode_all(&self) -> Result<Vec<DecodedPage>, TiffReadError> {
        let mut total = 0u64;
        let mut pages = Vec::with_capacity(self.ifds.len());
        for i in 0..self.ifds.len() {
            let info = self.page_info(i)?;
            total += u64::from(info.width) * u64::from(info.height);
            if total > self.limits.max_total_pixels {
                return Err(TiffReadError::TotalPixels { max: self.limits.max_total_pixels });
            }
            pages.push(self.decode_page(i)?);
        }
        Ok(pages)
    }
}

/// Decodes every page of a TIFF fax file.
pub fn read(data: &[u8], limits: &Limits) -> Result<Vec<DecodedPage>, TiffReadError> {
    Tiff::parse(data, limits)?.decode_all()
}

/// A raw G3 stream without a TIFF wrapper (netpbm `pbmtog3`, fax modems): MH or MR, decoded to
/// RTC or the end of the data.
pub fn read_raw_g3(
    data: &[u8],
    width: u32,
    fill_order: FillOrder,
    two_d: bool,
    limits: &Limits,
) -> Result<t4::T4Decoded, t4::T4Error> {
    let params = T4Params { width, rows: None, two_d, byte_aligned_rows: false };
    if fill_order == FillOrder::Lsb {
        let mut v = data.to_vec();
        reverse_bits(&mut v);
        t4::decode(&v, &params, limits)
    } else {
        t4::decode(data, &params, limits)
    }
}
