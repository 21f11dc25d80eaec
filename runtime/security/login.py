"""Flask-Login wiring: who is the current user of a browser session.

The session (and the remember-me cookie) stores ``"<id>:<generation>:<token>"``:
the token is derived from the password hash and the user's session generation,
so changing the password, "log out everywhere" or deactivating a user ends
every existing session of that user at its next request.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import Flask
from flask import jsonify
from flask import redirect
from flask import request
from flask import url_for
from flask_login import LoginManager
from flask_login import UserMixin
from sqlalchemy import Engine
from sqlalchemy import Row

from runtime.security.twofactor import user_with_requirement
from runtime.storage.engine import read_only

__all__ = ["CurrentUser", "init_login"]


@dataclass(frozen=True)
class CurrentUser(UserMixin):
    """What views need to know about the signed-in user; no password hash inside."""

    id: int
    email: str
    display_name: str | None
    is_admin: bool
    language: str
    session_token: str
    session_generation: int = 0
    has_2fa: bool = False
    must_enroll_2fa: bool = False  # 2FA is required but not set up: only enrollment is open

    @classmethod
    def from_row(cls, row: Row, *, must_enroll_2fa: bool = False) -> CurrentUser:
        generation = row.session_generation or 0
        return cls(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            is_admin=bool(row.is_admin),
            language=row.language or "en",
            session_token=_session_token(row.password_hash, generation),
            session_generation=generation,
            has_2fa=row.totp_enabled_at is not None,
            must_enroll_2fa=must_enroll_2fa and row.totp_enabled_at is None,
        )

    @property
    def name(self) -> str:
        return self.display_name or self.email

    @property
    def initials(self) -> str:
        parts = self.name.replace("@", " ").replace(".", " ").split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}:{self.session_token}"


def init_login(app: Flask, engine: Engine) -> LoginManager:
    """Attach a ``LoginManager`` that loads users from ``engine``; called by ``create_app``."""
    manager = LoginManager()
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_id: str) -> CurrentUser | None:
        user_id, _, rest = session_id.partition(":")
        if not user_id.isdigit():
            return None
        with read_only(engine.connect()) as conn:  # on SQLite a plain connect takes the write lock
            row = user_with_requirement(conn, int(user_id))
            if row is None or not row.is_active:
                return None
            user = CurrentUser.from_row(row, must_enroll_2fa=row.two_factor_required)
        return user if hmac.compare_digest(user.get_id(), f"{user_id}:{rest}") else None

    manager.unauthorized_handler(_unauthorized)
    manager.init_app(app)
    return manager


def _unauthorized():
    """API callers get a JSON 401; browsers go to the login page and come back."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "login_required", "message": "Sign in first.", "details": None}}
        return jsonify(body), 401
    target = request.full_path.rstrip("?") if request.query_string else request.path
    return redirect(url_for("web.login", next=target))


def _session_token(password_hash: str, generation: int) -> str:
    return hashlib.sha256(f"{generation}:{password_hash}".encode()).hexdigest()[:16]
