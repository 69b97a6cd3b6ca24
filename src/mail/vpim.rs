//! Voice mail: VPIM v2 (RFC 3801) toward voicemail platforms and IVM (RFC 4239) toward peers
//! that are not VPIM systems (spec/vpim.md).
//!
//! VPIM output is `multipart/voice-message; version=2.0` holding only what deployed peers
//! accept (spec/vpim.md §2.1, §8 item 2): `audio/32kadpcm` parts, `inline` with `voice=` and
//! `Content-Duration`, ordered spoken name → spoken subject → message; TIFF-F fax parts with
//! `application=faxbw`; forwarded `message/rfc822`; and a vCard only when the route asks for
//! one (RFC 3801 dropped it: SHOULD NOT send, MUST accept). Top-level fields per RFC 3801
//! App. A plus `MIME-Version: 1.0 (Voice 2.0)`, `Message-Context: voice-message`, `Importance`,
//! and `Sensitivity: Private` as the only sensitivity ever sent.
//!
//! IVM output is `multipart/mixed` with `Message-Context: voice-message`, the voice in
//! `audio/basic` (G.711 µ-law) marked critical (`handling=required`, RFC 3459) and extras
//! (vCard) optional.
//!
//! The parser takes either, tolerating RFC 3801's example syntax (ids without brackets, a
//! space after `voice=`), and reports `Sensitivity`: RFC 4356 §2.1.3.3 forbids passing such a
//! message to MMS; [`ReceivedVoice::refusal`] gives the 5.6.0 answer.
use serde::Serialize;

use super::vcard::VCard;
use super::{Built, Child, Common, Head, OtherPart, Requests, header};
use crate::mm::{self, Body, ContentType, Finding, Part};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("a voice message needs at least one audio part")]
    NoAudio,
    #[error("a voice message needs at least one recipient")]
    NoRecipient,
    #[error("{coding} audio cannot go in a {profile:?} message")]
    CodingNotAllowed { coding: &'static str, profile: Profile },
    #[error("Recipient-Spoken-Name with {recipients} recipients (RFC 3801 §4.3.2 allows one)")]
    RecipientSpokenName { recipients: usize },
    #[error("forwarded message {index} cannot travel as message/rfc822: {reason}")]
    BadForward { index: usize, reason: &'static str },
    #[error("not a voice message: no multipart/voice-message, Message-Context or audio part")]
    NotVoiceMail,
    #[error(transparent)]
    Mail(#[from] super::Error),
}

impl From<mm::Error> for Error {
    fn from(e: mm::Error) -> Self {
        Error::Mail(e.into())
    }
}

/// The route profile: VPIM v2 for VPIM systems, IVM for any other mail peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Profile {
    Vpim,
    Ivm,
}

/// The `voice=` Content-Disposition parameter (RFC 3801 §4.3.2, §16.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum VoiceRole {
    VoiceMessage,
    VoiceMessageNotification,
    OriginatorSpokenName,
    RecipientSpokenName,
    SpokenSubject,
    Other(String),
}

impl VoiceRole {
    pub fn as_str(&self) -> &str {
        match self {
            VoiceRole::VoiceMessage => "Voice-Message",
            VoiceRole::VoiceMessageNotification => "Voice-Message-Notification",
            VoiceRole::OriginatorSpokenName => "Originator-Spoken-Name",
            VoiceRole::RecipientSpokenName => "Recipient-Spoken-Name",
            VoiceRole::SpokenSubject => "Spoken-Subject",
            VoiceRole::Other(s) => s,
        }
    }

    /// Case-insensitive; unknown values kept.
    pub fn parse(v: &str) -> VoiceRole {
        let v = v.trim();
        [
            VoiceRole::VoiceMessage,
            VoiceRole::VoiceMessageNotification,
            VoiceRole::OriginatorSpokenName,
            VoiceRole::RecipientSpokenName,
            VoiceRole::SpokenSubject,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(v))
        .unwrap_or_else(|| VoiceRole::Other(v.to_string()))
    }

    /// Presentation order: name, subject, message (RFC 3801 App. B; spec/vpim.md §2.2).
    fn rank(&self) -> u8 {
        match self {
            VoiceRole::OriginatorSpokenName => 0,
            VoiceRole::RecipientSpokenName => 1,
            VoiceRole::SpokenSubject => 2,
            VoiceRole::VoiceMessage | VoiceRole::Other(_) => 3,
            VoiceRole::VoiceMessageNotification => 4,
        }
    }
}

/// How an audio part is coded: the bytes come from the voice codecs already encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AudioCoding {
    /// `audio/32kadpcm`: G.726-32, RFC 3802 nibble order, 4000 octets/s.
    Adpcm32k,
    /// `audio/basic`: raw G.711 µ-law, 8 kHz mono (RFC 2046 §4.3), 8000 octets/s.
    MuLaw,
}

impl AudioCoding {
    pub fn mime(self) -> &'static str {
        match self {
            AudioCoding::Adpcm32k => "audio/32kadpcm",
            AudioCoding::MuLaw => "audio/basic",
        }
    }

    pub fn octets_per_second(self) -> u64 {
        match self {
            AudioCoding::Adpcm32k => 4000,
            AudioCoding::MuLaw => 8000,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            AudioCoding::Adpcm32k => "726",
            AudioCoding::MuLaw => "au",
        }
    }
}

/// One outbound audio part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audio {
    pub role: VoiceRole,
    pub coding: AudioCoding,
    pub bytes: Vec<u8>,
    /// `Content-Duration` in whole seconds; `None` computes it from the length, rounded up so a
    /// short clip never reads 0 (spec/vpim.md §2.2).
    pub duration_secs: Option<u64>,
    /// Defaults to `msg.726` / `name.726` / … by role and coding.
    pub filename: Option<String>,
    /// `Content-Language` (RFC 3066 tag).
    pub language: Option<String>,
}

/// An outbound voice message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceMail {
    /// `To` only when the list is complete (RFC 3801 §4.2.2); left empty it is the recipients.
    pub head: Head,
    pub mail_from: String,
    pub recipients: Vec<String>,
    pub audio: Vec<Audio>,
    /// TIFF-F documents (VPIM: inside the voice message; IVM: beside the audio).
    pub fax: Vec<Vec<u8>>,
    /// Whole messages forwarded as `message/rfc822` (CRLF text, 7bit or 8bit).
    pub forwarded: Vec<Vec<u8>>,
    /// Sent only when the route asks for it.
    pub vcard: Option<VCard>,
    /// `Sensitivity: Private`; no other sensitivity value is ever sent (RFC 3801 §4.2.13).
    pub private: bool,
    pub requests: Requests,
}

/// Builds a VPIM v2 or IVM message and its envelope.
pub fn build(msg: &VoiceMail, profile: Profile) -> Result<Built, Error> {
    if msg.audio.is_empty() {
        return Err(Error::NoAudio);
    }
    if msg.recipients.is_empty() {
        return Err(Error::NoRecipient);
    }
    let spoken_recipient = msg.audio.iter().any(|a| a.role == VoiceRole::RecipientSpokenName);
    if spoken_recipient && msg.recipients.len() > 1 {
        return Err(Error::RecipientSpokenName { recipients: msg.recipients.len() });
    }
    if let Some(a) =
        msg.audio.iter().find(|a| profile == Profile::Vpim && a.coding != AudioCoding::Adpcm32k)
    {
        return Err(Error::CodingNotAllowed { coding: a.coding.mime(), profile });
    }
    for (index, m) in msg.forwarded.iter().enumerate() {
        check_forward(m).map_err(|reason| Error::BadForward { index, reason })?;
    }
    let envelope = msg.requests.envelope(&msg.mail_from, msg.recipients.clone())?;
    let mut head = msg.head.clone();
    if head.to.is_empty() {
        head.to = msg.recipients.iter().map(super::Mailbox::new).collect();
    }
    let mime_version = match profile {
        Profile::Vpim => "1.0 (Voice 2.0)",
        Profile::Ivm => "1.0",
    };
    let mut fields = vec![
        ("MIME-Version", mime_version.to_string()),
        ("Message-Context", "voice-message".to_string()),
    ];
    if msg.private {
        fields.push(("Sensitivity", "Private".into()));
    }
    fields.extend(msg.requests.header());
    let mut out = Vec::new();
    head.write(&mut out, &fields)?;

    let mut audio: Vec<&Audio> = msg.audio.iter().collect();
    audio.sort_by_key(|a| a.role.rank());
    let mut children: Vec<Child> =
        audio.into_iter().map(|a| Child::Part(audio_part(a, profile))).collect();
    for tiff in &msg.fax {
        let ct = ContentType::new("image/tiff").with_param("application", "faxbw");
        children.push(Child::Part(Part::leaf(ct, tiff.clone())));
    }
    if let Some(card) = &msg.vcard {
        let mut p = Part::text(&card.to_text());
        p.content_type = ContentType::new("text/directory").with_param("profile", "vCard");
        if profile == Profile::Ivm {
            p.disposition = Some(ContentType::new("inline").with_param("handling", "optional"));
        }
        children.push(Child::Part(p));
    }
    for m in &msg.forwarded {
        children.push(Child::Raw { content_type: "message/rfc822".into(), body: m.clone() });
    }
    let top = match profile {
        Profile::Vpim => ContentType::new("multipart/voice-message").with_param("version", "2.0"),
        Profile::Ivm => ContentType::new("multipart/mixed"),
    };
    super::write_multipart(&mut out, &top, &children);
    Ok(Built { bytes: out, envelope })
}

/// message/rfc822 may only be 7bit or 8bit (RFC 2046 §5.2.1), so a forward must already be
/// line-oriented text: no NUL, lines within 998 octets, and a header block first.
fn check_forward(m: &[u8]) -> Result<(), &'static str> {
    if m.contains(&0) {
        return Err("it contains NUL bytes");
    }
    if m.split(|&b| b == b'\n').any(|l| l.len() > 999) {
        return Err("a line is longer than 998 octets");
    }
    let first = m.split(|&b| b == b'\n').next().unwrap_or_default();
    if !first.contains(&b':') {
        return Err("it does not start with a header field");
    }
    Ok(())
}

fn audio_part(a: &Audio, profile: Profile) -> Part {
    let mut p = Part::leaf(ContentType::new(a.coding.mime()), a.bytes.clone());
    let mut d = ContentType::new("inline").with_param("voice", a.role.as_str());
    if profile == Profile::Ivm {
        d = d.with_param("handling", "required");
    }
    p.disposition = Some(d);
    let stem = match a.role {
        VoiceRole::OriginatorSpokenName => "name",
        VoiceRole::RecipientSpokenName => "recipient",
        VoiceRole::SpokenSubject => "subject",
        VoiceRole::VoiceMessageNotification => "notification",
        _ => "msg",
    };
    p.name = Some(a.filename.clone().unwrap_or_else(|| format!("{stem}.{}", a.coding.extension())));
    let secs = a
        .duration_secs
        .unwrap_or_else(|| (a.bytes.len() as u64).div_ceil(a.coding.octets_per_second()));
    p.extra.push(("Content-Duration".into(), secs.to_string()));
    if let Some(l) = &a.language {
        p.extra.push(("Content-Language".into(), l.clone()));
    }
    p
}

/// `Sensitivity:` values (RFC 3801 §4.2.13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Sensitivity {
    Personal,
    Private,
    CompanyConfidential,
    Other(String),
}

impl Sensitivity {
    fn parse(v: &str) -> Sensitivity {
        let v = header::strip_comment(v);
        match v.to_ascii_lowercase().as_str() {
            "personal" => Sensitivity::Personal,
            "private" => Sensitivity::Private,
            "company-confidential" => Sensitivity::CompanyConfidential,
            _ => Sensitivity::Other(v.to_string()),
        }
    }
}

/// One received audio part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedAudio {
    /// `None` when the part had no `voice=` (receivers then play parts in order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<VoiceRole>,
    pub content_type: String,
    /// Declared `Content-Duration` (seconds); absent when missing, not digits or above
    /// 2^31−1 (RFC 3803 §2.1). The data length is authoritative.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(serialize_with = "len")]
    pub bytes: Vec<u8>,
}

fn len<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(b.len() as u64)
}

/// What the gateway must answer instead of converting (RFC 4356 §2.1.3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The DSN status code: 5.6.0 (RFC 3801 §4.2.13; App. C's 5.3.3 is only an example).
    pub status: &'static str,
    pub reason: String,
}

/// A received voice message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedVoice {
    pub profile: Profile,
    /// The `version` parameter of multipart/voice-message (`2.0`; absent = VPIM v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
    /// Audio in message order, voice-message parts and any audio around them.
    pub audio: Vec<ReceivedAudio>,
    /// TIFF fax documents.
    #[serde(skip)]
    pub fax: Vec<Vec<u8>>,
    /// Forwarded messages (`message/rfc822`), raw.
    #[serde(skip)]
    pub forwarded: Vec<Vec<u8>>,
    pub vcards: Vec<VCard>,
    pub texts: Vec<String>,
    pub others: Vec<OtherPart>,
    pub findings: Vec<Finding>,
}

impl ReceivedVoice {
    pub fn spoken_name(&self) -> Option<&ReceivedAudio> {
        self.with_role(&VoiceRole::OriginatorSpokenName)
    }

    pub fn spoken_subject(&self) -> Option<&ReceivedAudio> {
        self.with_role(&VoiceRole::SpokenSubject)
    }

    /// The message body audio: `Voice-Message` parts, else every part without a role.
    pub fn message_audio(&self) -> Vec<&ReceivedAudio> {
        let tagged: Vec<_> =
            self.audio.iter().filter(|a| a.role == Some(VoiceRole::VoiceMessage)).collect();
        if !tagged.is_empty() {
            return tagged;
        }
        self.audio.iter().filter(|a| a.role.is_none()).collect()
    }

    fn with_role(&self, role: &VoiceRole) -> Option<&ReceivedAudio> {
        self.audio.iter().find(|a| a.role.as_ref() == Some(role))
    }

    /// `Some` when the message must not be passed to MMS: any `Sensitivity` field
    /// (RFC 4356 §2.1.3.3: negative DSN with status 5.6.0).
    pub fn refusal(&self) -> Option<Refusal> {
        let s = self.sensitivity.as_ref()?;
        Some(Refusal {
            status: "5.6.0",
            reason: format!("Sensitivity: {s:?} messages cannot be delivered to MMS"),
        })
    }
}

/// The multipart/voice-message entity: the body itself, or a direct child of a multipart/mixed
/// body (RFC 3801 §4.4.1).
pub fn find_voice_message(body: &Part) -> Option<&Part> {
    if body.content_type.mime == "multipart/voice-message" {
        return Some(body);
    }
    match (&body.body, body.content_type.mime.as_str()) {
        (Body::Multipart(children), "multipart/mixed") => {
            children.iter().find(|c| c.content_type.mime == "multipart/voice-message")
        }
        _ => None,
    }
}

/// Reads a VPIM or IVM message.
pub fn parse(raw: &[u8], limits: &super::Limits) -> Result<ReceivedVoice, Error> {
    let mime = mm::parse_mime(raw, &limits.mime)?;
    let voice_message = find_voice_message(&mime.body);
    let context = mime.header("Message-Context").map(header::strip_comment);
    let is_ivm = context.is_some_and(|c| c.eq_ignore_ascii_case("voice-message"));
    let leaves = mime.body.leaves();
    let has_audio = leaves.iter().any(|p| p.content_type.main_type() == "audio");
    if voice_message.is_none() && !is_ivm && !has_audio {
        return Err(Error::NotVoiceMail);
    }
    let mut v = ReceivedVoice {
        profile: if voice_message.is_some() { Profile::Vpim } else { Profile::Ivm },
        version: voice_message.and_then(|p| p.content_type.param("version")).map(str::to_string),
        common: Common::read(&mime),
        sensitivity: mime.header("Sensitivity").map(Sensitivity::parse),
        audio: Vec::new(),
        fax: Vec::new(),
        forwarded: Vec::new(),
        vcards: Vec::new(),
        texts: Vec::new(),
        others: Vec::new(),
        findings: mime.findings.clone(),
    };
    if voice_message.is_some() && v.version.is_none() {
        v.findings.push(Finding::warning("multipart/voice-message without version: VPIM v1"));
    }
    collect(&mime.body, limits, &mut v);
    if v.audio.is_empty() {
        v.findings.push(Finding::warning("no audio part"));
    }
    Ok(v)
}

/// Walks the tree: forwarded messages stay whole (their audio belongs to the forward).
fn collect(p: &Part, limits: &super::Limits, v: &mut ReceivedVoice) {
    if let Body::Multipart(children) = &p.body {
        children.iter().for_each(|c| collect(c, limits, v));
        return;
    }
    let ct = &p.content_type;
    match ct.mime.as_str() {
        m if m.starts_with("audio/") => v.audio.push(received_audio(p, &mut v.findings)),
        "message/rfc822" => v.forwarded.push(p.bytes().to_vec()),
        "text/directory" | "text/vcard" | "text/x-vcard" => {
            let text = String::from_utf8_lossy(p.bytes());
            match VCard::parse(&text, limits.max_report_part_bytes) {
                Ok(c) => v.vcards.push(c),
                Err(e) => {
                    v.findings.push(Finding::warning(format!("{}: {e}", ct.mime)));
                    v.others.push(OtherPart::of(p));
                }
            }
        }
        "text/plain" => v.texts.push(String::from_utf8_lossy(p.bytes()).into_owned()),
        _ if super::t37::is_tiff_part(p) => v.fax.push(p.bytes().to_vec()),
        _ => v.others.push(OtherPart::of(p)),
    }
}

fn received_audio(p: &Part, findings: &mut Vec<Finding>) -> ReceivedAudio {
    let disposition = p.disposition.as_ref();
    let role = disposition.and_then(|d| d.param("voice")).map(VoiceRole::parse);
    let extra = |name: &str| {
        p.extra.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
    };
    let duration_secs = extra("Content-Duration").and_then(|d| {
        let d = header::strip_comment(d);
        let ok = !d.is_empty() && d.len() <= 10 && d.bytes().all(|b| b.is_ascii_digit());
        let secs = ok.then(|| d.parse::<u64>().ok()).flatten().filter(|&s| s <= i32::MAX as u64);
        if secs.is_none() {
            findings.push(Finding::warning(format!("Content-Duration: {d:?} ignored")));
        }
        secs
    });
    ReceivedAudio {
        role,
        content_type: p.content_type.mime.clone(),
        duration_secs,
        name: p.name.clone(),
        content_id: p.cid_key().map(str::to_string),
        language: extra("Content-Language").map(str::to_string),
        bytes: p.bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{Limits, Mailbox};

    fn audio(role: VoiceRole, coding: AudioCoding, n: usize) -> Audio {
        Audio {
            role,
            coding,
            bytes: vec![0x77; n],
            duration_secs: None,
            filename: None,
            language: None,
        }
    }

    fn voice() -> VoiceMail {
        let mut head = Head::new(
            Mailbox::new("+4917012345@gw.example").with_name("+49 170 12345"),
            1_704_103_200,
            "v1@gw.example",
        );
        head.subject = Some("Voice Message".into());
        VoiceMail {
            head,
            mail_from: "+4917012345@gw.example".into(),
            recipients: vec!["+12125550100@vm.example".into()],
            audio: vec![
                audio(VoiceRole::VoiceMessage, AudioCoding::Adpcm32k, 10_001),
                audio(VoiceRole::OriginatorSpokenName, AudioCoding::Adpcm32k, 4000),
            ],
            fax: Vec::new(),
            forwarded: Vec::new(),
            vcard: None,
            private: false,
            requests: Requests::default(),
        }
    }

    #[test]
    fn vpim_layout() {
        let built = build(&voice(), Profile::Vpim).unwrap();
        let t = String::from_utf8_lossy(&built.bytes).replace("\r\n ", " ");
        assert!(t.contains("MIME-Version: 1.0 (Voice 2.0)\r\n"), "{t}");
        assert!(t.contains("Message-Context: voice-message\r\n"));
        assert!(t.contains("Content-Type: multipart/voice-message; version=2.0; boundary="));
        assert!(!t.contains("Sensitivity"));
        let name = t.find("voice=Originator-Spoken-Name").unwrap();
        let msg = t.find("voice=Voice-Message").unwrap();
        assert!(name < msg, "spoken name first");
        assert!(t.contains("Content-Duration: 3\r\n"), "10001 octets round up to 3 s");
        let got = parse(&built.bytes, &Limits::default()).unwrap();
        assert_eq!(got.profile, Profile::Vpim);
        assert_eq!(got.version.as_deref(), Some("2.0"));
        assert_eq!(got.spoken_name().map(|a| a.bytes.len()), Some(4000));
        assert_eq!(got.message_audio().len(), 1);
        assert_eq!(got.message_audio()[0].duration_secs, Some(3));
        assert!(got.refusal().is_none());
    }

    #[test]
    fn vpim_refuses_other_codings_and_spoken_recipient_for_many() {
        let mut v = voice();
        v.audio.push(audio(VoiceRole::VoiceMessage, AudioCoding::MuLaw, 10));
        assert!(matches!(build(&v, Profile::Vpim), Err(Error::CodingNotAllowed { .. })));
        let mut v = voice();
        v.audio.push(audio(VoiceRole::RecipientSpokenName, AudioCoding::Adpcm32k, 10));
        v.recipients.push("x@vm.example".into());
        assert_eq!(build(&v, Profile::Vpim), Err(Error::RecipientSpokenName { recipients: 2 }));
        let mut v = voice();
        v.audio.clear();
        assert_eq!(build(&v, Profile::Vpim), Err(Error::NoAudio));
    }

    #[test]
    fn ivm_and_sensitivity() {
        let mut v = voice();
        v.audio = vec![audio(VoiceRole::VoiceMessage, AudioCoding::MuLaw, 16_000)];
        v.private = true;
        let built = build(&v, Profile::Ivm).unwrap();
        let t = String::from_utf8_lossy(&built.bytes).replace("\r\n ", " ");
        assert!(t.contains("Content-Type: multipart/mixed; boundary="));
        assert!(t.contains("Content-Disposition: inline; voice=Voice-Message; handling=required; filename=msg.au"), "{t}");
        assert!(t.contains("Sensitivity: Private\r\n"));
        let got = parse(&built.bytes, &Limits::default()).unwrap();
        assert_eq!(got.profile, Profile::Ivm);
        assert_eq!(got.sensitivity, Some(Sensitivity::Private));
        assert_eq!(got.refusal().map(|r| r.status), Some("5.6.0"));
        assert_eq!(got.audio[0].duration_secs, Some(2));
    }

    #[test]
    fn forwards_must_be_text_messages() {
        let mut v = voice();
        v.forwarded.push(b"Subject: ok\r\n\r\nbody\r\n".to_vec());
        v.forwarded.push(b"Subject: x\r\n\r\n\0".to_vec());
        assert!(matches!(build(&v, Profile::Vpim), Err(Error::BadForward { index: 1, .. })));
        v.forwarded[1] = b"no header".to_vec();
        assert!(matches!(build(&v, Profile::Vpim), Err(Error::BadForward { index: 1, .. })));
        v.forwarded.pop();
        assert!(build(&v, Profile::Vpim).is_ok());
    }

    #[test]
    fn voice_roles_parse_leniently() {
        assert_eq!(VoiceRole::parse(" voice-message"), VoiceRole::VoiceMessage);
        assert_eq!(VoiceRole::parse("x-thing"), VoiceRole::Other("x-thing".into()));
    }

    #[test]
    fn not_voice_mail() {
        let raw = b"From: a@b\r\nContent-Type: text/plain\r\n\r\nhi\r\n";
        assert_eq!(parse(raw, &Limits::default()), Err(Error::NotVoiceMail));
    }
}
