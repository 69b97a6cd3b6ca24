//! The adaptive state shared by the G.726 encoder and decoder, and the blocks of G.726 §4.2
//! that read or update it.
//!
//! Every width and wrap-around follows the standard's integer description (the same one the
//! ITU-T G.191 STL implements): bit-exactness against the Appendix II sequences depends on the
//! 11-bit floating-point products, the halved 16-bit sums and the truncating shifts below, so
//! none of them may be "simplified" into wider arithmetic.

use super::tables::RateTables;

/// Floating-point zero of FLOATA/FLOATB: mantissa 32 (0.5), exponent 0, sign +. It is *not* an
/// exact zero in FMULT, which is why the reset state and the "-0" of sign-magnitude DQ matter.
const FLOAT_ZERO: u16 = 32;

/// Predictor, quantizer-scale and speed-control memory (G.726 §4.2.4–§4.2.7), in the reset
/// state of the standard's delay blocks after [`State::default`].
#[derive(Clone, Debug)]
pub(crate) struct State {
    /// SR(k-1), SR(k-2) in the 11-bit float format (sign, 4-bit exponent, 6-bit mantissa).
    sr: [u16; 2],
    /// DQ(k-1)..DQ(k-6), same float format.
    dq: [u16; 6],
    /// A1, A2: pole coefficients, 16-bit two's complement, 2^-14 units.
    a: [i16; 2],
    /// B1..B6: zero coefficients.
    b: [i16; 6],
    /// Sign of DQ+SEZ for the two previous samples (PK1, PK2); `true` is negative.
    pk: [bool; 2],
    /// Short- and long-term averages of F(I) (DMS 12-bit, DML 14-bit).
    dms: i32,
    dml: i32,
    /// Unlimited speed-control parameter AP (10-bit).
    ap: i32,
    /// Fast (YU, 13-bit) and slow (YL, 19-bit) quantizer scale factors.
    yu: i32,
    yl: i32,
    /// Tone detected (TD).
    td: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            sr: [FLOAT_ZERO; 2],
            dq: [FLOAT_ZERO; 6],
            a: [0; 2],
            b: [0; 6],
            pk: [false; 2],
            dms: 0,
            dml: 0,
            ap: 0,
            yu: 544,
            yl: 34816,
            td: false,
        }
    }
}

/// What the predictor and the scale-factor mixer give for the current sample, before its code
/// word is known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Estimate {
    /// Signal estimate SE (15-bit two's complement, in the 14-bit PCM domain).
    pub se: i32,
    /// Partial estimate SEZ from the zeros only.
    pub sez: i32,
    /// Quantizer scale factor Y (MIX).
    pub y: i32,
}

/// Number of significant bits (0 for 0).
#[inline]
fn bit_len(v: u32) -> u32 {
    32 - v.leading_zeros()
}

/// FLOATA/FLOATB from a sign and a 15-bit magnitude.
#[inline]
fn to_float(negative: bool, mag: u32) -> u16 {
    let exp = bit_len(mag);
    let mant = if mag == 0 { 32 } else { (mag << 6) >> exp };
    ((u32::from(negative) << 10) | (exp << 6) | mant) as u16
}

/// FMULT (§4.2.6): a coefficient times a float-format signal, result 16-bit two's complement.
#[inline]
fn fmult(coef: i16, f: u16) -> i32 {
    let coef = i32::from(coef);
    let an_mag = (if coef < 0 { -(coef >> 2) } else { coef >> 2 } & 8191) as u32;
    let an_exp = bit_len(an_mag);
    let an_mant = if an_mag == 0 { 32 } else { (an_mag << 6) >> an_exp };
    let f = u32::from(f);
    let exp = ((f >> 6) & 15) + an_exp;
    let mant = ((f & 63) * an_mant + 48) >> 4;
    let mag =
        if exp <= 26 { (mant << 7) >> (26 - exp) } else { ((mant << 7) << (exp - 26)) & 32767 };
    let mag = mag as i32;
    if ((f >> 10) & 1 == 1) != (coef < 0) { -mag } else { mag }
}

/// LOG (§4.2.2): 16-bit two's complement difference to (log2 magnitude ×128, negative?).
#[inline]
pub(crate) fn log2_domain(d: i32) -> (i32, bool) {
    let negative = d < 0;
    let mag = (if negative { -d } else { d } & 32767) as u32;
    let exp = bit_len(mag).saturating_sub(1);
    let mant = ((mag << 7) >> exp) & 127;
    (((exp << 7) + mant) as i32, negative)
}

/// SUBTB: log difference scaled by Y, as the unsigned 12-bit word QUAN compares.
#[inline]
pub(crate) fn scale_log(dl: i32, y: i32) -> u16 {
    ((dl + 4096 - (y >> 2)) & 4095) as u16
}

/// QUAN (§4.2.2): the code word for a scaled log difference.
#[inline]
pub(crate) fn quantize(t: &RateTables, dln: u16, negative: bool) -> u8 {
    let mut code = t.quan_below;
    for &(bound, c) in t.quan {
        if dln >= bound {
            code = c;
            break;
        }
    }
    let max = (1u8 << t.bits) - 1;
    if negative {
        code = max - code;
    }
    // Only 16 kbit/s uses the all-zero word; elsewhere it is replaced (Tables 1-3 note).
    if code == 0 && t.bits > 2 { max } else { code }
}

impl State {
    /// FMULT/ACCUM (§4.2.6) and LIMA/MIX (§4.2.4, §4.2.5) for the next sample.
    #[inline]
    pub(crate) fn estimate(&self) -> Estimate {
        let mut sez: i16 = 0;
        for (b, dq) in self.b.iter().zip(self.dq.iter()) {
            sez = sez.wrapping_add(fmult(*b, *dq) as i16);
        }
        let se = sez
            .wrapping_add(fmult(self.a[1], self.sr[1]) as i16)
            .wrapping_add(fmult(self.a[0], self.sr[0]) as i16);
        let al = if self.ap >= 256 { 64 } else { self.ap >> 2 };
        let yl6 = self.yl >> 6;
        let dif = self.yu - yl6;
        let prod = (dif.abs() * al) >> 6;
        let y = yl6 + if dif < 0 { -prod } else { prod };
        Estimate { se: i32::from(se >> 1), sez: i32::from(sez >> 1), y }
    }

    /// RECONST/ADDA/ANTILOG and every adaptation of §4.2.3–§4.2.7 for code word `code`.
    /// Returns the reconstructed signal SR (16-bit two's complement, 14-bit PCM domain).
    #[inline]
    pub(crate) fn update(&mut self, t: &RateTables, est: Estimate, code: u8) -> i32 {
        let bits = u32::from(t.bits);
        let half = 1u8 << (bits - 1);
        let max = (1u8 << bits) - 1;
        let code = code & max;
        let dqs = code & half != 0;
        let mag_index = usize::from(if dqs { max - code } else { code } & (half - 1));

        // §4.2.3: log-domain reconstruction, then back to linear sign-magnitude.
        let dql = (i32::from(t.dqln[usize::from(code)]) + (est.y >> 2)) & 4095;
        let dq_mag = if dql & 2048 != 0 {
            0
        } else {
            // Y <= 5120 (LIMB) keeps the exponent <= 14.
            let exp = ((dql >> 7) & 15) as u32;
            (((dql & 127) + 128) << 7) >> 14u32.saturating_sub(exp)
        };
        let dq_signed = if dqs { -dq_mag } else { dq_mag };

        // §4.2.4: scale factor adaptation (FUNCTW, FILTD, LIMB, FILTE).
        let w = i32::from(t.w[mag_index]);
        let w = if w >= 2048 { w - 4096 } else { w };
        let yu = (est.y + ((32 * w - est.y) >> 5)).clamp(544, 5120);
        let yl = (self.yl + yu + ((-self.yl) >> 6)) & 0x7FFFF;

        // §4.2.5: FUNCTF, FILTA, FILTB.
        let f = i32::from(t.f[mag_index]);
        let dms = self.dms + ((f * 512 - self.dms) >> 5);
        let dml = self.dml + ((f * 2048 - self.dml) >> 7);

        // §4.2.7 TRANS, on the scale factor before this sample's update.
        let yl_int = self.yl >> 15;
        let thr = if yl_int > 9 { 31744 } else { (((self.yl >> 10) & 31) + 32) << yl_int };
        let tr = self.td && dq_mag > (thr + (thr >> 1)) >> 1;

        // §4.2.6: ADDB, ADDC, FLOATA, FLOATB.
        let sr = i32::from((dq_signed as i16).wrapping_add(est.se as i16));
        let dqsez = (dq_signed as i16).wrapping_add(est.sez as i16);
        let pk0 = dqsez < 0;
        let sigpk = dqsez == 0;
        let sr_float = to_float(sr < 0, (sr.unsigned_abs()) & 32767);
        let dq_float = to_float(dqs, dq_mag as u32);

        // UPA2, LIMC.
        let [a1, a2] = self.a;
        let [pk1, pk2] = self.pk;
        let uga2 = if sigpk {
            0
        } else {
            let base = if pk0 == pk2 { 16384 } else { -16384 };
            let fa = 4 * i32::from(a1).clamp(-8191, 8191);
            (base + if pk0 != pk1 { fa } else { -fa }) >> 7
        };
        let a2t = a2.wrapping_add(uga2 as i16).wrapping_sub(a2 >> 7);
        let a2p = a2t.clamp(-12288, 12288);
        // UPA1, LIMD.
        let uga1: i16 = if sigpk {
            0
        } else if pk0 == pk1 {
            192
        } else {
            -192
        };
        let a1t = a1.wrapping_add(uga1).wrapping_sub(a1 >> 8);
        let a1p = a1t.clamp(a2p - 15360, 15360 - a2p);
        // TONE.
        let tdp = a2p < -11776;
        // SUBTC, FILTC.
        let ax = !(est.y >= 1536 && (4 * dms - dml).abs() < (dml >> 3) && !tdp);
        let app = self.ap + ((i32::from(ax) * 512 - self.ap) >> 4);

        // XOR, UPB for the six zeros, before the delay line shifts.
        let leak = t.b_leak;
        for (b, dq_old) in self.b.iter_mut().zip(self.dq.iter()) {
            let ugb: i16 = if dq_mag == 0 {
                0
            } else if dqs == ((dq_old >> 10) & 1 == 1) {
                128
            } else {
                -128
            };
            *b = if tr { 0 } else { b.wrapping_add(ugb).wrapping_sub(*b >> leak) };
        }

        // TRIGA/TRIGB: a transition resets the predictor and forces fast adaptation.
        if tr {
            self.a = [0, 0];
            self.td = false;
            self.ap = 256;
        } else {
            self.a = [a1p, a2p];
            self.td = tdp;
            self.ap = app;
        }
        self.yu = yu;
        self.yl = yl;
        self.dms = dms;
        self.dml = dml;
        self.pk = [pk0, pk1];
        self.sr = [sr_float, self.sr[0]];
        self.dq.copy_within(0..5, 1);
        self.dq[0] = dq_float;
        sr
    }
}
