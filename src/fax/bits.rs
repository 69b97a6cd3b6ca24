//! MSB-first bit reader and writer. FillOrder 2 streams are bit-reversed per byte first
//! (spec sheet §3 "FillOrder"), so the codecs only ever see MSB-first data.

/// Reads a byte slice MSB first through a 64-bit window. Past the end it yields zeros, which the
/// decoders see as fill or as the end of data (`exhausted`).
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    /// Valid bits at the top of `acc`.
    n: u32,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        let mut r = BitReader { data, pos: 0, acc: 0, n: 0 };
        r.refill();
        r
    }

    /// Tops the window up to at least 57 bits while input remains.
    #[inline(always)]
    pub(crate) fn refill(&mut self) {
        if self.n > 56 {
            return;
        }
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            self.acc |= u64::from_be_bytes(b) >> self.n;
            let take = (63 - self.n) >> 3;
            self.pos += take as usize;
            self.n += take * 8;
        } else {
            while self.n <= 56 {
                let Some(&byte) = self.data.get(self.pos) else { break };
                self.acc |= u64::from(byte) << (56 - self.n);
                self.pos += 1;
                self.n += 8;
            }
        }
    }

    /// The next `k` bits (1..=32), zero-padded past the end.
    #[inline(always)]
    pub(crate) fn peek(&self, k: u32) -> u32 {
        (self.acc >> (64 - k)) as u32
    }

    #[inline(always)]
    pub(crate) fn consume(&mut self, k: u32) {
        if k <= self.n {
            self.acc = if k == 64 { 0 } else { self.acc << k };
            self.n -= k;
        } else {
            self.acc = 0;
            self.n = 0;
        }
    }

    /// Valid bits in the window (after `refill`, fewer than 57 only at the end of the data).
    #[inline(always)]
    pub(crate) fn available(&self) -> u32 {
        self.n
    }

    #[inline(always)]
    pub(crate) fn leading_zeros(&self) -> u32 {
        self.acc.leading_zeros()
    }

    /// Whether every input bit has been consumed.
    #[inline(always)]
    pub(crate) fn exhausted(&self) -> bool {
        self.n == 0 && self.pos >= self.data.len()
    }

    pub(crate) fn read_bit(&mut self) -> u32 {
        self.refill();
        let b = self.peek(1);
        self.consume(1);
        b
    }

    /// Bits consumed so far.
    pub(crate) fn bit_pos(&self) -> u64 {
        self.pos as u64 * 8 - u64::from(self.n)
    }

    /// Skips to the next byte boundary (Compression 2 rows start on one).
    pub(crate) fn align(&mut self) {
        let r = self.n % 8;
        self.consume(r);
        self.refill();
    }
}

/// Appends codes MSB first to a byte vector.
pub(crate) struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    /// Pending bits in the low end of `acc`.
    n: u32,
}

impl BitWriter {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        BitWriter { out: Vec::with_capacity(bytes), acc: 0, n: 0 }
    }

    /// Appends the low `len` bits of `code` (len ≤ 24).
    #[inline(always)]
    pub(crate) fn put(&mut self, code: u32, len: u32) {
        self.acc = (self.acc << len) | u64::from(code);
        self.n += len;
        if self.n >= 32 {
            self.n -= 32;
            self.out.extend_from_slice(&((self.acc >> self.n) as u32).to_be_bytes());
        }
    }

    #[inline(always)]
    pub(crate) fn put_code(&mut self, code: (u16, u8)) {
        self.put(u32::from(code.0), u32::from(code.1));
    }

    /// Bits written so far.
    pub(crate) fn bit_len(&self) -> u64 {
        self.out.len() as u64 * 8 + u64::from(self.n)
    }

    /// Zero-pads to a byte boundary.
    pub(crate) fn align(&mut self) {
        let pad = (8 - self.n % 8) % 8;
        self.put(0, pad);
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.align();
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
        self.out
    }
}

/// Reverses the bit order of every byte (FillOrder 1 <-> 2).
pub(crate) fn reverse_bits(data: &mut [u8]) {
    for b in data {
        *b = b.reverse_bits();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_then_reader_round_trip() {
        let mut w = BitWriter::with_capacity(0);
        let codes: Vec<(u32, u32)> =
            (1..200u32).map(|i| (i * 7919 % (1 << (i % 20 + 1)), i % 20 + 1)).collect();
        for &(c, l) in &codes {
            w.put(c, l);
        }
        let bytes = w.finish();
        let mut r = BitReader::new(&bytes);
        for &(c, l) in &codes {
            r.refill();
            assert_eq!(r.peek(l), c);
            r.consume(l);
        }
        r.align();
        assert!(r.exhausted());
    }
}
