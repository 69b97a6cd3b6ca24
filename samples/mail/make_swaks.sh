#!/bin/sh
# Writes samples/mail/fax-swaks.eml with swaks 20201014.0 (Debian package), a fax mail as a
# plain mail user would send it to an offramp. The TIFF is the one inside
# samples/interop/mime/t37-simple.eml. Run from the repository root.
set -e
python3 -c "
import email
from email import policy
m = email.message_from_binary_file(open('samples/interop/mime/t37-simple.eml', 'rb'), policy=policy.default)
open('/tmp/swaks-fax.tif', 'wb').write(next(p for p in m.walk() if p.get_content_type() == 'image/tiff').get_content())
"
swaks --dump-mail --to 'FAX=+12025550100@offramp.example.net' --from 'fax-user@mm3gw.example.net' \
  --h-Subject 'Fax via swaks' --header 'Date: Wed, 03 Jul 2024 08:00:00 +0000' \
  --header 'Message-Id: <swaks-1@example.net>' --body 'Cover note from swaks' \
  --attach-type 'image/tiff' --attach-name fax.tif --attach @/tmp/swaks-fax.tif \
  --server 127.0.0.1:1 > samples/mail/fax-swaks.eml
