"""Flask-Login wiring: who is the current user of a browser session.

The session stores ``"<id>:<token>"`` where the token is derived from the
password hash, so changing a password or deactivating a user ends every
existing session of that user.
"""

from __future__ import annotations

import hashlib
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

from runtime.security.users import get_user

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

    @classmethod
    def from_row(cls, row: Row) -> CurrentUser:
        return cls(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            is_admin=bool(row.is_admin),
            language=row.language or "en",
            session_token=_session_token(row.password_hash),
        )

    @property
    def name(self) -> str:
        return self.display_name or self.email

    @property
    def initials(self) -> str:
        parts = self.name.replace("@", " ").replace(".", " ").split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


def init_login(app: Flask, engine: Engine) -> LoginManager:
    """Attach a ``LoginManager`` that loads users from ``engine``; called by ``create_app``."""
    manager = LoginManager()
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_id: str) -> CurrentUser | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit():
            return None
        with engine.connect() as conn:
            row = get_user(conn, int(user_id))
        if row is None or not row.is_active:
            return None
        user = CurrentUser.from_row(row)
        return user if user.session_token == token else None

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


def _session_token(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
