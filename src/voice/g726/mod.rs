//! ITU-T G.726 ADPCM (12/90): the integer algorithm of §4, bit-exact with the Appendix II
//! test sequences at every rate (32 kbit/s is audio/32kadpcm; 16/24/40 come for free from the
//! per-rate tables), plus the octet packings of audio/32kadpcm.
//!
//! Three PCM paths share one core:
//! - log PCM (A-law or µ-law code words), the standard's own interface: EXPAND on input;
//!   COMPRESS and the synchronous coding adjustment (SYNC, §4.2.8) on output, so tandem
//!   G.711 → G.726 → G.711 → G.726 codings do not accumulate error;
//! - linear 16-bit PCM in the manner of G.726 Annex A: the 14 most significant bits enter
//!   SUBTA directly, and the reconstructed signal leaves limited to 14 bits and shifted back.
//!
//! Encoders and decoders are sans-IO and per sample; the slice helpers below are conveniences.

mod state;
mod tables;

use state::{State, log2_domain, quantize, scale_log};
use tables::RateTables;

use super::g711::{self, Law};

/// Bit rate, i.e. bits per code word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rate {
    /// 2-bit code words.
    Kbit16,
    /// 3-bit code words.
    Kbit24,
    /// 4-bit code words: audio/32kadpcm (RFC 3802).
    Kbit32,
    /// 5-bit code words.
    Kbit40,
}

impl Rate {
    fn tables(self) -> &'static RateTables {
        match self {
            Rate::Kbit16 => &tables::RATE16,
            Rate::Kbit24 => &tables::RATE24,
            Rate::Kbit32 => &tables::RATE32,
            Rate::Kbit40 => &tables::RATE40,
        }
    }

    /// Bits per code word.
    pub fn bits(self) -> u8 {
        self.tables().bits
    }
}

/// G.726 encoder for one stream.
#[derive(Clone, Debug)]
pub struct Encoder {
    state: State,
    tables: &'static RateTables,
}

impl Encoder {
    /// An encoder in the reset state of the standard.
    pub fn new(rate: Rate) -> Self {
        Self { state: State::default(), tables: rate.tables() }
    }

    /// Back to the reset state.
    pub fn reset(&mut self) {
        self.state = State::default();
    }

    #[inline]
    fn encode_sl(&mut self, sl: i32) -> u8 {
        let est = self.state.estimate();
        // SUBTA: 16-bit two's complement difference.
        let d = i32::from((sl as i16).wrapping_sub(est.se as i16));
        let (dl, negative) = log2_domain(d);
        let code = quantize(self.tables, scale_log(dl, est.y), negative);
        self.state.update(self.tables, est, code);
        code
    }

    /// Encodes one 16-bit linear sample (Annex A style: its 14 most significant bits).
    #[inline]
    pub fn encode_linear(&mut self, sample: i16) -> u8 {
        self.encode_sl(i32::from(sample >> 2))
    }

    /// Encodes one A-law or µ-law code word (EXPAND of §4.2.1).
    #[inline]
    pub fn encode_log(&mut self, law: Law, code: u8) -> u8 {
        self.encode_sl(i32::from(g711::decode(law, code) >> 2))
    }
}

/// G.726 decoder for one stream.
#[derive(Clone, Debug)]
pub struct Decoder {
    state: State,
    tables: &'static RateTables,
}

impl Decoder {
    /// A decoder in the reset state of the standard.
    pub fn new(rate: Rate) -> Self {
        Self { state: State::default(), tables: rate.tables() }
    }

    /// Back to the reset state.
    pub fn reset(&mut self) {
        self.state = State::default();
    }

    /// Decodes one code word (upper bits ignored) to 16-bit linear PCM: SR limited to the
    /// 14-bit range, then scaled by 4.
    #[inline]
    pub fn decode_linear(&mut self, code: u8) -> i16 {
        let est = self.state.estimate();
        let sr = self.state.update(self.tables, est, code);
        (sr.clamp(-8192, 8191) << 2) as i16
    }

    /// Decodes one code word to an A-law or µ-law code word, with COMPRESS and the
    /// synchronous coding adjustment of §4.2.8.
    #[inline]
    pub fn decode_log(&mut self, law: Law, code: u8) -> u8 {
        let t = self.tables;
        let code = code & ((1 << t.bits) - 1);
        let est = self.state.estimate();
        let sr = self.state.update(t, est, code);
        let sp = g711::compress_g726(law, sr);
        // SYNC: re-quantize the PCM word as the encoder at the far end will, and move it one
        // PCM step when that would not give back `code` (Tables 16-19).
        let slx = i32::from(g711::decode(law, sp) >> 2);
        let dx = i32::from((slx as i16).wrapping_sub(est.se as i16));
        let (dlx, dsx) = log2_domain(dx);
        let half = 1u8 << (t.bits - 1);
        let id = quantize(t, scale_log(dlx, est.y), dsx) ^ half;
        let im = code ^ half;
        match id.cmp(&im) {
            std::cmp::Ordering::Greater => g711::step_down(law, sp),
            std::cmp::Ordering::Less => g711::step_up(law, sp),
            std::cmp::Ordering::Equal => sp,
        }
    }
}

/// Octet packing of 4-bit code words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Packing {
    /// audio/32kadpcm (RFC 3802 §4, X.420; RTP G726-32; ffmpeg `g726le`): the earlier code word
    /// in bits 3..0.
    Rfc3802,
    /// ATM AAL2 / I.366.2 Annex E order (ffmpeg `g726`): the earlier code word in bits 7..4.
    /// Readable and writable only on request: it is not audio/32kadpcm.
    Aal2,
}

/// The code word an encoder emits for digital silence from its reset state; used to fill the
/// odd half-octet so the last octet decodes to silence.
pub const SILENCE_CODE: u8 = 0xF;

/// Packs 4-bit code words two per octet. An odd count is completed with [`SILENCE_CODE`] (RFC
/// 3802 §4 prefers audio extended with silence over a dangling half-octet).
pub fn pack(codes: &[u8], packing: Packing, out: &mut Vec<u8>) {
    out.reserve(codes.len().div_ceil(2));
    for pair in codes.chunks(2) {
        let first = pair[0] & 0xF;
        let second = pair.get(1).map_or(SILENCE_CODE, |c| c & 0xF);
        out.push(match packing {
            Packing::Rfc3802 => (second << 4) | first,
            Packing::Aal2 => (first << 4) | second,
        });
    }
}

/// Unpacks octets into 4-bit code words, two per octet, in time order.
pub fn unpack(octets: &[u8], packing: Packing) -> impl Iterator<Item = u8> + '_ {
    octets.iter().flat_map(move |&o| match packing {
        Packing::Rfc3802 => [o & 0xF, o >> 4],
        Packing::Aal2 => [o >> 4, o & 0xF],
    })
}

/// Encodes 8 kHz linear PCM to packed 32 kbit/s octets from the reset state. An odd sample
/// count is first extended by one zero sample.
pub fn encode_linear_32k(pcm: &[i16], packing: Packing) -> Vec<u8> {
    let mut enc = Encoder::new(Rate::Kbit32);
    let mut out = Vec::with_capacity(pcm.len().div_ceil(2));
    let mut pairs = pcm.chunks_exact(2);
    for pair in &mut pairs {
        let a = enc.encode_linear(pair[0]);
        let b = enc.encode_linear(pair[1]);
        out.push(pack_pair(a, b, packing));
    }
    if let [last] = pairs.remainder() {
        let a = enc.encode_linear(*last);
        let b = enc.encode_linear(0);
        out.push(pack_pair(a, b, packing));
    }
    out
}

/// Encodes log-PCM code words to packed 32 kbit/s octets from the reset state (the standard's
/// own input path). An odd count is first extended by one silent code word.
pub fn encode_log_32k(law: Law, codes: &[u8], packing: Packing) -> Vec<u8> {
    let mut enc = Encoder::new(Rate::Kbit32);
    let silence = g711::encode(law, 0);
    let mut out = Vec::with_capacity(codes.len().div_ceil(2));
    for pair in codes.chunks(2) {
        let a = enc.encode_log(law, pair[0]);
        let b = enc.encode_log(law, pair.get(1).copied().unwrap_or(silence));
        out.push(pack_pair(a, b, packing));
    }
    out
}

#[inline]
fn pack_pair(a: u8, b: u8, packing: Packing) -> u8 {
    match packing {
        Packing::Rfc3802 => (b << 4) | a,
        Packing::Aal2 => (a << 4) | b,
    }
}

/// Decodes packed 32 kbit/s octets to 8 kHz linear PCM (two samples per octet).
pub fn decode_linear_32k(octets: &[u8], packing: Packing) -> Vec<i16> {
    let mut dec = Decoder::new(Rate::Kbit32);
    let mut out = Vec::with_capacity(octets.len() * 2);
    out.extend(unpack(octets, packing).map(|c| dec.decode_linear(c)));
    out
}

/// Decodes packed 32 kbit/s octets to A-law or µ-law code words with SYNC.
pub fn decode_log_32k(law: Law, octets: &[u8], packing: Packing) -> Vec<u8> {
    let mut dec = Decoder::new(Rate::Kbit32);
    let mut out = Vec::with_capacity(octets.len() * 2);
    out.extend(unpack(octets, packing).map(|c| dec.decode_log(law, c)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_orders_are_mirror_images() {
        let mut le = Vec::new();
        let mut be = Vec::new();
        pack(&[0x1, 0x2, 0x3], Packing::Rfc3802, &mut le);
        pack(&[0x1, 0x2, 0x3], Packing::Aal2, &mut be);
        assert_eq!(le, [0x21, 0xF3]);
        assert_eq!(be, [0x12, 0x3F]);
        assert_eq!(unpack(&le, Packing::Rfc3802).collect::<Vec<_>>(), [1, 2, 3, 0xF]);
        assert_eq!(unpack(&be, Packing::Aal2).collect::<Vec<_>>(), [1, 2, 3, 0xF]);
    }

    #[test]
    fn silence_encodes_to_the_silence_code() {
        let mut enc = Encoder::new(Rate::Kbit32);
        assert!((0..100).all(|_| enc.encode_linear(0) == SILENCE_CODE));
    }

    #[test]
    fn linear_round_trip_tracks_a_tone() {
        let pcm: Vec<i16> = (0..8000)
            .map(|n| {
                (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * n as f64 / 8000.0).sin()) as i16
            })
            .collect();
        let back = decode_linear_32k(&encode_linear_32k(&pcm, Packing::Rfc3802), Packing::Rfc3802);
        let (sig, noise) = pcm.iter().zip(&back).skip(200).fold((0.0, 0.0), |(s, n), (a, b)| {
            let (a, b) = (f64::from(*a), f64::from(*b));
            (s + a * a, n + (a - b) * (a - b))
        });
        let snr = 10.0 * (sig / noise).log10();
        assert!(snr > 20.0, "SNR {snr:.1} dB");
    }

    #[test]
    fn full_scale_and_garbage_never_panic() {
        let mut dec = Decoder::new(Rate::Kbit32);
        let mut enc = Encoder::new(Rate::Kbit40);
        for n in 0..100_000u32 {
            let code = (n.wrapping_mul(2_654_435_761) >> 27) as u8;
            dec.decode_linear(code);
            dec.decode_log(Law::A, code);
            enc.encode_linear(if n % 2 == 0 { i16::MAX } else { i16::MIN });
        }
    }
}
