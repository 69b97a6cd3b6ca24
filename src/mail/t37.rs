//! T.37 fax mail (spec/t37-fax.md §4–§5): simple mode per RFC 3965, with the full-mode
//! requests of RFC 2532 / RFC 4142 (DSN on the envelope, MDN by `Disposition-Notification-To`)
//! when asked.
//!
//! What is built is always `multipart/mixed`: an optional `text/plain` part first (receivers
//! MUST accept it, RFC 3965 App. A; many offramps print only the TIFF, so interwork decides
//! whether to send it), then one `image/tiff` part per document, base64, `attachment` with a
//! `.tif` file name. A top-level `image/tiff` would also be valid; mixed is what deployed
//! onramps (HylaFAX, Cisco) send and what every offramp takes. Offramps dial from `RCPT TO`
//! only (RFC 3965 §2.1.3), so the `FAX=+E164@offramp` address goes in the envelope and, for
//! reading, in `To`.
//!
//! What is read is any mail with TIFF parts, whatever wraps them (`multipart/fax-message` from
//! Cisco onramps, a single `image/tiff` body, `application/octet-stream` with a TIFF signature):
//! the originator, subject, texts, TIFF documents, and every other part listed.
use serde::Serialize;

use super::{Built, Child, Common, Head, OtherPart, Requests, header};
use crate::mm::address::FaxAddress;
use crate::mm::{self, Body, ContentType, Finding, Part};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("a fax mail needs at least one TIFF document")]
    NoDocument,
    #[error("a fax mail needs at least one recipient")]
    NoRecipient,
    #[error(transparent)]
    Mail(#[from] super::Error),
}

impl From<mm::Error> for Error {
    fn from(e: mm::Error) -> Self {
        Error::Mail(e.into())
    }
}

/// The media type a TIFF part is labelled with (spec/t37-fax.md §4): `image/tiff` for Profiles
/// S and F (RFC 3950 §3 SHOULD), `image/tiff-fx` only for routes that ask for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum FaxMediaType {
    #[default]
    Tiff,
    TiffFx,
}

impl FaxMediaType {
    pub fn mime(self) -> &'static str {
        match self {
            FaxMediaType::Tiff => "image/tiff",
            FaxMediaType::TiffFx => "image/tiff-fx",
        }
    }
}

/// One TIFF file (all its pages) as the fax codec wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub tiff: Vec<u8>,
    /// Defaults to `fax.tif` (`fax-2.tif`, … for further documents).
    pub filename: Option<String>,
}

/// An outbound fax mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaxMail {
    /// `To` defaults to the recipients when left empty.
    pub head: Head,
    /// The reverse path: the MM originator qualified with our domain (spec/mms.md §8).
    pub mail_from: String,
    /// The offramp addresses, `FAX=+E164@offramp` (RFC 3192), one RCPT each.
    pub recipients: Vec<FaxAddress>,
    /// Cover text as a `text/plain; charset=utf-8` part before the images.
    pub text: Option<String>,
    pub documents: Vec<Document>,
    pub media_type: FaxMediaType,
    /// `application=faxbw` on the TIFF parts: a discontinued hint (RFC 3949 Annex B) that
    /// legacy peers still look for; never required on input.
    pub application_faxbw: bool,
    pub requests: Requests,
}

/// Builds the message and its envelope.
pub fn build(fax: &FaxMail) -> Result<Built, Error> {
    if fax.documents.is_empty() {
        return Err(Error::NoDocument);
    }
    if fax.recipients.is_empty() {
        return Err(Error::NoRecipient);
    }
    let rcpt_to: Vec<String> = fax.recipients.iter().map(ToString::to_string).collect();
    let envelope = fax.requests.envelope(&fax.mail_from, rcpt_to.clone())?;
    let mut head = fax.head.clone();
    if head.to.is_empty() {
        head.to = rcpt_to.iter().map(super::Mailbox::new).collect();
    }
    let mut fields = vec![("MIME-Version", "1.0".to_string())];
    fields.extend(fax.requests.header());
    let mut out = Vec::new();
    head.write(&mut out, &fields)?;

    let mut children = Vec::new();
    if let Some(text) = &fax.text {
        children.push(Child::Part(Part::text(text)));
    }
    for (i, doc) in fax.documents.iter().enumerate() {
        let mut ct = ContentType::new(fax.media_type.mime());
        if fax.application_faxbw {
            ct = ct.with_param("application", "faxbw");
        }
        let mut part = Part::leaf(ct, doc.tiff.clone());
        part.disposition = Some(ContentType::new("attachment"));
        part.name = Some(match (&doc.filename, i) {
            (Some(n), _) => n.clone(),
            (None, 0) => "fax.tif".into(),
            (None, i) => format!("fax-{}.tif", i + 1),
        });
        children.push(Child::Part(part));
    }
    super::write_multipart(&mut out, &ContentType::new("multipart/mixed"), &children);
    Ok(Built { bytes: out, envelope })
}

/// Who sent a received fax mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Originator {
    /// An onramp's `FAX=+E164@onramp` sender (RFC 4160 §4.2.3): the calling fax number.
    Fax(FaxAddress),
    /// Any other sender mailbox (a mail user, or an onramp without caller id).
    Mail(super::Mailbox),
}

/// One TIFF document received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedDocument {
    pub content_type: String,
    /// The `application=` hint, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(serialize_with = "len")]
    pub tiff: Vec<u8>,
}

fn len<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(b.len() as u64)
}

/// A received fax mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedFax {
    pub common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originator: Option<Originator>,
    /// `text/plain` parts in order, decoded.
    pub texts: Vec<String>,
    pub documents: Vec<ReceivedDocument>,
    /// Everything else (HTML alternatives, other images, audio…), for the outcome list.
    pub others: Vec<OtherPart>,
    pub findings: Vec<Finding>,
}

/// Reads any fax mail. A mail without TIFF parts still parses (with a finding): whether text
/// alone is acceptable is the conversion's decision.
pub fn parse(raw: &[u8], limits: &super::Limits) -> Result<ReceivedFax, Error> {
    let mime = mm::parse_mime(raw, &limits.mime)?;
    let common = Common::read(&mime);
    let mut fax = ReceivedFax {
        originator: originator(&mime, &common),
        common,
        texts: Vec::new(),
        documents: Vec::new(),
        others: Vec::new(),
        findings: mime.findings.clone(),
    };
    for p in mime.body.leaves() {
        if is_tiff_part(p) {
            fax.documents.push(ReceivedDocument {
                content_type: p.content_type.mime.clone(),
                application: p.content_type.param("application").map(str::to_string),
                name: p.name.clone(),
                tiff: p.bytes().to_vec(),
            });
        } else if let (Body::Text(t), "text/plain") = (&p.body, p.content_type.mime.as_str()) {
            fax.texts.push(t.clone());
        } else {
            fax.others.push(OtherPart::of(p));
        }
    }
    if fax.documents.is_empty() {
        fax.findings.push(Finding::warning("no TIFF part: nothing to render as fax pages"));
    }
    Ok(fax)
}

/// `From` when it is a fax address, else `Sender` when that is one, else the `From` mailbox.
fn originator(mime: &mm::Mime, common: &Common) -> Option<Originator> {
    let sender = mime.header("Sender").and_then(|v| header::mailboxes(v).into_iter().next());
    for m in common.from.iter().chain(sender.iter()) {
        if let Ok(f) = FaxAddress::parse(&m.address) {
            return Some(Originator::Fax(f));
        }
    }
    common.from.clone().or(sender).map(Originator::Mail)
}

/// A TIFF document by label (`image/tiff`, `image/tiff-fx`), or by signature when a mail
/// client labelled it generically (`application/octet-stream`, `image/x-tiff`).
pub fn is_tiff_part(p: &Part) -> bool {
    match p.content_type.mime.as_str() {
        "image/tiff" | "image/tiff-fx" | "image/x-tiff" => true,
        "application/octet-stream" | "application/tiff" => {
            matches!(p.bytes().get(..4), Some(b"II*\0" | b"MM\0*"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{Limits, Mailbox};
    use crate::mm::address::E164;

    fn fax() -> FaxMail {
        let number = E164::parse("+12025550100", &Default::default()).unwrap();
        let mut head =
            Head::new(Mailbox::new("+4917012345@gw.example"), 1_704_103_200, "f1@gw.example");
        head.subject = Some("Fax für dich".into());
        FaxMail {
            head,
            mail_from: "+4917012345@gw.example".into(),
            recipients: vec![FaxAddress::new(number, "offramp.example")],
            text: Some("Cover text".into()),
            documents: vec![Document { tiff: b"II*\0rest".to_vec(), filename: None }],
            media_type: FaxMediaType::Tiff,
            application_faxbw: true,
            requests: Requests::default(),
        }
    }

    #[test]
    fn builds_simple_mode_and_reads_it_back() {
        let built = build(&fax()).unwrap();
        let text = String::from_utf8_lossy(&built.bytes).replace("\r\n ", " ");
        assert!(text.contains("To: FAX=+12025550100@offramp.example\r\n"), "{text}");
        assert!(text.contains("Content-Type: image/tiff; application=faxbw; name=fax.tif"));
        assert!(!text.contains("Disposition-Notification-To"));
        assert!(built.envelope.dsn.is_empty());
        assert_eq!(built.envelope.envelope.rcpt_to, ["FAX=+12025550100@offramp.example"]);
        let got = parse(&built.bytes, &Limits::default()).unwrap();
        assert_eq!(got.common.subject.as_deref(), Some("Fax für dich"));
        assert_eq!(got.texts, ["Cover text"], "the text exactly as given");
        assert_eq!(got.documents.len(), 1);
        assert_eq!(got.documents[0].tiff, b"II*\0rest");
        assert_eq!(got.documents[0].application.as_deref(), Some("faxbw"));
        assert!(got.others.is_empty());
    }

    #[test]
    fn full_mode_requests() {
        let mut f = fax();
        f.requests = Requests {
            dsn_envid: Some("tok123".into()),
            mdn_to: Some(Mailbox::new("system-user@gw.example")),
        };
        let built = build(&f).unwrap();
        assert!(
            String::from_utf8_lossy(&built.bytes)
                .contains("Disposition-Notification-To: system-user@gw.example\r\n")
        );
        assert_eq!(built.envelope.mail_params(), ["RET=HDRS", "ENVID=tok123"]);
        assert_eq!(
            built.envelope.rcpt_params(0),
            ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;FAX+3D+2B12025550100@offramp.example"]
        );
    }

    #[test]
    fn refuses_empty_faxes() {
        let mut f = fax();
        f.documents.clear();
        assert_eq!(build(&f), Err(Error::NoDocument));
        let mut f = fax();
        f.recipients.clear();
        assert_eq!(build(&f), Err(Error::NoRecipient));
    }

    #[test]
    fn originator_prefers_fax_addresses() {
        let raw = b"From: \"Fax\" <FAX=+12025550199@onramp.example>\r\nSubject: x\r\n\
            Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nSUkqAA==\r\n";
        let got = parse(raw, &Limits::default()).unwrap();
        match got.originator {
            Some(Originator::Fax(f)) => {
                assert_eq!(f.to_string(), "FAX=+12025550199@onramp.example")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(got.documents.len(), 1, "TIFF recognised by signature");
    }
}
