#!/usr/bin/env python3
"""A local SMTP sink for src/mail/mail_test.cc.

Usage: smtp_sink.py OUTPUT_FILE

Listens on 127.0.0.1 on a port the kernel picks, prints that port as line 1
of stdout, and appends every message it receives to OUTPUT_FILE as

    MAIL FROM: <sender>
    RCPT TO: <recipient>[, ...]
    <the message as received, CRLF line endings, dot-stuffing undone>
    --plinth-sink-end--

Runs until killed. Exits with status 3, printing NO_AIOSMTPD, when the Debian
package python3-aiosmtpd is missing.
"""

import asyncio
import sys

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    print("NO_AIOSMTPD", flush=True)
    sys.exit(3)

END_MARKER = b"--plinth-sink-end--\n"


class FileHandler:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        record = b"MAIL FROM: " + envelope.mail_from.encode() + b"\n"
        record += b"RCPT TO: " + ", ".join(envelope.rcpt_tos).encode() + b"\n"
        content = envelope.original_content or b""
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        record += content + END_MARKER
        # One write per message, so a reader never sees half a record's end marker.
        with open(self.path, "ab") as out:
            out.write(record)
        return "250 OK"


async def main(path):
    loop = asyncio.get_running_loop()
    handler = FileHandler(path)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="plinth-sink"), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: smtp_sink.py OUTPUT_FILE", file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1]))
