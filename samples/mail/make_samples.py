"""Third-party inputs for the mail parsers, written with Python's standard email package only
(fixed dates, boundaries and ids, so the output is repeatable). Each message imitates what a
deployed peer sends: Postfix/sendmail/Exim style DSNs, fax offramp and voicemail MDNs, VPIM v2
with spoken name, vCard and fax, IVM, and Cisco/HylaFAX style onramp fax mail.

Media are taken from the interop corpus copies in samples/interop/mime/ (a TIFF-F file and
G.726-32 audio), so no file here was written by mm3gw.

usage: python3 samples/mail/make_samples.py   (from the repository root)
"""
import email
from email import policy
from email.message import EmailMessage, MIMEPart

pol = policy.SMTP
OUT = "samples/mail/"
DATE = "Wed, 03 Jul 2024 08:00:00 +0000"


def media():
    def load(p):
        with open(p, "rb") as f:
            return email.message_from_binary_file(f, policy=policy.default)
    fax = load("samples/interop/mime/t37-simple.eml")
    tiff = next(p for p in fax.walk() if p.get_content_type() == "image/tiff").get_content()
    voice = load("samples/interop/mime/vpim-voice.eml")
    adpcm = next(p for p in voice.walk() if p.get_content_type() == "audio/32kadpcm").get_content()
    return tiff, adpcm


TIFF, ADPCM = media()


def write(name, msg, boundary=None):
    if boundary:
        msg.set_boundary(boundary)
    with open(OUT + name, "wb") as f:
        f.write(msg.as_bytes(policy=pol))


def report(name, frm, to, subject, human, machine_type, fields, returned=None, returned_type=None, report_type="delivery-status"):
    m = EmailMessage(policy=pol)
    m["From"] = frm
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = DATE
    m["Message-ID"] = "<%s@peer.example>" % name.split(".")[0]
    m["MIME-Version"] = "1.0"
    m.set_content(human)
    m.make_mixed()
    m.set_type("multipart/report")
    m.set_param("report-type", report_type)
    # message/* parts are parsed from text so the email package holds them the way it reads
    # them (field blocks as header-only sub-messages) and can write them back.
    def entity(ctype, body):
        raw = "Content-Type: %s\r\nContent-Transfer-Encoding: 7bit\r\n\r\n%s" % (ctype, body)
        return email.message_from_string(raw, policy=pol)
    m.attach(entity(machine_type, fields))
    if returned is not None:
        m.attach(entity(returned_type, returned))
    write(name, m, "=_%s_b" % name.split(".")[0])


# --- DSNs -----------------------------------------------------------------------------------
report(
    "dsn-postfix-failed.eml",
    "MAILER-DAEMON@offramp.example.net (Mail Delivery System)",
    "+4917012345@mm3gw.example.net",
    "Undelivered Mail Returned to Sender",
    "This is the mail system at host offramp.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n",
    "message/delivery-status",
    "Reporting-MTA: dns; offramp.example.net\r\nX-Postfix-Queue-ID: 4WDw2x0Zy1z9\r\n"
    "X-Postfix-Sender: rfc822; +4917012345@mm3gw.example.net\r\n"
    "Arrival-Date: Wed,  3 Jul 2024 07:59:58 +0000 (UTC)\r\n"
    "Original-Envelope-Id: mm3gw.TOKEN-1\r\n\r\n"
    "Final-Recipient: rfc822; FAX=+12125550100@offramp.example.net\r\n"
    "Original-Recipient: rfc822;FAX=+12125550100@offramp.example.net\r\n"
    "Action: failed\r\nStatus: 5.1.1\r\n"
    "Remote-MTA: dns; faxmodem.offramp.example.net\r\n"
    "Diagnostic-Code: X-Fax; number unobtainable (no answer after 3 attempts)\r\n",
    "Return-Path: <+4917012345@mm3gw.example.net>\r\nFrom: +4917012345@mm3gw.example.net\r\n"
    "To: FAX=+12125550100@offramp.example.net\r\nSubject: Fax\r\n"
    "Message-ID: <mm3gw.TOKEN-1.full@mm3gw.example.net>\r\nDate: Wed, 03 Jul 2024 07:59:50 +0000\r\n",
    "text/rfc822-headers",
)

report(
    "dsn-delivered-relayed.eml",
    "postmaster@vm.example.com",
    "+4917012345@mm3gw.example.net",
    "Delivery Status Notification (Success)",
    "Your message was delivered to two mailboxes.\n",
    "message/delivery-status",
    "Reporting-MTA: dns; vm.example.com\r\nOriginal-Envelope-Id: mm3gw.TOKEN-2\r\n\r\n"
    "Original-Recipient: rfc822;+12125550100@vm.example.com\r\n"
    "Final-Recipient: rfc822; 2125550100@vm.example.com\r\nAction: delivered (to mailbox)\r\n"
    "Status: 2.0.0\r\nLast-Attempt-Date: Wed, 03 Jul 2024 07:59:59 +0000\r\n\r\n"
    "Final-Recipient: RFC822; 2125550101@legacy.example.com\r\nAction: relayed\r\nStatus: 2.0.0\r\n"
    "Remote-MTA: dns; legacy.example.com\r\n",
    "From: +4917012345@mm3gw.example.net\r\nMessage-ID: <mm3gw.TOKEN-2.full@mm3gw.example.net>\r\n"
    "Subject: Voice Message\r\n",
    "message/rfc822",
)

# Exim-like: no blank line between the recipient groups, the ORCPT left as xtext, lower-case
# field names, a 4.4.7 expiry.
report(
    "dsn-exim-expired.eml",
    "Mail Delivery System <Mailer-Daemon@fax.example.org>",
    "+4917012345@mm3gw.example.net",
    "Mail delivery failed: returning message to sender",
    "A message that you sent could not be delivered within the retry period.\n",
    "message/delivery-status",
    "reporting-mta: dns; fax.example.org\r\n\r\n"
    "original-recipient: rfc822;FAX+3D+2B33188335215@fax.example.org\r\n"
    "final-recipient: rfc822;FAX=+33188335215@fax.example.org\r\n"
    "action: failed\r\nstatus: 4.4.7\r\n"
    "final-recipient: rfc822;FAX=+33188335216@fax.example.org\r\n"
    "action: delayed\r\nstatus: 4.4.1\r\n"
    "will-retry-until: Thu, 04 Jul 2024 08:00:00 +0000\r\n",
)

# --- MDNs -----------------------------------------------------------------------------------
mdn_fields = lambda disp, extra="": (
    "Reporting-UA: offramp.example.net; FaxGate 4.2\r\n"
    "Original-Recipient: rfc822;FAX=+12125550100@offramp.example.net\r\n"
    "Final-Recipient: rfc822; FAX=+12125550100@offramp.example.net\r\n"
    "Original-Message-ID: <mm3gw.TOKEN-3.full@mm3gw.example.net>\r\n"
    "Disposition: " + disp + "\r\n" + extra
)
report("mdn-fax-dispatched.eml", "FAX=+12125550100@offramp.example.net", "system-user@mm3gw.example.net",
       "Fax sent: 3 pages", "Your fax was sent to +1 212 555 0100 (3 pages).\n",
       "message/disposition-notification",
       mdn_fields("automatic-action/MDN-sent-automatically; dispatched"),
       report_type="disposition-notification")
report("mdn-fax-processed-error.eml", "FAX=+12125550100@offramp.example.net", "system-user@mm3gw.example.net",
       "Fax failed", "The fax could not be sent: the line was busy after 5 attempts.\n",
       "message/disposition-notification",
       mdn_fields("automatic-action/MDN-sent-automatically; processed/error",
                  "Error: busy after 5 attempts\r\n"),
       report_type="disposition-notification")
report("mdn-vpim-deleted-expired.eml", "2125550100@vm.example.com", "system-user@mm3gw.example.net",
       "Message expired unheard", "Your voice message expired before it was heard.\n",
       "message/disposition-notification",
       "Reporting-UA: vm.example.com; VoiceServer\r\n"
       "Final-Recipient: rfc822;2125550100@vm.example.com\r\n"
       "Original-Message-ID: <mm3gw.TOKEN-4.full@mm3gw.example.net>\r\n"
       "Disposition: automatic-action/MDN-sent-automatically; deleted/expired\r\n",
       report_type="disposition-notification")

# --- VPIM / IVM -----------------------------------------------------------------------------
def voice_part(data, role, filename, duration, cid=None, subtype="32kadpcm"):
    p = MIMEPart(policy=pol)
    p.set_content(data, maintype="audio", subtype=subtype, disposition="inline", filename=filename)
    p.set_param("voice", role, header="Content-Disposition")
    p["Content-Duration"] = str(duration)
    if cid:
        p["Content-ID"] = cid
    return p


def vpim_head(m, subject, sensitivity=None):
    m["From"] = '"Glenn Parsons" <+16137637582@vm1.mycompany.com>'
    m["To"] = "+16135550100@mm3gw.example.net"
    m["Date"] = DATE
    m["Subject"] = subject
    m["Message-ID"] = "<vpim-%s@vm1.mycompany.com>" % subject.split()[0].lower()
    m["MIME-Version"] = "1.0 (Voice 2.0)"
    if sensitivity:
        m["Sensitivity"] = sensitivity
    m["Importance"] = "High"
    m["Disposition-Notification-To"] = "+16137637582@vm1.mycompany.com"


m = EmailMessage(policy=pol)
vpim_head(m, "Full VPIM message")
m.make_mixed()
m.set_type("multipart/voice-message")
m.set_param("version", "2.0")
name = ADPCM[:8000]
m.attach(voice_part(name, "Originator-Spoken-Name", "name.726", 2, "<part1@VM2-4321>"))
m.attach(voice_part(ADPCM, "Voice-Message", "msg.726", (len(ADPCM) + 3999) // 4000))
vc = MIMEPart(policy=pol)
vc.set_content("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Parsons;Glenn;;Mr.;\r\nTEL:+1-613-763-7582\r\n"
               "EMAIL;TYPE=INTERNET:+16137637582@vm1.mycompany.com\r\n"
               "SOUND;VALUE=uri:cid:part1@VM2-4321\r\nEND:VCARD\r\n", subtype="directory")
vc.set_param("profile", "vCard")
m.attach(vc)
fx = MIMEPart(policy=pol)
fx.set_content(TIFF, maintype="image", subtype="tiff", params={"application": "faxbw"})
m.attach(fx)
write("vpim-name-vcard-fax.eml", m, "=_vpim_full_b")

m = EmailMessage(policy=pol)
vpim_head(m, "Private message", sensitivity="Private")
m.make_mixed()
m.set_type("multipart/voice-message")
m.set_param("version", "2.0")
m.attach(voice_part(ADPCM, "Voice-Message", "msg.726", 7))
write("vpim-private.eml", m, "=_vpim_private_b")

# A voice message inside multipart/mixed with a text note beside it (RFC 3801 §4.5.1).
m = EmailMessage(policy=pol)
vpim_head(m, "Mixed wrapper")
m.set_content("Please call back.\n")
m.make_mixed()
inner = MIMEPart(policy=pol)
inner.make_mixed()
inner.set_type("multipart/voice-message")
inner.set_param("version", "2.0")
inner.attach(voice_part(ADPCM, "Voice-Message", "msg.726", "7 (seconds)"))
inner.set_boundary("=_inner_b")
m.attach(inner)
write("vpim-in-mixed.eml", m, "=_outer_b")

# IVM (RFC 4239): multipart/mixed, audio/basic, Message-Context.
m = EmailMessage(policy=pol)
m["From"] = "Voicemail <vm@ivm.example.org>"
m["To"] = "+4917012345@mm3gw.example.net"
m["Date"] = DATE
m["Subject"] = "Voice message from +44 20 7946 0000"
m["Message-ID"] = "<ivm-1@ivm.example.org>"
m["Message-Context"] = "voice-message"
m.set_content("You have a new voice message.\n")
m.make_mixed()
mulaw = bytes((0xFF if i % 2 else 0x7F) for i in range(16000))
p = voice_part(mulaw, "Voice-Message", "message.au", 2, subtype="basic")
p.set_param("handling", "required", header="Content-Disposition")
m.attach(p)
write("ivm-basic.eml", m, "=_ivm_b")

# --- Fax mail from onramps ------------------------------------------------------------------
# Cisco IOS onramp style: multipart/fax-message, application=faxbw, FAX= sender.
m = EmailMessage(policy=pol)
m["From"] = '"Fax 2025550199" <FAX=+12025550199@onramp.example.com>'
m["To"] = "+4917012345@mm3gw.example.net"
m["Date"] = DATE
m["Subject"] = "Fax from 2025550199"
m["Message-ID"] = "<onramp-1@onramp.example.com>"
m.set_content(TIFF, maintype="image", subtype="tiff", filename="Cisco_fax.tif",
              params={"application": "faxbw"})
m.make_mixed()
m.set_type("multipart/fax-message")
write("fax-cisco-onramp.eml", m, "=_cisco_b")

# A single top-level image/tiff body (RFC 3965 allows it), sender without caller id.
m = EmailMessage(policy=pol)
m["From"] = "Fax Service <noreply@onramp.example.com>"
m["To"] = "+4917012345@mm3gw.example.net"
m["Date"] = DATE
m["Subject"] = "=?utf-8?q?Fax_=C3=BCber_3_Seiten?="
m["X-Priority"] = "5 (Lowest)"
m.set_content(TIFF, maintype="image", subtype="tiff", filename="fax.tif")
write("fax-single-tiff.eml", m)
