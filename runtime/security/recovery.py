"""One-time recovery codes for a user who has lost their authenticator.

Codes carry about 50 random bits each, so a salted sha256 is enough to store them (a slow
hash guards low-entropy passwords); each is used at most once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.storage.system import recovery_codes

__all__ = ["CODE_COUNT", "discard_codes", "issue_codes", "remaining_codes", "use_code"]

CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def issue_codes(conn: Connection, user_id: int) -> list[str]:
    """Replace the user's codes with fresh ones; the plain codes exist only in the result."""
    codes = [_new_code() for _ in range(CODE_COUNT)]
    discard_codes(conn, user_id)
    rows = []
    for code in codes:
        salt = secrets.token_hex(16)
        rows.append({"user_id": user_id, "salt": salt, "code_hash": _digest(salt, code)})
    conn.execute(insert(recovery_codes), rows)
    return codes


def use_code(conn: Connection, user_id: int, code: str, now: datetime) -> bool:
    """True if ``code`` is one of the user's unused codes, which is then spent."""
    code = normalize(code)
    if len(code) != 10:
        return False
    unused = conn.execute(
        select(recovery_codes.c.id, recovery_codes.c.salt, recovery_codes.c.code_hash)
        .where(recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None))
    ).all()
    match = None
    for row in unused:  # compare all of them: the time taken does not depend on which matched
        if hmac.compare_digest(row.code_hash, _digest(row.salt, code)):
            match = row.id
    if match is None:
        return False
    spent = conn.execute(  # the used_at guard makes a concurrent second use lose
        update(recovery_codes)
        .where(recovery_codes.c.id == match, recovery_codes.c.used_at.is_(None))
        .values(used_at=now)
    )
    return spent.rowcount == 1


def discard_codes(conn: Connection, user_id: int) -> None:
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))


def remaining_codes(conn: Connection, user_id: int) -> int:
    rows = conn.execute(
        select(recovery_codes.c.id)
        .where(recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None))
    ).all()
    return len(rows)


def normalize(code: str) -> str:
    """Accept codes as typed: any case, with or without the dash and spaces."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:64]


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{normalize(code)}".encode()).hexdigest()
