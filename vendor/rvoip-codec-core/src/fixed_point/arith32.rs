#![allow(clippy::collapsible_if)]

use crate::fixed_point::arith::sature;
use crate::fixed_point::types::{DspContext, Word16, Word32, MAX_32, MIN_32};

#[path = "arith32_ext.rs"]
mod arith32_ext;
#[path = "arith32_compat.rs"]
mod compat;
/// Public re-export.
pub use arith32_ext::{l_add_c, l_mac_ns, l_msu_ns, l_sub_c};
/// Public re-export.
pub use compat::{l_abs, l_sat, mac_r, msu_r, L_add, L_mac, L_msu, L_mult, L_sub};

/// Public function `l_mult`.
#[inline(always)]
pub fn l_mult(ctx: &mut DspContext, var1: Word16, var2: Word16) -> Word32 {
    let mut out = i32::from(var1.0).wrapping_mul(i32::from(var2.0));
    if out != 0x4000_0000 {
        out <<= 1;
    } else {
        ctx.overflow = true;
        out = MAX_32;
    }
    Word32(out)
}

/// Public function `l_add`.
#[inline(always)]
pub fn l_add(ctx: &mut DspContext, l_var1: Word32, l_var2: Word32) -> Word32 {
    if super::FAST_PATHS {
        // Saturates exactly on signed overflow, towards the operands' sign.
        let (out, overflowed) = l_var1.0.overflowing_add(l_var2.0);
        if overflowed {
            ctx.overflow = true;
            return Word32(if l_var1.0 < 0 { MIN_32 } else { MAX_32 });
        }
        return Word32(out);
    }
    let x = l_var1.0;
    let y = l_var2.0;
    let mut out = x.wrapping_add(y);

    if ((x ^ y) & MIN_32) == 0 {
        if ((out ^ x) & MIN_32) != 0 {
            out = if x < 0 { MIN_32 } else { MAX_32 };
            ctx.overflow = true;
        }
    }

    Word32(out)
}

/// Public function `l_sub`.
#[inline(always)]
pub fn l_sub(ctx: &mut DspContext, l_var1: Word32, l_var2: Word32) -> Word32 {
    if super::FAST_PATHS {
        // Saturates exactly on signed overflow, towards the minuend's sign.
        let (out, overflowed) = l_var1.0.overflowing_sub(l_var2.0);
        if overflowed {
            ctx.overflow = true;
            return Word32(if l_var1.0 < 0 { MIN_32 } else { MAX_32 });
        }
        return Word32(out);
    }
    let x = l_var1.0;
    let y = l_var2.0;
    let mut out = x.wrapping_sub(y);

    if ((x ^ y) & MIN_32) != 0 {
        if ((out ^ x) & MIN_32) != 0 {
            out = if x < 0 { MIN_32 } else { MAX_32 };
            ctx.overflow = true;
        }
    }

    Word32(out)
}

/// Public function `l_mac`.
#[inline(always)]
pub fn l_mac(ctx: &mut DspContext, l_var3: Word32, var1: Word16, var2: Word16) -> Word32 {
    let p = l_mult(ctx, var1, var2);
    l_add(ctx, l_var3, p)
}

/// Public function `l_msu`.
#[inline(always)]
pub fn l_msu(ctx: &mut DspContext, l_var3: Word32, var1: Word16, var2: Word16) -> Word32 {
    let p = l_mult(ctx, var1, var2);
    l_sub(ctx, l_var3, p)
}

/// Public function `l_negate`.
#[inline(always)]
pub fn l_negate(_ctx: &mut DspContext, l_var1: Word32) -> Word32 {
    if l_var1.0 == MIN_32 {
        Word32(MAX_32)
    } else {
        Word32(-l_var1.0)
    }
}

/// Public function `mult_r`.
#[inline(always)]
pub fn mult_r(ctx: &mut DspContext, var1: Word16, var2: Word16) -> Word16 {
    if super::FAST_PATHS {
        return crate::fixed_point::arith::mult_r(ctx, var1, var2);
    }
    let p = i32::from(var1.0).wrapping_mul(i32::from(var2.0));
    let mut l_prod = (p.wrapping_add(0x0000_4000) as u32) & 0xFFFF_8000;
    l_prod >>= 15;

    let mut signed = l_prod as i32;
    if (signed & 0x0001_0000) != 0 {
        signed |= !0x0000_FFFF;
    }

    sature(ctx, Word32(signed))
}

/// Public constant `fn`.
#[inline(always)]
pub const fn l_deposit_h(var1: Word16) -> Word32 {
    Word32((var1.0 as i32) << 16)
}

/// Public constant `fn`.
#[inline(always)]
pub const fn l_deposit_l(var1: Word16) -> Word32 {
    Word32(var1.0 as i32)
}

/// `L_mac` chained over a whole dot product, `init + Σ 2·a[i]·b[i]` in order,
/// with the reference's step-by-step saturation and overflow flag.
#[inline]
pub fn l_mac_dot<'a>(
    ctx: &mut DspContext,
    init: Word32,
    a: &[Word16],
    b: impl Iterator<Item = &'a Word16> + Clone,
) -> Word32 {
    mac_chain(ctx, init, a, b, false)
}

/// `L_msu` chained over a whole dot product, `init − Σ 2·a[i]·b[i]` in order,
/// with the reference's step-by-step saturation and overflow flag.
#[inline]
pub fn l_msu_dot<'a>(
    ctx: &mut DspContext,
    init: Word32,
    a: &[Word16],
    b: impl Iterator<Item = &'a Word16> + Clone,
) -> Word32 {
    mac_chain(ctx, init, a, b, true)
}

/// `Σ x[i]²`, exactly.
#[inline]
pub fn sum_squares(x: &[Word16]) -> u64 {
    x.iter()
        .map(|v| u64::from((i32::from(v.0) * i32::from(v.0)) as u32))
        .sum()
}

/// `L_mac(0, x[i], x[i])` chained over `x`, with the reference's saturation
/// and flag. Every term is non-negative, so the partial sums only grow: the
/// chain saturates (ending at `MAX_32` with the flag set, also when a term is
/// `L_mult(-32768, -32768)`) exactly when twice the exact sum exceeds
/// `MAX_32`, and otherwise is that sum with the flag untouched.
#[inline]
pub fn l_mac_energy(ctx: &mut DspContext, x: &[Word16]) -> Word32 {
    if !super::FAST_PATHS {
        return mac_chain(ctx, Word32(0), x, x.iter(), false);
    }
    let sum = 2 * sum_squares(x);
    if sum <= MAX_32 as u64 {
        Word32(sum as i32)
    } else {
        ctx.overflow = true;
        Word32(MAX_32)
    }
}

/// Whether a doubled dot product of two vectors with energies `energy_a` and
/// `energy_b` (sums of squares) always fits in 32 bits, i.e. when
/// `2·sqrt(energy_a·energy_b) <= MAX_32`: by Cauchy–Schwarz that bounds
/// `2·Σ|a[i]·b[i]|` over any sub-range, so an `L_mac` chain from 0 over it
/// cannot saturate (not even an `L_mult`, which would need a 2^31 term) and
/// never touches the flag. Always false with the fast paths off.
#[inline]
pub fn dot_fits(energy_a: u64, energy_b: u64) -> bool {
    super::FAST_PATHS
        && 4 * u128::from(energy_a) * u128::from(energy_b) <= (MAX_32 as u128) * (MAX_32 as u128)
}

/// `2·Σ a[i]·b[i]` in wrapping 32-bit arithmetic: the exact value whenever it
/// fits in 32 bits, whatever the order — for callers that have proved a bound
/// (see [`dot_fits`]), in which case it equals the `L_mac` chain from 0.
#[inline]
pub fn dot_exact<'a>(a: &[Word16], b: impl Iterator<Item = &'a Word16>) -> Word32 {
    let mut acc = 0i32;
    for (x, y) in a.iter().zip(b) {
        acc = acc.wrapping_add(i32::from(x.0) * i32::from(y.0));
    }
    Word32(acc.wrapping_mul(2))
}

/// When `|init| + Σ |2·a[i]·b[i]|` fits in 32 bits no partial sum can leave
/// the range, so no step saturates, no flag is set, and the order-free exact
/// sum (which the compiler vectorises) is the same word. Otherwise the chain
/// runs step by step as written.
#[inline(always)]
fn mac_chain<'a>(
    ctx: &mut DspContext,
    init: Word32,
    a: &[Word16],
    b: impl Iterator<Item = &'a Word16> + Clone,
    subtract: bool,
) -> Word32 {
    let mut sum = 0i64;
    let mut magnitude = 0i64;
    for (x, y) in a.iter().zip(b.clone()) {
        let p = i64::from(i32::from(x.0) * i32::from(y.0));
        sum += p;
        magnitude += p.abs();
    }
    if super::FAST_PATHS && i64::from(init.0).abs() + 2 * magnitude <= i64::from(MAX_32) {
        let step = 2 * sum as i32;
        return Word32(if subtract { init.0 - step } else { init.0 + step });
    }
    let mut acc = init;
    for (x, y) in a.iter().zip(b) {
        acc = if subtract { l_msu(ctx, acc, *x, *y) } else { l_mac(ctx, acc, *x, *y) };
    }
    acc
}
