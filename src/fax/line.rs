//! One row at a time: changing elements, 1-D (MH) and 2-D (MR/MMR) line coding (T.4 §4.1,
//! §4.2; T.6 §2.2).
//!
//! A row is held as its changing elements: the columns where the colour flips, starting white,
//! so even entries turn black and odd entries turn white. Lists are strictly increasing (zero
//! runs cancel out) so that b1/b2 on a decoded reference line mean what they meant to the encoder.
use super::bits::{BitReader, BitWriter};
use super::codes::{
    BLACK_BITS, BLACK_MAKEUP, BLACK_RUNS, BLACK_TERM, EXT_MAKEUP, HORIZONTAL, MODE_BITS, MODES,
    Mode, PASS, RunKind, VERTICAL, WHITE_BITS, WHITE_MAKEUP, WHITE_RUNS, WHITE_TERM,
};

/// Why a coded line could not be decoded; `col` is where decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("invalid code at column {col}")]
    InvalidCode { col: u32 },
    #[error("runs overrun the row width at column {col}")]
    Overrun { col: u32 },
    #[error("EOL inside the row at column {col}")]
    EarlyEol { col: u32 },
    #[error("vertical mode moves backwards at column {col}")]
    Backwards { col: u32 },
    #[error("uncompressed-mode extension at column {col} (not allowed in fax profiles)")]
    Extension { col: u32 },
    #[error("data ends inside the row at column {col}")]
    EndOfData { col: u32 },
}

/// Appends a change, letting a zero-length run cancel the previous one.
#[inline(always)]
fn push_change(out: &mut Vec<u32>, pos: u32) {
    if out.last() == Some(&pos) {
        out.pop();
    } else {
        out.push(pos);
    }
}

/// Reads one run (make-up codes, then a terminating code) of the given colour.
#[inline(always)]
fn read_run(r: &mut BitReader<'_>, black: bool, col: u32, width: u32) -> Result<u32, LineError> {
    let mut run = 0u32;
    loop {
        r.refill();
        let e = if black {
            BLACK_RUNS[r.peek(BLACK_BITS) as usize]
        } else {
            WHITE_RUNS[r.peek(WHITE_BITS) as usize]
        };
        match e.kind {
            RunKind::Term => {
                r.consume(u32::from(e.len));
                return Ok(run + u32::from(e.run));
            }
            RunKind::Makeup => {
                r.consume(u32::from(e.len));
                run += u32::from(e.run);
                if col + run > width {
                    return Err(LineError::Overrun { col: col + run });
                }
            }
            RunKind::Eol => return Err(LineError::EarlyEol { col }),
            RunKind::Zeros | RunKind::Invalid => {
                return Err(if r.exhausted() || r.available() < 12 && r.peek(12) == 0 {
                    LineError::EndOfData { col }
                } else {
                    LineError::InvalidCode { col }
                });
            }
        }
    }
}

/// Decodes one MH-coded row into `out`.
pub(crate) fn decode_1d(
    r: &mut BitReader<'_>,
    width: u32,
    out: &mut Vec<u32>,
) -> Result<(), LineError> {
    out.clear();
    let mut a0 = 0u32;
    let mut black = false;
    loop {
        let run = read_run(r, black, a0, width)?;
        a0 += run;
        if a0 > width {
            return Err(LineError::Overrun { col: a0 });
        }
        if a0 == width {
            return Ok(());
        }
        push_change(out, a0);
        black = !black;
    }
}

/// Decodes one 2-D-coded row against `reference` (changes plus at least three `width`
/// sentinels) into `out`.
pub(crate) fn decode_2d(
    r: &mut BitReader<'_>,
    reference: &[u32],
    width: u32,
    out: &mut Vec<u32>,
) -> Result<(), LineError> {
    out.clear();
    // a0 + 1, so that the imaginary white pixel before column 0 (a0 = -1) is 0.
    let mut a0p = 0u32;
    let mut black = false;
    let mut i = 0usize;
    let last = reference.len().saturating_sub(2);
    while a0p <= width {
        let col = a0p.saturating_sub(1);
        // b1: first change right of a0 that turns to the colour opposite a0's (even entries
        // turn black). Steps back one entry at most: a vertical code can move a1 left of b1.
        i = i.saturating_sub(1);
        if (i & 1 == 1) != black {
            i += 1;
        }
        while i < last && reference[i] < a0p {
            i += 2;
        }
        let b1 = reference.get(i).copied().unwrap_or(width).min(width);
        let b2 = reference.get(i + 1).copied().unwrap_or(width).min(width);
        r.refill();
        let m = MODES[r.peek(MODE_BITS) as usize];
        match m.mode {
            Mode::Vertical(d) => {
                r.consume(u32::from(m.len));
                let a1 = i64::from(b1) + i64::from(d);
                if a1 > i64::from(width) || a1 < 0 {
                    return Err(LineError::Overrun { col });
                }
                let a1 = a1 as u32;
                if a1 < a0p {
                    return Err(LineError::Backwards { col });
                }
                if a1 < width {
                    // Every earlier change is at or left of a0, so nothing can cancel here.
                    out.push(a1);
                }
                a0p = a1 + 1;
                black = !black;
            }
            Mode::Pass => {
                r.consume(u32::from(m.len));
                a0p = b2 + 1;
            }
            Mode::Horizontal => {
                r.consume(u32::from(m.len));
                let run1 = read_run(r, black, col, width)?;
                let a1 = col + run1;
                if a1 > width {
                    return Err(LineError::Overrun { col: a1 });
                }
                let run2 = read_run(r, !black, a1, width)?;
                let a2 = a1 + run2;
                if a2 > width {
                    return Err(LineError::Overrun { col: a2 });
                }
                if a1 < width {
                    push_change(out, a1);
                }
                if a2 < width {
                    push_change(out, a2);
                }
                a0p = a2 + 1;
            }
            Mode::Extension => return Err(LineError::Extension { col }),
            Mode::Zeros => {
                return Err(if r.exhausted() || r.available() < 12 && r.peek(12) == 0 {
                    LineError::EndOfData { col }
                } else {
                    LineError::EarlyEol { col }
                });
            }
        }
    }
    Ok(())
}

/// Appends `width` sentinels so b1/b2 lookups never run off a reference line.
pub(crate) fn add_sentinels(changes: &mut Vec<u32>, width: u32) {
    changes.extend_from_slice(&[width, width, width]);
}

/// Strips what `add_sentinels` added.
pub(crate) fn strip_sentinels(changes: &mut Vec<u32>, width: u32) {
    while changes.last() == Some(&width) {
        changes.pop();
    }
}

#[inline(always)]
fn put_run(w: &mut BitWriter, black: bool, mut run: u32) {
    let (term, makeup) =
        if black { (&BLACK_TERM, &BLACK_MAKEUP) } else { (&WHITE_TERM, &WHITE_MAKEUP) };
    while run >= 2624 {
        w.put_code(EXT_MAKEUP[12]);
        run -= 2560;
    }
    if run >= 64 {
        let m = run / 64;
        w.put_code(if m <= 27 { makeup[m as usize - 1] } else { EXT_MAKEUP[m as usize - 28] });
        run %= 64;
    }
    w.put_code(term[run as usize]);
}

/// Codes one row 1-D from its changes (no sentinels needed).
pub(crate) fn encode_1d(w: &mut BitWriter, changes: &[u32], width: u32) {
    let mut a0 = 0;
    let mut black = false;
    for &c in changes.iter().take_while(|&&c| c < width) {
        put_run(w, black, c - a0);
        a0 = c;
        black = !black;
    }
    put_run(w, black, width - a0);
}

/// Codes one row 2-D; `cur` and `reference` both carry `add_sentinels`.
pub(crate) fn encode_2d(w: &mut BitWriter, reference: &[u32], cur: &[u32], width: u32) {
    let mut a0: i64 = -1;
    let mut black = false;
    let mut i = 0usize;
    let mut j = 0usize;
    let wi = i64::from(width);
    while a0 < wi {
        i = i.saturating_sub(1);
        while i + 2 < reference.len() && (i64::from(reference[i]) <= a0 || (i & 1 == 1) != black) {
            i += 1;
        }
        let b1 = i64::from(reference[i]);
        let b2 = i64::from(reference[i + 1]);
        let a1 = i64::from(cur[j]);
        if b2 < a1 {
            w.put_code(PASS);
            a0 = b2;
        } else if (a1 - b1).abs() <= 3 {
            w.put_code(VERTICAL[(a1 - b1 + 3) as usize]);
            a0 = a1;
            j += 1;
            black = !black;
        } else {
            let a2 = i64::from(cur[j + 1]);
            w.put_code(HORIZONTAL);
            put_run(w, black, (a1 - a0.max(0)) as u32);
            put_run(w, !black, (a2 - a1) as u32);
            a0 = a2;
            j += 2;
        }
    }
}

/// Finds a packed row's changing elements (the encoder's input), 64 pixels per step so white
/// and black areas cost one compare per word.
pub(crate) fn row_to_changes(row: &[u8], width: u32, out: &mut Vec<u32>) {
    out.clear();
    let mut flip = 0u64; // all ones while inside a black run
    for (wi, chunk) in row.chunks(8).enumerate() {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        let word = u64::from_be_bytes(b);
        let base = wi as u32 * 64;
        let mut from = 0u32;
        loop {
            let v = (word ^ flip) & (u64::MAX >> from);
            if v == 0 {
                break;
            }
            let k = v.leading_zeros();
            if base + k >= width {
                return;
            }
            out.push(base + k);
            flip = !flip;
            from = k;
        }
    }
}

/// Paints a white row from its changes: black from each even entry to the next one.
pub(crate) fn paint_row(changes: &[u32], width: u32, row: &mut [u8]) {
    for pair in changes.chunks(2) {
        let start = pair[0].min(width);
        let end = pair.get(1).copied().unwrap_or(width).min(width);
        fill_black(row, start, end);
    }
}

#[inline(always)]
fn fill_black(row: &mut [u8], start: u32, end: u32) {
    if start >= end {
        return;
    }
    let (sb, eb) = ((start / 8) as usize, ((end - 1) / 8) as usize);
    let first = 0xFFu8 >> (start % 8);
    let last = 0xFFu8 << (7 - (end - 1) % 8);
    let Some(span) = row.get_mut(sb..=eb) else { return };
    if let [only] = span {
        *only |= first & last;
    } else if let [head, mid @ .., tail] = span {
        *head |= first;
        mid.fill(0xFF);
        *tail |= last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes_of(pixels: &str) -> Vec<u32> {
        let row: Vec<u8> = pixels
            .as_bytes()
            .chunks(8)
            .map(|c| {
                c.iter().enumerate().fold(0, |b, (i, &p)| b | (u8::from(p == b'#') << (7 - i)))
            })
            .collect();
        let mut out = Vec::new();
        row_to_changes(&row, pixels.len() as u32, &mut out);
        out
    }

    #[test]
    fn changes_from_pixels() {
        assert_eq!(changes_of("........"), Vec::<u32>::new());
        assert_eq!(changes_of("#......."), vec![0, 1]);
        assert_eq!(changes_of("..##....##"), vec![2, 4, 8]);
        assert_eq!(changes_of("################"), vec![0]);
    }

    #[test]
    fn blank_1728_line_is_makeup_plus_w0() {
        let mut w = BitWriter::with_capacity(4);
        encode_1d(&mut w, &[], 1728);
        // 010011011 00110101 then zero pad: 0100 1101 1001 1010 1000 0000
        assert_eq!(w.finish(), vec![0x4D, 0x9A, 0x80]);
    }

    #[test]
    fn line_codes_round_trip() {
        let width = 1728;
        let rows: Vec<Vec<u32>> = vec![
            vec![],
            vec![0],
            vec![0, 1, 2, 3, 1700, 1727],
            vec![5, 10, 64, 2000.min(width - 1)],
            vec![1, 4, 7, 9, 100, 103, 900, 1727],
        ];
        for refl in &rows {
            for cur in &rows {
                let mut rs = refl.clone();
                add_sentinels(&mut rs, width);
                let mut cs = cur.clone();
                add_sentinels(&mut cs, width);
                let mut w = BitWriter::with_capacity(64);
                encode_2d(&mut w, &rs, &cs, width);
                encode_1d(&mut w, cur, width);
                let bytes = w.finish();
                let mut r = BitReader::new(&bytes);
                let mut out = Vec::new();
                decode_2d(&mut r, &rs, width, &mut out).unwrap();
                assert_eq!(&out, cur, "2-D against {refl:?}");
                decode_1d(&mut r, width, &mut out).unwrap();
                assert_eq!(&out, cur, "1-D");
            }
        }
    }
}
