//! ITU-T G.711 A-law and µ-law.
//!
//! Decoding is the fixed table every implementation shares. Encoding from 16-bit PCM has no
//! single right answer below the 13/14-bit resolution of the law, and deployed tools disagree on
//! 9-18 % of speech samples. mm3gw follows **ffmpeg's `pcm_alaw`/`pcm_mulaw` rule**: the input's
//! 14 most significant bits (floor) pick the code whose reconstruction value is nearest, with
//! decision levels at the midpoints between neighbouring reconstruction values, rounded half up
//! (`(v1 + v2 + 4) >> 3`). Verified byte for byte against ffmpeg for all 65 536 inputs; SoX
//! instead rounds to 14 (µ-law) or 13 (A-law) bits first and then truncates.
//!
//! [`compress_g726`] is a different converter on purpose: the COMPRESS block of G.726 §4.2.8,
//! which the ADPCM decoder's bit-exact output depends on.

/// Which companding law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    /// A-law (Europe; the even bits of every code word are inverted on the line).
    A,
    /// µ-law (North America, Japan; audio/basic).
    Mu,
}

const fn ulaw_to_linear(code: u8) -> i16 {
    let u = !code;
    let mut t = (((u & 0x0F) as i32) << 3) + 0x84;
    t <<= ((u & 0x70) >> 4) as i32;
    (if u & 0x80 != 0 { 0x84 - t } else { t - 0x84 }) as i16
}

const fn alaw_to_linear(code: u8) -> i16 {
    let a = code ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    if seg == 0 {
        t += 8;
    } else {
        t += 0x108;
        if seg > 1 {
            t <<= seg - 1;
        }
    }
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

const fn decode_table(law: Law) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match law {
            Law::A => alaw_to_linear(i as u8),
            Law::Mu => ulaw_to_linear(i as u8),
        };
        i += 1;
    }
    t
}

/// The 14-bit-indexed encoder table: code words in order of magnitude, switched at the midpoint
/// of adjacent reconstruction values.
const fn encode_table(law: Law, mask: u8) -> [u8; 16384] {
    let mut t = [0u8; 16384];
    t[8192] = mask;
    let mut j: usize = 1;
    let mut i: usize = 0;
    while i < 127 {
        let (v1, v2) = match law {
            Law::A => (alaw_to_linear(i as u8 ^ mask), alaw_to_linear((i as u8 + 1) ^ mask)),
            Law::Mu => (ulaw_to_linear(i as u8 ^ mask), ulaw_to_linear((i as u8 + 1) ^ mask)),
        };
        let v = ((v1 as i32 + v2 as i32 + 4) >> 3) as usize;
        while j < v {
            t[8192 - j] = i as u8 ^ (mask ^ 0x80);
            t[8192 + j] = i as u8 ^ mask;
            j += 1;
        }
        i += 1;
    }
    while j < 8192 {
        t[8192 - j] = 127 ^ (mask ^ 0x80);
        t[8192 + j] = 127 ^ mask;
        j += 1;
    }
    t[0] = t[1];
    t
}

static ALAW_DECODE: [i16; 256] = decode_table(Law::A);
static ULAW_DECODE: [i16; 256] = decode_table(Law::Mu);
static ALAW_ENCODE: [u8; 16384] = encode_table(Law::A, 0xD5);
static ULAW_ENCODE: [u8; 16384] = encode_table(Law::Mu, 0xFF);

/// Decodes one code word to 16-bit linear PCM.
#[inline]
pub fn decode(law: Law, code: u8) -> i16 {
    match law {
        Law::A => ALAW_DECODE[usize::from(code)],
        Law::Mu => ULAW_DECODE[usize::from(code)],
    }
}

/// Encodes one 16-bit sample (ffmpeg's rule, see the module doc).
#[inline]
pub fn encode(law: Law, sample: i16) -> u8 {
    let index = ((i32::from(sample) + 32768) >> 2) as usize;
    match law {
        Law::A => ALAW_ENCODE[index],
        Law::Mu => ULAW_ENCODE[index],
    }
}

/// Decodes a buffer of code words.
pub fn decode_all(law: Law, codes: &[u8]) -> Vec<i16> {
    codes.iter().map(|&c| decode(law, c)).collect()
}

/// Encodes a buffer of samples.
pub fn encode_all(law: Law, pcm: &[i16]) -> Vec<u8> {
    pcm.iter().map(|&s| encode(law, s)).collect()
}

/// COMPRESS of G.726 §4.2.8: reconstructed signal SR (16-bit two's complement in the 14-bit
/// PCM domain) to a line code word. A-law rounds negative magnitudes down (one's complement
/// style), µ-law saturates at 8158; both truncate within a segment.
pub(crate) fn compress_g726(law: Law, sr: i32) -> u8 {
    let negative = sr < 0;
    let mag = (sr.unsigned_abs() & 32767) as i32;
    match law {
        Law::A => {
            // The standard's reference code maps the one value -32768 to magnitude 2.
            let mag = if sr == -32768 { 2 } else { mag };
            let m = if negative { ((mag + 1) >> 1) - 1 } else { mag >> 1 }.min(4095) as u32;
            let (seg, mant) = if m < 32 {
                (0, m >> 1)
            } else {
                let seg = 32 - m.leading_zeros() - 5;
                (seg, (m >> seg) & 15)
            };
            let internal = ((seg << 4) | mant | if negative { 0 } else { 0x80 }) as u8;
            internal ^ 0x55
        }
        Law::Mu => {
            let v = (mag.min(8158) + 1 + 32) as u32;
            let seg = 32 - v.leading_zeros() - 6;
            let mant = (v >> (seg + 1)) - 16;
            let code = ((seg << 4) | mant) as u8 | if negative { 0x80 } else { 0 };
            code ^ 0xFF
        }
    }
}

/// The next lower PCM level (SYNC, §4.2.8), saturating at the most negative code. µ-law steps
/// from +0 straight to the first negative level, as the standard's Table 17 logic does.
pub(crate) fn step_down(law: Law, code: u8) -> u8 {
    match law {
        Law::A => {
            let c = code ^ 0x55;
            let (positive, m) = (c & 0x80 != 0, c & 0x7F);
            let c = match (positive, m) {
                (true, 0) => 0x00,
                (true, m) => 0x80 | (m - 1),
                (false, 127) => c,
                (false, m) => m + 1,
            };
            c ^ 0x55
        }
        Law::Mu => {
            let (positive, m) = (code & 0x80 != 0, code & 0x7F);
            match (positive, m) {
                (true, 127) => 0x7E,
                (true, m) => 0x80 | (m + 1),
                (false, 0) => code,
                (false, m) => m - 1,
            }
        }
    }
}

/// The next higher PCM level (SYNC, §4.2.8), saturating at the most positive code.
pub(crate) fn step_up(law: Law, code: u8) -> u8 {
    match law {
        Law::A => {
            let c = code ^ 0x55;
            let (positive, m) = (c & 0x80 != 0, c & 0x7F);
            let c = match (positive, m) {
                (true, 127) => c,
                (true, m) => 0x80 | (m + 1),
                (false, 0) => 0x80,
                (false, m) => m - 1,
            };
            c ^ 0x55
        }
        Law::Mu => {
            let (positive, m) = (code & 0x80 != 0, code & 0x7F);
            match (positive, m) {
                (true, 0) => code,
                (true, m) => 0x80 | (m - 1),
                (false, 127) => 0xFF,
                (false, m) => m + 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_tables_match_g711_extremes() {
        assert_eq!(decode(Law::Mu, 0x00), -32124);
        assert_eq!(decode(Law::Mu, 0x80), 32124);
        assert_eq!(decode(Law::Mu, 0xFF), 0);
        assert_eq!(decode(Law::Mu, 0x7F), 0);
        assert_eq!(decode(Law::A, 0xD5), 8);
        assert_eq!(decode(Law::A, 0x55), -8);
        assert_eq!(decode(Law::A, 0xAA), 32256);
        assert_eq!(decode(Law::A, 0x2A), -32256);
    }

    #[test]
    fn encoding_a_decoded_value_gives_the_code_back() {
        for law in [Law::A, Law::Mu] {
            for code in 0..=255u8 {
                // µ-law has two zeros; both decode to 0, which encodes as +0.
                if law == Law::Mu && code == 0x7F {
                    continue;
                }
                assert_eq!(encode(law, decode(law, code)), code, "{law:?} {code:#04x}");
            }
        }
    }

    #[test]
    fn compress_agrees_with_the_decoder_on_reconstruction_values() {
        for law in [Law::A, Law::Mu] {
            for code in 0..=255u8 {
                let sl = i32::from(decode(law, code) >> 2);
                let back = compress_g726(law, sl);
                assert_eq!(decode(law, back), decode(law, code), "{law:?} {code:#04x}");
            }
        }
    }

    #[test]
    fn steps_move_one_level_and_saturate() {
        for law in [Law::A, Law::Mu] {
            let mut levels: Vec<i16> = (0..=255u8).map(|c| decode(law, c)).collect();
            levels.sort_unstable();
            levels.dedup();
            for code in 0..=255u8 {
                // µ-law -0 steps up to +0, the same level.
                if law == Law::Mu && code == 0x7F {
                    continue;
                }
                let v = decode(law, code);
                let pos = levels.binary_search(&v).unwrap_or(0);
                let down = decode(law, step_down(law, code));
                let up = decode(law, step_up(law, code));
                assert_eq!(down, levels[pos.saturating_sub(1)], "{law:?} down {code:#04x}");
                assert_eq!(up, levels[(pos + 1).min(levels.len() - 1)], "{law:?} up {code:#04x}");
            }
        }
    }
}
