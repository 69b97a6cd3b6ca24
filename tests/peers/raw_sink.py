"""An aiosmtpd handler for the interop tests: stores each message byte for byte as N.eml with
its SMTP envelope in N.json (MAIL FROM, RCPT TO and their parameters), so the tests assert what
the gateway really sent. Run as `aiosmtpd -n -l 127.0.0.1:PORT -c raw_sink.RawSink DIR` with this
folder on PYTHONPATH."""
import json
import os


class RawSink:
    def __init__(self, directory):
        self.directory = directory
        self.n = 0
        os.makedirs(directory, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("RawSink takes one argument: the directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.directory, "%04d" % self.n)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        with open(base + ".tmp", "wb") as f:
            f.write(data)
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "mail_options": envelope.mail_options,
                    "rcpt_to": envelope.rcpt_tos,
                    "rcpt_options": envelope.rcpt_options,
                },
                f,
            )
        # The .eml appears last: a reader that sees it sees the envelope too.
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 stored"
