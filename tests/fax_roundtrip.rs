//! Encode → decode is exact for random pages (seeded, reproducible), at the codec level for any
//! width and through the TIFF writer/reader for the fax widths.
use mm3gw::fax::t4::{self, T4Encode, T4Params};
use mm3gw::fax::tiff_read::read;
use mm3gw::fax::tiff_write::{WriteOptions, to_vec};
use mm3gw::fax::{Coding, FillOrder, Limits, Page, Resolution, VALID_WIDTHS, t6};

/// xorshift64*: small, seeded, good enough to shake a codec.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A page mixing the structures the coder treats differently: noise (horizontal mode, short
/// runs), long runs (make-up codes, including beyond 2560), edges that drift a few pixels from row
/// to row (vertical modes), blank rows and rows black at column 0 or the last column.
fn random_page(rng: &mut Rng, width: u32, height: u32) -> Page {
    let stride = width.div_ceil(8) as usize;
    let mut data = vec![0u8; stride * height as usize];
    let mut edges: Vec<u32> =
        (0..rng.below(12)).map(|_| rng.below(u64::from(width)) as u32).collect();
    for y in 0..height as usize {
        let row = &mut data[y * stride..(y + 1) * stride];
        match rng.below(6) {
            0 => {}
            1 => row.iter_mut().for_each(|b| *b = rng.next() as u8),
            2 => row.iter_mut().for_each(|b| *b = 0xFF),
            _ => {
                for e in &mut edges {
                    let d = rng.below(9) as i64 - 4;
                    *e = (i64::from(*e) + d).clamp(0, i64::from(width) - 1) as u32;
                }
                let mut sorted = edges.clone();
                sorted.sort();
                for pair in sorted.chunks(2) {
                    let end = pair.get(1).copied().unwrap_or(width);
                    for x in pair[0]..end {
                        row[x as usize / 8] |= 0x80 >> (x % 8);
                    }
                }
            }
        }
    }
    Page::from_rows(width, height, data).unwrap()
}

#[test]
fn codec_round_trip_random_pages_any_width() {
    let mut rng = Rng(0x5EED_F00D);
    let limits = Limits::default();
    for case in 0..400 {
        let width = match case % 4 {
            0 => VALID_WIDTHS[rng.below(9) as usize],
            1 => 1 + rng.below(70) as u32,
            _ => 1 + rng.below(5000) as u32,
        };
        let height = 1 + rng.below(24) as u32;
        let page = random_page(&mut rng, width, height);
        let k = [None, Some(2), Some(4), Some(8)][rng.below(4) as usize];
        let align_eol = rng.below(2) == 1;
        let rtc = rng.below(2) == 1;
        let data = t4::encode(&page, &T4Encode { k, align_eol, rtc });
        let params =
            T4Params { width, rows: Some(height), two_d: k.is_some(), byte_aligned_rows: false };
        let d = t4::decode(&data, &params, &limits).unwrap();
        assert_eq!(d.bad_lines, 0, "case {case}: {width}x{height} k {k:?}");
        assert!(d.page == page, "case {case}: T.4 {width}x{height} k {k:?} align {align_eol}");
        let data = t6::encode(&page);
        let back = t6::decode(&data, width, height, &limits).unwrap();
        assert!(back == page, "case {case}: T.6 {width}x{height}");
    }
}

#[test]
fn tiff_round_trip_random_pages() {
    let mut rng = Rng(42);
    for case in 0..48 {
        let n = 1 + rng.below(3) as usize;
        let pages: Vec<Page> = (0..n)
            .map(|_| {
                // Every width of the spec sheet's table with a resolution it goes with.
                let width = VALID_WIDTHS[rng.below(9) as usize];
                let res = match width {
                    1728 | 2048 | 2432 => {
                        [Resolution::FINE, Resolution::STANDARD, Resolution::SUPERFINE]
                            [rng.below(3) as usize]
                    }
                    2592 | 3072 | 3648 => Resolution { x: 300, y: 300 },
                    _ => Resolution { x: 408, y: 391 },
                };
                let height = 1 + rng.below(40) as u32;
                let mut p = random_page(&mut rng, width, height);
                p.resolution = Some(res);
                p
            })
            .collect();
        let coding = [Coding::Mh, Coding::Mr, Coding::Mmr][rng.below(3) as usize];
        let fill_order = [FillOrder::Msb, FillOrder::Lsb][rng.below(2) as usize];
        let opts = WriteOptions { coding, fill_order, align_eol: rng.below(2) == 1 };
        let bytes = to_vec(&pages, &opts).unwrap();
        let back = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(back.len(), pages.len());
        for (d, p) in back.iter().zip(&pages) {
            assert_eq!(d.bad_lines, 0);
            assert!(d.page == *p, "case {case}: {opts:?}");
            assert_eq!(d.info.coding, coding);
            assert_eq!(d.info.fill_order, fill_order);
        }
    }
}
