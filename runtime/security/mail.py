"""One plain-text mail through ``METACRM_SMTP_URL``: the mail path of password resets and
security notices.

``smtp://`` or ``smtps://user:pass@host:port?from=addr``; STARTTLS on plain ``smtp`` when
the server offers it. Callers decide what to do without a URL (each logs its own line).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

__all__ = ["send_mail"]


def send_mail(smtp_url: str, to: str, subject: str, body: str) -> None:
    """Send one message; raises ``OSError`` (``smtplib.SMTPException`` included) on failure."""
    url = urlsplit(smtp_url)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = parse_qs(url.query).get("from", [f"metacrm@{url.hostname}"])[0]
    message["To"] = to
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname, url.port or (465 if url.scheme == "smtps" else 25), timeout=10) as smtp:
        smtp.ehlo()
        if url.scheme == "smtp" and smtp.has_extn("starttls"):
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)
