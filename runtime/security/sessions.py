"""Server-side sign-in sessions: the record behind every signed-in browser.

The browser's cookie holds a random key and the table only its SHA-256, so a copied
database hands out no sessions, and the server can end a session whatever its cookie
says: signing out revokes its record; "log out everywhere", a password change or an
admin's 2FA reset move the user's ``session_generation`` on, which ends every record
made under the old one; idle and absolute timeouts end the rest.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from functools import cache

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from runtime.security.twofactor import required_clause
from runtime.storage.system import sessions
from runtime.storage.system import users

__all__ = [
    "SessionRef",
    "Timeouts",
    "active_sessions",
    "is_live",
    "mark_authenticated",
    "needs_touch",
    "revoke",
    "session_user",
    "start",
    "touch",
]

#: ``last_seen_at`` is written at most this often, so browsing does not turn every read into a write.
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_AGENT = 200


@dataclass(frozen=True)
class Timeouts:
    """How long sessions last: without a request (idle) and since sign-in (lifetime)."""

    idle: timedelta
    lifetime: timedelta
    remember_idle: timedelta
    remember_lifetime: timedelta  # zero: "keep me signed in" is off

    @property
    def remember_enabled(self) -> bool:
        return self.remember_lifetime > timedelta(0)

    def of(self, remember: bool) -> tuple[timedelta, timedelta]:
        """``(idle, lifetime)`` of a session; a remembered one made while it was allowed
        falls back to the normal limits once remember-me is switched off."""
        if remember and self.remember_enabled:
            return min(self.remember_idle, self.remember_lifetime), self.remember_lifetime
        return self.idle, self.lifetime


@dataclass(frozen=True)
class SessionRef:
    """What the signed-in user object carries about its session record."""

    key: str  # the secret in the cookie; never stored
    id: int
    authenticated_at: datetime
    remember: bool


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def start(conn: Connection, user: Row, *, remember: bool, now: datetime, ip: str | None = None,
          user_agent: str | None = None, authenticated_at: datetime | None = None,
          timeouts: Timeouts | None = None) -> SessionRef:
    """A new session of ``user`` (whose password, and code, were just checked unless
    ``authenticated_at`` says when); with ``timeouts``, the user's dead records are cleared."""
    if timeouts is not None:
        _prune(conn, user, now, timeouts)
    key = secrets.token_urlsafe(32)
    authenticated_at = authenticated_at or now
    new_id = conn.execute(insert(sessions).values(
        key_hash=_digest(key), user_id=user.id, generation=user.session_generation or 0, created_at=now,
        last_seen_at=now, authenticated_at=authenticated_at, remember=bool(remember),
        ip=(ip or None) and ip[:45], user_agent=(user_agent or None) and user_agent[:MAX_AGENT],
    )).inserted_primary_key[0]
    return SessionRef(key, new_id, authenticated_at, bool(remember))


def session_user(conn: Connection, key: str) -> Row | None:
    """The user row, ``two_factor_required`` and the session's columns for ``key``, in one
    query (it runs on every signed-in request); None for an unknown key."""
    if not key or len(key) > 100:
        return None
    return conn.execute(_lookup(), {"digest": _digest(key)}).one_or_none()


@cache
def _lookup():
    """Built once, so SQLAlchemy reuses its cache key and compiled form on every request."""
    required = required_clause(users.c.id, users.c.require_2fa, users.c.is_admin)
    return (select(users, required.label("two_factor_required"), sessions.c.id.label("session_id"),
                   sessions.c.generation.label("session_gen"),
                   sessions.c.created_at.label("session_created_at"), sessions.c.last_seen_at,
                   sessions.c.authenticated_at, sessions.c.remember, sessions.c.revoked_at)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(sessions.c.key_hash == bindparam("digest")))


def is_live(row: Row, now: datetime, timeouts: Timeouts) -> bool:
    """Whether a ``session_user`` row still signs its user in."""
    idle, lifetime = timeouts.of(row.remember)
    return (row.is_active and row.revoked_at is None and row.session_gen == (row.session_generation or 0)
            and now - row.last_seen_at < idle and now - row.session_created_at < lifetime)


def needs_touch(row: Row, now: datetime) -> bool:
    return now - row.last_seen_at >= TOUCH_INTERVAL


def touch(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now))


def mark_authenticated(conn: Connection, session_id: int, now: datetime) -> None:
    """The user just proved it is them again (step-up): sensitive actions open for a while."""
    conn.execute(update(sessions).where(sessions.c.id == session_id)
                 .values(authenticated_at=now, last_seen_at=now))


def revoke(conn: Connection, session_id: int, now: datetime, *, user_id: int | None = None) -> bool:
    """End one session (``user_id``: only if it is theirs); False when there was none to end."""
    query = update(sessions).where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(sessions.c.user_id == user_id)
    return conn.execute(query.values(revoked_at=now)).rowcount == 1


def active_sessions(conn: Connection, user_id: int, now: datetime, timeouts: Timeouts) -> list[Row]:
    """The user's live sessions, most recently used first (the "signed-in devices" list)."""
    query = (select(sessions.c.id, sessions.c.created_at, sessions.c.last_seen_at, sessions.c.remember,
                    sessions.c.ip, sessions.c.user_agent)
             .join(users, users.c.id == sessions.c.user_id)
             .where(sessions.c.user_id == user_id, _live_clause(now, timeouts))
             .order_by(sessions.c.last_seen_at.desc(), sessions.c.id.desc()))
    return conn.execute(query).all()


def _live_clause(now: datetime, timeouts: Timeouts):
    """``is_live`` in SQL, for a query joining ``sessions`` to ``users``."""
    def within(remember: bool):
        idle, lifetime = timeouts.of(remember)
        return and_(sessions.c.remember == remember, sessions.c.last_seen_at > now - idle,
                    sessions.c.created_at > now - lifetime)

    return and_(users.c.is_active, sessions.c.revoked_at.is_(None),
                sessions.c.generation == users.c.session_generation, or_(within(False), within(True)))


def _prune(conn: Connection, user: Row, now: datetime, timeouts: Timeouts) -> None:
    """Drop the user's records that can never sign in again, so the table stays small."""
    longest = max(timeouts.lifetime, timeouts.remember_lifetime)
    conn.execute(delete(sessions).where(
        sessions.c.user_id == user.id,
        or_(sessions.c.revoked_at.is_not(None), sessions.c.generation != (user.session_generation or 0),
            sessions.c.created_at <= now - longest)))
