//! T.6 (MMR) streams: every row 2-D against the row above, the first against an imaginary white
//! row; the stream ends with EOFB (T.6 §2.2–2.4; spec sheet §3 "MMR").
//!
//! No EOLs means no resynchronisation: corruption ends the page with an error that names the row
//! and keeps the rows decoded before it.
use super::bits::{BitReader, BitWriter};
use super::codes::EOL;
use super::line::{LineError, add_sentinels, decode_2d, encode_2d, paint_row, row_to_changes};
use super::{Limits, Page, PageError};

/// Why an MMR stream could not be decoded to the end.
#[derive(Debug, thiserror::Error)]
pub enum T6Error {
    #[error(transparent)]
    Page(#[from] PageError),
    #[error("MMR data corrupt at row {row}: {cause}; {} rows before it kept", partial.height())]
    Corrupt {
        /// 0-based row that failed.
        row: u32,
        cause: LineError,
        /// The rows decoded before `row`.
        partial: Box<Page>,
    },
    #[error("MMR data ends (EOFB) at row {row} of {expected}; {row} rows kept")]
    Short { row: u32, expected: u32, partial: Box<Page> },
    #[error("MMR data corrupt in its first row: {cause}")]
    Nothing { cause: LineError },
    #[error("stream of {bytes} bytes exceeds the limit of {max}")]
    TooLong { bytes: u64, max: u64 },
}

impl T6Error {
    /// The rows decoded before the failure, if any.
    pub fn partial(&self) -> Option<&Page> {
        match self {
            T6Error::Corrupt { partial, .. } | T6Error::Short { partial, .. } => Some(partial),
            _ => None,
        }
    }
}

/// Decodes `rows` MMR rows of `width` pixels (MSB-first data).
pub fn decode(data: &[u8], width: u32, rows: u32, limits: &Limits) -> Result<Page, T6Error> {
    if data.len() as u64 > limits.max_strip_bytes {
        return Err(T6Error::TooLong { bytes: data.len() as u64, max: limits.max_strip_bytes });
    }
    let mut page = Page::new(width, rows, limits)?;
    let stride = page.stride();
    let mut r = BitReader::new(data);
    let mut reference: Vec<u32> = Vec::with_capacity(256);
    add_sentinels(&mut reference, width);
    let mut cur: Vec<u32> = Vec::with_capacity(256);
    for y in 0..rows {
        if let Err(cause) = decode_2d(&mut r, &reference, width, &mut cur) {
            if y == 0 {
                return Err(T6Error::Nothing { cause });
            }
            page.truncate(y);
            let partial = Box::new(page);
            return Err(match cause {
                LineError::EarlyEol { col: 0 } | LineError::EndOfData { col: 0 } => {
                    T6Error::Short { row: y, expected: rows, partial }
                }
                cause => T6Error::Corrupt { row: y, cause, partial },
            });
        }
        let start = y as usize * stride;
        paint_row(&cur, width, &mut page.data_mut()[start..start + stride]);
        std::mem::swap(&mut reference, &mut cur);
        add_sentinels(&mut reference, width);
    }
    Ok(page)
}

/// Codes a page as MMR, ending with EOFB and zero padding (RFC 3949 §4.5.6).
pub fn encode(page: &Page) -> Vec<u8> {
    let width = page.width();
    let mut w = BitWriter::with_capacity(page.data().len() / 12 + 16);
    let mut reference: Vec<u32> = Vec::with_capacity(256);
    add_sentinels(&mut reference, width);
    let mut cur: Vec<u32> = Vec::with_capacity(256);
    for y in 0..page.height() {
        row_to_changes(page.row(y), width, &mut cur);
        add_sentinels(&mut cur, width);
        encode_2d(&mut w, &reference, &cur, width);
        std::mem::swap(&mut reference, &mut cur);
    }
    w.put_code(EOL);
    w.put_code(EOL);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Page {
        let (w, h) = (1728u32, 50u32);
        let stride = 216;
        let data = (0..stride * h as usize)
            .map(|i| if (i / stride) % 7 < 3 { (i * 31 % 256) as u8 } else { 0 })
            .collect();
        Page::from_rows(w, h, data).unwrap()
    }

    #[test]
    fn round_trip_and_eofb() {
        let page = sample();
        let data = encode(&page);
        // EOFB 000000000001 000000000001 ends the data, then zero padding.
        let n = data.len();
        let tail = u32::from_be_bytes([data[n - 4], data[n - 3], data[n - 2], data[n - 1]]);
        let tz = tail.trailing_zeros();
        assert!(tz < 8 && (tail >> tz) & 0xFF_FFFF == 0x00_1001, "{tail:08x}");
        assert_eq!(decode(&data, 1728, 50, &Limits::default()).unwrap(), page);
    }

    #[test]
    fn corruption_names_the_row_and_keeps_what_came_before() {
        let page = sample();
        let mut data = encode(&page);
        let at = data.len() / 2;
        data[at] = 0x00;
        data[at + 1] = 0x00;
        match decode(&data, 1728, 50, &Limits::default()) {
            Err(T6Error::Corrupt { row, partial, .. })
            | Err(T6Error::Short { row, partial, .. }) => {
                assert!(row > 0 && row < 50);
                assert_eq!(partial.height(), row);
                // Rows well before the damage are intact.
                for y in 0..row.saturating_sub(3) {
                    assert_eq!(partial.row(y), page.row(y));
                }
            }
            other => panic!("expected a row error, got {other:?}"),
        }
    }

    #[test]
    fn early_eofb_is_short() {
        let page = sample();
        let data = encode(&page);
        let err = decode(&data, 1728, 60, &Limits::default()).unwrap_err();
        assert!(matches!(err, T6Error::Short { row: 50, expected: 60, .. }), "{err}");
    }
}
