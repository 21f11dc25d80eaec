"""Per-account lockout: 5 wrong passwords in a row lock the account for 15 minutes.

Counted in the database (``users.failed_logins``/``locked_until``) so every web
process sees the same count; the per-IP rate limit is the other half of the defence.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import update

from runtime.storage.system import users

__all__ = ["LOCK_DURATION", "MAX_FAILURES", "clear_failures", "is_locked", "record_failure"]

MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)


def is_locked(user: Row, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def record_failure(conn: Connection, user: Row, now: datetime) -> bool:
    """Count one failure atomically; True when this failure locks the account."""
    conn.execute(
        update(users).where(users.c.id == user.id)
        .values(failed_logins=users.c.failed_logins + 1)
    )
    count = conn.execute(
        users.select().with_only_columns(users.c.failed_logins).where(users.c.id == user.id)
    ).scalar()
    if count < MAX_FAILURES:
        return False
    conn.execute(
        update(users).where(users.c.id == user.id)
        .values(failed_logins=0, locked_until=now + LOCK_DURATION)
    )
    return True


def clear_failures(conn: Connection, user: Row) -> None:
    """A correct sign-in starts the count again (written only when there is something to clear)."""
    if user.failed_logins or user.locked_until is not None:
        conn.execute(
            update(users).where(users.c.id == user.id).values(failed_logins=0, locked_until=None)
        )
