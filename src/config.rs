//! Gateway configuration and profiles (TOML).
//!
//! Two stages, like ripgrep's `LowArgs` → `HiArgs`: the `raw` structs only parse (an unknown key
//! is an error, and every value that needs checking keeps its byte span), then
//! [`Config::resolve`] checks every value once and derives the typed [`Config`] the gateway runs
//! on. Every error is a [`ConfigError`] naming the file, the key and the line, so an operator can
//! go straight to it.
//!
//! The default gateway configuration (`profiles/default.toml`) and every profile (`profiles/*.toml`:
//! the MMS content classes and the fax/voice route profiles) are embedded with `include_str!`, so
//! the binary runs with no files around it. Profiles are data: adding a content class or a fax
//! profile is a TOML file plus a line in [`EMBEDDED_PROFILES`].
//!
//! This module reads no file but the one it is asked to load; paths inside the configuration
//! (spool, TLS files, `file:` next hops) are only checked for form here and opened by `gateway`.
use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The embedded default configuration (`profiles/default.toml`).
pub const DEFAULT_CONFIG: &str = include_str!("../profiles/default.toml");
/// The name errors in the embedded default carry in place of a file name.
pub const DEFAULT_CONFIG_NAME: &str = "<embedded>/profiles/default.toml";

/// Every embedded profile: (file name, text). The name inside each file must match its file name.
pub const EMBEDDED_PROFILES: &[(&str, &str)] = &[
    ("text.toml", include_str!("../profiles/text.toml")),
    ("image-basic.toml", include_str!("../profiles/image-basic.toml")),
    ("image-rich.toml", include_str!("../profiles/image-rich.toml")),
    ("video-basic.toml", include_str!("../profiles/video-basic.toml")),
    ("video-rich.toml", include_str!("../profiles/video-rich.toml")),
    ("megapixel.toml", include_str!("../profiles/megapixel.toml")),
    ("content-basic.toml", include_str!("../profiles/content-basic.toml")),
    ("content-rich.toml", include_str!("../profiles/content-rich.toml")),
    ("tiff-f-s.toml", include_str!("../profiles/tiff-f-s.toml")),
    ("tiff-f-f.toml", include_str!("../profiles/tiff-f-f.toml")),
    ("tiff-f-s-part.toml", include_str!("../profiles/tiff-f-s-part.toml")),
    ("tiff-f-s-both.toml", include_str!("../profiles/tiff-f-s-both.toml")),
    ("vpim-v2.toml", include_str!("../profiles/vpim-v2.toml")),
    ("ivm.toml", include_str!("../profiles/ivm.toml")),
];

/// A configuration or profile error: where it is (file, key, line and column, 1-based; line 0
/// when the error is about the file as a whole) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {key}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `limits.recipients` or `route[1].convert`.
    pub key: String,
    pub message: String,
}

/// Source text with its name, to turn byte spans into lines.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn err(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError {
            file: self.name.to_owned(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        }
    }

    /// Maps a toml/serde error onto a `ConfigError`, recovering the key from the text at its span.
    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let span = e.span().unwrap_or(0..0);
        let key = key_at(self.text, span.start);
        let message = e.message().trim().replace('\n', " ");
        self.err(span, key, message)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (line, offset - line_start + 1)
}

/// The dotted key at a byte offset: the enclosing `[table]` / `[[array]]` header (with the index
/// of the array element) plus the key on that line, when the line has one.
fn key_at(text: &str, offset: usize) -> String {
    let (line_no, _) = line_col(text, offset);
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut key = String::new();
    for (i, line) in text.lines().enumerate() {
        if i + 1 > line_no {
            break;
        }
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = counts.entry(name.clone()).or_insert(0);
            table = format!("{name}[{n}]");
            *n += 1;
            key.clear();
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            table = name.trim().to_owned();
            key.clear();
        } else if i + 1 == line_no
            && let Some((k, _)) = t.split_once('=')
        {
            key = k.trim().trim_matches('"').to_owned();
        }
    }
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 1: raw, as written.

mod raw {
    use super::*;

    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Config {
        #[serde(default)]
        pub server: Server,
        #[serde(default)]
        pub limits: Limits,
        #[serde(default)]
        pub delivery: Delivery,
        #[serde(default)]
        pub mmsc: Mmsc,
        #[serde(default, rename = "route")]
        pub routes: Vec<Route>,
    }

    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Server {
        pub hostname: Option<Spanned<String>>,
        pub listen: Option<Vec<Spanned<String>>>,
        pub http: Option<Spanned<String>>,
        pub spool: Option<Spanned<String>>,
        pub workers: Option<Spanned<i64>>,
        pub hmac_key: Option<Spanned<String>>,
        pub hmac_key_previous: Option<Spanned<String>>,
        pub tls_cert: Option<Spanned<String>>,
        pub tls_key: Option<Spanned<String>>,
        pub allow_clients: Option<Vec<Spanned<String>>>,
        pub log_format: Option<Spanned<String>>,
        pub listener: Option<BTreeMap<String, Listener>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Listener {
        pub allow_clients: Spanned<Vec<Spanned<String>>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Limits {
        pub message_bytes: Option<Spanned<i64>>,
        pub recipients: Option<Spanned<i64>>,
        pub connections: Option<Spanned<i64>>,
        pub connections_per_client: Option<Spanned<i64>>,
        pub line_bytes: Option<Spanned<i64>>,
        pub command_timeout_s: Option<Spanned<i64>>,
        pub data_timeout_s: Option<Spanned<i64>>,
        pub errors: Option<Spanned<i64>>,
        pub messages_per_connection: Option<Spanned<i64>>,
        pub spool_messages: Option<Spanned<i64>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Delivery {
        pub lifetime_s: Option<Spanned<i64>>,
        pub retry_min_s: Option<Spanned<i64>>,
        pub retry_max_s: Option<Spanned<i64>>,
        pub concurrency: Option<Spanned<i64>>,
        pub connect_timeout_s: Option<Spanned<i64>>,
        pub relay: Option<Spanned<String>>,
        pub tls_ca: Option<Spanned<String>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Mmsc {
        pub domains: Option<Vec<Spanned<String>>>,
        pub next_hop: Option<Spanned<String>>,
        pub content_class: Option<Spanned<String>>,
        pub system_user: Option<Spanned<String>>,
        pub max_message_bytes: Option<Spanned<i64>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct Route {
        pub name: Spanned<String>,
        pub recipients: Spanned<Vec<Spanned<String>>>,
        pub convert: Spanned<String>,
        pub profile: Option<Spanned<String>>,
        pub peer_domain: Spanned<String>,
        pub next_hop: Spanned<String>,
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 2: resolved. Field names mirror the TOML keys, so `mm3gw config` prints a valid file.

/// The validated configuration the gateway runs on.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub server: Server,
    pub limits: Limits,
    pub delivery: Delivery,
    pub mmsc: Mmsc,
    #[serde(rename = "route")]
    pub routes: Vec<Route>,
    /// Every profile known (embedded ones), by name.
    #[serde(skip)]
    pub profiles: Profiles,
    /// Non-fatal findings (e.g. a content class whose size is only the documented fallback).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Server {
    pub hostname: String,
    pub listen: Vec<SocketAddr>,
    /// `None` when `http = ""`.
    #[serde(serialize_with = "ser_opt_addr")]
    pub http: Option<SocketAddr>,
    pub spool: PathBuf,
    /// Conversion threads; 0 in the file is resolved here to one per core.
    pub workers: usize,
    /// Never printed by `mm3gw config` (secrets stay in the operator's file).
    #[serde(skip)]
    pub hmac_key: Option<String>,
    #[serde(skip)]
    pub hmac_key_previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    pub allow_clients: Vec<Cidr>,
    pub log_format: LogFormat,
    /// Per-listener settings (`[server.listener."ADDR"]`), overriding `allow_clients` there.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub listener: BTreeMap<String, ListenerSettings>,
}

/// Settings of one listener.
#[derive(Debug, Clone, Serialize)]
pub struct ListenerSettings {
    pub allow_clients: Vec<Cidr>,
}

impl Server {
    /// The client allow-list in force on a listener (its own, else the server's).
    pub fn allow_for(&self, listen: &SocketAddr) -> &[Cidr] {
        self.listener.get(&listen.to_string()).map_or(&self.allow_clients, |l| &l.allow_clients)
    }
}

fn ser_opt_addr<S: serde::Serializer>(v: &Option<SocketAddr>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(a) => s.collect_str(a),
        None => s.serialize_str(""),
    }
}

/// Every limit of an SMTP listener (issue 8 §1); each a named value with a default.
#[derive(Debug, Clone, Serialize)]
pub struct Limits {
    pub message_bytes: u64,
    pub recipients: usize,
    pub connections: usize,
    pub connections_per_client: usize,
    pub line_bytes: usize,
    pub command_timeout_s: u64,
    pub data_timeout_s: u64,
    pub errors: u32,
    pub messages_per_connection: u32,
    /// Spooled messages at most; past it new messages get `452 4.3.1` (the sender retries).
    pub spool_messages: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            message_bytes: 10 * 1024 * 1024,
            recipients: 100,
            connections: 256,
            connections_per_client: 16,
            line_bytes: 4096,
            command_timeout_s: 300,
            data_timeout_s: 600,
            errors: 10,
            messages_per_connection: 1000,
            spool_messages: 100_000,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub lifetime_s: u64,
    pub retry_min_s: u64,
    pub retry_max_s: u64,
    pub concurrency: usize,
    pub connect_timeout_s: u64,
    pub relay: NextHop,
    /// Extra trusted CA certificates (PEM) for `smtps://` next hops, beside the built-in roots:
    /// for next hops with a private CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_ca: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mmsc {
    pub domains: Vec<String>,
    pub next_hop: NextHop,
    pub content_class: String,
    pub system_user: String,
    /// The size limit in force for MMs built here: the operator's value or the class's.
    pub max_message_bytes: u64,
}

/// A route: which RCPT TO addresses it claims, how it converts, where it delivers.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub name: String,
    pub recipients: Vec<String>,
    pub convert: Convert,
    pub profile: String,
    pub peer_domain: String,
    pub next_hop: NextHop,
}

impl Route {
    /// Whether this route claims an envelope recipient (globs, case-insensitive).
    pub fn claims(&self, rcpt: &str) -> bool {
        self.recipients.iter().any(|g| glob_match(g, rcpt))
    }
}

/// What a route converts an MM into (and back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Convert {
    Fax,
    Vpim,
    Ivm,
}

impl Convert {
    pub fn as_str(self) -> &'static str {
        match self {
            Convert::Fax => "fax",
            Convert::Vpim => "vpim",
            Convert::Ivm => "ivm",
        }
    }

    /// The route profile a route of this kind uses when it names none.
    pub fn default_profile(self) -> &'static str {
        match self {
            Convert::Fax => "tiff-f-s",
            Convert::Vpim => "vpim-v2",
            Convert::Ivm => "ivm",
        }
    }

    fn profile_kind(self) -> ProfileKind {
        match self {
            Convert::Fax => ProfileKind::Fax,
            Convert::Vpim | Convert::Ivm => ProfileKind::Voice,
        }
    }
}

impl fmt::Display for Convert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Where a message goes next: a folder (`file:DIR`, lettre's FileTransport layout: `<id>.eml`
/// plus `<id>.json`) or an SMTP server (`smtp://` with STARTTLS when offered, `smtps://` implicit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextHop {
    File(PathBuf),
    Smtp { host: String, port: u16, implicit_tls: bool },
}

impl NextHop {
    /// Parses `file:DIR`, `smtp://host[:port]` or `smtps://host[:port]` (IPv6 as `[::1]:25`).
    pub fn parse(s: &str) -> Result<NextHop, String> {
        if let Some(dir) = s.strip_prefix("file:") {
            let dir = dir.strip_prefix("//").unwrap_or(dir);
            if dir.is_empty() {
                return Err("file: needs a directory, e.g. \"file:outbox/fax\"".into());
            }
            return Ok(NextHop::File(PathBuf::from(dir)));
        }
        let (rest, implicit_tls, default_port) = if let Some(r) = s.strip_prefix("smtp://") {
            (r, false, 25)
        } else if let Some(r) = s.strip_prefix("smtps://") {
            (r, true, 465)
        } else {
            return Err(format!(
                "\"{s}\" is not a next hop: use \"file:DIR\", \"smtp://host:port\" or \"smtps://host:port\""
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (h, tail) = v6.split_once(']').ok_or("unclosed [ in an IPv6 host")?;
            let port = match tail.strip_prefix(':') {
                Some(p) => Some(p),
                None if tail.is_empty() => None,
                None => return Err(format!("unexpected \"{tail}\" after the host")),
            };
            (h.to_owned(), port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (rest.to_owned(), None),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(format!("\"{host}\" is not a host name"));
        }
        let port = match port {
            None => default_port,
            Some(p) => {
                p.parse::<u16>().ok().filter(|&p| p > 0).ok_or(format!("bad port \"{p}\""))?
            }
        };
        Ok(NextHop::Smtp { host, port, implicit_tls })
    }
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::File(d) => write!(f, "file:{}", d.display()),
            NextHop::Smtp { host, port, implicit_tls } => {
                let scheme = if *implicit_tls { "smtps" } else { "smtp" };
                if host.contains(':') {
                    write!(f, "{scheme}://[{host}]:{port}")
                } else {
                    write!(f, "{scheme}://{host}:{port}")
                }
            }
        }
    }
}

impl Serialize for NextHop {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A client allow-list entry: an address with a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.trim().parse().map_err(|_| format!("\"{a}\" is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => {
                p.parse::<u8>().ok().filter(|&p| p <= max).ok_or(format!("bad prefix \"/{p}\""))?
            }
        };
        Ok(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        fn bits(a: IpAddr) -> (u128, u8) {
            match a {
                IpAddr::V4(v) => (u32::from(v) as u128, 32),
                IpAddr::V6(v) => match v.to_ipv4_mapped() {
                    Some(v4) => (u32::from(v4) as u128, 32),
                    None => (u128::from(v), 128),
                },
            }
        }
        let (net, w1) = bits(self.addr);
        let (ip, w2) = bits(ip);
        if w1 != w2 {
            return false;
        }
        let shift = u32::from(w1 - self.prefix.min(w1));
        shift >= 128 || (net >> shift) == (ip >> shift)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `*` (any run) and `?` (one character) glob, ASCII case-insensitive, over the whole string.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

// ---------------------------------------------------------------------------------------------
// Profiles.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileKind {
    ContentClass,
    Fax,
    Voice,
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProfileKind::ContentClass => "content-class",
            ProfileKind::Fax => "fax",
            ProfileKind::Voice => "voice",
        })
    }
}

/// An MMS content class (OMA MMS Conformance; spec/mms.md §6).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContentClass {
    pub name: String,
    pub kind: String,
    pub max_message_bytes: u64,
    /// The size is not verified for this class: the operator should set `[mmsc] max_message_bytes`.
    #[serde(default)]
    pub size_from_operator: bool,
    /// Largest still image (width, height); absent for classes without images.
    pub max_image: Option<[u32; 2]>,
    pub max_video: Option<[u32; 2]>,
    #[serde(default)]
    pub video_codecs: Vec<String>,
    pub formats: Vec<String>,
}

/// A fax route profile: what the TIFF writer emits (spec/t37-fax.md §1).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaxProfile {
    pub name: String,
    pub kind: String,
    pub tiff_profile: String,
    pub mime_type: String,
    pub application: Option<String>,
    pub compressions: Vec<String>,
    pub byte_order: String,
    pub fill_order: u8,
    pub t4_options: u32,
    pub widths: Vec<u32>,
    pub x_dpi: Vec<u32>,
    pub y_dpi: Vec<u32>,
    pub max_pages: u32,
    /// Where the MM's text and cover details go.
    #[serde(default)]
    pub text: FaxText,
}

/// Where an MM's text and cover details go in a fax mail (a fax profile's `text` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FaxText {
    /// A rendered cover page before the image pages.
    #[default]
    Cover,
    /// A `text/plain` part (many offramps print only the TIFF, so a cover page is still drawn
    /// when the MM has no image).
    Part,
    /// Both.
    Both,
}

impl FaxProfile {
    /// What the TIFF writer emits for this profile: the first (preferred) of `compressions`,
    /// `fill_order`, and byte-aligned EOLs when `t4_options` has bit 2. T4Options bit 0 (2-D
    /// coding) follows from the compression, so the profile's value does not choose it.
    pub fn write_options(&self) -> crate::fax::tiff_write::WriteOptions {
        use crate::fax::{Coding, FillOrder};
        let coding = match self.compressions.first().map(String::as_str) {
            Some("MMR") => Coding::Mmr,
            Some("MR") => Coding::Mr,
            _ => Coding::Mh,
        };
        crate::fax::tiff_write::WriteOptions {
            coding,
            fill_order: if self.fill_order == 1 { FillOrder::Msb } else { FillOrder::Lsb },
            align_eol: self.t4_options & 4 != 0,
        }
    }
}

/// A voice route profile: VPIM v2 or IVM message shape (spec/vpim.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceProfile {
    pub name: String,
    pub kind: String,
    pub top_level: String,
    pub audio: String,
    pub sample_rate: u32,
    pub vcard: bool,
    pub fax_parts: bool,
    pub message_context: String,
    pub max_audio_s: u32,
}

impl VoiceProfile {
    /// VPIM v2 (`multipart/voice-message` at the top, RFC 3801) rather than IVM
    /// (`multipart/mixed`, RFC 4239).
    pub fn is_vpim(&self) -> bool {
        top_type(&self.top_level).eq_ignore_ascii_case("multipart/voice-message")
    }
}

fn top_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

#[derive(Debug, Clone)]
pub enum Profile {
    ContentClass(ContentClass),
    Fax(FaxProfile),
    Voice(VoiceProfile),
}

impl Profile {
    pub fn kind(&self) -> ProfileKind {
        match self {
            Profile::ContentClass(_) => ProfileKind::ContentClass,
            Profile::Fax(_) => ProfileKind::Fax,
            Profile::Voice(_) => ProfileKind::Voice,
        }
    }
}

/// All profiles by name.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    pub by_name: BTreeMap<String, Profile>,
}

impl Profiles {
    /// The embedded profiles. They are checked by the unit tests, so this cannot fail in a
    /// released binary; it still returns the error rather than panicking.
    pub fn embedded() -> Result<Profiles, ConfigError> {
        let mut p = Profiles::default();
        for (file, text) in EMBEDDED_PROFILES {
            p.add(&format!("<embedded>/profiles/{file}"), file, text)?;
        }
        Ok(p)
    }

    /// Parses and validates one profile file and adds it.
    pub fn add(&mut self, name: &str, file_name: &str, text: &str) -> Result<(), ConfigError> {
        let src = Source { name, text };
        #[derive(Deserialize)]
        struct Head {
            name: Spanned<String>,
            kind: Spanned<String>,
        }
        // Pass 1 reads only name and kind (other keys ignored), pass 2 the whole typed profile.
        let head: Head = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
        let stem = file_name.trim_end_matches(".toml");
        if head.name.get_ref() != stem {
            return Err(src.err(
                head.name.span(),
                "name",
                format!("\"{}\" must match the file name \"{stem}\"", head.name.get_ref()),
            ));
        }
        let profile = match head.kind.get_ref().as_str() {
            "content-class" => {
                let c: ContentClass = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
                check_content_class(&src, &c)?;
                Profile::ContentClass(c)
            }
            "fax" => {
                let f: FaxProfile = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
                check_fax(&src, &f)?;
                Profile::Fax(f)
            }
            "voice" => {
                let v: VoiceProfile = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
                check_voice(&src, &v)?;
                Profile::Voice(v)
            }
            other => {
                return Err(src.err(
                    head.kind.span(),
                    "kind",
                    format!("unknown kind \"{other}\": use content-class, fax or voice"),
                ));
            }
        };
        if self.by_name.insert(stem.to_owned(), profile).is_some() {
            return Err(src.err(
                head.name.span(),
                "name",
                format!("profile \"{stem}\" is defined twice"),
            ));
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.by_name.get(name)
    }

    pub fn content_class(&self, name: &str) -> Option<&ContentClass> {
        match self.by_name.get(name) {
            Some(Profile::ContentClass(c)) => Some(c),
            _ => None,
        }
    }
}

fn span_of(text: &str, key: &str) -> Range<usize> {
    // Profiles are flat tables: the first `key =` line is the key.
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(key)
            && line[line.find(key).unwrap_or(0) + key.len()..].trim_start().starts_with('=')
        {
            return off..off + line.len();
        }
        off += line.len();
    }
    0..0
}

/// The MMS content-class tokens (OMA MMS Conformance), the names a content-class profile may take.
pub const CONTENT_CLASSES: [&str; 8] = [
    "text",
    "image-basic",
    "image-rich",
    "video-basic",
    "video-rich",
    "megapixel",
    "content-basic",
    "content-rich",
];

fn check_content_class(src: &Source<'_>, c: &ContentClass) -> Result<(), ConfigError> {
    if !CONTENT_CLASSES.contains(&c.name.as_str()) {
        let s = span_of(src.text, "name");
        return Err(src.err(
            s,
            "name",
            format!(
                "\"{}\" is not an MMS content-class token ({})",
                c.name,
                CONTENT_CLASSES.join(", ")
            ),
        ));
    }
    if c.max_message_bytes == 0 {
        return Err(src.err(
            span_of(src.text, "max_message_bytes"),
            "max_message_bytes",
            "must be greater than 0",
        ));
    }
    for (key, v) in [("max_image", c.max_image), ("max_video", c.max_video)] {
        if let Some([w, h]) = v
            && (w == 0 || h == 0)
        {
            return Err(src.err(
                span_of(src.text, key),
                key,
                "width and height must be greater than 0",
            ));
        }
    }
    if c.formats.is_empty() || c.formats.iter().any(|f| !f.contains('/')) {
        return Err(src.err(
            span_of(src.text, "formats"),
            "formats",
            "must list MIME types (type/subtype)",
        ));
    }
    Ok(())
}

fn check_voice(src: &Source<'_>, v: &VoiceProfile) -> Result<(), ConfigError> {
    let bad = |key: &str, msg: &str| Err(src.err(span_of(src.text, key), key, msg.to_owned()));
    let top = top_type(&v.top_level);
    if !top.eq_ignore_ascii_case("multipart/voice-message")
        && !top.eq_ignore_ascii_case("multipart/mixed")
    {
        return bad(
            "top_level",
            "must be multipart/voice-message (VPIM v2) or multipart/mixed (IVM, RFC 4239 §3)",
        );
    }
    if !matches!(v.audio.as_str(), "audio/32kadpcm" | "audio/basic") {
        return bad("audio", "must be audio/32kadpcm (G.726-32) or audio/basic (G.711 µ-law)");
    }
    if v.is_vpim() && v.audio != "audio/32kadpcm" {
        // RFC 3801 §4.4.3 makes 32kadpcm the voice encoding, and the VPIM writer sends only it.
        return bad("audio", "VPIM v2 carries voice as audio/32kadpcm (RFC 3801 §4.4.3)");
    }
    if v.sample_rate != 8000 {
        return bad("sample_rate", "both audio types are 8000 samples per second");
    }
    if !v.message_context.eq_ignore_ascii_case("voice-message") {
        return bad("message_context", "a voice message says voice-message (RFC 4239 §3)");
    }
    if v.max_audio_s == 0 {
        return bad("max_audio_s", "must be greater than 0");
    }
    Ok(())
}

fn check_fax(src: &Source<'_>, f: &FaxProfile) -> Result<(), ConfigError> {
    let bad = |key: &str, msg: &str| Err(src.err(span_of(src.text, key), key, msg.to_owned()));
    if !matches!(f.tiff_profile.as_str(), "S" | "F") {
        return bad("tiff_profile", "must be \"S\" or \"F\" (RFC 3949 §3, §4)");
    }
    if !matches!(f.mime_type.as_str(), "image/tiff" | "image/tiff-fx") {
        return bad("mime_type", "must be image/tiff (RFC 3302) or image/tiff-fx (RFC 3950)");
    }
    if f.tiff_profile == "S" && f.mime_type != "image/tiff" {
        // RFC 3950 §3, RFC 3249 §5.3: Profile S (and F) travel as image/tiff.
        return bad("mime_type", "Profile S is sent as image/tiff (RFC 3950 §3)");
    }
    if f.compressions.is_empty()
        || f.compressions.iter().any(|c| !matches!(c.as_str(), "MH" | "MR" | "MMR"))
    {
        return bad("compressions", "must list MH, MR or MMR");
    }
    if f.tiff_profile == "S" && f.compressions.iter().any(|c| c != "MH") {
        return bad("compressions", "Profile S allows MH only (RFC 3949 §3.2.1)");
    }
    if f.byte_order != "II" {
        // Profile F readers take either order (RFC 3949 §4), but Profile S needs II and the
        // writer emits II for both.
        return bad("byte_order", "must be \"II\" (the order every TIFF-F reader takes)");
    }
    if !matches!(f.fill_order, 1 | 2) || (f.tiff_profile == "S" && f.fill_order != 2) {
        return bad("fill_order", "must be 1 or 2, and 2 for Profile S (RFC 3949 §3)");
    }
    if f.widths.is_empty() || f.x_dpi.is_empty() || f.y_dpi.is_empty() {
        return bad("widths", "widths, x_dpi and y_dpi must not be empty");
    }
    if f.max_pages == 0 {
        return bad("max_pages", "must be greater than 0");
    }
    if f.t4_options & !5 != 0
        || (f.t4_options & 1 != 0) != (f.compressions.first().map(String::as_str) == Some("MR"))
    {
        return bad(
            "t4_options",
            "bit 2 chooses byte-aligned EOLs; bit 0 (2-D) is set exactly when MR comes first",
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Loading and resolving.

impl Config {
    /// The embedded default configuration, resolved.
    pub fn embedded() -> Result<Config, ConfigError> {
        Config::from_toml(DEFAULT_CONFIG, DEFAULT_CONFIG_NAME)
    }

    /// Loads `path`, or the embedded default when `None`.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else { return Config::embedded() };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: name.clone(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read: {e}"),
        })?;
        Config::from_toml(&text, &name)
    }

    /// Parses and resolves a configuration text; `name` is what errors call the file.
    pub fn from_toml(text: &str, name: &str) -> Result<Config, ConfigError> {
        let src = Source { name, text };
        let raw: raw::Config = toml::from_str(text).map_err(|e| src.toml_error(&e))?;
        Config::resolve(&src, raw, Profiles::embedded()?)
    }

    /// The effective configuration as TOML (secrets left out).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot print the configuration: {e}\n"))
    }

    /// The gateway's own system address, `system-user@hostname` (Sender, Originator-System, the
    /// MAIL FROM of RES messages).
    pub fn system_address(&self) -> String {
        format!("{}@{}", self.mmsc.system_user, self.server.hostname)
    }

    fn resolve(
        src: &Source<'_>,
        raw: raw::Config,
        profiles: Profiles,
    ) -> Result<Config, ConfigError> {
        let mut warnings = Vec::new();
        let s = raw.server;
        let hostname = match s.hostname {
            Some(h) => {
                check_domain(h.get_ref()).map_err(|m| src.err(h.span(), "server.hostname", m))?;
                h.into_inner().to_ascii_lowercase()
            }
            None => "mm3gw.localhost".to_owned(),
        };
        let listen = match s.listen {
            None => vec![SocketAddr::from(([127, 0, 0, 1], 2525))],
            Some(l) => {
                if l.is_empty() {
                    return Err(src.err(0..0, "server.listen", "needs at least one address:port"));
                }
                let mut out = Vec::new();
                for a in l {
                    out.push(a.get_ref().parse::<SocketAddr>().map_err(|_| {
                        src.err(a.span(), "server.listen", format!("\"{}\" is not an address:port (e.g. \"127.0.0.1:2525\", \"[::1]:2525\")", a.get_ref()))
                    })?);
                }
                out
            }
        };
        let http = match s.http {
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9125))),
            Some(h) if h.get_ref().is_empty() => None,
            Some(h) => Some(h.get_ref().parse::<SocketAddr>().map_err(|_| {
                src.err(
                    h.span(),
                    "server.http",
                    format!(
                        "\"{}\" is not an address:port (or \"\" to turn HTTP off)",
                        h.get_ref()
                    ),
                )
            })?),
        };
        let spool = match s.spool {
            None => PathBuf::from("spool"),
            Some(p) if p.get_ref().is_empty() => {
                return Err(src.err(p.span(), "server.spool", "must name a directory"));
            }
            Some(p) => PathBuf::from(p.into_inner()),
        };
        let workers = match s.workers {
            None => 0,
            Some(w) => {
                usize::try_from(*w.get_ref()).ok().filter(|&n| n <= 1024).ok_or_else(|| {
                    src.err(w.span(), "server.workers", "must be 0 (one per core) to 1024")
                })?
            }
        };
        let workers = if workers == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            workers
        };
        let key = |k: Option<Spanned<String>>, name: &str| -> Result<Option<String>, ConfigError> {
            match k {
                None => Ok(None),
                Some(k) if k.get_ref().chars().count() < 32 => {
                    Err(src.err(k.span(), name, "must be at least 32 characters"))
                }
                Some(k) => Ok(Some(k.into_inner())),
            }
        };
        let hmac_key = key(s.hmac_key, "server.hmac_key")?;
        let hmac_key_previous = key(s.hmac_key_previous, "server.hmac_key_previous")?;
        let (tls_cert, tls_key) = match (s.tls_cert, s.tls_key) {
            (None, None) => (None, None),
            (Some(c), Some(k)) => {
                (Some(PathBuf::from(c.into_inner())), Some(PathBuf::from(k.into_inner())))
            }
            (Some(c), None) => {
                return Err(src.err(
                    c.span(),
                    "server.tls_key",
                    "tls_cert is set but tls_key is not: set both or neither",
                ));
            }
            (None, Some(k)) => {
                return Err(src.err(
                    k.span(),
                    "server.tls_cert",
                    "tls_key is set but tls_cert is not: set both or neither",
                ));
            }
        };
        let mut allow_clients = Vec::new();
        for c in s.allow_clients.unwrap_or_default() {
            allow_clients.push(
                Cidr::parse(c.get_ref())
                    .map_err(|m| src.err(c.span(), "server.allow_clients", m))?,
            );
        }
        let mut listener = BTreeMap::new();
        for (addr, l) in s.listener.unwrap_or_default() {
            let key = format!("server.listener.\"{addr}\".allow_clients");
            let Some(a) = addr.parse::<SocketAddr>().ok().filter(|a| listen.contains(a)) else {
                return Err(src.err(
                    l.allow_clients.span(),
                    key,
                    format!("\"{addr}\" is not one of server.listen"),
                ));
            };
            let mut allow = Vec::new();
            for c in l.allow_clients.into_inner() {
                allow
                    .push(Cidr::parse(c.get_ref()).map_err(|m| src.err(c.span(), key.clone(), m))?);
            }
            listener.insert(a.to_string(), ListenerSettings { allow_clients: allow });
        }
        let log_format = match s.log_format {
            None => LogFormat::Text,
            Some(f) => match f.get_ref().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => {
                    return Err(src.err(
                        f.span(),
                        "server.log_format",
                        format!("\"{other}\": use text or json"),
                    ));
                }
            },
        };
        let server = Server {
            hostname,
            listen,
            http,
            spool,
            workers,
            hmac_key,
            hmac_key_previous,
            tls_cert,
            tls_key,
            allow_clients,
            log_format,
            listener,
        };

        let d = Limits::default();
        let l = raw.limits;
        let limits = Limits {
            message_bytes: int(
                src,
                l.message_bytes,
                "limits.message_bytes",
                d.message_bytes,
                1024,
                1 << 40,
            )?,
            recipients: int(
                src,
                l.recipients,
                "limits.recipients",
                d.recipients as u64,
                1,
                1_000_000,
            )? as usize,
            connections: int(
                src,
                l.connections,
                "limits.connections",
                d.connections as u64,
                1,
                1_000_000,
            )? as usize,
            connections_per_client: int(
                src,
                l.connections_per_client,
                "limits.connections_per_client",
                d.connections_per_client as u64,
                1,
                1_000_000,
            )? as usize,
            line_bytes: int(src, l.line_bytes, "limits.line_bytes", d.line_bytes as u64, 512, 4096)?
                as usize,
            command_timeout_s: int(
                src,
                l.command_timeout_s,
                "limits.command_timeout_s",
                d.command_timeout_s,
                1,
                86_400,
            )?,
            data_timeout_s: int(
                src,
                l.data_timeout_s,
                "limits.data_timeout_s",
                d.data_timeout_s,
                1,
                86_400,
            )?,
            errors: int(src, l.errors, "limits.errors", d.errors.into(), 1, 1000)? as u32,
            messages_per_connection: int(
                src,
                l.messages_per_connection,
                "limits.messages_per_connection",
                d.messages_per_connection.into(),
                1,
                1_000_000,
            )? as u32,
            spool_messages: int(
                src,
                l.spool_messages,
                "limits.spool_messages",
                d.spool_messages,
                1,
                1_000_000_000,
            )?,
        };
        if limits.connections_per_client > limits.connections {
            warnings.push("limits.connections_per_client is larger than limits.connections".into());
        }

        let dl = raw.delivery;
        let retry_min_s =
            int(src, dl.retry_min_s.clone(), "delivery.retry_min_s", 60, 1, 86_400 * 30)?;
        let retry_max_s =
            int(src, dl.retry_max_s.clone(), "delivery.retry_max_s", 3600, 1, 86_400 * 30)?;
        if retry_max_s < retry_min_s {
            let span =
                dl.retry_max_s.as_ref().or(dl.retry_min_s.as_ref()).map_or(0..0, |s| s.span());
            return Err(src.err(
                span,
                "delivery.retry_max_s",
                format!("{retry_max_s} is smaller than delivery.retry_min_s ({retry_min_s})"),
            ));
        }
        let delivery = Delivery {
            lifetime_s: int(src, dl.lifetime_s, "delivery.lifetime_s", 432_000, 1, 86_400 * 365)?,
            retry_min_s,
            retry_max_s,
            concurrency: int(src, dl.concurrency, "delivery.concurrency", 16, 1, 10_000)? as usize,
            connect_timeout_s: int(
                src,
                dl.connect_timeout_s,
                "delivery.connect_timeout_s",
                60,
                1,
                3600,
            )?,
            relay: next_hop(src, dl.relay, "delivery.relay", "file:outbox/reports")?,
            tls_ca: dl.tls_ca.map(|p| PathBuf::from(p.into_inner())),
        };

        let m = raw.mmsc;
        let mut domains = Vec::new();
        for d in m.domains.unwrap_or_else(|| vec![Spanned::new(0..0, "mms.localhost".to_owned())]) {
            check_domain(d.get_ref()).map_err(|msg| src.err(d.span(), "mmsc.domains", msg))?;
            domains.push(d.into_inner().to_ascii_lowercase());
        }
        let content_class = match m.content_class {
            None => "image-rich".to_owned(),
            Some(c) => {
                if profiles.content_class(c.get_ref()).is_none() {
                    let known: Vec<&str> = profiles
                        .by_name
                        .iter()
                        .filter(|(_, p)| p.kind() == ProfileKind::ContentClass)
                        .map(|(n, _)| n.as_str())
                        .collect();
                    return Err(src.err(
                        c.span(),
                        "mmsc.content_class",
                        format!(
                            "\"{}\" is not a content class ({})",
                            c.get_ref(),
                            known.join(", ")
                        ),
                    ));
                }
                c.into_inner()
            }
        };
        let class = profiles.content_class(&content_class).cloned();
        let max_message_bytes = match m.max_message_bytes {
            Some(v) => int(src, Some(v), "mmsc.max_message_bytes", 0, 1024, 1 << 30)?,
            None => {
                let c = class
                    .ok_or_else(|| src.err(0..0, "mmsc.content_class", "content class missing"))?;
                if c.size_from_operator {
                    warnings.push(format!(
                        "content class {} has no verified size: using the documented fallback of {} bytes; set [mmsc] max_message_bytes",
                        c.name, c.max_message_bytes
                    ));
                }
                c.max_message_bytes
            }
        };
        let system_user = match m.system_user {
            None => "system-user".to_owned(),
            Some(u) => {
                let ok = !u.get_ref().is_empty()
                    && u.get_ref()
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                if !ok {
                    return Err(src.err(
                        u.span(),
                        "mmsc.system_user",
                        "must be a plain local part (letters, digits, - _ .)",
                    ));
                }
                u.into_inner()
            }
        };
        let mmsc = Mmsc {
            domains,
            next_hop: next_hop(src, m.next_hop, "mmsc.next_hop", "file:outbox/mmsc")?,
            content_class,
            system_user,
            max_message_bytes,
        };

        let mut routes: Vec<Route> = Vec::new();
        for (i, r) in raw.routes.into_iter().enumerate() {
            let k = |name: &str| format!("route[{i}].{name}");
            let name = r.name.get_ref().trim().to_owned();
            if name.is_empty() {
                return Err(src.err(r.name.span(), k("name"), "must not be empty"));
            }
            if routes.iter().any(|o| o.name == name) {
                return Err(src.err(
                    r.name.span(),
                    k("name"),
                    format!("route \"{name}\" is defined twice"),
                ));
            }
            if r.recipients.get_ref().is_empty() {
                return Err(src.err(
                    r.recipients.span(),
                    k("recipients"),
                    "needs at least one glob",
                ));
            }
            let mut recipients = Vec::new();
            for g in r.recipients.into_inner() {
                if g.get_ref().trim().is_empty() || !g.get_ref().contains('@') {
                    return Err(src.err(
                        g.span(),
                        k("recipients"),
                        format!(
                            "\"{}\" must be a glob over local@domain, e.g. \"*@fax.example\"",
                            g.get_ref()
                        ),
                    ));
                }
                recipients.push(g.into_inner());
            }
            let convert = match r.convert.get_ref().as_str() {
                "fax" => Convert::Fax,
                "vpim" => Convert::Vpim,
                "ivm" => Convert::Ivm,
                other => {
                    return Err(src.err(
                        r.convert.span(),
                        k("convert"),
                        format!("\"{other}\": use fax, vpim or ivm"),
                    ));
                }
            };
            let profile = match r.profile {
                None => convert.default_profile().to_owned(),
                Some(p) => {
                    match profiles.get(p.get_ref()) {
                        None => {
                            return Err(src.err(
                                p.span(),
                                k("profile"),
                                format!("no profile \"{}\" in profiles/", p.get_ref()),
                            ));
                        }
                        Some(found) if found.kind() != convert.profile_kind() => {
                            return Err(src.err(p.span(), k("profile"), format!("\"{}\" is a {} profile; convert = \"{convert}\" needs a {} profile", p.get_ref(), found.kind(), convert.profile_kind())));
                        }
                        Some(Profile::Voice(v)) if v.is_vpim() != (convert == Convert::Vpim) => {
                            let shape = if v.is_vpim() { "VPIM v2" } else { "IVM" };
                            return Err(src.err(p.span(), k("profile"), format!("\"{}\" has the {shape} shape (top_level {}); convert = \"{convert}\" needs the other", p.get_ref(), v.top_level)));
                        }
                        Some(_) => {}
                    }
                    p.into_inner()
                }
            };
            check_domain(r.peer_domain.get_ref())
                .map_err(|msg| src.err(r.peer_domain.span(), k("peer_domain"), msg))?;
            let next = NextHop::parse(r.next_hop.get_ref())
                .map_err(|msg| src.err(r.next_hop.span(), k("next_hop"), msg))?;
            routes.push(Route {
                name,
                recipients,
                convert,
                profile,
                peer_domain: r.peer_domain.into_inner().to_ascii_lowercase(),
                next_hop: next,
            });
        }

        Ok(Config { server, limits, delivery, mmsc, routes, profiles, warnings })
    }
}

fn int(
    src: &Source<'_>,
    v: Option<Spanned<i64>>,
    key: &str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        Some(v) => {
            u64::try_from(*v.get_ref()).ok().filter(|n| (min..=max).contains(n)).ok_or_else(|| {
                src.err(v.span(), key, format!("{} is out of range {min}..={max}", v.get_ref()))
            })
        }
    }
}

fn next_hop(
    src: &Source<'_>,
    v: Option<Spanned<String>>,
    key: &str,
    default: &str,
) -> Result<NextHop, ConfigError> {
    match v {
        None => NextHop::parse(default).map_err(|m| src.err(0..0, key, m)),
        Some(v) => NextHop::parse(v.get_ref()).map_err(|m| src.err(v.span(), key, m)),
    }
}

fn check_domain(d: &str) -> Result<(), String> {
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok { Ok(()) } else { Err(format!("\"{d}\" is not a domain name")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ConfigError {
        Config::from_toml(text, "test.toml").expect_err("should fail")
    }

    #[test]
    fn embedded_default_loads() {
        let c = Config::embedded().unwrap();
        assert_eq!(c.server.hostname, "mm3gw.localhost");
        assert_eq!(c.server.listen, vec!["127.0.0.1:2525".parse().unwrap()]);
        assert_eq!(c.mmsc.content_class, "image-rich");
        assert_eq!(c.mmsc.max_message_bytes, 102_400);
        assert_eq!(c.routes.len(), 2);
        assert!(c.routes[0].claims("FAX=+4930123@fax.localhost"));
        assert!(c.routes[0].claims("someone@FAX.localhost"));
        assert!(c.routes[1].claims("+4930123@voicemail.localhost"));
        assert!(!c.routes[1].claims("+4930123@mms.localhost"));
        assert_eq!(c.routes[1].convert, Convert::Vpim);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        // The printed configuration is itself a valid configuration with the same meaning.
        let again = Config::from_toml(&c.to_toml(), "printed").unwrap();
        assert_eq!(again.to_toml(), c.to_toml());
    }

    #[test]
    fn empty_file_takes_builtin_defaults() {
        let c = Config::from_toml("", "empty.toml").unwrap();
        assert_eq!(c.limits.recipients, 100);
        assert_eq!(c.delivery.relay, NextHop::File("outbox/reports".into()));
        assert!(c.routes.is_empty());
    }

    #[test]
    fn every_profile_is_valid_and_the_classes_carry_the_sheet_values() {
        let p = Profiles::embedded().unwrap();
        assert_eq!(p.by_name.len(), EMBEDDED_PROFILES.len());
        let size = |n: &str| p.content_class(n).unwrap().max_message_bytes;
        assert_eq!(
            (size("text"), size("image-basic"), size("image-rich")),
            (30 * 1024, 30 * 1024, 100 * 1024)
        );
        assert_eq!(
            (size("video-basic"), size("video-rich"), size("megapixel")),
            (100 * 1024, 300 * 1024, 600 * 1024)
        );
        assert_eq!(p.content_class("image-basic").unwrap().max_image, Some([160, 120]));
        assert_eq!(p.content_class("megapixel").unwrap().max_image, Some([1600, 1200]));
        assert!(p.content_class("content-basic").unwrap().size_from_operator);
        assert!(p.content_class("text").unwrap().max_image.is_none());
        assert!(
            matches!(p.get("tiff-f-s"), Some(Profile::Fax(f)) if f.widths == [1728] && f.fill_order == 2)
        );
        assert!(matches!(p.get("vpim-v2"), Some(Profile::Voice(v)) if v.audio == "audio/32kadpcm"));
    }

    #[test]
    fn content_class_without_verified_size_warns_unless_the_operator_sets_one() {
        let c = Config::from_toml("[mmsc]\ncontent_class = \"content-rich\"\n", "t.toml").unwrap();
        assert_eq!(c.warnings.len(), 1);
        let c = Config::from_toml(
            "[mmsc]\ncontent_class = \"content-rich\"\nmax_message_bytes = 500000\n",
            "t.toml",
        )
        .unwrap();
        assert!(c.warnings.is_empty());
        assert_eq!(c.mmsc.max_message_bytes, 500_000);
    }

    /// Each bad key or value: (text, key, line) the error must name.
    #[test]
    fn bad_keys_and_values_name_file_key_and_line() {
        let route = |extra: &str| {
            format!(
                "[server]\nhostname = \"gw.example\"\n\n[[route]]\nname = \"fax\"\nrecipients = [\"*@fax.example\"]\nconvert = \"fax\"\npeer_domain = \"off.example\"\nnext_hop = \"file:out\"\n{extra}"
            )
        };
        let cases: Vec<(String, &str, usize)> = vec![
            ("[server]\nhostnme = \"x\"\n".into(), "server.hostnme", 2),
            ("[server]\nlisten = [\"127.0.0.1\"]\n".into(), "server.listen", 2),
            ("[server]\nhostname = \"bad host\"\n".into(), "server.hostname", 2),
            ("[server]\nhmac_key = \"short\"\n".into(), "server.hmac_key", 2),
            ("[server]\n\ntls_cert = \"c.pem\"\n".into(), "server.tls_key", 3),
            ("[server]\nallow_clients = [\"10.0.0.0/33\"]\n".into(), "server.allow_clients", 2),
            (
                "[server.listener.\"127.0.0.1:25\"]\nallow_clients = [\"10.0.0.0/8\"]\n".into(),
                "server.listener.\"127.0.0.1:25\".allow_clients",
                2,
            ),
            ("[server]\nworkers = -1\n".into(), "server.workers", 2),
            ("[server]\nlog_format = \"xml\"\n".into(), "server.log_format", 2),
            ("[limits]\nrecipients = 0\n".into(), "limits.recipients", 2),
            ("[limits]\nline_bytes = 100000\n".into(), "limits.line_bytes", 2),
            ("[limits]\nmessage_bytes = \"big\"\n".into(), "limits.message_bytes", 2),
            ("[delivery]\nretry_min_s = 600\nretry_max_s = 60\n".into(), "delivery.retry_max_s", 3),
            ("[delivery]\nrelay = \"ftp://x\"\n".into(), "delivery.relay", 2),
            ("[mmsc]\ncontent_class = \"huge\"\n".into(), "mmsc.content_class", 2),
            ("[mmsc]\nnext_hop = \"smtp://host:0\"\n".into(), "mmsc.next_hop", 2),
            ("[mmsc]\ndomains = [\"mms..x\"]\n".into(), "mmsc.domains", 2),
            (route("profile = \"vpim-v2\"\n"), "route[0].profile", 10),
            (route("profile = \"nope\"\n"), "route[0].profile", 10),
            (
                route("profile = \"ivm\"\n").replace("convert = \"fax\"", "convert = \"vpim\""),
                "route[0].profile",
                10,
            ),
            (route("colour = \"blue\"\n"), "route[0].colour", 10),
            (route("").replace("convert = \"fax\"", "convert = \"telex\""), "route[0].convert", 7),
            (route("").replace("file:out", "smtp://"), "route[0].next_hop", 9),
            (route("").replace("\"*@fax.example\"", "\"fax\""), "route[0].recipients", 6),
            (
                format!(
                    "{}\n{}",
                    route(""),
                    route("").replace("[server]\nhostname = \"gw.example\"\n", "")
                ),
                "route[1].name",
                13,
            ),
        ];
        for (text, key, line) in cases {
            let e = err(&text);
            assert_eq!(e.file, "test.toml", "{text}");
            assert_eq!(e.key, key, "{text}\n=> {e}");
            assert_eq!(e.line, line, "{text}\n=> {e}");
            assert!(e.to_string().starts_with(&format!("test.toml:{line}:")), "{e}");
        }
    }

    #[test]
    fn bad_profiles_are_refused_with_their_key() {
        let mut p = Profiles::default();
        let e = p.add("x/text.toml", "text.toml", "name = \"text\"\nkind = \"content-class\"\nmax_message_bytes = 0\nformats = [\"text/plain\"]\n").unwrap_err();
        assert_eq!((e.key.as_str(), e.line), ("max_message_bytes", 3));
        let e = p.add("x/a.toml", "a.toml", "name = \"b\"\nkind = \"fax\"\n").unwrap_err();
        assert_eq!((e.key.as_str(), e.line), ("name", 1));
        let e = p
            .add(
                "x/s.toml",
                "s.toml",
                &include_str!("../profiles/tiff-f-s.toml")
                    .replace("\"tiff-f-s\"", "\"s\"")
                    .replace("[\"MH\"]", "[\"MMR\"]"),
            )
            .unwrap_err();
        assert_eq!(e.key, "compressions");
        // Where the MM's text goes: cover, part or both, nothing else.
        let e = p
            .add(
                "x/t.toml",
                "t.toml",
                &include_str!("../profiles/tiff-f-s.toml")
                    .replace("\"tiff-f-s\"", "\"t\"")
                    .replace("text = \"cover\"", "text = \"html\""),
            )
            .unwrap_err();
        assert_eq!(e.key, "text", "{e}");
        let without = include_str!("../profiles/tiff-f-s.toml")
            .replace("\"tiff-f-s\"", "\"u\"")
            .replace("text = \"cover\"", "");
        p.add("x/u.toml", "u.toml", &without).unwrap();
        assert!(
            matches!(p.get("u"), Some(Profile::Fax(f)) if f.text == FaxText::Cover),
            "the default"
        );
        let e =
            p.add("x/v.toml", "v.toml", "name = \"v\"\nkind = \"voice\"\nbogus = 1\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        // Voice profiles: what the converter can write, and VPIM's audio is 32kadpcm.
        let vpim = include_str!("../profiles/vpim-v2.toml").replace("\"vpim-v2\"", "\"w\"");
        for (from, to, key) in [
            ("audio = \"audio/32kadpcm\"", "audio = \"audio/basic\"", "audio"),
            ("audio = \"audio/32kadpcm\"", "audio = \"audio/amr\"", "audio"),
            (
                "top_level = \"multipart/voice-message",
                "top_level = \"multipart/related",
                "top_level",
            ),
            ("sample_rate = 8000", "sample_rate = 16000", "sample_rate"),
            (
                "message_context = \"voice-message\"",
                "message_context = \"fax-message\"",
                "message_context",
            ),
        ] {
            assert!(vpim.contains(from), "{from}");
            let e = p.add("x/w.toml", "w.toml", &vpim.replace(from, to)).unwrap_err();
            assert_eq!(e.key, key, "{to} => {e}");
        }
        let fax = include_str!("../profiles/tiff-f-f.toml").replace("\"tiff-f-f\"", "\"f\"");
        let e = p
            .add("x/f.toml", "f.toml", &fax.replace("\"image/tiff\"", "\"image/png\""))
            .unwrap_err();
        assert_eq!(e.key, "mime_type", "{e}");
        let s = include_str!("../profiles/tiff-f-s.toml").replace("\"tiff-f-s\"", "\"s\"");
        for (from, to, key) in [
            ("fill_order = 2", "fill_order = 1", "fill_order"),
            ("\"image/tiff\"", "\"image/tiff-fx\"", "mime_type"),
            ("t4_options = 4", "t4_options = 5", "t4_options"),
        ] {
            let e = p.add("x/s.toml", "s.toml", &s.replace(from, to)).unwrap_err();
            assert_eq!(e.key, key, "Profile S: {to} => {e}");
        }
        let e = p.add("x/f.toml", "f.toml", &fax.replace("\"II\"", "\"MM\"")).unwrap_err();
        assert_eq!(e.key, "byte_order", "the writer emits II");
        let e = p
            .add("x/f.toml", "f.toml", &fax.replace("t4_options = 4", "t4_options = 2"))
            .unwrap_err();
        assert_eq!(e.key, "t4_options", "{e}");
    }

    #[test]
    fn per_listener_allow_lists() {
        let c = Config::from_toml(
            "[server]\nlisten = [\"127.0.0.1:2525\", \"127.0.0.1:2526\"]\nallow_clients = [\"10.0.0.0/8\"]\n\n[server.listener.\"127.0.0.1:2526\"]\nallow_clients = [\"192.0.2.0/24\"]\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(
            c.server.allow_for(&"127.0.0.1:2525".parse().unwrap()),
            [Cidr::parse("10.0.0.0/8").unwrap()]
        );
        assert_eq!(
            c.server.allow_for(&"127.0.0.1:2526".parse().unwrap()),
            [Cidr::parse("192.0.2.0/24").unwrap()]
        );
        assert!(Config::from_toml(&c.to_toml(), "printed").is_ok());
    }

    #[test]
    fn next_hops_parse() {
        assert_eq!(
            NextHop::parse("smtp://mx.example").unwrap(),
            NextHop::Smtp { host: "mx.example".into(), port: 25, implicit_tls: false }
        );
        assert_eq!(
            NextHop::parse("smtps://[::1]:4650").unwrap(),
            NextHop::Smtp { host: "::1".into(), port: 4650, implicit_tls: true }
        );
        assert_eq!(NextHop::parse("file:///var/out").unwrap(), NextHop::File("/var/out".into()));
        assert_eq!(NextHop::parse("smtp://[::1]:25").unwrap().to_string(), "smtp://[::1]:25");
        assert!(NextHop::parse("smtp://a:99999").is_err());
    }

    #[test]
    fn globs_and_cidrs() {
        assert!(glob_match("FAX=*@*", "fax=+49301234@offramp.example"));
        assert!(!glob_match("FAX=*@*", "+49301234@offramp.example"));
        assert!(glob_match("*@fax.localhost", "a@fax.localhost"));
        assert!(!glob_match("*@fax.localhost", "a@fax.localhost.evil"));
        assert!(glob_match("a?c*", "abcdef"));
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(
            c.contains("10.1.200.3".parse().unwrap()) && !c.contains("10.2.0.1".parse().unwrap())
        );
        assert!(Cidr::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("192.0.2.1".parse().unwrap()));
    }
}
