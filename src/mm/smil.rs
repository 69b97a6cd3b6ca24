//! SMIL presentations: read, write and derive the slides of an MM.
//!
//! An MM's presentation is an `application/smil` part in the MMS SMIL profile (OMA MMS CONF §8,
//! a subset of SMIL 2.0 Basic; spec/mms.md §6): a `<head><layout>` with one `root-layout` and the
//! regions `Image` and `Text`, then a `<body>` that is a flat sequence of `<par>` slides, each with
//! at most one image *or* video, one text and one audio.
//!
//! - [`parse`] reads that profile and the deviations real handsets send (namespaces, DOCTYPE,
//!   upper-case names, nested `seq`/`par`/`switch`, clock values in any SMIL form, a BOM, UTF-16).
//!   It is sans-IO, bounded by [`SmilLimits`], and returns a typed [`SmilError`] instead of
//!   panicking on any input.
//! - [`write`] emits valid MMS SMIL for a [`Presentation`]; `parse(write(p)) == p` for every
//!   presentation that fits the profile.
//! - [`derive`] builds slides from part order when the SMIL is missing or broken.
//! - [`resolve`] maps a SMIL `src` to the part it names, the way handsets do.

use std::{borrow::Cow, fmt};

use quick_xml::{
    Reader,
    events::{BytesStart, Event},
};
use serde::{Deserialize, Serialize, Serializer};

/// Bounds on what [`parse`] accepts; every limit exceeded is a [`SmilError`], never a truncation.
/// Deserialisable so that a config file can set any of them (the rest keep their defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmilLimits {
    /// Size of the SMIL part in bytes (before any UTF-16 transcoding).
    pub max_bytes: usize,
    /// Number of slides after flattening.
    pub max_slides: usize,
    /// Element nesting depth, `<smil>` counting as 1.
    pub max_depth: usize,
    /// Media references in one slide.
    pub max_media_per_slide: usize,
}

impl Default for SmilLimits {
    /// Generous for real MMs (a SMIL part is a few KiB, a long fax a few hundred slides) while
    /// bounding memory and time on hostile input.
    fn default() -> Self {
        Self { max_bytes: 1024 * 1024, max_slides: 1000, max_depth: 32, max_media_per_slide: 16 }
    }
}

/// Why a SMIL part could not be read. Positions are byte offsets into the UTF-8 text (after a
/// UTF-16 part has been transcoded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmilError {
    #[error("SMIL part is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("SMIL nests deeper than {limit} elements at <{element}> (byte {position})")]
    TooDeep { element: String, limit: usize, position: u64 },
    #[error("SMIL has more than {limit} slides")]
    TooManySlides { limit: usize },
    #[error("SMIL slide {slide} has more than {limit} media references")]
    TooManyMedia { slide: usize, limit: usize },
    #[error("SMIL is not well-formed XML at byte {position}: {message} (near {snippet:?})")]
    Xml { position: u64, message: String, snippet: String },
    #[error("SMIL ends before </{element}> is closed (byte {position})")]
    Truncated { element: String, position: u64 },
    #[error("not SMIL: the root element is <{root}>")]
    NotSmil { root: String },
    #[error("SMIL part holds no element")]
    Empty,
    #[error("SMIL part is not valid {encoding} (near {snippet:?})")]
    Encoding { encoding: &'static str, snippet: String },
}

/// A presentation: the layout and the slides, in play order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Presentation {
    pub root_layout: Option<RootLayout>,
    pub regions: Vec<Region>,
    pub slides: Vec<Slide>,
}

/// The `root-layout` size in pixels; absent when either dimension is missing or not a pixel count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RootLayout {
    pub width: u32,
    pub height: u32,
}

/// A layout region. Values that are not a pixel count or percentage are read as absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: String,
    pub left: Option<Length>,
    pub top: Option<Length>,
    pub width: Option<Length>,
    pub height: Option<Length>,
    pub fit: Option<Fit>,
}

/// A region coordinate: pixels (`176`, `176px`) or a percentage of the root layout (`75%`;
/// fractions are rounded down to whole percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Px(u32),
    Percent(u32),
}

/// The SMIL `fit` attribute of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    Fill,
    Hidden,
    Meet,
    Scroll,
    Slice,
}

/// One slide: the media shown together, and for how long (`None`: not stated, or `indefinite`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Slide {
    pub dur_ms: Option<u32>,
    pub media: Vec<MediaRef>,
}

/// A media element of a slide and the part it names through `src`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaRef {
    pub kind: MediaKind,
    /// As written (`cid:img1`, `photo.jpg`); map it to a part with [`resolve`].
    pub src: String,
    pub region: Option<String>,
    pub alt: Option<String>,
    pub begin_ms: Option<u32>,
    pub end_ms: Option<u32>,
}

/// The SMIL media element: `img`, `text`, `audio`, `video`, or the generic `ref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Text,
    Audio,
    Video,
    Ref,
}

impl MediaKind {
    /// The element name the writer uses.
    fn element(self) -> &'static str {
        match self {
            MediaKind::Image => "img",
            MediaKind::Text => "text",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Ref => "ref",
        }
    }

    /// Element names seen in MMS SMIL, lower-cased. `animation` and `textstream` are SMIL 2.0
    /// media elements some authoring tools use.
    fn from_element(name: &str) -> Option<Self> {
        Some(match name {
            "img" | "image" => MediaKind::Image,
            "text" | "textstream" => MediaKind::Text,
            "audio" => MediaKind::Audio,
            "video" => MediaKind::Video,
            "ref" | "animation" => MediaKind::Ref,
            _ => return None,
        })
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Px(v) => write!(f, "{v}"),
            Length::Percent(v) => write!(f, "{v}%"),
        }
    }
}

/// Serialised as written in SMIL (`176`, `75%`), which reads better in `inspect --json`.
impl Serialize for Length {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Length {
    fn parse(value: &str) -> Option<Self> {
        let v = value.trim();
        if let Some(p) = v.strip_suffix('%') {
            let whole = p.trim().split('.').next().unwrap_or("");
            return parse_u32(whole).map(Length::Percent);
        }
        let v = v.strip_suffix("px").unwrap_or(v).trim();
        parse_u32(v).map(Length::Px)
    }
}

impl Fit {
    fn parse(value: &str) -> Option<Self> {
        Some(match value.trim().to_ascii_lowercase().as_str() {
            "fill" => Fit::Fill,
            "hidden" => Fit::Hidden,
            "meet" => Fit::Meet,
            "scroll" => Fit::Scroll,
            "slice" => Fit::Slice,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Fit::Fill => "fill",
            Fit::Hidden => "hidden",
            Fit::Meet => "meet",
            Fit::Scroll => "scroll",
            Fit::Slice => "slice",
        }
    }
}

/// Plain decimal digits only (no sign, no spaces), saturating never: overflow is `None`.
fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Reads a SMIL clock value into milliseconds (SMIL 2.0 §10.3.1): full (`01:02:03.5`) and partial
/// (`02:03`) clock values, and timecounts with `h`, `min`, `s` or `ms`. A bare number is seconds
/// per SMIL, except that values of 1000 and more are taken as milliseconds: writers that leave out
/// the unit mean `5000ms`, not an 83-minute slide [P]. `indefinite`, `media`, sync-base and event
/// values (`img1.end`) have no fixed length and read as `None`, as do negative offsets; values over
/// `u32::MAX` ms saturate.
pub fn parse_clock(value: &str) -> Option<u32> {
    let v = value.trim().to_ascii_lowercase();
    let v = v.strip_prefix('+').unwrap_or(&v);
    if v.contains(':') {
        let fields: Vec<&str> = v.split(':').collect();
        let (h, m, s) = match fields.as_slice() {
            [h, m, s] => (parse_u32(h)?, parse_u32(m)?, *s),
            [m, s] => (0, parse_u32(m)?, *s),
            _ => return None,
        };
        let s_ms = decimal_ms(s, 1000)?;
        let total = u64::from(h) * 3_600_000 + u64::from(m) * 60_000 + s_ms;
        return Some(saturate(total));
    }
    let (num, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = v.strip_suffix("min") {
        (n, 60_000)
    } else if let Some(n) = v.strip_suffix('h') {
        (n, 3_600_000)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000)
    } else {
        let ms = decimal_ms(v, 1000)?;
        return Some(if ms >= 1_000_000 { saturate(ms / 1000) } else { saturate(ms) });
    };
    decimal_ms(num.trim(), scale).map(saturate)
}

/// `digits[.digits]` times `scale`, in whole milliseconds (fraction truncated), saturating.
fn decimal_ms(s: &str, scale: u64) -> Option<u64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut whole: u64 = 0;
    for b in int.bytes() {
        whole = whole.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    let mut total = whole.saturating_mul(scale);
    // Fraction digits beyond the millisecond resolution of `scale` are dropped.
    let mut unit = scale;
    for b in frac.bytes() {
        unit /= 10;
        if unit == 0 {
            break;
        }
        total = total.saturating_add(u64::from(b - b'0') * unit);
    }
    Some(total)
}

fn saturate(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

// ------------------------------------------------------------------------------------------------
// Parsing

/// What an open element means to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `<smil>`.
    Root,
    /// `<head>` and everything in it; `root-layout`/`region` are read at any depth there.
    Head,
    /// `<body>`, `<seq>` and transparent wrappers outside a `par`: each child is a new slide.
    Sequence,
    /// Inside a `par` (at any depth): media join slide `n`.
    InSlide(usize),
    /// A `<switch>`: only its first child element is read, in the context it sits in.
    Switch { context: Context, taken: bool },
    /// Content that is not read (children of media elements, unknown top-level elements, the
    /// alternatives of a switch after the first).
    Skip,
}

/// The context a `switch` passes to its chosen child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Head,
    Sequence,
    InSlide(usize),
}

struct Frame {
    /// Lower-cased local name, to match end tags case-insensitively.
    name: String,
    role: Role,
}

/// A slide being built: its `dur` if the `par` gave one, else the longest media `dur`/`end`.
struct SlideBuild {
    slide: Slide,
    explicit_dur: bool,
    implied_ms: Option<u32>,
}

struct Parser<'l> {
    limits: &'l SmilLimits,
    stack: Vec<Frame>,
    seen_root: bool,
    root_layout: Option<RootLayout>,
    regions: Vec<Region>,
    slides: Vec<SlideBuild>,
}

/// Reads a SMIL part into a [`Presentation`].
///
/// Tolerant where handsets deviate and meaning is kept: element and attribute names in any case
/// and with any namespace prefix, a DOCTYPE or XML declaration, a UTF-8 BOM or UTF-16 text, `par`
/// and `seq` nested in any way (everything inside a `par` is one slide; each child of the body or a
/// `seq` outside a `par` is a slide of its own), `switch` (its first alternative is read),
/// media elements with children, media without `src` (skipped), unknown elements (skipped),
/// stray end tags (ignored) and end tags that close several elements at once (HTML style).
/// Strict where meaning would be lost: XML syntax errors, a document that ends with elements
/// still open, a root element that is not `smil`, and every limit are errors.
pub fn parse(xml: &[u8], limits: &SmilLimits) -> Result<Presentation, SmilError> {
    if xml.len() > limits.max_bytes {
        return Err(SmilError::TooLarge { size: xml.len(), limit: limits.max_bytes });
    }
    let text = to_utf8(xml)?;
    let mut parser = Parser {
        limits,
        stack: Vec::new(),
        seen_root: false,
        root_layout: None,
        regions: Vec::new(),
        slides: Vec::new(),
    };
    parser.run(&text)?;
    Ok(parser.finish())
}

impl Parser<'_> {
    fn run(&mut self, text: &[u8]) -> Result<(), SmilError> {
        let mut reader = Reader::from_reader(text);
        let config = reader.config_mut();
        // End tags are matched here, case-insensitively and with implicit closing.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.expand_empty_elements = false;
        loop {
            let event =
                reader.read_event().map_err(|e| xml_error(text, reader.error_position(), &e))?;
            let position = reader.buffer_position();
            match event {
                Event::Start(e) => self.open(&e, &reader, position, false)?,
                Event::Empty(e) => self.open(&e, &reader, position, true)?,
                Event::End(e) => {
                    let name = lower_local(e.local_name().as_ref());
                    self.close_named(&name);
                }
                Event::Eof => break,
                _ => {}
            }
            if self.seen_root && self.stack.is_empty() {
                // Whatever follows `</smil>` is not part of the presentation.
                return Ok(());
            }
        }
        match self.stack.last() {
            Some(frame) => Err(SmilError::Truncated {
                element: frame.name.clone(),
                position: reader.buffer_position(),
            }),
            None if !self.seen_root => Err(SmilError::Empty),
            None => Ok(()),
        }
    }

    fn open(
        &mut self,
        e: &BytesStart<'_>,
        reader: &Reader<&[u8]>,
        position: u64,
        empty: bool,
    ) -> Result<(), SmilError> {
        let name = lower_local(e.local_name().as_ref());
        if self.stack.len() >= self.limits.max_depth {
            return Err(SmilError::TooDeep {
                element: name,
                limit: self.limits.max_depth,
                position,
            });
        }
        let role = self.role_for(&name, e, reader)?;
        if !empty {
            self.stack.push(Frame { name, role });
        }
        Ok(())
    }

    /// Decides what a new element means from where it sits, and records what it carries.
    fn role_for(
        &mut self,
        name: &str,
        e: &BytesStart<'_>,
        reader: &Reader<&[u8]>,
    ) -> Result<Role, SmilError> {
        let parent = match self.stack.last_mut() {
            None => {
                if name != "smil" {
                    return Err(SmilError::NotSmil { root: name.to_owned() });
                }
                self.seen_root = true;
                return Ok(Role::Root);
            }
            Some(frame) => &mut frame.role,
        };
        let context = match *parent {
            Role::Skip => return Ok(Role::Skip),
            Role::Root => {
                return Ok(match name {
                    "head" => Role::Head,
                    "body" => Role::Sequence,
                    _ => Role::Skip,
                });
            }
            Role::Switch { context, taken } => {
                if taken {
                    return Ok(Role::Skip);
                }
                *parent = Role::Switch { context, taken: true };
                context
            }
            Role::Head => Context::Head,
            Role::Sequence => Context::Sequence,
            Role::InSlide(n) => Context::InSlide(n),
        };
        if name == "switch" {
            return Ok(Role::Switch { context, taken: false });
        }
        let attrs = Attrs::read(e, reader);
        match context {
            Context::Head => {
                match name {
                    "root-layout" => self.read_root_layout(&attrs),
                    "region" => self.read_region(&attrs),
                    _ => {}
                }
                Ok(Role::Head)
            }
            Context::Sequence => {
                if name == "par" {
                    let n = self.new_slide(attrs.get("dur").and_then(parse_clock))?;
                    return Ok(Role::InSlide(n));
                }
                if let Some(kind) = MediaKind::from_element(name) {
                    // A media element on its own in a sequence plays alone: a slide of its own.
                    if let Some(media) = media_ref(kind, &attrs) {
                        let n = self.new_slide(None)?;
                        self.add_media(n, media, &attrs)?;
                    }
                    return Ok(Role::Skip);
                }
                // `seq`, `a`, `excl`, `prefetch` and other wrappers are transparent.
                Ok(Role::Sequence)
            }
            Context::InSlide(n) => {
                if let Some(kind) = MediaKind::from_element(name) {
                    if let Some(media) = media_ref(kind, &attrs) {
                        self.add_media(n, media, &attrs)?;
                    }
                    return Ok(Role::Skip);
                }
                // A `par` or `seq` inside a `par` joins the outer slide.
                Ok(Role::InSlide(n))
            }
        }
    }

    fn read_root_layout(&mut self, attrs: &Attrs) {
        if self.root_layout.is_some() {
            return;
        }
        let px = |key| match attrs.get(key).and_then(Length::parse) {
            Some(Length::Px(v)) => Some(v),
            _ => None,
        };
        if let (Some(width), Some(height)) = (px("width"), px("height")) {
            self.root_layout = Some(RootLayout { width, height });
        }
    }

    fn read_region(&mut self, attrs: &Attrs) {
        let Some(id) = attrs.get("id").filter(|id| !id.is_empty()) else { return };
        if self.regions.iter().any(|r| r.id == id) {
            return;
        }
        let length = |key| attrs.get(key).and_then(Length::parse);
        self.regions.push(Region {
            id: id.to_owned(),
            left: length("left"),
            top: length("top"),
            width: length("width"),
            height: length("height"),
            fit: attrs.get("fit").and_then(Fit::parse),
        });
    }

    fn new_slide(&mut self, dur_ms: Option<u32>) -> Result<usize, SmilError> {
        if self.slides.len() >= self.limits.max_slides {
            return Err(SmilError::TooManySlides { limit: self.limits.max_slides });
        }
        self.slides.push(SlideBuild {
            slide: Slide { dur_ms, media: Vec::new() },
            explicit_dur: dur_ms.is_some(),
            implied_ms: None,
        });
        Ok(self.slides.len() - 1)
    }

    fn add_media(&mut self, n: usize, media: MediaRef, attrs: &Attrs) -> Result<(), SmilError> {
        let limit = self.limits.max_media_per_slide;
        let Some(build) = self.slides.get_mut(n) else { return Ok(()) };
        if build.slide.media.len() >= limit {
            return Err(SmilError::TooManyMedia { slide: n + 1, limit });
        }
        let own = attrs.get("dur").and_then(parse_clock).or(media.end_ms);
        if let Some(ms) = own {
            build.implied_ms = Some(build.implied_ms.map_or(ms, |cur| cur.max(ms)));
        }
        build.slide.media.push(media);
        Ok(())
    }

    /// Closes the innermost open element with this name, and any left open inside it; an end tag
    /// that matches nothing open is ignored.
    fn close_named(&mut self, name: &str) {
        let Some(at) = self.stack.iter().rposition(|f| f.name == name) else { return };
        self.stack.truncate(at);
    }

    fn finish(self) -> Presentation {
        let slides = self
            .slides
            .into_iter()
            .map(|b| {
                let mut slide = b.slide;
                if !b.explicit_dur {
                    slide.dur_ms = b.implied_ms;
                }
                slide
            })
            .collect();
        Presentation { root_layout: self.root_layout, regions: self.regions, slides }
    }
}

fn media_ref(kind: MediaKind, attrs: &Attrs) -> Option<MediaRef> {
    let src = attrs.get("src").filter(|s| !s.is_empty())?;
    let opt = |key| attrs.get(key).filter(|v| !v.is_empty()).map(str::to_owned);
    Some(MediaRef {
        kind,
        src: src.to_owned(),
        region: opt("region"),
        alt: opt("alt"),
        begin_ms: attrs.get("begin").and_then(parse_clock),
        end_ms: attrs.get("end").and_then(parse_clock),
    })
}

/// An element's attributes: local names lower-cased, values unescaped and trimmed. A value with an
/// unknown entity is kept raw rather than refused; a malformed attribute ends the list.
struct Attrs(Vec<(String, String)>);

impl Attrs {
    fn read(e: &BytesStart<'_>, reader: &Reader<&[u8]>) -> Self {
        let mut out = Vec::new();
        for attr in e.attributes().with_checks(false) {
            let Ok(attr) = attr else { break };
            let key = lower_local(attr.key.local_name().as_ref());
            let value = match attr.decode_and_unescape_value(reader.decoder()) {
                Ok(v) => v.trim().to_owned(),
                Err(_) => String::from_utf8_lossy(&attr.value).trim().to_owned(),
            };
            out.push((key, value));
        }
        Attrs(out)
    }

    /// The first attribute with this (lower-case) local name.
    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn lower_local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).to_ascii_lowercase()
}

fn xml_error(text: &[u8], position: u64, error: &quick_xml::Error) -> SmilError {
    let start = usize::try_from(position).unwrap_or(usize::MAX).min(text.len());
    let end = start.saturating_add(32).min(text.len());
    let snippet = text.get(start..end).map(String::from_utf8_lossy).unwrap_or_default();
    SmilError::Xml { position, message: error.to_string(), snippet: snippet.into_owned() }
}

/// Returns the text as UTF-8: a UTF-8 BOM is dropped, UTF-16 (by BOM, or by a NUL next to the
/// first `<`) is transcoded. Other bytes are left to the XML reader, which reads names and
/// values lossily.
fn to_utf8(xml: &[u8]) -> Result<Cow<'_, [u8]>, SmilError> {
    let (big_endian, body) = match xml {
        [0xEF, 0xBB, 0xBF, rest @ ..] => return Ok(Cow::Borrowed(rest)),
        [0xFE, 0xFF, rest @ ..] => (true, rest),
        [0xFF, 0xFE, rest @ ..] => (false, rest),
        [0, b'<', ..] => (true, xml),
        [b'<', 0, ..] => (false, xml),
        _ => return Ok(Cow::Borrowed(xml)),
    };
    let encoding = if big_endian { "UTF-16BE" } else { "UTF-16LE" };
    let units = body.chunks(2).map(|pair| match pair {
        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        // An odd trailing byte cannot be a code unit: make it an unpaired surrogate.
        _ => 0xD800,
    });
    let mut out = String::with_capacity(body.len() / 2);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => out.push(c),
            Err(_) => {
                let tail: String = out.chars().rev().take(16).collect();
                let snippet: String = tail.chars().rev().collect();
                return Err(SmilError::Encoding { encoding, snippet });
            }
        }
    }
    Ok(Cow::Owned(out.into_bytes()))
}

// ------------------------------------------------------------------------------------------------
// Writing

/// Writes `p` as MMS SMIL (spec/mms.md §6).
///
/// The head holds only the layout: the root layout and the regions whose id is `Image` or `Text`
/// (any other region is left out, as are `region` references to it). Each slide becomes a `par`
/// with `dur` in milliseconds. A slide that holds more than the profile allows per `par` (two
/// visuals, two texts, two audios, or audio next to video) is split: the media that do not fit go
/// into following `par`s with the same `dur`, so nothing is dropped and every `par` is valid.
/// `ref` media (outside the profile) are written as `<ref>`, at most one per `par`.
///
/// For a presentation that fits the profile, `parse(write(p)) == p`: regions only `Image` and
/// `Text`, media regions naming one of them, slides within the per-`par` limits, values without
/// leading or trailing whitespace, and a `dur` on every slide whose media carry an `end` (a
/// `par` without `dur` is read as lasting until its last `end`).
pub fn write(p: &Presentation) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_to(p, &mut out);
    out
}

/// [`write`] into any `fmt::Write` sink.
pub fn write_to(p: &Presentation, out: &mut impl fmt::Write) -> fmt::Result {
    let regions: Vec<&Region> = p.regions.iter().filter(|r| is_profile_region(&r.id)).collect();
    out.write_str("<smil>\n <head>\n  <layout>\n")?;
    if let Some(root) = p.root_layout {
        writeln!(out, "   <root-layout width=\"{}\" height=\"{}\"/>", root.width, root.height)?;
    }
    for r in &regions {
        write!(out, "   <region id=\"{}\"", escape(&r.id))?;
        for (key, value) in
            [("left", r.left), ("top", r.top), ("width", r.width), ("height", r.height)]
        {
            if let Some(v) = value {
                write!(out, " {key}=\"{v}\"")?;
            }
        }
        if let Some(fit) = r.fit {
            write!(out, " fit=\"{}\"", fit.as_str())?;
        }
        out.write_str("/>\n")?;
    }
    out.write_str("  </layout>\n </head>\n <body>\n")?;
    for slide in &p.slides {
        for par in split_for_profile(&slide.media) {
            write_par(out, slide.dur_ms, &par, &regions)?;
        }
    }
    out.write_str(" </body>\n</smil>\n")
}

fn is_profile_region(id: &str) -> bool {
    id == "Image" || id == "Text"
}

/// Whether a media element of `kind` may join `present` in one CONF `par` (or one derived slide):
/// at most one `img` or `video`, one `text`, one `audio`, no audio next to video, and (outside
/// the profile) one `ref`.
fn slot_free(present: &[MediaKind], kind: MediaKind) -> bool {
    let has = |k: MediaKind| present.contains(&k);
    let visual = has(MediaKind::Image) || has(MediaKind::Video);
    match kind {
        MediaKind::Image => !visual,
        MediaKind::Video => !visual && !has(MediaKind::Audio),
        MediaKind::Text => !has(MediaKind::Text),
        MediaKind::Audio => !has(MediaKind::Audio) && !has(MediaKind::Video),
        MediaKind::Ref => !has(MediaKind::Ref),
    }
}

/// Splits one slide's media into groups that each fit a CONF `par`, each medium going into the
/// first group with a free slot. An empty slide stays one empty `par`.
fn split_for_profile(media: &[MediaRef]) -> Vec<Vec<&MediaRef>> {
    let mut groups: Vec<Vec<&MediaRef>> = vec![Vec::new()];
    for m in media {
        let free = |g: &Vec<&MediaRef>| {
            let kinds: Vec<MediaKind> = g.iter().map(|x| x.kind).collect();
            slot_free(&kinds, m.kind)
        };
        match groups.iter_mut().find(|g| free(g)) {
            Some(group) => group.push(m),
            None => groups.push(vec![m]),
        }
    }
    groups
}

fn write_par(
    out: &mut impl fmt::Write,
    dur_ms: Option<u32>,
    media: &[&MediaRef],
    regions: &[&Region],
) -> fmt::Result {
    match dur_ms {
        Some(ms) => writeln!(out, "  <par dur=\"{ms}ms\">")?,
        None => out.write_str("  <par>\n")?,
    }
    for m in media {
        write!(out, "   <{} src=\"{}\"", m.kind.element(), escape(&m.src))?;
        if let Some(region) = m.region.as_deref().filter(|r| regions.iter().any(|g| g.id == *r)) {
            write!(out, " region=\"{}\"", escape(region))?;
        }
        if let Some(alt) = &m.alt {
            write!(out, " alt=\"{}\"", escape(alt))?;
        }
        if let Some(ms) = m.begin_ms {
            write!(out, " begin=\"{ms}ms\"")?;
        }
        if let Some(ms) = m.end_ms {
            write!(out, " end=\"{ms}ms\"")?;
        }
        out.write_str("/>\n")?;
    }
    out.write_str("  </par>\n")
}

/// Attribute escaping; also escapes line breaks and tabs, which attribute-value normalisation
/// would otherwise turn into spaces on reading.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Deriving slides and resolving `src`

/// What [`derive`] and [`resolve`] need to know of a body part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartRef {
    /// Lower-case `type/subtype`, without parameters.
    pub content_type: String,
    /// Without the angle brackets.
    pub content_id: Option<String>,
    pub content_location: Option<String>,
}

/// Default slide length when nothing else says how long a slide is (spec/mms.md §6, [P]).
pub const DEFAULT_SLIDE_MS: u32 = 5000;

/// The default layout of a derived presentation: the QCIF-class screen of the spec/mms.md §6
/// example, image above text.
const DERIVED_ROOT: RootLayout = RootLayout { width: 176, height: 208 };

/// Builds slides from part order, for an MM whose SMIL is missing or broken.
///
/// The rule, applied to the parts in order:
/// - the SMIL part itself (`application/smil`, or any `…smil` subtype) is skipped;
/// - an `image/*` or `video/*` part takes the visual slot of the current slide when that slot is
///   free (and, for video, the slide has no audio); otherwise it starts a new slide — so every
///   picture is its own slide, and a caption placed before its picture stays with it;
/// - a `text/*` part (other than vCard/vCalendar) takes the current slide's text slot if free,
///   otherwise it starts a new slide;
/// - an `audio/*` part takes the audio slot if free and the slide has no video, otherwise it
///   starts a new slide;
/// - any other part (vCard, vCalendar, application data) takes the current slide's attachment
///   (`ref`) slot if free, otherwise it starts a new slide — so no part goes missing from the
///   presentation, and no slide holds more than four media;
/// - every slide lasts [`DEFAULT_SLIDE_MS`].
///
/// `src` is `cid:<Content-ID>` when the part has one, else its Content-Location, else `#part<N>`
/// (N the part's index), which [`resolve`] understands; an id or location that [`resolve`] would
/// map to another part (a duplicate) is passed over, so every derived `src` resolves to its part.
/// The layout is the §6 default: root 176×208, `Image` 176×144 at the top, `Text` 176×64 below,
/// each included only when used. Cost is quadratic in the number of parts (each `src` is checked
/// with [`resolve`]); callers bound the part count.
pub fn derive(parts: &[PartRef]) -> Presentation {
    let mut slides: Vec<Slide> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let (top, sub) = part.content_type.split_once('/').unwrap_or((&part.content_type, ""));
        if sub.ends_with("smil") {
            continue;
        }
        let kind = match top {
            "image" => MediaKind::Image,
            "video" => MediaKind::Video,
            "audio" => MediaKind::Audio,
            "text" if !is_attachment_text(sub) => MediaKind::Text,
            _ => MediaKind::Ref,
        };
        let fits = |slide: &Slide| {
            let kinds: Vec<MediaKind> = slide.media.iter().map(|m| m.kind).collect();
            slot_free(&kinds, kind)
        };
        let media = MediaRef {
            kind,
            src: derived_src(index, parts),
            region: match kind {
                MediaKind::Image | MediaKind::Video => Some("Image".to_owned()),
                MediaKind::Text => Some("Text".to_owned()),
                MediaKind::Audio | MediaKind::Ref => None,
            },
            alt: None,
            begin_ms: None,
            end_ms: None,
        };
        match slides.last_mut() {
            Some(slide) if fits(slide) => slide.media.push(media),
            _ => slides.push(Slide { dur_ms: Some(DEFAULT_SLIDE_MS), media: vec![media] }),
        }
    }
    let uses =
        |id: &str| slides.iter().flat_map(|s| &s.media).any(|m| m.region.as_deref() == Some(id));
    // Image above text, full width: (id, top, height, fit).
    let layout = [("Image", 0, 144, Fit::Meet), ("Text", 144, 64, Fit::Scroll)];
    let regions = layout
        .into_iter()
        .filter(|(id, ..)| uses(id))
        .map(|(id, top, height, fit)| Region {
            id: id.to_owned(),
            left: Some(Length::Px(0)),
            top: Some(Length::Px(top)),
            width: Some(Length::Px(DERIVED_ROOT.width)),
            height: Some(Length::Px(height)),
            fit: Some(fit),
        })
        .collect();
    let root_layout = if slides.is_empty() { None } else { Some(DERIVED_ROOT) };
    Presentation { root_layout, regions, slides }
}

/// Text subtypes that are attachments, not slide text.
fn is_attachment_text(subtype: &str) -> bool {
    matches!(subtype, "x-vcard" | "vcard" | "x-vcalendar" | "calendar" | "directory")
}

/// The `src` a derived slide uses for part `index`: the first of `cid:<id>`, the
/// Content-Location and `#part<index>` that [`resolve`] maps back to this very part (an id or
/// location shared with an earlier part would name that one instead).
fn derived_src(index: usize, parts: &[PartRef]) -> String {
    let Some(part) = parts.get(index) else { return format!("#part{index}") };
    let by_id = part
        .content_id
        .as_deref()
        .map(strip_brackets)
        .filter(|id| !id.is_empty())
        .map(|id| format!("cid:{}", percent_encode(id)));
    let by_location = part
        .content_location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    by_id
        .into_iter()
        .chain(by_location)
        .find(|src| resolve(src, parts) == Some(index))
        .unwrap_or_else(|| format!("#part{index}"))
}

/// Maps a SMIL `src` to the index of the part it names, the way handsets do; `None` if nothing
/// matches.
///
/// - `cid:x` (RFC 2392; percent-decoded, `<>` ignored) is compared with each Content-ID, exactly
///   and then case-insensitively, and failing that with the Content-Locations.
/// - Any other `src` is percent-decoded and compared with each Content-Location, exactly, then
///   case-insensitively, then by base name (after the last `/` or `\`) on both sides; and failing
///   that with the Content-IDs, since some handsets write a cid without its `cid:` prefix.
/// - `#partN` (what [`derive`] writes for a part it cannot name otherwise) names part N.
///
/// Every pass looks at all parts before a looser one starts, so an exact match always wins.
pub fn resolve(src: &str, parts: &[PartRef]) -> Option<usize> {
    let src = src.trim();
    if let Some(n) = src.strip_prefix("#part") {
        let index = parse_u32(n).and_then(|n| usize::try_from(n).ok())?;
        return (index < parts.len()).then_some(index);
    }
    let (is_cid, raw) = match src.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("cid:") => (true, src.get(4..).unwrap_or("")),
        _ => (false, src),
    };
    let name = percent_decode(raw);
    let name = strip_brackets(name.trim());
    if name.is_empty() {
        return None;
    }
    let ids = |p: &PartRef| p.content_id.as_deref().map(|id| strip_brackets(id.trim()).to_owned());
    let locations = |p: &PartRef| p.content_location.as_deref().map(|l| l.trim().to_owned());
    let by_ids = || {
        find(parts, ids, |id| id == name)
            .or_else(|| find(parts, ids, |id| id.eq_ignore_ascii_case(name)))
    };
    let by_locations = || {
        find(parts, locations, |l| l == name)
            .or_else(|| find(parts, locations, |l| l.eq_ignore_ascii_case(name)))
            .or_else(|| {
                let base = basename(name);
                find(parts, locations, |l| basename(l).eq_ignore_ascii_case(base))
            })
    };
    if is_cid {
        by_ids().or_else(by_locations)
    } else {
        // A Content-Location may itself hold `%`: try it as written before decoding.
        find(parts, locations, |l| l == raw).or_else(by_locations).or_else(by_ids)
    }
}

fn find(
    parts: &[PartRef],
    field: impl Fn(&PartRef) -> Option<String>,
    matches: impl Fn(&str) -> bool,
) -> Option<usize> {
    parts.iter().position(|p| field(p).is_some_and(|v| !v.is_empty() && matches(&v)))
}

fn strip_brackets(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(s).trim()
}

fn basename(s: &str) -> &str {
    s.rsplit(['/', '\\']).next().unwrap_or(s)
}

/// `%XX` decoding; a `%` not followed by two hex digits is kept as is, and the result is read as
/// UTF-8 lossily.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) =
                (bytes.get(i + 1).and_then(hex_value), bytes.get(i + 2).and_then(hex_value))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes what may not appear raw in a `cid:` URL (RFC 2392: `%`, space, `<>"`, controls
/// and non-ASCII), leaving the usual id characters (`@ . - _ $`) readable.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'%' | b'<' | b'>' | b'"' | b'#' | b'?') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
