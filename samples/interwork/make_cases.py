"""Writes the inputs of the conversion corpus (samples/interwork/<case>/input.eml, case.toml,
README) with tools nobody here wrote: Python's standard `email` package for every message,
swaks for two of them, libtiff's tiffcp and ffmpeg for media (their outputs are kept in
samples/interwork/media/ with MANIFEST.tsv lines). Other media come from samples/interop/ (see
its MANIFEST.tsv) and samples/mail/. Dates, boundaries and ids are fixed, so a rerun gives the
same bytes. The expected outputs are then made by `cargo run -- samples run samples/interwork
--update` and reviewed by hand.

Report cases (DSN/MDN -> MM4 report) name their own gateway configuration in `case.toml`
(`config = "gateway.toml"`, beside them), holding the HMAC key that signed their tokens.

usage: python3 samples/interwork/make_cases.py   (from the repository root; needs swaks)
"""
import base64
import email
import hashlib
import hmac
import os
import struct
import subprocess
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart

pol = policy.SMTP
ROOT = "samples/interwork/"
MEDIA = ROOT + "media/"
DATE = "Tue, 02 Jul 2024 09:30:00 +0000"
# The corpus key and hostname of the report cases (gateway.toml); not a secret of any gateway.
KEY = b"interwork corpus key - not a secret, 40 chars"
HOST = "mm3gw.localhost"


def read(p):
    with open(p, "rb") as f:
        return f.read()


def case(name, to, readme, msg, boundary=None, report=False, raw=None):
    # Reports keep their long token lines whole (as MTAs write them); Python would otherwise
    # fold Original-Message-ID into RFC 2047 words.
    write_pol = pol.clone(max_line_length=998) if report else pol
    d = ROOT + name + "/"
    os.makedirs(d, exist_ok=True)
    if raw is None:
        if boundary:
            msg.set_boundary(boundary)
        raw = msg.as_bytes(policy=write_pol)
    with open(d + "input.eml", "wb") as f:
        f.write(raw)
    if report:
        with open(d + "case.toml", "w") as f:
            f.write('to = "mm"\nconfig = "gateway.toml"\n')
        with open(d + "gateway.toml", "w") as f:
            f.write('[server]\nhostname = "%s"\nhmac_key = "%s"\n' % (HOST, KEY.decode()))
    else:
        with open(d + "case.toml", "w") as f:
            f.write('to = "%s"\n' % to)
    with open(d + "README", "w") as f:
        f.write(readme + "\n")


# --- media ---------------------------------------------------------------------------------
I = "samples/interop/"
JPEG = read(I + "images/jpeg/photo-small.jpg")
JPEG_EXIF = read(I + "images/jpeg/exif-orientation-6.jpg")
GIF = read(I + "images/gif/static.gif")
GIF_ANIM = read(I + "images/gif/animated.gif")
PNG = read(I + "images/png/palette.png")
WBMP = read(I + "images/wbmp/mono.wbmp")
AMR = read(I + "audio/speech.amr-4k75.amr")
AMR122 = read(I + "audio/speech.amr-12k2.amr")
AMR_3GP = read(I + "audio/speech.amr-12k2.3gp")
WAV = read(I + "audio/speech-8k.wav")
WAV_ULAW = read(I + "audio/speech-ulaw.wav")
MP3 = read(I + "audio/speech.mp3")
M4A = read(I + "audio/speech.m4a")
G726 = read(I + "audio/speech.g726-32k-le.g726")
FAX_MH3 = read(I + "fax/tiff/multipage-3.mh.msb.tif")
FAX_MMR3 = read(I + "fax/tiff/multipage-3.im-group4.tif")
FAX_STD = read(I + "fax/tiff/a4-std.mh.lsb.tif")
os.makedirs(MEDIA, exist_ok=True)
manifest = ["path\tdescription\tcommand\tsha256"]


def tool_media(path, description, command):
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    manifest.append("%s\t%s\t%s\t%s" % (path, description, command,
                                        hashlib.sha256(read(path)).hexdigest()))
    return read(path)


FAX_MR2 = tool_media(
    MEDIA + "mr-2pages.tif",
    "two-page TIFF by libtiff tiffcp: T.4 2-D (MR), pages a4-std.mr.msb + a4-fine.mr.lsb",
    "tiffcp -c g3:2d %sfax/tiff/a4-std.mr.msb.tif %sfax/tiff/a4-fine.mr.lsb.tif %smr-2pages.tif"
    % (I, I, MEDIA))
VIDEO = tool_media(
    MEDIA + "clip.3gp",
    "1 s 176x144 H.263 test pattern in 3GP by ffmpeg (lavfi testsrc), no audio",
    "ffmpeg -y -loglevel error -f lavfi -i testsrc=size=176x144:rate=5:duration=1 "
    "-c:v h263 -f 3gp -bitexact %sclip.3gp" % MEDIA)
with open(MEDIA + "MANIFEST.tsv", "w") as f:
    f.write("\n".join(manifest) + "\n")
# A minimal SP-MIDI (Standard MIDI File format 0, one note) written byte by byte.
TRACK = bytes([0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00])
SPMIDI = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) + b"MTrk" + struct.pack(">I", len(TRACK)) + TRACK
VCARD = ("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Müller;Jörg\r\nFN:Jörg Müller\r\n"
         "TEL;CELL:+4917012345\r\nEND:VCARD\r\n")
VCAL = ("BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nDTSTART:20240705T090000Z\r\n"
        "DTEND:20240705T100000Z\r\nSUMMARY:Project review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
XHTML = ('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
         '<p>Hello in <b>XHTML</b></p></body></html>')

# --- MM4_forward.REQ ---------------------------------------------------------------------------
KINDS = {"image": "img", "text": "text", "audio": "audio", "video": "video"}


def mm(name, subject, parts, frm="+4917012345/TYPE=PLMN", to="+12125550100/TYPE=PLMN",
       extra=(), smil=True):
    """parts: (content type, bytes or str, file name); one slide per part in the SMIL."""
    m = EmailMessage(policy=pol)
    m["X-Mms-3GPP-MMS-Version"] = "6.10.0"
    m["X-Mms-Message-Type"] = "MM4_forward.REQ"
    m["X-Mms-Transaction-ID"] = '"T-%s@mms.example.net"' % name
    m["X-Mms-Message-ID"] = '"M-%s@mms.example.net"' % name
    m["X-Mms-Ack-Request"] = "Yes"
    m["X-Mms-Originator-System"] = "system-user@mms.mnc002.mcc262.gprs"
    for k, v in extra:
        m[k] = v
    m["From"] = frm
    m["To"] = to
    m["Date"] = DATE
    if subject is not None:
        m["Subject"] = subject
    m["MIME-Version"] = "1.0"
    m.make_related()
    pars = []
    for n, (ctype, body, fname) in enumerate(parts):
        cid = "p%d" % (n + 1)
        main = ctype.split("/")[0]
        tag = KINDS.get(main, "ref")
        pars.append('<par dur="5000ms"><%s src="cid:%s"/></par>' % (tag, cid))
    if smil:
        s = MIMEPart(policy=pol)
        s.set_content('<smil><head><layout><root-layout width="176" height="208"/></layout>'
                      '</head><body>%s</body></smil>' % "".join(pars), subtype="plain")
        s.replace_header("Content-Type", "application/smil")
        s["Content-ID"] = "<smil>"
        m.attach(s)
        m.set_param("type", "application/smil")
        m.set_param("start", "<smil>")
    for n, (ctype, body, fname) in enumerate(parts):
        p = MIMEPart(policy=pol)
        main, sub = ctype.split("/")
        if isinstance(body, str):
            p.set_content(body, subtype=sub, charset="utf-8")
            if main != "text":
                p.replace_header("Content-Type", '%s; charset="utf-8"' % ctype)
        else:
            p.set_content(body, maintype=main, subtype=sub)
        p["Content-ID"] = "<p%d>" % (n + 1)
        p["Content-Location"] = fname
        m.attach(p)
    m.set_boundary("=_mm_%s" % name)
    return m


# MM -> fax mail
case("fwd-jpeg-gif-png-to-fax", "fax",
     "MM with JPEG, GIF, PNG and text to T.37 fax mail: cover page plus one page per image",
     mm("jgp", "Holiday pictures", [("image/jpeg", JPEG, "photo.jpg"), ("image/gif", GIF, "logo.gif"),
                                    ("image/png", PNG, "chart.png"), ("text/plain", "Three pictures.\n", "t.txt")]))
case("fwd-wbmp-animated-gif-to-fax", "fax",
     "MM with a WBMP and an animated GIF to fax mail: both printed (first GIF frame)",
     mm("wbmp", "Icons", [("image/vnd.wap.wbmp", WBMP, "icon.wbmp"), ("image/gif", GIF_ANIM, "anim.gif")]))
case("fwd-rfc2047-utf8-to-fax", "fax",
     "MM with an RFC 2047 UTF-8 subject and a non-ASCII quoted-printable text to fax mail: both on the cover",
     mm("utf8", "Grüße aus Köln – Ωμέγα", [("text/plain", "Schöne Grüße, Jörg.\nΚαλημέρα!\nŁódź, Ærø.\n", "t.txt")]))
case("fwd-video-3gp-to-fax", "fax",
     "MM with a photo and an H.263 3GP video (ffmpeg) to fax mail: the video named on the cover and omitted",
     mm("video", "Clip", [("image/jpeg", JPEG, "photo.jpg"), ("video/3gpp", VIDEO, "clip.3gp")]))
case("fwd-spmidi-vcalendar-xhtml-to-fax", "fax",
     "MM with text, SP-MIDI, vCalendar and XHTML to fax mail: the calendar printed, MIDI and XHTML omitted",
     mm("misc", "Invitation", [("text/plain", "See you there.\n", "t.txt"), ("audio/sp-midi", SPMIDI, "tune.mid"),
                               ("text/x-vcalendar", VCAL, "meet.vcs"), ("application/xhtml+xml", XHTML, "page.xhtml")]))
case("fwd-vcard-to-fax", "fax",
     "MM carrying a non-ASCII vCard and text to fax mail: the card printed as text on the cover",
     mm("vcard", "My card", [("text/plain", "My new number.\n", "t.txt"), ("text/x-vcard", VCARD, "me.vcf")]))
case("fwd-text-high-priority-to-fax", "fax",
     "text-only MM with priority High and a delivery report request to fax mail: Importance high, one cover page",
     mm("high", "Urgent: call back", [("text/plain", "Please call me back today.\n", "t.txt")],
        extra=[("X-Mms-Priority", "High"), ("X-Mms-Delivery-Report", "Yes"), ("X-Mms-Read-Reply", "Yes")]))
case("fwd-auto-class-to-fax", "fax",
     "MM of class Auto (low priority) to fax mail: Precedence bulk, Importance low",
     mm("auto", "Your invoice", [("text/plain", "Invoice 2024-07 attached as picture.\n", "t.txt"),
                                 ("image/png", PNG, "invoice.png")],
        extra=[("X-Mms-Message-Class", "Auto"), ("X-Mms-Priority", "Low")]))
case("fwd-email-originator-to-fax", "fax",
     "MM from an e-mail originator to fax mail: From and MAIL FROM keep the address",
     mm("email", "From the web", [("image/jpeg", JPEG_EXIF, "rotated.jpg")], frm="alice@example.org"))
case("fwd-two-recipients-to-fax", "fax",
     "MM to two fax numbers (To and Cc) to fax mail: both recipients in the envelope",
     mm("two", "Two recipients", [("text/plain", "Same page to both.\n", "t.txt")],
        extra=[("Cc", "+12125550199/TYPE=PLMN")]))
case("fwd-no-smil-to-fax", "fax",
     "MM without SMIL (slides from part order) with a GIF and text to fax mail",
     mm("nosmil", "No presentation", [("text/plain", "Part order only.\n", "t.txt"), ("image/gif", GIF, "a.gif")],
        smil=False))

# MM -> VPIM / IVM
case("fwd-amr-image-text-to-vpim", "vpim",
     "MM with AMR, JPEG and text to VPIM v2: 32kadpcm voice plus a TIFF-F fax part with image and text",
     mm("ait", "Voice and picture", [("audio/amr", AMR, "v.amr"), ("image/jpeg", JPEG, "p.jpg"),
                                     ("text/plain", "Listen and look.\n", "t.txt")]))
case("fwd-wav-mp3-to-vpim", "vpim",
     "MM with a WAV and an MP3 voice part to VPIM v2: both joined in SMIL order into one voice message",
     mm("wavmp3", "Two clips", [("audio/wav", WAV, "a.wav"), ("audio/mpeg", MP3, "b.mp3")]))
case("fwd-m4a-aac-to-vpim", "vpim",
     "MM with AAC in MP4 (ffmpeg-made m4a) to VPIM v2",
     mm("m4a", "AAC note", [("audio/mp4", M4A, "n.m4a")]))
case("fwd-3gp-amr-to-vpim", "vpim",
     "MM with AMR in a 3GP container (audio/3gpp) to VPIM v2",
     mm("3gp", "3GP voice", [("audio/3gpp", AMR_3GP, "v.3gp")]))
case("fwd-video-spmidi-vcard-to-vpim", "vpim",
     "MM with AMR, video, SP-MIDI, vCard and vCalendar to VPIM v2: voice carried, vCard and vCalendar drawn as fax pages, video and MIDI omitted and listed on a last fax page",
     mm("vmix", "Everything", [("audio/amr", AMR122, "v.amr"), ("video/3gpp", VIDEO, "c.3gp"),
                               ("audio/sp-midi", SPMIDI, "t.mid"), ("text/x-vcard", VCARD, "me.vcf"),
                               ("text/x-vcalendar", VCAL, "m.vcs")]))
case("fwd-rfc2047-low-read-reply-to-vpim", "vpim",
     "MM with an RFC 2047 subject, priority Low and a read-reply request to VPIM v2: Importance low, Disposition-Notification-To",
     mm("lowrr", "Anruf von Jörg – Rückruf erbeten", [("audio/amr", AMR, "v.amr")],
        extra=[("X-Mms-Priority", "Low"), ("X-Mms-Read-Reply", "Yes")]))
case("fwd-amr-to-ivm", "ivm",
     "MM voice note (AMR 12.2) to IVM: G.711 mu-law audio/basic in multipart/mixed",
     mm("ivm", "IVM note", [("audio/amr", AMR122, "v.amr")]))
case("fwd-wav-ulaw-text-to-ivm", "ivm",
     "MM with a mu-law WAV and text to IVM: the voice carried, the text omitted (IVM takes no fax parts)",
     mm("ivmw", "IVM with text", [("audio/wav", WAV_ULAW, "u.wav"), ("text/plain", "Hello.\n", "t.txt")]))

# swaks-made MM4 (its own MIME writer): a voice note to VPIM and a photo to fax.
def swaks(to, attach_type, attach_name, data, subject, tag):
    tmp = "/tmp/mm3gw-case-" + attach_name
    with open(tmp, "wb") as f:
        f.write(data)
    out = subprocess.run(
        ["swaks", "--dump-mail", "--to", "mms-user@mms.example.net", "--from",
         "mms-sender@mms.example.net", "--header", "To: " + to,
         "--header", "From: +4917012345/TYPE=PLMN",
         "--h-Subject", subject, "--header", "Date: " + DATE,
         "--header", "Message-Id: <swaks-%s@mms.example.net>" % tag,
         "--add-header", "X-Mms-3GPP-MMS-Version: 6.10.0",
         "--add-header", "X-Mms-Message-Type: MM4_forward.REQ",
         "--add-header", "X-Mms-Transaction-ID: T-swaks-%s@mms.example.net" % tag,
         "--add-header", "X-Mms-Message-ID: M-swaks-%s@mms.example.net" % tag,
         "--add-header", "X-Mms-Originator-System: system-user@mms.example.net",
         "--body", "Sent with swaks", "--attach-type", attach_type, "--attach-name", attach_name,
         "--attach", "@" + tmp, "--server", "127.0.0.1:1"],
        check=True, capture_output=True).stdout
    os.remove(tmp)
    # swaks names its boundary after its process id: fix it so reruns give the same bytes.
    b = out.split(b'boundary="', 1)[1].split(b'"', 1)[0]
    out = out.replace(b, b"----=_MIME_BOUNDARY_000_" + tag.encode())
    return out


case("fwd-swaks-photo-to-fax", "fax",
     "MM4_forward.REQ written by swaks (multipart/mixed, no SMIL) with a JPEG to fax mail",
     None, raw=swaks("+12125550100/TYPE=PLMN", "image/jpeg", "photo.jpg", JPEG,
                     "Photo via swaks", "fax"))
case("fwd-swaks-amr-to-vpim", "vpim",
     "MM4_forward.REQ written by swaks with an AMR voice note and a text body to VPIM v2 (the text drawn on a TIFF-F fax part)",
     None, raw=swaks("+12125550100/TYPE=PLMN", "audio/amr", "note.amr", AMR,
                     "Voice via swaks", "vpim"))

# --- fax mail -> MM -----------------------------------------------------------------------------
def fax_mail(subject, tiff, text=None, frm=None, ctype=("image", "tiff"), params=None):
    m = EmailMessage(policy=pol)
    m["From"] = frm or "FAX=+12125550100@onramp.example.net"
    m["To"] = "+4917012345@mms.localhost"
    if subject is not None:
        m["Subject"] = subject
    m["Date"] = DATE
    m["Message-ID"] = "<fax-%d@onramp.example.net>" % len(tiff)
    m["MIME-Version"] = "1.0"
    if text is not None:
        m.set_content(text)
    m.add_attachment(tiff, maintype=ctype[0], subtype=ctype[1], filename="fax.tif",
                     params=params or {})
    return m


case("fax-multipage-mh-to-mm", "mm",
     "three-page MH fax (libtiff, A4 fine/std and Letter) to MM4_forward.REQ: three page slides",
     fax_mail("Three pages MH", FAX_MH3, "Cover note.\n"), "=_fax_mh3")
case("fax-multipage-mmr-to-mm", "mm",
     "three-page MMR fax (ImageMagick Group4) as image/tiff-fx to MM: three page slides",
     fax_mail("Three pages MMR", FAX_MMR3, ctype=("image", "tiff-fx")), "=_fax_mmr3")
case("fax-multipage-mr-to-mm", "mm",
     "two-page MR fax (tiffcp -c g3:2d, standard and fine) with application=faxbw to MM",
     fax_mail("Two pages MR", FAX_MR2, params={"application": "faxbw"}), "=_fax_mr2")
case("fax-rfc2047-utf8-text-to-mm", "mm",
     "fax mail with an RFC 2047 subject and a UTF-8 text part from a named e-mail sender to MM",
     fax_mail("Rechnung für Müller & Söhne – März", FAX_STD, "Sehr geehrte Damen und Herren,\nanbei die Rechnung (Fälligkeit: 30 Tage).\n",
              frm=str(Address("Jörg Müller", "joerg", "example.org"))), "=_fax_utf8")
case("fax-no-subject-to-mm", "mm",
     "fax mail without Subject or text to MM: the subject becomes 'Fax from <number>, N pages'",
     fax_mail(None, FAX_STD), "=_fax_nosubj")
case("fax-swaks-to-mm", "mm",
     "fax mail written by swaks (samples/mail/fax-swaks.eml) to MM",
     None, raw=read("samples/mail/fax-swaks.eml"))
case("fax-cisco-onramp-to-mm", "mm",
     "Cisco-style onramp fax mail (multipart/fax-message, samples/mail) to MM",
     None, raw=read("samples/mail/fax-cisco-onramp.eml"))

# --- VPIM / IVM -> MM ---------------------------------------------------------------------------
def vpim(subject, voices, importance=None, dnt=None, vcard=None, frm=None):
    m = EmailMessage(policy=pol)
    m["From"] = frm or '"Glenn Parsons" <+16137637582@vm1.example.com>'
    m["To"] = "+4917012345@mms.localhost"
    m["Subject"] = subject
    m["Date"] = DATE
    m["Message-ID"] = "<vpim-%d@vm1.example.com>" % len(voices)
    if importance:
        m["Importance"] = importance
    if dnt:
        m["Disposition-Notification-To"] = dnt
    m["MIME-Version"] = "1.0 (Voice 2.0)"
    m.make_mixed()
    m.set_type("multipart/voice-message")
    m.set_param("version", "2.0")
    for role, data in voices:
        p = MIMEPart(policy=pol)
        p.set_content(data, maintype="audio", subtype="32kadpcm", disposition="inline",
                      filename=role.lower() + ".726")
        p.set_param("voice", role, header="Content-Disposition")
        p["Content-Duration"] = "%d" % -(-len(data) * 2 // 8000)
        m.attach(p)
    if vcard:
        p = MIMEPart(policy=pol)
        p.set_content(vcard, subtype="directory", charset="utf-8")
        p.replace_header("Content-Type", 'text/directory; charset="utf-8"; profile="vCard"')
        m.attach(p)
    return m


NAME, SUBJ = G726[:8000], G726[8000:14000]
case("vpim-spoken-name-subject-to-mm", "mm",
     "VPIM v2 with spoken name, spoken subject, message and a vCard to MM: three AMR slides, name as display name",
     vpim("Project status", [("Originator-Spoken-Name", NAME), ("Spoken-Subject", SUBJ),
                             ("Voice-Message", G726)],
          vcard="BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Glenn Parsons\r\nTEL:+16137637582\r\nEND:VCARD\r\n"),
     "=_vpim_name_subj")
case("vpim-high-read-reply-to-mm", "mm",
     "VPIM v2 with Importance high and Disposition-Notification-To to MM: X-Mms-Priority High, read reply asked",
     vpim("Call me", [("Voice-Message", G726)], importance="high", dnt="+16137637582@vm1.example.com"),
     "=_vpim_high")
case("vpim-rfc2047-sender-to-mm", "mm",
     "VPIM v2 from a non-ASCII (RFC 2047) named e-mail sender with a non-ASCII subject to MM",
     vpim("Rückruf wegen Übergabe", [("Voice-Message", G726)],
          frm=str(Address("Zoë Ångström", "zoe", "voicemail.example.org"))), "=_vpim_utf8")
case("vpim-name-vcard-fax-to-mm", "mm",
     "VPIM v2 with spoken name, RFC 2421 vCard and a fax part (samples/mail) to MM: the fax page as image slides after the voice",
     None, raw=read("samples/mail/vpim-name-vcard-fax.eml"))
case("vpim-in-mixed-to-mm", "mm",
     "voice-message inside multipart/mixed (samples/mail) to MM",
     None, raw=read("samples/mail/vpim-in-mixed.eml"))
case("ivm-basic-to-mm", "mm",
     "IVM (audio/basic mu-law, Message-Context voice-message; samples/mail) to MM",
     None, raw=read("samples/mail/ivm-basic.eml"))


# --- reports: DSN / MDN -> MM4 report ----------------------------------------------------------
def token(mm_id, flags, recipient, originator="+4917012345/TYPE=PLMN"):
    payload = bytes([1, flags]) + struct.pack(">Q", 1704103200)
    for f in (mm_id, originator, "system-user@mms.mnc002.mcc262.gprs", recipient):
        b = f.encode()
        payload += struct.pack(">H", len(b)) + b
    mac = hmac.new(KEY, payload, hashlib.sha256).digest()[:16]
    return "<m3.%s@%s>" % (base64.urlsafe_b64encode(payload + mac).decode().rstrip("="), HOST)


DR, RS, RR = 1, 2, 4


def report(name, readme, kind, human, fields, returned, frm):
    m = EmailMessage(policy=pol)
    m["From"] = frm
    m["To"] = "system-user@" + HOST
    m["Subject"] = "Delivery Status Notification" if kind == "delivery-status" else "Disposition notification"
    m["Date"] = DATE
    m["Message-ID"] = "<%s@peer.example.net>" % name
    m["MIME-Version"] = "1.0"
    m.set_content(human)
    m.make_mixed()
    m.set_type("multipart/report")
    m.set_param("report-type", kind)

    def entity(ctype, body):
        return email.message_from_string(
            "Content-Type: %s\r\nContent-Transfer-Encoding: 7bit\r\n\r\n%s" % (ctype, body), policy=pol)
    m.attach(entity("message/" + kind if kind == "delivery-status" else "message/disposition-notification", fields))
    if returned:
        m.attach(entity("text/rfc822-headers", returned))
    case(name, "mm", readme, m, "=_" + name, report=True)


def dsn(name, readme, action, status, diag, flags, rcpt="FAX=+12125550100@offramp.localhost"):
    tok = token('"M-%s@mms.example.net"' % name, flags, rcpt)
    report(name, readme, "delivery-status", "Delivery report for your fax.\n",
           "Reporting-MTA: dns; offramp.localhost\r\nArrival-Date: Tue, 2 Jul 2024 09:30:05 +0000\r\n\r\n"
           "Final-Recipient: rfc822; %s\r\nAction: %s\r\nStatus: %s\r\nDiagnostic-Code: %s\r\n"
           "Last-Attempt-Date: Tue, 2 Jul 2024 09:31:00 +0000\r\n" % (rcpt, action, status, diag),
           "From: +4917012345@%s\r\nTo: %s\r\nSubject: Fax\r\nMessage-ID: %s\r\n" % (HOST, rcpt, tok),
           "MAILER-DAEMON@offramp.localhost")


dsn("report-dsn-delivered-to-dr", "DSN delivered 2.0.0 from a fax offramp to MM4_delivery_report.REQ Retrieved",
    "delivered", "2.0.0", "smtp; 250 fax sent", DR | RS)
dsn("report-dsn-failed-to-dr", "DSN failed 5.1.1 (number unobtainable) to MM4_delivery_report.REQ Rejected",
    "failed", "5.1.1", "X-Fax; number unobtainable", DR | RS)
dsn("report-dsn-expired-to-dr", "DSN failed 4.4.7 (retries exhausted) to MM4_delivery_report.REQ Expired",
    "failed", "4.4.7", "X-Fax; no answer after 5 attempts", DR | RS)
dsn("report-dsn-relayed-to-dr", "DSN relayed 2.0.0 (next hop without DSN) to MM4_delivery_report.REQ Forwarded",
    "relayed", "2.0.0", "smtp; 250 relayed to legacy fax server", DR | RS)


def mdn(name, readme, disposition, flags):
    rcpt = "+12125550100@vm.localhost"
    tok = token('"M-%s@mms.example.net"' % name, flags, rcpt)
    report(name, readme, "disposition-notification", "Your voice message was %s.\n" % disposition.split(";")[-1].strip(),
           "Reporting-UA: vm.localhost; VoiceMail 4.2\r\nFinal-Recipient: rfc822; %s\r\n"
           "Original-Message-ID: %s\r\nDisposition: %s\r\n" % (rcpt, tok, disposition),
           None, "+12125550100@vm.localhost")


mdn("report-mdn-displayed-to-rr", "MDN displayed (voice message listened to) to MM4_read_reply_report.REQ Read",
    "manual-action/MDN-sent-manually; displayed", DR | RR)
mdn("report-mdn-deleted-to-rr", "MDN deleted unheard to MM4_read_reply_report.REQ Deleted",
    "automatic-action/MDN-sent-automatically; deleted", DR | RR)
