"""Reads messages with Python's email package and prints, per file, one JSON line: the content
type, every header asked for (first value) and the defects Python found in any part. The interop
tests assert on this output, so "Python reads it without defects" is checked by Python itself.
Usage: mailcheck.py HEADER,HEADER,... FILE..."""
import email
import email.policy
import json
import sys

names = [n for n in sys.argv[1].split(",") if n]
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.compat32)
    out = {
        "file": path,
        "content_type": m.get_content_type(),
        "defects": [type(d).__name__ for p in m.walk() for d in p.defects],
        "parts": [p.get_content_type() for p in m.walk()],
    }
    for n in names:
        v = m.get(n)
        out[n] = None if v is None else " ".join(str(v).split())
    print(json.dumps(out))
