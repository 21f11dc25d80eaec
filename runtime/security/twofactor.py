"""TOTP two-factor authentication (RFC 6238, via pyotp) with replay protection.

The shared secret is stored encrypted with AES-GCM under a key derived from the
app's secret key (HKDF), so a database dump alone does not yield working codes.
Each accepted code's time step is stored and a code from the same or an earlier
step is refused, so an observed code cannot be used again; such a replay is audited
as ``2fa_replayed``, apart from wrong codes (the caller still counts it as a failure).

2FA is required of a user by the per-user flag, by any role they hold that an admin
marked (``metacrm_role_policy``), or, for administrators, by the policy row ``ADMINS``. While such a user has not enrolled, a browser session
reaches only enrollment and their API tokens are refused; once enrolled, only tokens
created after enrollment work (one made with the password alone never gains access).
"""

from __future__ import annotations

import base64
import hmac
import os
from datetime import UTC
from datetime import datetime
from functools import lru_cache

import pyotp
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import ColumnElement
from sqlalchemy import Connection
from sqlalchemy import Row
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy import update

from runtime.errors import NotFound
from runtime.security import audit
from runtime.security import recovery
from runtime.storage.system import role_policy
from runtime.storage.system import user_roles
from runtime.storage.system import users

__all__ = [
    "ADMINS",
    "ISSUER",
    "confirm_enrollment",
    "disable",
    "is_enabled",
    "pending_secret",
    "provisioning_uri",
    "qr_svg",
    "regenerate_codes",
    "required_clause",
    "requires_2fa",
    "set_user_requirement",
    "token_allowed",
    "verify_login_code",
]

ISSUER = "metacrm"
#: The ``metacrm_role_policy`` row that makes every administrator use 2FA. Real roles are
#: ``<app>.<role>`` of lower-case names, so no role can ever be called this.
ADMINS = "*admins*"
STEP = 30  # seconds per code, the authenticator apps' default
VALID_WINDOW = 1  # one step either side absorbs clock drift


def required_clause(user_id: ColumnElement, require_flag: ColumnElement,
                    is_admin: ColumnElement) -> ColumnElement[bool]:
    """SQL truth of "this user must use 2FA": the per-user flag, a role requiring it, or
    being an administrator while admins must.

    The one definition, used in queries (session loading, tokens, the admin lists) so the
    answer never needs a second round trip.
    """
    admins_must = exists().where(role_policy.c.role == ADMINS, role_policy.c.require_2fa)
    return or_(require_flag, _role_requires(user_id), and_(is_admin, admins_must))


def requires_2fa(conn: Connection, user: Row) -> bool:
    """Whether this user must use 2FA (see ``required_clause``)."""
    flags = (true() if user.require_2fa else false(), true() if user.is_admin else false())
    return bool(conn.execute(select(required_clause(literal(user.id), *flags))).scalar())


def _role_requires(user_id) -> ColumnElement[bool]:
    return exists().where(user_roles.c.user_id == user_id, user_roles.c.role == role_policy.c.role,
                          role_policy.c.require_2fa)


def token_allowed(required: bool, enabled_at: datetime | None, token_created_at: datetime) -> bool:
    """An API token of a user who must use 2FA works only if made after they enrolled."""
    return not required or (enabled_at is not None and token_created_at >= enabled_at)


def set_user_requirement(conn: Connection, user_id: int, required: bool, *, actor_id: int | None = None,
                         ip: str | None = None) -> bool:
    """Require (or stop requiring) 2FA of one user; False when unchanged (nothing recorded)."""
    row = conn.execute(select(users.c.email, users.c.require_2fa).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    if bool(row.require_2fa) == required:
        return False
    conn.execute(update(users).where(users.c.id == user_id).values(require_2fa=required))
    audit.record(conn, "2fa_requirement_changed", actor_id, None, ip, {"user": row.email, "required": required})
    return True


def is_enabled(user: Row) -> bool:
    return user.totp_enabled_at is not None


def pending_secret(conn: Connection, user: Row, secret_key: str) -> str:
    """The secret to show on the enrollment page; made and stored (not yet in force) once."""
    if user.totp_secret and not is_enabled(user):
        return _decrypt(secret_key, user.totp_secret)
    secret = pyotp.random_base32()
    conn.execute(update(users).where(users.c.id == user.id).values(
        totp_secret=_encrypt(secret_key, secret), totp_enabled_at=None, totp_last_counter=None,
    ))
    return secret


def confirm_enrollment(conn: Connection, user: Row, code: str, secret_key: str, now: datetime,
                       ip: str | None = None) -> list[str] | None:
    """Turn 2FA on if ``code`` matches the pending secret; returns the new recovery codes."""
    if is_enabled(user) or not user.totp_secret:
        return None
    if not _accept_totp(conn, user, code, secret_key, now, ip):
        return None
    conn.execute(update(users).where(users.c.id == user.id).values(totp_enabled_at=now))
    audit.record(conn, "2fa_enabled", user.id, user.email, ip, now=now)
    return recovery.issue_codes(conn, user.id)


def verify_login_code(conn: Connection, user: Row, code: str, secret_key: str,
                      now: datetime, ip: str | None = None) -> str | None:
    """``"totp"`` or ``"recovery"`` for an accepted second factor, else ``None``; ``ip`` is the
    requester's address, for the audit row of a replayed code."""
    if not is_enabled(user):
        return None
    if _accept_totp(conn, user, code, secret_key, now, ip):
        return "totp"
    return "recovery" if recovery.use_code(conn, user.id, code, now) else None


def disable(conn: Connection, user_id: int, *, event: str = "2fa_disabled", ip: str | None = None,
            actor_id: int | None = None) -> None:
    """Turn 2FA off (by the user) or reset it (``event="2fa_reset"``, by an admin).

    A reset also ends the user's sessions: whoever holds one must not get to enroll their
    own authenticator in the user's place.
    """
    values = {"totp_secret": None, "totp_enabled_at": None, "totp_last_counter": None}
    if event == "2fa_reset":
        values["session_generation"] = users.c.session_generation + 1
    conn.execute(update(users).where(users.c.id == user_id).values(**values))
    recovery.discard_codes(conn, user_id)
    audit.record(conn, event, user_id, None, ip, {"by": actor_id} if actor_id else None)


def regenerate_codes(conn: Connection, user: Row, ip: str | None = None) -> list[str]:
    """Fresh recovery codes for an enrolled user; the old ones stop working."""
    if not is_enabled(user):
        raise NotFound("two-step verification is off")
    audit.record(conn, "recovery_codes_regenerated", user.id, user.email, ip)
    return recovery.issue_codes(conn, user.id)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (no style attributes, so the CSP allows it)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def _accept_totp(conn: Connection, user: Row, code: str, secret_key: str, now: datetime,
                 ip: str | None) -> bool:
    """Match ``code`` within ±1 step and claim its step atomically; replays lose the claim
    and are audited."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(_decrypt(secret_key, user.totp_secret))
    current = int(now.replace(tzinfo=UTC).timestamp()) // STEP
    matched = None
    for counter in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            matched = counter
    if matched is None:
        return False
    claimed = conn.execute(
        update(users)
        .where(users.c.id == user.id,
               or_(users.c.totp_last_counter.is_(None), users.c.totp_last_counter < matched))
        .values(totp_last_counter=matched)
    )
    if claimed.rowcount == 1:
        return True
    audit.record(conn, "2fa_replayed", user.id, user.email, ip, now=now)
    return False


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"metacrm totp secret v1").derive(secret_key.encode())
    return AESGCM(key)


def _encrypt(secret_key: str, secret: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(secret_key).encrypt(nonce, secret.encode(), b"totp")
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def _decrypt(secret_key: str, stored: str) -> str:
    raw = base64.urlsafe_b64decode(stored.removeprefix("v1:"))
    return _cipher(secret_key).decrypt(raw[:12], raw[12:], b"totp").decode()
