"""Telling users that a credential of theirs changed (ASVS V2.2.3, V2.5.x).

A password change or reset, 2FA turned on, off or reset, and new recovery codes each
send the account's address a notice, so a change the owner did not make gets noticed.
It goes out after the change has committed (no notice of a change that was rolled
back), along the password reset's mail path: SMTP, or the log at INFO when
``METACRM_SMTP_URL`` is unset. A failed send never undoes the change; the outcome is
written to the audit log either way. Notices name the change, never a secret.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from runtime.security import audit
from runtime.security.mail import send_mail

__all__ = ["ABOUT", "send_notice"]

#: The changes that send a notice: their audit event names.
ABOUT = ("password_changed", "password_reset", "2fa_enabled", "2fa_disabled", "2fa_reset",
         "recovery_codes_regenerated")
log = logging.getLogger(__name__)


def send_notice(engine: Engine, smtp_url: str | None, user_id: int, to: str, about: str,
                subject: str, body: str, *, now: datetime | None = None) -> bool:
    """Send (or log) one notice, then audit ``notice_sent`` or ``notice_failed``; True if sent."""
    if about not in ABOUT:
        raise ValueError(f"no notice for {about!r}")
    detail = {"about": about, "via": "smtp" if smtp_url else "log"}
    try:
        if smtp_url:
            send_mail(smtp_url, to, subject, body)
        else:
            log.info("SECURITY NOTICE (no METACRM_SMTP_URL, so logged instead of mailed) to %s: %s\n%s",
                     to, subject, body)
    except OSError as exc:  # smtplib's errors are OSErrors too
        log.warning("security notice %s to %s not sent: %s", about, to, exc)
        detail["error"] = type(exc).__name__
    with engine.begin() as conn:
        audit.record(conn, "notice_failed" if "error" in detail else "notice_sent", user_id, to,
                     None, detail, now=now)
    return "error" not in detail
