//! Profile S / F conformance of a TIFF file (RFC 3949 §3, §4; spec sheet §1). Lists every
//! violation rather than stopping at the first, so a sender can fix them all at once.
use super::tiff_read::{Entry, Tiff, tag};
use super::tiff_write::width_fits;
use super::{Limits, Resolution};

/// The TIFF-FX profile a file is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Minimal black-and-white, the only profile simple mode sends (RFC 3949 §3).
    S,
    /// Extended black-and-white, TIFF-F (RFC 3949 §4).
    F,
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Profile::S => "S",
            Profile::F => "F",
        })
    }
}

/// One way a file breaks its profile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("file is not readable as TIFF: {0}")]
    Unreadable(String),
    #[error("byte order is MM; Profile S requires II [RFC 3949 §3.5]")]
    ByteOrder,
    #[error("first IFD at offset {0}; Profile S requires 8 [RFC 3949 §3.5]")]
    FirstIfdOffset(u32),
    #[error("page {page}: {name} ({tag}) is missing [{rule}]")]
    Missing { page: usize, tag: u16, name: &'static str, rule: &'static str },
    #[error("page {page}: {name} ({tag}) is {found}; Profile {profile} allows {allowed}")]
    Value {
        page: usize,
        tag: u16,
        name: &'static str,
        found: String,
        allowed: &'static str,
        profile: Profile,
    },
    #[error("page {page}: {count} strips; Profile S requires one strip per page [RFC 3949 §3.5]")]
    Strips { page: usize, count: usize },
    #[error("page {page}: {what} [RFC 3949 §3.5]")]
    Layout { page: usize, what: String },
    #[error("page {page}: tags out of order ({tag} after {prev}) [RFC 3949 §2.1.1]")]
    Unsorted { page: usize, prev: u16, tag: u16 },
    #[error("page {page}: {name} ({tag}) should not be written in Profile S [RFC 3949 §3.3]")]
    NotInS { page: usize, tag: u16, name: &'static str },
    #[error("page {page}: PageNumber is {n},{m}; expected {page},{total} (or {page},0)")]
    PageNumber { page: usize, n: u64, m: u64, total: usize },
    #[error("page {page}: MMR strip {strip} does not end with EOFB [RFC 3949 §4.5.6]")]
    NoEofb { page: usize, strip: usize },
    #[error("page {page}: width {width} does not go with {resolution} [RFC 3949 §4.2.1]")]
    WidthResolution { page: usize, width: u32, resolution: Resolution },
    #[error("page {page}: does not decode: {error}")]
    Undecodable { page: usize, error: String },
    #[error("page {page}: {bad} bad lines in the coded data")]
    BadLines { page: usize, bad: u32 },
}

struct Checker<'t, 'a> {
    t: &'t Tiff<'a>,
    profile: Profile,
    out: Vec<Violation>,
}

impl Checker<'_, '_> {
    fn value(&self, page: usize, tag: u16) -> Option<u64> {
        self.t.ifds[page].get(tag).and_then(|e| self.t.uint(e))
    }

    fn missing(&mut self, page: usize, tag: u16, name: &'static str, rule: &'static str) {
        self.out.push(Violation::Missing { page, tag, name, rule });
    }

    /// Flags a present value outside `ok`; `absent` is what a missing tag means (None = required).
    fn allow(
        &mut self,
        page: usize,
        tag: u16,
        name: &'static str,
        absent: Option<u64>,
        ok: &[u64],
        allowed: &'static str,
    ) {
        let v = match (self.value(page, tag), absent) {
            (Some(v), _) => v,
            (None, Some(d)) => d,
            (None, None) => return self.missing(page, tag, name, "RFC 3949 §2.2"),
        };
        if !ok.contains(&v) {
            let found = if self.value(page, tag).is_some() {
                v.to_string()
            } else {
                format!("absent (= {v})")
            };
            self.out.push(Violation::Value {
                page,
                tag,
                name,
                found,
                allowed,
                profile: self.profile,
            });
        }
    }

    fn page(&mut self, page: usize) {
        let s = self.profile == Profile::S;
        let ifd = &self.t.ifds[page];
        let total = self.t.ifds.len();
        for w in ifd.entries.windows(2) {
            if w[1].tag <= w[0].tag {
                self.out.push(Violation::Unsorted { page, prev: w[0].tag, tag: w[1].tag });
            }
        }
        match self.value(page, tag::NEW_SUBFILE_TYPE) {
            None => self.missing(
                page,
                tag::NEW_SUBFILE_TYPE,
                "NewSubfileType",
                "RFC 3949 §2.2.2: default 0 is not acceptable",
            ),
            Some(v) if v & 2 == 0 => self.out.push(Violation::Value {
                page,
                tag: tag::NEW_SUBFILE_TYPE,
                name: "NewSubfileType",
                found: v.to_string(),
                allowed: "bit 1 set (2)",
                profile: self.profile,
            }),
            _ => {}
        }
        let width = self.value(page, tag::IMAGE_WIDTH);
        if width.is_none() {
            self.missing(page, tag::IMAGE_WIDTH, "ImageWidth", "RFC 3949 §2.2.1");
        }
        if self.value(page, tag::IMAGE_LENGTH).is_none() {
            self.missing(page, tag::IMAGE_LENGTH, "ImageLength", "RFC 3949 §2.2.1");
        }
        if s {
            self.allow(page, tag::IMAGE_WIDTH, "ImageWidth", Some(0), &[1728], "1728");
        }
        self.allow(page, tag::BITS_PER_SAMPLE, "BitsPerSample", Some(1), &[1], "1");
        self.allow(page, tag::SAMPLES_PER_PIXEL, "SamplesPerPixel", Some(1), &[1], "1");
        let compression = self.value(page, tag::COMPRESSION).unwrap_or(1);
        if s {
            self.allow(page, tag::COMPRESSION, "Compression", Some(1), &[3], "3 (MH)");
            self.allow(
                page,
                tag::PHOTOMETRIC,
                "PhotometricInterpretation",
                None,
                &[0],
                "0 (min-is-white)",
            );
            self.allow(page, tag::FILL_ORDER, "FillOrder", Some(1), &[2], "2 (LSB first)");
            self.allow(page, tag::RESOLUTION_UNIT, "ResolutionUnit", Some(2), &[2], "2 (inch)");
        } else {
            self.allow(
                page,
                tag::COMPRESSION,
                "Compression",
                Some(1),
                &[3, 4],
                "3 (MH/MR) or 4 (MMR)",
            );
            self.allow(
                page,
                tag::PHOTOMETRIC,
                "PhotometricInterpretation",
                None,
                &[0, 1],
                "0 or 1",
            );
            self.allow(page, tag::FILL_ORDER, "FillOrder", Some(1), &[1, 2], "1 or 2");
            self.allow(page, tag::RESOLUTION_UNIT, "ResolutionUnit", Some(2), &[2, 3], "2 or 3");
        }
        match compression {
            3 => match self.value(page, tag::T4_OPTIONS) {
                None => self.missing(
                    page,
                    tag::T4_OPTIONS,
                    "T4Options",
                    "RFC 3949 §3.2.2: required when Compression is 3",
                ),
                Some(v) if v & 2 != 0 || s && v & 1 != 0 => self.out.push(Violation::Value {
                    page,
                    tag: tag::T4_OPTIONS,
                    name: "T4Options",
                    found: v.to_string(),
                    allowed: if s {
                        "0 or 4 (MH, no uncompressed mode)"
                    } else {
                        "no uncompressed mode (bit 1 clear)"
                    },
                    profile: self.profile,
                }),
                _ => {}
            },
            4 => match self.value(page, tag::T6_OPTIONS) {
                None => self.missing(
                    page,
                    tag::T6_OPTIONS,
                    "T6Options",
                    "RFC 3949 §4.2.2: present and 0 for MMR",
                ),
                Some(v) if v != 0 => self.out.push(Violation::Value {
                    page,
                    tag: tag::T6_OPTIONS,
                    name: "T6Options",
                    found: v.to_string(),
                    allowed: "0",
                    profile: self.profile,
                }),
                _ => {}
            },
            _ => {}
        }
        self.resolution(page, width);
        match self.t.ifds[page].get(tag::PAGE_NUMBER).and_then(|e| self.t.uints(e)) {
            None => self.missing(page, tag::PAGE_NUMBER, "PageNumber", "RFC 3949 §2.2.1"),
            Some(v) => {
                let (n, m) =
                    (v.first().copied().unwrap_or(u64::MAX), v.get(1).copied().unwrap_or(u64::MAX));
                if n != page as u64 || (m != total as u64 && m != 0) {
                    self.out.push(Violation::PageNumber { page, n, m, total });
                }
            }
        }
        let strips = self.t.ifds[page].get(tag::STRIP_OFFSETS).map_or(0, |e| e.count as usize);
        if s && strips != 1 {
            self.out.push(Violation::Strips { page, count: strips });
        }
        if s {
            for (t, name) in [
                (tag::DOCUMENT_NAME, "DocumentName"),
                (tag::IMAGE_DESCRIPTION, "ImageDescription"),
                (tag::ORIENTATION, "Orientation"),
                (tag::SOFTWARE, "Software"),
                (tag::DATE_TIME, "DateTime"),
                (tag::GLOBAL_PARAMETERS_IFD, "GlobalParametersIFD"),
            ] {
                if self.t.ifds[page].get(t).is_some() {
                    self.out.push(Violation::NotInS { page, tag: t, name });
                }
            }
            self.layout(page);
        }
        self.data(page, compression);
    }

    fn resolution(&mut self, page: usize, width: Option<u64>) {
        let ifd = &self.t.ifds[page];
        let num = |t: u16| ifd.get(t).and_then(|e| self.t.number(e));
        let (Some(x), Some(y)) = (num(tag::X_RESOLUTION), num(tag::Y_RESOLUTION)) else {
            for (t, name) in
                [(tag::X_RESOLUTION, "XResolution"), (tag::Y_RESOLUTION, "YResolution")]
            {
                if num(t).is_none() {
                    self.missing(page, t, name, "RFC 3949 §2.2.2: no default");
                }
            }
            return;
        };
        let cm = self.value(page, tag::RESOLUTION_UNIT) == Some(3);
        let dpi = |v: f64| if cm { (v * 2.54).round() } else { v.round() } as u64;
        let (xd, yd) = (dpi(x), dpi(y));
        let found = |v: f64| format!("{v}{}", if cm { " px/cm" } else { " dpi" });
        let (xs, ys): (&[u64], &[u64]) = if self.profile == Profile::S {
            (&[200, 204], &[98, 100, 196, 200])
        } else {
            (&[200, 204, 300, 400, 408], &[98, 100, 196, 200, 300, 391, 400])
        };
        let allowed = |s, f| if self.profile == Profile::S { s } else { f };
        if !xs.contains(&xd) {
            self.out.push(Violation::Value {
                page,
                tag: tag::X_RESOLUTION,
                name: "XResolution",
                found: found(x),
                allowed: allowed("200 or 204", "200, 204, 300, 400 or 408"),
                profile: self.profile,
            });
        }
        if !ys.contains(&yd) {
            self.out.push(Violation::Value {
                page,
                tag: tag::Y_RESOLUTION,
                name: "YResolution",
                found: found(y),
                allowed: allowed("98, 100, 196 or 200", "98, 100, 196, 200, 300, 391 or 400"),
                profile: self.profile,
            });
        }
        if let Some(w) = width.and_then(|w| u32::try_from(w).ok()) {
            let resolution = Resolution { x: xd as u16, y: yd as u16 };
            if self.profile == Profile::F && !width_fits(w, resolution) {
                self.out.push(Violation::WidthResolution { page, width: w, resolution });
            }
        }
    }

    /// RFC 3949 §3.5: IFD, then its values, then its strip, all before the next page's IFD.
    fn layout(&mut self, page: usize) {
        let ifd = &self.t.ifds[page];
        let ifd_end = u64::from(ifd.offset) + ifd.len();
        if !ifd.offset.is_multiple_of(2) {
            self.out.push(Violation::Layout {
                page,
                what: format!("IFD at odd offset {}", ifd.offset),
            });
        }
        let outside: Vec<&Entry> = ifd.entries.iter().filter(|e| e.value_len > 4).collect();
        let strips = ifd.get(tag::STRIP_OFFSETS).and_then(|e| self.t.uints(e)).unwrap_or_default();
        let counts =
            ifd.get(tag::STRIP_BYTE_COUNTS).and_then(|e| self.t.uints(e)).unwrap_or_default();
        let first_strip = strips.iter().copied().min();
        let mut page_end = ifd_end;
        let before: Vec<String> = outside
            .iter()
            .filter(|e| e.value_offset < ifd_end)
            .map(|e| e.tag.to_string())
            .collect();
        if !before.is_empty() {
            let what = format!("values of tags {} come before the IFD", before.join(", "));
            self.out.push(Violation::Layout { page, what });
        }
        let after: Vec<String> = outside
            .iter()
            .filter(|e| first_strip.is_some_and(|s| e.value_offset + e.value_len > s))
            .map(|e| e.tag.to_string())
            .collect();
        if !after.is_empty() {
            let what = format!("values of tags {} come after the image data", after.join(", "));
            self.out.push(Violation::Layout { page, what });
        }
        for e in &outside {
            page_end = page_end.max(e.value_offset + e.value_len);
        }
        if let Some(off) = strips.iter().find(|&&off| off < ifd_end) {
            self.out.push(Violation::Layout {
                page,
                what: format!("image data at offset {off} precedes its IFD at {}", ifd.offset),
            });
        }
        for (&off, &len) in strips.iter().zip(&counts) {
            page_end = page_end.max(off + len);
        }
        if let Some(next) = self.t.ifds.get(page + 1)
            && u64::from(next.offset) < page_end
        {
            self.out.push(Violation::Layout {
                page,
                what: format!(
                    "next IFD at {} does not follow this page's data (ends at {page_end})",
                    next.offset
                ),
            });
        }
    }

    fn data(&mut self, page: usize, compression: u64) {
        match self.t.decode_page(page) {
            Err(e) => self.out.push(Violation::Undecodable { page, error: e.to_string() }),
            Ok(d) if d.bad_lines > 0 => {
                self.out.push(Violation::BadLines { page, bad: d.bad_lines })
            }
            Ok(_) => {}
        }
        if compression != 4 {
            return;
        }
        let Ok(info) = self.t.page_info(page) else { return };
        for (k, &(off, len)) in info.strips.iter().enumerate() {
            let Some(bytes) = self.t.data().get(off as usize..(off + len) as usize) else {
                continue;
            };
            if !ends_with_eofb(bytes, info.fill_order == super::FillOrder::Lsb) {
                self.out.push(Violation::NoEofb { page, strip: k });
            }
        }
    }
}

/// Whether the last non-zero bits of a strip are EOFB (`000000000001` twice).
fn ends_with_eofb(bytes: &[u8], lsb: bool) -> bool {
    let fix = |b: u8| if lsb { b.reverse_bits() } else { b };
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    if end < 3 {
        return false;
    }
    let mut v = 0u64;
    for &b in &bytes[end.saturating_sub(5)..end] {
        v = v << 8 | u64::from(fix(b));
    }
    (v >> v.trailing_zeros()) & 0xFF_FFFF == 0x00_1001
}

/// Lists every Profile S or F violation of a TIFF file (empty = conforming).
pub fn check(data: &[u8], profile: Profile) -> Vec<Violation> {
    let t = match Tiff::parse(data, &Limits::default()) {
        Ok(t) => t,
        Err(e) => return vec![Violation::Unreadable(e.to_string())],
    };
    let mut c = Checker { t: &t, profile, out: Vec::new() };
    if profile == Profile::S {
        if t.big_endian {
            c.out.push(Violation::ByteOrder);
        }
        if t.first_ifd != 8 {
            c.out.push(Violation::FirstIfdOffset(t.first_ifd));
        }
    }
    for page in 0..t.ifds.len() {
        c.page(page);
    }
    c.out
}
