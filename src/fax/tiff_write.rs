//! Strict TIFF-F writer. By default exactly Profile S as RFC 3949 §3.5 lays it out (spec sheet
//! §1.2, §1.4): "II", first IFD at offset 8, and per page its IFD, then the two resolution
//! rationals, then its single strip, before the next page's IFD. This is the layout low-memory
//! offramps (Cisco) demand and libtiff does not write. Profile F options: MR, MMR (T6Options and
//! EOFB), FillOrder 1, B4/A3 widths, higher resolutions.
use std::borrow::Cow;
use std::io::{self, Write};

use super::bits::reverse_bits;
use super::t4::{self, T4Encode};
use super::tiff_read::tag;
use super::{Coding, FillOrder, Page, Resolution, VALID_WIDTHS, t6};

/// What to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// MH, MR or MMR.
    pub coding: Coding,
    pub fill_order: FillOrder,
    /// Byte-aligned EOLs (T4Options bit 2) for MH/MR.
    pub align_eol: bool,
}

impl Default for WriteOptions {
    /// Profile S as the spec sheet recommends: MH, FillOrder 2, byte-aligned EOLs (T4Options 4).
    fn default() -> Self {
        WriteOptions { coding: Coding::Mh, fill_order: FillOrder::Lsb, align_eol: true }
    }
}

/// Why pages cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum TiffWriteError {
    #[error("no pages to write")]
    NoPages,
    #[error("{0} cannot be written (MH, MR or MMR only)")]
    Coding(Coding),
    #[error("page {page}: width {width} is not a fax width ({VALID_WIDTHS:?})")]
    Width { page: usize, width: u32 },
    #[error("page {page}: no resolution set")]
    NoResolution { page: usize },
    #[error("page {page}: width {width} does not go with {resolution} (RFC 3949 §4.2.1 table)")]
    WidthResolution { page: usize, width: u32, resolution: Resolution },
    #[error("{strips} strips for {pages} pages")]
    StripCount { pages: usize, strips: usize },
    #[error("output would exceed the 4 GiB TIFF limit")]
    TooLarge,
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Whether a width and resolution form a legal T.30 combination (spec sheet §1.3 table; the
/// T.4 equivalence pairs 200≡204, 100≡98, 200≡196, 400≡391, 400≡408 taken as equal).
pub fn width_fits(width: u32, r: Resolution) -> bool {
    match r.x {
        200 | 204 => [1728, 2048, 2432].contains(&width) && [98, 100, 196, 200, 391].contains(&r.y),
        300 => [2592, 3072, 3648].contains(&width) && r.y == 300,
        400 | 408 => [3456, 4096, 4864].contains(&width) && [391, 400].contains(&r.y),
        _ => false,
    }
}

/// One IFD entry to write; `value` is inline (SHORT in the low half) or an offset.
struct Out {
    tag: u16,
    typ: u16,
    count: u32,
    value: u32,
}

const SHORT: u16 = 3;
const LONG: u16 = 4;
const RATIONAL: u16 = 5;

fn short(tag: u16, v: u16) -> Out {
    Out { tag, typ: SHORT, count: 1, value: u32::from(v) }
}
fn long(tag: u16, v: u32) -> Out {
    Out { tag, typ: LONG, count: 1, value: v }
}

/// Codes one page's strip in the file's bit order. Pages are independent, so a caller with
/// several cores may code them in parallel and hand the strips to [`write_tiff_with_strips`].
pub fn encode_strip(page: &Page, opts: &WriteOptions) -> Vec<u8> {
    let y_dpi = page.resolution.map_or(196, |r| r.y);
    let mut data = match opts.coding {
        Coding::Mmr => t6::encode(page),
        Coding::Mr => t4::encode(
            page,
            &T4Encode { k: Some(T4Encode::k_for(y_dpi)), align_eol: opts.align_eol, rtc: false },
        ),
        _ => t4::encode(page, &T4Encode { k: None, align_eol: opts.align_eol, rtc: false }),
    };
    if opts.fill_order == FillOrder::Lsb {
        reverse_bits(&mut data);
    }
    data
}

/// Writes `pages` as one TIFF file; returns the bytes written.
pub fn write_tiff(
    pages: &[Page],
    opts: &WriteOptions,
    out: impl Write,
) -> Result<usize, TiffWriteError> {
    write_pages(pages, opts, out, |i| encode_strip(&pages[i], opts).into())
}

/// [`write_tiff`] with strips already made by [`encode_strip`] (one per page, same options).
pub fn write_tiff_with_strips(
    pages: &[Page],
    strips: &[Vec<u8>],
    opts: &WriteOptions,
    out: impl Write,
) -> Result<usize, TiffWriteError> {
    if strips.len() != pages.len() {
        return Err(TiffWriteError::StripCount { pages: pages.len(), strips: strips.len() });
    }
    write_pages(pages, opts, out, |i| strips[i].as_slice().into())
}

fn write_pages<'s>(
    pages: &[Page],
    opts: &WriteOptions,
    mut out: impl Write,
    mut strip: impl FnMut(usize) -> Cow<'s, [u8]>,
) -> Result<usize, TiffWriteError> {
    if pages.is_empty() {
        return Err(TiffWriteError::NoPages);
    }
    if !matches!(opts.coding, Coding::Mh | Coding::Mr | Coding::Mmr) {
        return Err(TiffWriteError::Coding(opts.coding));
    }
    let mut resolutions = Vec::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        if !VALID_WIDTHS.contains(&p.width()) {
            return Err(TiffWriteError::Width { page: i, width: p.width() });
        }
        let r = p.resolution.ok_or(TiffWriteError::NoResolution { page: i })?;
        if !width_fits(p.width(), r) {
            return Err(TiffWriteError::WidthResolution {
                page: i,
                width: p.width(),
                resolution: r,
            });
        }
        resolutions.push(r);
    }
    let total = u16::try_from(pages.len()).map_err(|_| TiffWriteError::TooLarge)?;
    out.write_all(b"II\x2a\x00\x08\x00\x00\x00")?;
    let mut pos: u64 = 8;
    for (i, (page, res)) in pages.iter().zip(&resolutions).enumerate() {
        let data = strip(i);
        let mut entries = vec![
            long(tag::NEW_SUBFILE_TYPE, 2),
            long(tag::IMAGE_WIDTH, page.width()),
            long(tag::IMAGE_LENGTH, page.height()),
            short(tag::BITS_PER_SAMPLE, 1),
            short(tag::COMPRESSION, if opts.coding == Coding::Mmr { 4 } else { 3 }),
            short(tag::PHOTOMETRIC, 0),
            short(tag::FILL_ORDER, if opts.fill_order == FillOrder::Lsb { 2 } else { 1 }),
            long(tag::STRIP_OFFSETS, 0),
            short(tag::SAMPLES_PER_PIXEL, 1),
            long(tag::ROWS_PER_STRIP, page.height()),
            long(tag::STRIP_BYTE_COUNTS, data.len() as u32),
            Out { tag: tag::X_RESOLUTION, typ: RATIONAL, count: 1, value: 0 },
            Out { tag: tag::Y_RESOLUTION, typ: RATIONAL, count: 1, value: 0 },
        ];
        match opts.coding {
            Coding::Mmr => entries.push(long(tag::T6_OPTIONS, 0)),
            c => entries.push(long(
                tag::T4_OPTIONS,
                u32::from(c == Coding::Mr) | if opts.align_eol { 4 } else { 0 },
            )),
        }
        entries.push(short(tag::RESOLUTION_UNIT, 2));
        entries.push(Out {
            tag: tag::PAGE_NUMBER,
            typ: SHORT,
            count: 2,
            value: i as u32 | u32::from(total) << 16,
        });
        let values_at = pos + 2 + 12 * entries.len() as u64 + 4;
        let strip_at = values_at + 16;
        let end = strip_at + data.len() as u64;
        // The next IFD starts on a word boundary (RFC 3249 §5.1a).
        let next = if i + 1 < pages.len() { end + end % 2 } else { 0 };
        if next > u64::from(u32::MAX) || end > u64::from(u32::MAX) {
            return Err(TiffWriteError::TooLarge);
        }
        for e in &mut entries {
            match e.tag {
                tag::STRIP_OFFSETS => e.value = strip_at as u32,
                tag::X_RESOLUTION => e.value = values_at as u32,
                tag::Y_RESOLUTION => e.value = values_at as u32 + 8,
                _ => {}
            }
        }
        let mut ifd = Vec::with_capacity(2 + 12 * entries.len() + 4 + 16);
        ifd.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for e in &entries {
            ifd.extend_from_slice(&e.tag.to_le_bytes());
            ifd.extend_from_slice(&e.typ.to_le_bytes());
            ifd.extend_from_slice(&e.count.to_le_bytes());
            ifd.extend_from_slice(&e.value.to_le_bytes());
        }
        ifd.extend_from_slice(&(next as u32).to_le_bytes());
        for v in [res.x, res.y] {
            ifd.extend_from_slice(&u32::from(v).to_le_bytes());
            ifd.extend_from_slice(&1u32.to_le_bytes());
        }
        out.write_all(&ifd)?;
        out.write_all(&data)?;
        pos = end;
        if next > end {
            out.write_all(&[0])?;
            pos = next;
        }
    }
    Ok(pos as usize)
}

/// [`write_tiff`] into a new vector.
pub fn to_vec(pages: &[Page], opts: &WriteOptions) -> Result<Vec<u8>, TiffWriteError> {
    let mut v = Vec::new();
    write_tiff(pages, opts, &mut v)?;
    Ok(v)
}
