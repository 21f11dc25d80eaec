"""API tokens: what a script sends as ``Authorization: Bearer <token>``.

The secret is shown once, when created, and only its SHA-256 is stored, so a
copy of the database does not hand out working tokens. A token is a fast
random string (not a password), so one unsalted hash is enough to look it up.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from datetime import timedelta
from functools import cache

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.security import audit
from runtime.security.twofactor import required_clause
from runtime.security.twofactor import token_allowed
from runtime.storage.system import api_tokens
from runtime.storage.system import users

__all__ = [
    "PREFIX",
    "SCOPES",
    "authenticate_token",
    "check_token",
    "create_token",
    "list_tokens",
    "revoke_token",
]

PREFIX = "mcrm_"
SCOPES = ("read", "write")
#: ``last_used_at`` is written at most this often, so busy scripts do not turn every read into a write.
TOUCH_INTERVAL = timedelta(minutes=1)
_PUBLIC_COLUMNS = ("id", "name", "prefix", "scope", "created_at", "last_used_at", "expires_at", "revoked_at")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(conn: Connection, user_id: int, name: str, scope: str = "read", *,
                 expires_at: datetime | None = None, now: datetime | None = None,
                 ip: str | None = None) -> str:
    """Store a new token of ``user_id`` and return its secret; the only time it is ever seen.

    ``ip`` is the requester's address for the audit row (none: made on the command line)."""
    errors = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        errors["name"] = "Give the token a name of 1 to 100 characters."
    if scope not in SCOPES:
        errors["scope"] = "Scope must be 'read' or 'write'."
    if errors:
        raise ValidationFailed("The token could not be created.", details=errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    conn.execute(insert(api_tokens).values(
        user_id=user_id, name=name, token_hash=_digest(secret), prefix=secret[:12], scope=scope,
        created_at=now or utcnow(), expires_at=expires_at,
    ))
    audit.record(conn, "token_created", user_id, ip=ip or audit.CLI, detail={"name": name, "scope": scope},
                 now=now)
    return secret


def authenticate_token(conn: Connection, token: str, *, now: datetime | None = None,
                       touch: bool = True, extra_columns=()) -> tuple[Row, str] | None:
    """``(user row, scope)`` for a live token of an active user, else None (also when the
    user must use 2FA and the token predates their enrollment: ``twofactor.token_allowed``).

    With ``touch`` it also notes when the token was used (at most once per
    TOUCH_INTERVAL); callers on a read-only connection pass ``touch=False`` and
    call ``touch_token`` in a write transaction when ``needs_touch`` says so.
    ``extra_columns`` (labelled scalar subqueries) ride along in the same
    statement and come back on the row, saving the caller a round trip.
    """
    now = now or utcnow()
    found, refused = check_token(conn, token, now=now, extra_columns=extra_columns)
    if refused:
        return None
    if touch and needs_touch(found, now):
        touch_token(conn, found.token_id, now)
    return found, found.scope


def check_token(conn: Connection, token: str, *, now: datetime | None = None,
                extra_columns=()) -> tuple[Row | None, str | None]:
    """The token's row (as ``authenticate_token`` gives it) and why it is refused, None if it
    is not: ``malformed``, ``unknown``, ``revoked``, ``expired``, ``inactive_user`` or
    ``two_factor``. A refused token's row comes too, so the audit log can name its owner."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None, "malformed"
    now = now or utcnow()
    found = conn.execute(_lookup(tuple(extra_columns)), {"digest": _digest(token)}).first()
    if found is None:
        return None, "unknown"
    if found.revoked_at is not None:
        return found, "revoked"
    if found.expires_at and found.expires_at <= now:
        return found, "expired"
    if not found.is_active:
        return found, "inactive_user"
    if not token_allowed(found.two_factor_required, found.totp_enabled_at, found.token_created_at):
        return found, "two_factor"
    return found, None


@cache
def _lookup(extra_columns: tuple):
    """The one query per API call (token and user together), built once: SQLAlchemy then
    reuses its cache key and compiled form instead of rebuilding them per request."""
    token_columns = (api_tokens.c.id.label("token_id"), api_tokens.c.scope, api_tokens.c.last_used_at,
                     api_tokens.c.expires_at, api_tokens.c.revoked_at,
                     api_tokens.c.created_at.label("token_created_at"),
                     required_clause(users.c.id, users.c.require_2fa, users.c.is_admin)
                     .label("two_factor_required"))
    return (select(users, *token_columns, *extra_columns).join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == bindparam("digest")))


def needs_touch(found: Row, now: datetime | None = None) -> bool:
    return found.last_used_at is None or (now or utcnow()) - found.last_used_at >= TOUCH_INTERVAL


def touch_token(conn: Connection, token_id: int, now: datetime | None = None) -> None:
    conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now or utcnow()))


def list_tokens(conn: Connection, user_id: int) -> list[dict]:
    """A user's tokens, newest first, without their secrets (only the first characters)."""
    rows = conn.execute(
        select(*(api_tokens.c[c] for c in _PUBLIC_COLUMNS))
        .where(api_tokens.c.user_id == user_id)
        .order_by(api_tokens.c.id.desc())
    ).mappings()
    return [dict(r) for r in rows]


def revoke_token(conn: Connection, token_id: int, *, user_id: int | None = None,
                 now: datetime | None = None) -> None:
    """Stop a token working; ``user_id`` limits it to that user's own tokens (NotFound otherwise)."""
    query = select(api_tokens.c.user_id, api_tokens.c.name, api_tokens.c.scope, api_tokens.c.revoked_at).where(
        api_tokens.c.id == token_id)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    found = conn.execute(query).first()
    if found is None:
        raise NotFound(f"no token {token_id}")
    if found.revoked_at is None:
        conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now or utcnow()))
        audit.record(conn, "token_revoked", found.user_id, detail={"name": found.name, "scope": found.scope},
                     now=now)
