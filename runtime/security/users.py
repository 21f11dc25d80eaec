"""User accounts: create, authenticate, look up.

Functions take an explicit ``Connection`` so the caller decides the unit of
work (DESIGN §2.4). Emails are stored lower-case, so look-ups are exact matches.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from runtime.clock import utcnow
from runtime.errors import ValidationFailed
from runtime.security import audit
from runtime.security.lockout import clear_failures
from runtime.security.lockout import is_locked
from runtime.security.lockout import record_failure
from runtime.security.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from runtime.security.passwords import hash_password
from runtime.security.passwords import needs_rehash
from runtime.security.passwords import password_problems
from runtime.security.passwords import verify_password
from runtime.storage.system import users

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "bump_session_generation",
    "create_user",
    "get_user",
    "get_user_by_email",
    "normalize_email",
    "note_failure",
    "set_password",
]

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    conn: Connection,
    email: str,
    password: str,
    *,
    display_name: str | None = None,
    is_admin: bool = False,
    manager_email: str | None = None,
    language: str = "en",
) -> int:
    """Insert a user and return its id; raises ``ValidationFailed`` naming the bad field."""
    email = normalize_email(email)
    errors = _email_errors(conn, email) | _password_errors(password, email, display_name)
    if display_name is not None and len(display_name) > 200:
        errors["display_name"] = "Use at most 200 characters."
    manager_id = None
    if manager_email:
        manager = get_user_by_email(conn, manager_email)
        if manager is None:
            errors["manager_email"] = "No user with this email."
        else:
            manager_id = manager.id
    if errors:
        raise ValidationFailed("The user could not be created.", details=errors)
    values = {
        "email": email,
        "password_hash": hash_password(password),
        "display_name": display_name or None,
        "is_admin": bool(is_admin),
        "is_active": True,
        "language": language or "en",
        "manager_id": manager_id,
        "created_at": utcnow(),
    }
    try:
        return conn.execute(insert(users).values(**values)).inserted_primary_key[0]
    except IntegrityError as exc:  # lost a race with another insert of the same email
        raise ValidationFailed(
            "The user could not be created.", details={"email": "This email is already in use."}
        ) from exc


def authenticate(
    conn: Connection, email: str, password: str, *, now: datetime | None = None,
    ip: str | None = None,
) -> Row | None:
    """Return the active, unlocked user whose password matches, else ``None``.

    Every way of failing (unknown email, wrong password, locked or inactive account)
    costs one hash verification and returns the same ``None``, so neither the answer
    nor its timing tells an attacker which emails have accounts. Failures are counted
    towards the lockout and written to the audit log.
    """
    now = now or utcnow()
    user = get_user_by_email(conn, email)
    if user is None or not user.is_active or is_locked(user, now):
        verify_password(_dummy_hash(), password or "")
        reason = "locked" if user is not None and user.is_active else "unknown"
        audit.record(conn, "login_failed", user and user.id, normalize_email(email)[:254], ip,
                     {"reason": reason}, now=now)
        return None
    if not verify_password(user.password_hash, password or ""):
        note_failure(conn, user, now, ip, "password")
        return None
    clear_failures(conn, user)
    if needs_rehash(user.password_hash):
        conn.execute(
            update(users).where(users.c.id == user.id).values(password_hash=hash_password(password))
        )
    return user


def note_failure(conn: Connection, user: Row, now: datetime, ip: str | None, reason: str) -> None:
    """Count a wrong password or 2FA code towards the lockout, and audit it."""
    audit.record(conn, "login_failed", user.id, user.email, ip, {"reason": reason}, now=now)
    if record_failure(conn, user, now):
        audit.record(conn, "locked", user.id, user.email, ip, None, now=now)


def get_user(conn: Connection, user_id: int) -> Row | None:
    return conn.execute(select(users).where(users.c.id == user_id)).one_or_none()


def get_user_by_email(conn: Connection, email: str) -> Row | None:
    return conn.execute(select(users).where(users.c.email == normalize_email(email))).one_or_none()


def set_password(
    conn: Connection, user_id: int, password: str, *, event: str = "password_changed",
    ip: str | None = None,
) -> None:
    """Replace a user's password under the policy and end every session of that user."""
    user = get_user(conn, user_id)
    errors = _password_errors(password, user.email, user.display_name)
    if errors:
        raise ValidationFailed("The password was not changed.", details=errors)
    conn.execute(
        update(users).where(users.c.id == user_id).values(
            password_hash=hash_password(password), failed_logins=0, locked_until=None,
            session_generation=users.c.session_generation + 1,
        )
    )
    audit.record(conn, event, user_id, user.email, ip)


def bump_session_generation(conn: Connection, user_id: int, *, ip: str | None = None) -> None:
    """"Log out everywhere": every session carrying the old generation stops loading."""
    conn.execute(
        update(users).where(users.c.id == user_id)
        .values(session_generation=users.c.session_generation + 1)
    )
    audit.record(conn, "logout_all", user_id, None, ip)


def _email_errors(conn: Connection, email: str) -> dict:
    if not email:
        return {"email": "Enter an email address."}
    if len(email) > 254 or not _EMAIL_RE.match(email):
        return {"email": "Enter a valid email address."}
    taken = conn.execute(
        select(func.count()).select_from(users).where(users.c.email == email)
    ).scalar()
    return {"email": "This email is already in use."} if taken else {}


def _password_errors(password: str | None, email: str, name: str | None) -> dict:
    problems = password_problems(password, email=email, name=name or "")
    return {"password": " ".join(problems)} if problems else {}


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import, so importing stays free of side effects."""
    return hash_password("metacrm-dummy-password")

