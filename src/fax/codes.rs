//! T.4 code tables (ITU-T T.4 §4.1.1 Tables 1/T.4–3/T.4, §4.2.1.3 Table 4/T.4; identical in
//! T.6 §2.2) and the lookup tables the decoders index with the next 12 or 13 stream bits.
//!
//! The lookup tables are built at compile time by filling every index that starts with a code, so
//! decoding a run is one table load and no tree walk.

/// (code bits, code length) for the terminating codes of runs 0..=63, white (T.4 Table 1a).
#[rustfmt::skip]
pub(crate) const WHITE_TERM: [(u16, u8); 64] = [
    (0x35, 8), (0x07, 6), (0x07, 4), (0x08, 4), (0x0B, 4), (0x0C, 4), (0x0E, 4), (0x0F, 4),
    (0x13, 5), (0x14, 5), (0x07, 5), (0x08, 5), (0x08, 6), (0x03, 6), (0x34, 6), (0x35, 6),
    (0x2A, 6), (0x2B, 6), (0x27, 7), (0x0C, 7), (0x08, 7), (0x17, 7), (0x03, 7), (0x04, 7),
    (0x28, 7), (0x2B, 7), (0x13, 7), (0x24, 7), (0x18, 7), (0x02, 8), (0x03, 8), (0x1A, 8),
    (0x1B, 8), (0x12, 8), (0x13, 8), (0x14, 8), (0x15, 8), (0x16, 8), (0x17, 8), (0x28, 8),
    (0x29, 8), (0x2A, 8), (0x2B, 8), (0x2C, 8), (0x2D, 8), (0x04, 8), (0x05, 8), (0x0A, 8),
    (0x0B, 8), (0x52, 8), (0x53, 8), (0x54, 8), (0x55, 8), (0x24, 8), (0x25, 8), (0x58, 8),
    (0x59, 8), (0x5A, 8), (0x5B, 8), (0x4A, 8), (0x4B, 8), (0x32, 8), (0x33, 8), (0x34, 8),
];

/// Terminating codes of runs 0..=63, black (T.4 Table 1b).
#[rustfmt::skip]
pub(crate) const BLACK_TERM: [(u16, u8); 64] = [
    (0x37, 10), (0x02, 3), (0x03, 2), (0x02, 2), (0x03, 3), (0x03, 4), (0x02, 4), (0x03, 5),
    (0x05, 6), (0x04, 6), (0x04, 7), (0x05, 7), (0x07, 7), (0x04, 8), (0x07, 8), (0x18, 9),
    (0x17, 10), (0x18, 10), (0x08, 10), (0x67, 11), (0x68, 11), (0x6C, 11), (0x37, 11), (0x28, 11),
    (0x17, 11), (0x18, 11), (0xCA, 12), (0xCB, 12), (0xCC, 12), (0xCD, 12), (0x68, 12), (0x69, 12),
    (0x6A, 12), (0x6B, 12), (0xD2, 12), (0xD3, 12), (0xD4, 12), (0xD5, 12), (0xD6, 12), (0xD7, 12),
    (0x6C, 12), (0x6D, 12), (0xDA, 12), (0xDB, 12), (0x54, 12), (0x55, 12), (0x56, 12), (0x57, 12),
    (0x64, 12), (0x65, 12), (0x52, 12), (0x53, 12), (0x24, 12), (0x37, 12), (0x38, 12), (0x27, 12),
    (0x28, 12), (0x58, 12), (0x59, 12), (0x2B, 12), (0x2C, 12), (0x5A, 12), (0x66, 12), (0x67, 12),
];

/// Make-up codes of runs 64, 128, …, 1728 (index = run / 64 − 1), white (T.4 Table 2a).
#[rustfmt::skip]
pub(crate) const WHITE_MAKEUP: [(u16, u8); 27] = [
    (0x1B, 5), (0x12, 5), (0x17, 6), (0x37, 7), (0x36, 8), (0x37, 8), (0x64, 8), (0x65, 8),
    (0x68, 8), (0x67, 8), (0xCC, 9), (0xCD, 9), (0xD2, 9), (0xD3, 9), (0xD4, 9), (0xD5, 9),
    (0xD6, 9), (0xD7, 9), (0xD8, 9), (0xD9, 9), (0xDA, 9), (0xDB, 9), (0x98, 9), (0x99, 9),
    (0x9A, 9), (0x18, 6), (0x9B, 9),
];

/// Make-up codes of runs 64, 128, …, 1728, black (T.4 Table 2b).
#[rustfmt::skip]
pub(crate) const BLACK_MAKEUP: [(u16, u8); 27] = [
    (0x0F, 10), (0xC8, 12), (0xC9, 12), (0x5B, 12), (0x33, 12), (0x34, 12), (0x35, 12), (0x6C, 13),
    (0x6D, 13), (0x4A, 13), (0x4B, 13), (0x4C, 13), (0x4D, 13), (0x72, 13), (0x73, 13), (0x74, 13),
    (0x75, 13), (0x76, 13), (0x77, 13), (0x52, 13), (0x53, 13), (0x54, 13), (0x55, 13), (0x5A, 13),
    (0x5B, 13), (0x64, 13), (0x65, 13),
];

/// Extended make-up codes 1792, 1856, …, 2560, shared by both colours (T.4 Table 3).
#[rustfmt::skip]
pub(crate) const EXT_MAKEUP: [(u16, u8); 13] = [
    (0x08, 11), (0x0C, 11), (0x0D, 11), (0x12, 12), (0x13, 12), (0x14, 12), (0x15, 12),
    (0x16, 12), (0x17, 12), (0x1C, 12), (0x1D, 12), (0x1E, 12), (0x1F, 12),
];

/// EOL `000000000001` (T.4 §4.1.2).
pub(crate) const EOL: (u16, u8) = (0x001, 12);

/// 2-D mode codes (T.4 Table 4/T.4).
pub(crate) const PASS: (u16, u8) = (0x1, 4);
pub(crate) const HORIZONTAL: (u16, u8) = (0x1, 3);
/// Vertical modes indexed by a1 − b1 + 3: VL3, VL2, VL1, V0, VR1, VR2, VR3.
#[rustfmt::skip]
pub(crate) const VERTICAL: [(u16, u8); 7] = [
    (0x02, 7), (0x02, 6), (0x2, 3), (0x1, 1), (0x3, 3), (0x03, 6), (0x03, 7),
];

/// What a run-length table slot holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RunKind {
    /// A terminating code: the run ends here.
    Term,
    /// A make-up code: a terminating code follows.
    Makeup,
    /// `000000000001`.
    Eol,
    /// Twelve or more leading zeros seen through this window: fill before an EOL, or garbage.
    Zeros,
    /// No code starts with these bits.
    Invalid,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RunCode {
    pub(crate) run: u16,
    pub(crate) len: u8,
    pub(crate) kind: RunKind,
}

const INVALID: RunCode = RunCode { run: 0, len: 0, kind: RunKind::Invalid };

const fn fill<const N: usize>(
    mut t: [RunCode; N],
    bits: u32,
    code: (u16, u8),
    entry: RunCode,
) -> [RunCode; N] {
    let shift = bits - code.1 as u32;
    let start = (code.0 as usize) << shift;
    let end = start + (1usize << shift);
    let mut i = start;
    while i < end {
        t[i] = entry;
        i += 1;
    }
    t
}

const fn build_runs<const N: usize>(
    bits: u32,
    term: &[(u16, u8); 64],
    makeup: &[(u16, u8); 27],
) -> [RunCode; N] {
    let mut t = [INVALID; N];
    let mut i = 0;
    while i < 64 {
        t = fill(t, bits, term[i], RunCode { run: i as u16, len: term[i].1, kind: RunKind::Term });
        i += 1;
    }
    i = 0;
    while i < 27 {
        let e = RunCode { run: (i as u16 + 1) * 64, len: makeup[i].1, kind: RunKind::Makeup };
        t = fill(t, bits, makeup[i], e);
        i += 1;
    }
    i = 0;
    while i < 13 {
        let e = RunCode { run: 1792 + i as u16 * 64, len: EXT_MAKEUP[i].1, kind: RunKind::Makeup };
        t = fill(t, bits, EXT_MAKEUP[i], e);
        i += 1;
    }
    t = fill(t, bits, EOL, RunCode { run: 0, len: 12, kind: RunKind::Eol });
    t = fill(t, bits, (0, 12), RunCode { run: 0, len: 0, kind: RunKind::Zeros });
    t
}

/// Index with the next 12 bits (the longest white code is 12 bits).
pub(crate) const WHITE_BITS: u32 = 12;
/// Index with the next 13 bits (the longest black code is 13 bits).
pub(crate) const BLACK_BITS: u32 = 13;
pub(crate) static WHITE_RUNS: [RunCode; 1 << WHITE_BITS] =
    build_runs(WHITE_BITS, &WHITE_TERM, &WHITE_MAKEUP);
pub(crate) static BLACK_RUNS: [RunCode; 1 << BLACK_BITS] =
    build_runs(BLACK_BITS, &BLACK_TERM, &BLACK_MAKEUP);

/// A 2-D mode as decoded from the stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Pass,
    Horizontal,
    /// a1 − b1, in −3..=3.
    Vertical(i8),
    /// `0000001…`: the T.4 §4.2.2 extension (uncompressed mode), never used by fax profiles.
    Extension,
    /// Seven zeros: an EOL, EOFB, fill or garbage.
    Zeros,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct ModeCode {
    pub(crate) mode: Mode,
    pub(crate) len: u8,
}

/// Index with the next 7 bits (the longest mode code is 7 bits).
pub(crate) const MODE_BITS: u32 = 7;

const fn build_modes() -> [ModeCode; 1 << MODE_BITS] {
    let mut t = [ModeCode { mode: Mode::Zeros, len: 0 }; 1 << MODE_BITS];
    let mut i = 0;
    while i < (1 << MODE_BITS) {
        let (mode, len) = if i >= 0x40 {
            (Mode::Vertical(0), 1)
        } else if i >= 0x30 {
            (Mode::Vertical(1), 3)
        } else if i >= 0x20 {
            (Mode::Vertical(-1), 3)
        } else if i >= 0x10 {
            (Mode::Horizontal, 3)
        } else if i >= 0x08 {
            (Mode::Pass, 4)
        } else if i >= 0x06 {
            (Mode::Vertical(2), 6)
        } else if i >= 0x04 {
            (Mode::Vertical(-2), 6)
        } else if i == 0x03 {
            (Mode::Vertical(3), 7)
        } else if i == 0x02 {
            (Mode::Vertical(-3), 7)
        } else if i == 0x01 {
            (Mode::Extension, 7)
        } else {
            (Mode::Zeros, 0)
        };
        t[i] = ModeCode { mode, len };
        i += 1;
    }
    t
}

pub(crate) static MODES: [ModeCode; 1 << MODE_BITS] = build_modes();

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code must land in its own slot: a typo in a table shows up as an overlap.
    fn assert_prefix_free(term: &[(u16, u8); 64], makeup: &[(u16, u8); 27]) {
        let mut all: Vec<(u16, u8)> =
            term.iter().chain(makeup).chain(&EXT_MAKEUP).copied().collect();
        all.push(EOL);
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                let (short, long) = if a.1 <= b.1 { (a, b) } else { (b, a) };
                assert_ne!(long.0 >> (long.1 - short.1), short.0, "{a:?} is a prefix of {b:?}");
            }
        }
    }

    #[test]
    fn tables_are_prefix_free() {
        assert_prefix_free(&WHITE_TERM, &WHITE_MAKEUP);
        assert_prefix_free(&BLACK_TERM, &BLACK_MAKEUP);
    }

    #[test]
    fn lookup_finds_each_code() {
        for (run, &(code, len)) in WHITE_TERM.iter().enumerate() {
            let e = WHITE_RUNS[(code as usize) << (WHITE_BITS - len as u32)];
            assert_eq!((e.run as usize, e.len, e.kind), (run, len, RunKind::Term));
        }
        for (run, &(code, len)) in BLACK_TERM.iter().enumerate() {
            let e = BLACK_RUNS[(code as usize) << (BLACK_BITS - len as u32)];
            assert_eq!((e.run as usize, e.len, e.kind), (run, len, RunKind::Term));
        }
        // Blank 1728 line = make-up 1728 `010011011` (spec sheet §3).
        let e = WHITE_RUNS[0b010011011 << 3];
        assert_eq!((e.run, e.kind), (1728, RunKind::Makeup));
    }
}
