"""A tiny real SMTP server on 127.0.0.1 for tests: it speaks enough SMTP for ``smtplib``
(AUTH PLAIN included) and keeps every message and login it receives, so mail code is tested
over a real socket."""

from __future__ import annotations

import base64
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage


class _Session(socketserver.StreamRequestHandler):
    def handle(self):
        self._reply("220 sink ready")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self._reply("250-sink\r\n250 AUTH PLAIN")
            elif verb.startswith("AUTH PLAIN "):
                _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
                self.server.logins.append((user, password))
                self._reply("235 ok")
            elif verb.startswith("DATA"):
                self._reply("354 end with <CRLF>.<CRLF>")
                self.server.messages.append(self._read_message())
                self._reply("250 queued")
            elif verb.startswith("QUIT"):
                self._reply("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self._reply("250 ok")

    def _read_message(self) -> EmailMessage:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return email.message_from_bytes(b"".join(lines), policy=email.policy.default)

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")


@dataclass
class Sink:
    port: int
    messages: list[EmailMessage]
    logins: list[tuple[str, str]]

    def url(self, credentials: str = "") -> str:
        """``METACRM_SMTP_URL`` for this server; ``credentials`` as in ``"user:pass@"``."""
        return f"smtp://{credentials}127.0.0.1:{self.port}?from=crm@example.com"


@contextmanager
def smtp_sink() -> Iterator[Sink]:
    """A server that lives for the ``with`` block."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
    server.daemon_threads = True
    server.messages, server.logins = [], []
    thread = threading.Thread(target=server.serve_forever, name="smtp-sink", daemon=True)
    thread.start()
    try:
        yield Sink(server.server_address[1], server.messages, server.logins)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
