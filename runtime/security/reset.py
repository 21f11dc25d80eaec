"""Password reset by an emailed, single-use link.

The token is 256 random bits; only its sha256 is stored, with a one-hour expiry.
Without ``METACRM_SMTP_URL`` the link is written to the log at INFO instead of
mailed (the one place a secret reaches a log, labelled as such), for trials.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.security.mail import send_mail
from runtime.security.users import get_user_by_email
from runtime.security.users import set_password
from runtime.storage.system import password_resets

__all__ = ["TOKEN_LIFETIME", "complete_reset", "find_token", "request_reset", "send_reset_link"]

TOKEN_LIFETIME = timedelta(hours=1)
log = logging.getLogger(__name__)


def request_reset(conn: Connection, email: str, now: datetime) -> tuple[Row, str] | None:
    """A fresh token for an active account (earlier unused ones are dropped), else ``None``."""
    user = get_user_by_email(conn, email)
    if user is None or not user.is_active:
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(delete(password_resets).where(
        password_resets.c.user_id == user.id, password_resets.c.used_at.is_(None)))
    conn.execute(insert(password_resets).values(
        user_id=user.id, token_hash=_digest(token), created_at=now, expires_at=now + TOKEN_LIFETIME,
    ))
    return user, token


def find_token(conn: Connection, token: str, now: datetime) -> Row | None:
    """The unused, unexpired reset row for ``token``; looked up by digest, so no timing leak."""
    if not token or len(token) > 100:
        return None
    row = conn.execute(
        select(password_resets).where(password_resets.c.token_hash == _digest(token))
    ).one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def complete_reset(conn: Connection, token: str, password: str, now: datetime,
                   ip: str | None = None) -> bool:
    """Set the new password (policy applies; ``ValidationFailed`` keeps the token) and spend
    the token; ``False`` when the token is unknown, used or expired."""
    row = find_token(conn, token, now)
    if row is None:
        return False
    claimed = conn.execute(
        update(password_resets)
        .where(password_resets.c.id == row.id, password_resets.c.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        return False
    set_password(conn, row.user_id, password, event="password_reset", ip=ip)
    return True


def send_reset_link(smtp_url: str | None, to: str, link: str) -> None:
    """Mail the link through ``smtp_url`` (``runtime.security.mail``), or log it when unset."""
    if not smtp_url:
        log.info("PASSWORD RESET LINK (no METACRM_SMTP_URL, so logged instead of mailed) "
                 "for %s: %s", to, link)
        return
    send_mail(smtp_url, to, "Reset your metacrm password",
              f"Someone asked to reset the password of your metacrm account.\n\n"
              f"To choose a new password, open this link within an hour:\n{link}\n\n"
              f"If it was not you, ignore this message; your password stays as it is.\n")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
