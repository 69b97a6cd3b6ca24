//! The per-rate constants of ITU-T G.726 (12/90), indexed by the magnitude of the code word.
//!
//! Values are in the integer domain of the standard's block descriptions (§4.2): log-domain
//! values in 1/128 units of log2, scale factors in 1/32 (W) or plain counts (F).

/// Everything that differs between 16, 24, 32 and 40 kbit/s.
#[derive(Debug)]
pub(crate) struct RateTables {
    /// Bits per code word (2..=5).
    pub bits: u8,
    /// QUAN (§4.2.2, Tables 1–4): `(lower bound of dln, magnitude code)` from the top, then the
    /// code for everything below the last bound. `dln` is compared as the unsigned 12-bit value
    /// the standard uses, so "negative" log differences sort above 2047.
    pub quan: &'static [(u16, u8)],
    pub quan_below: u8,
    /// RECONST (§4.2.3): log2 of the reconstructed |DQ| per full code word; 2048 and above
    /// mean "zero" (the sign bit of the 12-bit word).
    pub dqln: &'static [u16],
    /// FUNCTW (§4.2.4): scale-factor multiplier W per |I|, 12-bit two's complement.
    pub w: &'static [u16],
    /// FUNCTF (§4.2.5): F per |I|.
    pub f: &'static [u8],
    /// UPB leak (§4.2.6): 2^-8, except 2^-9 at 40 kbit/s.
    pub b_leak: u32,
}

#[rustfmt::skip]
pub(crate) static RATE16: RateTables = RateTables {
    bits: 2,
    // Table 4/G.726
    quan: &[(2048, 0), (261, 1)],
    quan_below: 0,
    dqln: &[116, 365, 365, 116],
    w: &[4074, 439],
    f: &[0, 7],
    b_leak: 8,
};

#[rustfmt::skip]
pub(crate) static RATE24: RateTables = RateTables {
    bits: 3,
    // Table 3/G.726
    quan: &[(2048, 7), (331, 3), (218, 2), (8, 1)],
    quan_below: 7,
    dqln: &[2048, 135, 273, 373, 373, 273, 135, 2048],
    w: &[4092, 30, 137, 582],
    f: &[0, 1, 2, 7],
    b_leak: 8,
};

#[rustfmt::skip]
pub(crate) static RATE32: RateTables = RateTables {
    bits: 4,
    // Table 2/G.726: decision levels of log2|d| - y at -0.98 (3972 = -124), 0.62, 1.38, 1.91,
    // 2.34, 2.72, 3.12 (×128).
    quan: &[(3972, 1), (2048, 15), (400, 7), (349, 6), (300, 5), (246, 4), (178, 3), (80, 2)],
    quan_below: 1,
    dqln: &[2048, 4, 135, 213, 273, 323, 373, 425, 425, 373, 323, 273, 213, 135, 4, 2048],
    w: &[4084, 18, 41, 64, 112, 198, 355, 1122],
    f: &[0, 0, 0, 1, 1, 1, 3, 7],
    b_leak: 8,
};

#[rustfmt::skip]
pub(crate) static RATE40: RateTables = RateTables {
    bits: 5,
    // Table 1/G.726
    quan: &[
        (4080, 2), (3974, 1), (2048, 31), (553, 15), (528, 14), (502, 13), (475, 12), (445, 11),
        (413, 10), (378, 9), (339, 8), (298, 7), (250, 6), (198, 5), (139, 4), (68, 3),
    ],
    quan_below: 2,
    dqln: &[
        2048, 4030, 28, 104, 169, 224, 274, 318, 358, 395, 429, 459, 488, 514, 539, 566,
        566, 539, 514, 488, 459, 429, 395, 358, 318, 274, 224, 169, 104, 28, 4030, 2048,
    ],
    w: &[14, 14, 24, 39, 40, 41, 58, 100, 141, 179, 219, 280, 358, 440, 529, 696],
    f: &[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6],
    b_leak: 9,
};
