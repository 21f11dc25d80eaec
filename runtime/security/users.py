"""User accounts: create, authenticate, look up.

Functions take an explicit ``Connection`` so the caller decides the unit of
work (DESIGN §2.4). Emails are stored lower-case, so look-ups are exact matches.
"""

from __future__ import annotations

import re
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
from runtime.security.passwords import hash_password
from runtime.security.passwords import needs_rehash
from runtime.security.passwords import verify_password
from runtime.storage.system import users

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "create_user",
    "get_user",
    "get_user_by_email",
    "normalize_email",
    "set_password",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 copes, but a megabyte "password" is an attack
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
    errors = _email_errors(conn, email) | _password_errors(password)
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


def authenticate(conn: Connection, email: str, password: str) -> Row | None:
    """Return the active user whose password matches, else ``None``.

    An unknown email still costs one hash verification, so response time does
    not reveal which emails have accounts.
    """
    user = get_user_by_email(conn, email)
    if user is None or not user.is_active:
        verify_password(_dummy_hash(), password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if needs_rehash(user.password_hash):
        conn.execute(
            update(users).where(users.c.id == user.id).values(password_hash=hash_password(password))
        )
    return user


def get_user(conn: Connection, user_id: int) -> Row | None:
    return conn.execute(select(users).where(users.c.id == user_id)).one_or_none()


def get_user_by_email(conn: Connection, email: str) -> Row | None:
    return conn.execute(select(users).where(users.c.email == normalize_email(email))).one_or_none()


def set_password(conn: Connection, user_id: int, password: str) -> None:
    """Replace a user's password; the same length rules as ``create_user``."""
    errors = _password_errors(password)
    if errors:
        raise ValidationFailed("The password was not changed.", details=errors)
    conn.execute(
        update(users).where(users.c.id == user_id).values(password_hash=hash_password(password))
    )


def _email_errors(conn: Connection, email: str) -> dict:
    if not email:
        return {"email": "Enter an email address."}
    if len(email) > 254 or not _EMAIL_RE.match(email):
        return {"email": "Enter a valid email address."}
    taken = conn.execute(
        select(func.count()).select_from(users).where(users.c.email == email)
    ).scalar()
    return {"email": "This email is already in use."} if taken else {}


def _password_errors(password: str | None) -> dict:
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return {"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."}
    if len(password) > MAX_PASSWORD_LENGTH:
        return {"password": f"Use at most {MAX_PASSWORD_LENGTH} characters."}
    return {}


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import, so importing stays free of side effects."""
    return hash_password("metacrm-dummy-password")

