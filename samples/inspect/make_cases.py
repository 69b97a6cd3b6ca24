#!/usr/bin/env python3
"""Builds the MM4 inspection cases of samples/inspect/ with Python's standard `email` package
(third-party made: our parser never wrote them). Media come from ../interop/mime/mms-related.eml
(itself made by the interop corpus from libjpeg-turbo and libopencore-amrnb output).

Run from the repository root:  python3 samples/inspect/make_cases.py
It rewrites every <case>/input.eml and <case>/README it knows; expected.json files are then
regenerated for review with:   cargo run -- samples run samples/inspect --update
A few malformed cases are written as raw bytes on purpose (a library would repair them).
"""
import base64
import os
import sys
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)))
POL = policy.SMTP  # CRLF, RFC 2047 where needed
DATE = "Mon, 01 Jan 2024 10:00:00 +0000"
SRC = BytesParser(policy=policy.default).parse(
    open(os.path.join(ROOT, "..", "interop", "mime", "mms-related.eml"), "rb"))
MEDIA = {p.get_content_type(): p.get_content() for p in SRC.iter_parts()}
JPEG = MEDIA["image/jpeg"]
AMR = MEDIA["audio/amr"]

SMIL_PHOTO = ('<smil><head><layout><root-layout width="176" height="208"/>'
              '<region id="Image" left="0" top="0" width="176" height="144"/>'
              '<region id="Text" left="0" top="144" width="176" height="64"/></layout></head>'
              '<body><par dur="5000ms"><img src="cid:img1" region="Image"/>'
              '<text src="cid:txt1" region="Text"/></par></body></smil>')


def write(case, readme, data):
    d = os.path.join(ROOT, case)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, EmailMessage):
        data = data.as_bytes(policy=POL)
    with open(os.path.join(d, "input.eml"), "wb") as f:
        f.write(data)
    with open(os.path.join(d, "README"), "w") as f:
        f.write(readme.strip() + "\n")
    with open(os.path.join(d, "case.toml"), "w") as f:
        f.write('to = "inspect"\n')


def mm4(mtype, tid='"T-0001@mms.example.net"', mid='"M-0001@mms.example.net"', extra=(),
        frm="+4917012345/TYPE=PLMN", to=("+12125550100/TYPE=PLMN",)):
    m = EmailMessage(policy=POL)
    m["X-Mms-3GPP-MMS-Version"] = "6.10.0"
    m["X-Mms-Message-Type"] = mtype
    if tid is not None:
        m["X-Mms-Transaction-ID"] = tid
    if mid is not None:
        m["X-Mms-Message-ID"] = mid
    for k, v in extra:
        m[k] = v
    if frm is not None:
        m["From"] = frm
    if to:
        m["To"] = ", ".join(to)
    m["Date"] = DATE
    return m


def part(data, maintype, subtype, cid=None, loc=None, charset=None, cte=None):
    p = MIMEPart(policy=POL)
    if maintype == "text":
        kw = {"subtype": subtype, "charset": charset or "utf-8"}
        if cte:
            kw["cte"] = cte
        p.set_content(data, **kw)
    else:
        p.set_content(data, maintype=maintype, subtype=subtype)
    if cid:
        p["Content-ID"] = "<%s>" % cid
    if loc:
        p["Content-Location"] = loc
    return p


def related(m, parts, smil=True, start="<smil>"):
    m.make_related()
    if smil:
        m.set_param("type", "application/smil")
        if start:
            m.set_param("start", start)
    for p in parts:
        m.attach(p)


FWD = [("X-Mms-Ack-Request", "Yes"),
       ("X-Mms-Originator-System", "system-user@mms.mnc002.mcc262.gprs"),
       ("X-Mms-Delivery-Report", "Yes")]

# 1. photo + text + SMIL
m = mm4("MM4_forward.REQ", extra=FWD + [("X-Mms-Message-Class", "Personal"),
                                        ("X-Mms-Priority", "High")])
m["Subject"] = "Photo for the fax"
related(m, [part(SMIL_PHOTO.encode(), "application", "smil", "smil", "smil.xml"),
            part(JPEG, "image", "jpeg", "img1", "photo.jpg"),
            part("See the photo.\n", "text", "plain", "txt1", "text.txt")])
write("fwd-photo-text-smil", "MM4_forward.REQ: SMIL + JPEG + text, ack and delivery report requested", m)

# 2. AMR voice note
smil = ('<smil><head><layout><root-layout width="176" height="208"/></layout></head>'
        '<body><par dur="8s"><audio src="voice.amr"/></par></body></smil>')
m = mm4("MM4_forward.REQ", extra=FWD)
m["Subject"] = "Voice note"
related(m, [part(smil.encode(), "application", "smil", "smil", "smil.xml"),
            part(AMR, "audio", "amr", "aud1", "voice.amr")])
write("fwd-amr-voice-note", "MM4_forward.REQ: an AMR-NB voice note referenced by Content-Location", m)

# 3. several slides
smil = ('<smil><head><layout><root-layout width="176" height="208"/>'
        '<region id="Image" left="0" top="0" width="176" height="144"/>'
        '<region id="Text" left="0" top="144" width="176" height="64"/></layout></head><body>'
        '<par dur="4000ms"><img src="cid:p1" region="Image"/><text src="cid:t1" region="Text"/></par>'
        '<par dur="3s"><text src="cid:t2" region="Text"/><audio src="cid:a1"/></par>'
        '<par dur="6000ms"><img src="cid:p2" region="Image"/><text src="cid:t3" region="Text"/></par>'
        '</body></smil>')
m = mm4("MM4_forward.REQ", extra=FWD)
m["Subject"] = "Three slides"
related(m, [part(smil.encode(), "application", "smil", "smil"),
            part(JPEG, "image", "jpeg", "p1", "one.jpg"),
            part("Slide one\n", "text", "plain", "t1", "t1.txt"),
            part("Slide two\n", "text", "plain", "t2", "t2.txt"),
            part(AMR, "audio", "amr", "a1", "a1.amr"),
            part(JPEG, "image", "jpeg", "p2", "two.jpg"),
            part("Slide three\n", "text", "plain", "t3", "t3.txt")])
write("fwd-slides", "MM4_forward.REQ: three slides (image+text, text+audio, image+text)", m)

# 4. multipart/related without SMIL
m = mm4("MM4_forward.REQ", extra=FWD)
m["Subject"] = "No SMIL"
related(m, [part("Caption first\n", "text", "plain", "t1"),
            part(JPEG, "image", "jpeg", "i1", "photo.jpg")], smil=False)
write("fwd-no-smil", "MM4_forward.REQ: multipart/related without type/start or SMIL; slides from part order", m)

# 5. multipart/mixed
m = mm4("MM4_forward.REQ")
m["Subject"] = "Mixed"
m.make_mixed()
m.attach(part("Hello from a mixed MM\n", "text", "plain"))
p = part(JPEG, "image", "jpeg")
p.add_header("Content-Disposition", "attachment", filename="holiday.jpg")
m.attach(p)
write("fwd-mixed", "MM4_forward.REQ: multipart/mixed, text + attached JPEG, no Content-IDs", m)

# 6. single text body
m = mm4("MM4_forward.REQ", extra=[("X-Mms-Ack-Request", "No")])
m["Subject"] = "Just text"
m.set_content("A single text/plain body.\nSecond line.\n")
write("fwd-single-text", "MM4_forward.REQ: a single non-multipart text/plain body", m)

# 7. quoted and bracketed ids, odd header case, old version, relative expiry (raw bytes:
#    the email package would normalise the header names)
jpeg_b64 = part(JPEG, "image", "jpeg").get_payload()
raw = ("X-Mms-3gpp-Mms-Version: 5.5.0\r\n"
       "X-Mms-message-Type: MM4_Forward.REQ\r\n"
       "X-Mms-Transaction-Id: \"48019a@mms.playmobile.pl\"\r\n"
       "X-MMS-MESSAGE-ID: <20240101-77@mms.example.net>\r\n"
       "X-Mms-Expiry: 600\r\n"
       "X-Mms-Ack-Request: 1\r\n"
       "X-Mms-Read-Report: yes\r\n"
       "X-Mms-Originator-System: PostMaster@mms.mnc006.mcc260.gprs\r\n"
       "X-Mms-Vendor-Flag: kept\r\n"
       "from: +48601000111/type=plmn@mms.mnc006.mcc260.gprs\r\n"
       "TO: +12125550100/TYPE=PLMN\r\n"
       "Subject:  Trailing spaces   \r\n"
       "Date: " + DATE + "\r\n"
       "Content-Type: multipart/related; Type=\"application/smil\";\r\n"
       "\tStart=\"<s1>\"; boundary=\"b1\"\r\n"
       "\r\n--b1\r\nContent-Type: application/smil\r\nContent-ID: <s1>\r\n\r\n"
       + SMIL_PHOTO + "\r\n"
       "--b1\r\nContent-Type: image/jpeg\r\nContent-ID: <img1>\r\n"
       "Content-Transfer-Encoding: base64\r\n\r\n" + jpeg_b64 +
       "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-ID: <txt1>\r\n\r\n"
       "Quoted ids\r\n--b1--\r\n")
write("fwd-quoted-ids", "MM4_forward.REQ as Play PL / Mbuni write it: quoted and bracketed ids, header "
      "names in odd case, version 5.5.0, relative expiry, boolean 1, Type=/Start= capitals, a folded "
      "Content-Type with a tab; hand-written bytes (a MIME library would normalise them)", raw.encode())

# 8. Cc, Bcc and every address form
m = mm4("MM4_forward.REQ", to=("+12125550100/TYPE=PLMN", "Alice <alice@example.org>"),
        extra=[("X-Mms-Sender-Visibility", "Show")])
m["Cc"] = "12345, 10.1.2.3/TYPE=IPv4, CC-IPV6"
m["Bcc"] = "+4930123456/TYPE=PLMN"
m["Subject"] = "Group"
m.set_content("Group message\n")
# The email package reads "2001:…" as an RFC 5322 group name and would close it with ";".
m = m.as_bytes(policy=POL).replace(b"CC-IPV6", b"2001:0db8:0000:0000:0000:0000:0000:0001/TYPE=IPv6")
write("fwd-cc-bcc", "MM4_forward.REQ: To/Cc/Bcc with E.164, e-mail, short code, IPv4 and IPv6 addresses", m)

# 9. RFC 2047 subjects
m = mm4("MM4_forward.REQ")
m["Subject"] = "Grüße aus Köln – 3 Seiten ✓"
m.set_content("Encoded subject\n")
b = m.as_bytes(policy=POL).replace(
    b"Subject:", b"X-Mms-Status-Text: =?iso-8859-1?q?Gr=FC=DFe?=\r\nSubject:", 1)
write("fwd-rfc2047-subject", "MM4_forward.REQ: UTF-8 RFC 2047 subject (written by the email package) and an "
      "ISO-8859-1 encoded word in a vendor status text", b)

# 10. non-UTF-8 charsets. The email package would rewrite the line ends inside UTF-16 bytes
#     (corrupting them), so that part's base64 is set by hand.
utf16 = MIMEPart(policy=POL)
utf16.set_payload(base64.encodebytes("UTF-16 text\r\n".encode("utf-16")).decode("ascii"))
utf16["Content-Type"] = 'text/plain; charset="utf-16"'
utf16["Content-Transfer-Encoding"] = "base64"
utf16["Content-ID"] = "<t3>"
m = mm4("MM4_forward.REQ")
m["Subject"] = "Charsets"
related(m, [part("Größe: 3 €\n", "text", "plain", "t1", charset="iso-8859-15", cte="quoted-printable"),
            part("Привет\n", "text", "plain", "t2", charset="windows-1251", cte="base64"),
            utf16], smil=False)
write("fwd-charsets", "MM4_forward.REQ: text parts in ISO-8859-15, Windows-1251 and UTF-16", m)

# 11. MM1's binary type name on MM4
m = mm4("MM4_forward.REQ")
m["Subject"] = "WAP type"
related(m, [part(SMIL_PHOTO.encode(), "application", "smil", "smil"),
            part(JPEG, "image", "jpeg", "img1"),
            part("WAP\n", "text", "plain", "txt1")])
b = m.as_bytes(policy=POL).replace(b"Content-Type: multipart/related",
                                   b"Content-Type: application/vnd.wap.multipart.related", 1)
write("fwd-vnd-wap", "MM4_forward.REQ whose top-level type is application/vnd.wap.multipart.related", b)

# 12–17. the other five message types
m = mm4("MM4_forward.RES", frm=None, to=("system-user@mms.mnc002.mcc262.gprs",),
        extra=[("X-Mms-Request-Status-Code", "Ok"), ("X-Mms-Status-Text", "Accepted")])
m["Sender"] = "system-user@mm3gw.example.net"
write("fwd-res", "MM4_forward.RES: Ok, with status text", m)

m = mm4("MM4_delivery_report.REQ", frm="+12125550100/TYPE=PLMN", to=("+4917012345/TYPE=PLMN",),
        extra=[("X-Mms-MM-Status-Code", "Retrieved"), ("X-Mms-Forward-To-Originator-UA", "Yes"),
               ("X-Mms-Ack-Request", "Yes"),
               ("X-Mms-Originator-System", "system-user@mm3gw.example.net")])
write("dr-req", "MM4_delivery_report.REQ: Retrieved, ack requested", m)

m = mm4("MM4_delivery_report.REQ", frm="+12125550100/TYPE=PLMN", to=("+4917012345/TYPE=PLMN",),
        extra=[("X-Mms-Status", "Unrecognized"),
               ("X-Mms-Request-Status-Code", "Ok")])
m.set_content("OK\n")
write("dr-req-aliases", "MM4_delivery_report.REQ as VectorCore writes it: X-Mms-Status (MM1 name), US "
      "spelling, a status code in a REQ, a text/plain 'OK' body", m)

m = mm4("MM4_delivery_report.RES", frm=None, to=(),
        extra=[("X-Mms-Request-Status-Code", "Error-message-not-found")])
write("dr-res", "MM4_delivery_report.RES: Error-message-not-found, no RFC 5322 headers but Date", m)

m = mm4("MM4_read_reply_report.REQ", frm="+12125550100/TYPE=PLMN", to=("+4917012345/TYPE=PLMN",),
        extra=[("X-Mms-MM-Read-Status", "deleted without being read")])
write("rr-req", "MM4_read_reply_report.REQ with the X-Mms-MM-Read-Status alias in lower case", m)

m = mm4("MM4_read_reply_report.RES", mid=None, frm=None, to=(),
        extra=[("X-Mms-Request-Status-Code", "Ok")])
write("rr-res", "MM4_read_reply_report.RES: no X-Mms-Message-ID (none is defined for it)", m)

# Malformed messages and their findings
m = mm4("MM4_forward.REQ", tid=None)
m.set_content("no transaction id\n")
write("bad-no-transaction-id", "malformed: MM4_forward.REQ without X-Mms-Transaction-ID (unusable)", m)

m = mm4("MM4_bogus.REQ")
write("bad-unknown-type", "malformed: an X-Mms-Message-Type that is no MM4 type (unusable)", m)

m = mm4("MM4_forward.REQ", frm="not an address at all ((")
m.set_content("bad from\n")
write("bad-from", "malformed: unreadable From (unusable: Error-sending-address-unresolved)", m)

m = mm4("MM4_delivery_report.REQ", frm="+12125550100/TYPE=PLMN", to=("+4917012345/TYPE=PLMN",))
write("bad-dr-no-status", "malformed: delivery report without X-Mms-MM-Status-Code (unusable)", m)

m = mm4("MM4_forward.REQ")
m["Subject"] = "Broken SMIL"
related(m, [part(b"<smil><head><layout></head><body><par><img src='cid:i1'/>", "application", "smil", "smil"),
            part(JPEG, "image", "jpeg", "i1"),
            part("caption\n", "text", "plain", "t1")])
write("bad-smil", "malformed: SMIL that is not well-formed XML; slides derived from part order (usable)", m)

b = m.as_bytes(policy=POL)
cut = b.rfind(b"Content-Type: text/plain")
write("bad-truncated", "malformed: the message of bad-smil cut in its last part header, no closing "
      "boundary (usable, what is there is kept)", b[:cut + 18])

m = mm4("MM4_forward.REQ")
m["Subject"] = "Unresolved reference"
smil = SMIL_PHOTO.replace("cid:txt1", "cid:missing")
related(m, [part(smil.encode(), "application", "smil", "smil"),
            part(JPEG, "image", "jpeg", "img1"),
            part("orphan text\n", "text", "plain", "txt1")])
write("bad-smil-reference", "malformed: SMIL names a part that does not exist; the text part is on no "
      "slide (usable, with findings)", m)

# Other kinds: DSN and MDN (the T.37 and VPIM samples come from ../interop/mime)
m = EmailMessage(policy=POL)
m["From"] = "Mail Delivery System <MAILER-DAEMON@offramp.example.net>"
m["To"] = "+4917012345/TYPE=PLMN@mm3gw.example.net"
m["Subject"] = "Delivery Status Notification"
m["Date"] = DATE
m.set_content("Your fax was delivered.\n")
m.make_mixed()
m.set_type("multipart/report")
m.set_param("report-type", "delivery-status")
m.attach(part("Reporting-MTA: dns; offramp.example.net\n\nFinal-Recipient: rfc822; "
              "FAX=+12125550100@offramp.example.net\nAction: delivered\nStatus: 2.0.0\n",
              "text", "plain", charset="us-ascii", cte="7bit"))
# The email package cannot serialise a message/delivery-status part it built itself: write it
# as text/plain, then name its real type.
m = m.as_bytes(policy=POL).replace(b'Content-Type: text/plain; charset="us-ascii"',
                                   b"Content-Type: message/delivery-status", 1)
write("dsn-delivered", "a DSN (RFC 3464) from a fax offramp: delivered", m)

m = EmailMessage(policy=POL)
m["From"] = "2125550100@vm.example.net"
m["To"] = "+4917012345/TYPE=PLMN@mm3gw.example.net"
m["Subject"] = "Read: voice message"
m["Date"] = DATE
m.set_content("The message was displayed.\n")
m.make_mixed()
m.set_type("multipart/report")
m.set_param("report-type", "disposition-notification")
m.attach(part("Reporting-UA: vm.example.net\nFinal-Recipient: rfc822; 2125550100@vm.example.net\n"
              "Original-Message-ID: <x@mm3gw.example.net>\n"
              "Disposition: manual-action/MDN-sent-manually; displayed\n",
              "text", "plain", charset="us-ascii", cte="7bit"))
m = m.as_bytes(policy=POL).replace(b'Content-Type: text/plain; charset="us-ascii"',
                                   b"Content-Type: message/disposition-notification", 1)
write("mdn-displayed", "an MDN (RFC 3798) from a voicemail platform: displayed", m)

for name, readme in [("t37-simple", "T.37 simple-mode fax mail from the interop corpus (mime/t37-simple.eml)"),
                     ("vpim-voice", "VPIM v2 voice message from the interop corpus (mime/vpim-voice.eml)")]:
    write("other-" + name, readme,
          open(os.path.join(ROOT, "..", "interop", "mime", name + ".eml"), "rb").read())
print("cases written under", ROOT, file=sys.stderr)
