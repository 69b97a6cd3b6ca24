//! T.4 streams: MH (1-D) and MR (2-D) with EOL framing (T.4 §4.1.2–4.1.4, §4.2; spec sheet §3).
//!
//! Decoding is resilient the way a fax machine is: a line that does not decode is replaced by
//! the previous line and counted, and decoding resynchronises at the next EOL. The result reports
//! the count and the longest run (TIFF BadFaxLines / ConsecutiveBadFaxLines).
use super::bits::{BitReader, BitWriter};
use super::codes::EOL;
use super::line::{
    LineError, add_sentinels, decode_1d, decode_2d, encode_1d, encode_2d, paint_row,
    row_to_changes, strip_sentinels,
};
use super::{Limits, Page, PageError};

/// How a T.4 stream is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct T4Params {
    /// Pixels per row.
    pub width: u32,
    /// Rows expected (TIFF ImageLength or RowsPerStrip); `None` decodes until RTC or the end.
    pub rows: Option<u32>,
    /// MR: a tag bit follows each EOL (1 = next line 1-D, 0 = 2-D).
    pub two_d: bool,
    /// TIFF Compression 2: no EOLs, every row starts on a byte boundary.
    pub byte_aligned_rows: bool,
}

/// A decoded T.4 page or strip.
#[derive(Debug)]
pub struct T4Decoded {
    pub page: Page,
    /// Rows replaced by their predecessor, plus rows missing at the end of the data.
    pub bad_lines: u32,
    /// The longest run of consecutive bad lines.
    pub consecutive_bad_lines: u32,
    /// Whether the stream ended with RTC.
    pub rtc: bool,
}

/// Errors that end T.4 decoding; corrupt lines are not errors but counted bad lines.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum T4Error {
    #[error(transparent)]
    Page(#[from] PageError),
    #[error("stream holds no decodable line")]
    NoData,
    #[error("stream of {bytes} bytes exceeds the limit of {max}")]
    TooLong { bytes: u64, max: u64 },
}

enum Eol {
    Found,
    NotThere,
    End,
}

/// Consumes fill and one EOL. Without `skip_junk`, consumes nothing unless an EOL follows;
/// with it, discards bits until an EOL (resynchronisation).
fn scan_eol(r: &mut BitReader<'_>, skip_junk: bool) -> Eol {
    let mut zeros = 0u32;
    loop {
        r.refill();
        let n = r.available();
        if n == 0 {
            return Eol::End;
        }
        let lz = r.leading_zeros().min(n);
        if lz == n {
            // Only a window of 57+ zeros (certainly fill) or the zero tail of the data.
            zeros += lz;
            r.consume(lz);
            continue;
        }
        zeros += lz;
        if zeros >= 11 {
            r.consume(lz + 1);
            return Eol::Found;
        }
        if !skip_junk {
            return Eol::NotThere;
        }
        r.consume(lz + 1);
        zeros = 0;
    }
}

/// Decodes an MH or MR stream (a TIFF strip, or a raw G3 file as `pbmtog3` writes it).
/// `data` is MSB first; reverse FillOrder 2 data before calling.
pub fn decode(data: &[u8], params: &T4Params, limits: &Limits) -> Result<T4Decoded, T4Error> {
    if data.len() as u64 > limits.max_strip_bytes {
        return Err(T4Error::TooLong { bytes: data.len() as u64, max: limits.max_strip_bytes });
    }
    let width = params.width;
    // Without a row count, allocate as rows arrive, capped by the limits.
    let pixel_rows = limits.max_total_pixels / u64::from(width.max(1));
    let max_rows =
        params.rows.unwrap_or(limits.max_height.min(pixel_rows.min(u64::from(u32::MAX)) as u32));
    limits.check_page(u64::from(width), u64::from(params.rows.unwrap_or(1)))?;
    let stride = width.div_ceil(8) as usize;
    let mut rows: Vec<u8> = Vec::new();
    if let Some(h) = params.rows {
        rows.reserve_exact(stride * h as usize);
    }
    let mut r = BitReader::new(data);
    let mut reference: Vec<u32> = Vec::with_capacity(256);
    add_sentinels(&mut reference, width);
    let mut cur: Vec<u32> = Vec::with_capacity(256);
    let (mut count, mut bad, mut run_bad, mut max_run_bad) = (0u32, 0u32, 0u32, 0u32);
    let mut eol_mode = false;
    let mut need_sync = false;
    let mut rtc = false;
    while count < max_rows {
        let mut two_d = false;
        if params.byte_aligned_rows {
            r.align();
            if r.exhausted() {
                break;
            }
        } else {
            let mut eols = 0;
            loop {
                match scan_eol(&mut r, need_sync && eols == 0) {
                    Eol::Found => {
                        eols += 1;
                        eol_mode = true;
                        if params.two_d {
                            two_d = r.read_bit() == 0;
                        }
                    }
                    Eol::NotThere => break,
                    Eol::End => {
                        rtc = eols >= 2;
                        eols = -1;
                        break;
                    }
                }
            }
            if eols < 0 {
                break;
            }
            need_sync = false;
            if eols >= 2 && count > 0 {
                rtc = true;
                break;
            }
            if eols == 0 && eol_mode {
                // Bits between a complete row and the next EOL: skip them, as libtiff does.
                need_sync = true;
                continue;
            }
        }
        let start = r.bit_pos();
        let result = if two_d {
            decode_2d(&mut r, &reference, width, &mut cur)
        } else {
            decode_1d(&mut r, width, &mut cur)
        };
        match result {
            Ok(()) => {
                let at = rows.len();
                rows.resize(at + stride, 0);
                paint_row(&cur, width, &mut rows[at..]);
                std::mem::swap(&mut reference, &mut cur);
                add_sentinels(&mut reference, width);
                run_bad = 0;
            }
            Err(LineError::EndOfData { .. }) if r.bit_pos() == start => break,
            Err(_) => {
                // A fax machine prints the previous line again; the 2-D reference stays as well.
                let at = rows.len();
                if at >= stride {
                    rows.extend_from_within(at - stride..at);
                } else {
                    rows.resize(stride, 0);
                }
                bad += 1;
                run_bad += 1;
                max_run_bad = max_run_bad.max(run_bad);
                need_sync = true;
                if r.exhausted() {
                    count += 1;
                    break;
                }
            }
        }
        count += 1;
    }
    if count == 0 && params.rows.is_none() {
        return Err(T4Error::NoData);
    }
    let height = params.rows.unwrap_or(count);
    if count < height {
        // Rows the data never delivered: white, and counted as bad.
        let missing = height - count;
        rows.resize(stride * height as usize, 0);
        bad += missing;
        max_run_bad = max_run_bad.max(run_bad + missing);
    }
    let page = Page::from_rows(width, height, rows)?;
    Ok(T4Decoded { page, bad_lines: bad, consecutive_bad_lines: max_run_bad, rtc })
}

/// How to code a T.4 stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct T4Encode {
    /// MR with this K (a 1-D line, then at most K − 1 2-D lines); `None` for MH.
    pub k: Option<u32>,
    /// Zero fill so every EOL ends on a byte boundary (T4Options bit 2).
    pub align_eol: bool,
    /// Append RTC (6 EOLs). TIFF writers should not (RFC 3949 §3.4.1); raw G3 streams do.
    pub rtc: bool,
}

impl T4Encode {
    /// K from the vertical resolution: 2 at standard, 4 above (spec sheet §3, "MR").
    pub fn k_for(y_dpi: u16) -> u32 {
        if y_dpi > 150 { 4 } else { 2 }
    }
}

fn put_eol(w: &mut BitWriter, align: bool) {
    if align {
        let fill = (4 + 16 - (w.bit_len() % 8) as u32) % 8;
        w.put(0, fill);
    }
    w.put_code(EOL);
}

/// Codes a page as an EOL-framed MH or MR stream: EOL before every row, none after the last
/// (RFC 3949 §4.5.4), byte-padded at the end.
pub fn encode(page: &Page, opts: &T4Encode) -> Vec<u8> {
    let width = page.width();
    let mut w = BitWriter::with_capacity(page.data().len() / 8 + 64);
    let mut reference: Vec<u32> = Vec::with_capacity(256);
    add_sentinels(&mut reference, width);
    let mut cur: Vec<u32> = Vec::with_capacity(256);
    let k = opts.k.unwrap_or(1).max(1);
    for y in 0..page.height() {
        row_to_changes(page.row(y), width, &mut cur);
        put_eol(&mut w, opts.align_eol);
        let one_d = y % k == 0;
        if opts.k.is_some() {
            w.put(u32::from(one_d), 1);
        }
        add_sentinels(&mut cur, width);
        if one_d {
            encode_1d(&mut w, &cur, width);
        } else {
            encode_2d(&mut w, &reference, &cur, width);
        }
        std::mem::swap(&mut reference, &mut cur);
    }
    if opts.rtc {
        for _ in 0..6 {
            put_eol(&mut w, opts.align_eol);
            if opts.k.is_some() {
                w.put(1, 1);
            }
        }
    }
    strip_sentinels(&mut reference, width);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(width: u32, height: u32) -> Page {
        let stride = width.div_ceil(8) as usize;
        let mut data = vec![0u8; stride * height as usize];
        for y in 0..height as usize {
            for x in 0..stride {
                data[y * stride + x] =
                    ((x * 7 + y * 13) % 251) as u8 & if y % 5 == 0 { 0 } else { 0xF3 };
            }
        }
        Page::from_rows(width, height, data).unwrap()
    }

    #[test]
    fn mh_and_mr_round_trip_with_and_without_alignment() {
        let page = sample(1728, 40);
        let l = Limits::default();
        for k in [None, Some(2), Some(4)] {
            for align_eol in [false, true] {
                for rtc in [false, true] {
                    let data = encode(&page, &T4Encode { k, align_eol, rtc });
                    let params = T4Params {
                        width: 1728,
                        rows: None,
                        two_d: k.is_some(),
                        byte_aligned_rows: false,
                    };
                    let d = decode(&data, &params, &l).unwrap();
                    assert_eq!(d.page, page, "k {k:?} align {align_eol} rtc {rtc}");
                    assert_eq!((d.bad_lines, d.rtc), (0, rtc));
                }
            }
        }
    }

    #[test]
    fn aligned_eol_ends_on_a_byte() {
        let page = sample(1728, 3);
        let data = encode(&page, &T4Encode { k: None, align_eol: true, rtc: false });
        assert_eq!(&data[..2], &[0x00, 0x01]);
    }

    #[test]
    fn corrupt_line_is_replaced_by_the_previous_one_and_counted() {
        let page = sample(1728, 30);
        let mut data = encode(&page, &T4Encode { k: None, align_eol: true, rtc: false });
        // Damage a byte in the middle of the stream.
        let mid = data.len() / 2;
        data[mid] ^= 0x5A;
        data[mid + 1] ^= 0xFF;
        let params =
            T4Params { width: 1728, rows: Some(30), two_d: false, byte_aligned_rows: false };
        let d = decode(&data, &params, &Limits::default()).unwrap();
        assert!(d.bad_lines >= 1 && d.bad_lines <= 3, "{}", d.bad_lines);
        let diff = (0..30).filter(|&y| d.page.row(y) != page.row(y)).count();
        assert!(diff as u32 <= d.bad_lines);
        // Each bad row repeats its predecessor.
        for y in 1..30 {
            if d.page.row(y) != page.row(y) {
                assert_eq!(d.page.row(y), d.page.row(y - 1));
            }
        }
    }

    #[test]
    fn compression_2_rows_are_byte_aligned_without_eols() {
        let page = sample(100, 12);
        let mut w = BitWriter::with_capacity(256);
        let mut changes = Vec::new();
        for y in 0..12 {
            row_to_changes(page.row(y), 100, &mut changes);
            encode_1d(&mut w, &changes, 100);
            w.align();
        }
        let data = w.finish();
        let params = T4Params { width: 100, rows: Some(12), two_d: false, byte_aligned_rows: true };
        let d = decode(&data, &params, &Limits::default()).unwrap();
        assert_eq!((d.page, d.bad_lines), (page, 0));
    }

    #[test]
    fn missing_eols_decode_back_to_back() {
        // Some writers emit Compression 3 without EOLs: rows follow each other directly.
        let page = sample(1728, 6);
        let mut w = BitWriter::with_capacity(1024);
        let mut changes = Vec::new();
        for y in 0..6 {
            row_to_changes(page.row(y), 1728, &mut changes);
            encode_1d(&mut w, &changes, 1728);
        }
        let params =
            T4Params { width: 1728, rows: Some(6), two_d: false, byte_aligned_rows: false };
        let d = decode(&w.finish(), &params, &Limits::default()).unwrap();
        assert_eq!((d.page, d.bad_lines), (page, 0));
    }

    #[test]
    fn mr_with_rfc3949_alignment_decodes() {
        // RFC 3949 §4.5.3's reading: fill so that the data after "EOL + tag bit" starts a byte
        // (libtiff instead ends the EOL itself on a byte). Both put fill only before the EOL.
        let page = sample(1728, 12);
        let mut w = BitWriter::with_capacity(4096);
        let (mut reference, mut cur) = (Vec::new(), Vec::new());
        add_sentinels(&mut reference, 1728);
        for y in 0..12 {
            row_to_changes(page.row(y), 1728, &mut cur);
            add_sentinels(&mut cur, 1728);
            let fill = (8 - (w.bit_len() + 13) % 8) % 8;
            w.put(0, fill as u32);
            w.put_code(EOL);
            let one_d = y % 4 == 0;
            w.put(u32::from(one_d), 1);
            assert_eq!(w.bit_len() % 8, 0);
            if one_d {
                encode_1d(&mut w, &cur, 1728);
            } else {
                encode_2d(&mut w, &reference, &cur, 1728);
            }
            std::mem::swap(&mut reference, &mut cur);
        }
        let params =
            T4Params { width: 1728, rows: Some(12), two_d: true, byte_aligned_rows: false };
        let d = decode(&w.finish(), &params, &Limits::default()).unwrap();
        assert_eq!((d.page, d.bad_lines), (page, 0));
    }

    #[test]
    fn truncated_stream_counts_missing_rows() {
        let page = sample(1728, 20);
        let data = encode(&page, &T4Encode { k: Some(4), align_eol: false, rtc: false });
        let params =
            T4Params { width: 1728, rows: Some(20), two_d: true, byte_aligned_rows: false };
        let d = decode(&data[..data.len() / 2], &params, &Limits::default()).unwrap();
        assert_eq!(d.page.height(), 20);
        assert!(d.bad_lines >= 9, "{}", d.bad_lines);
        assert_eq!(d.consecutive_bad_lines, d.bad_lines);
    }
}
