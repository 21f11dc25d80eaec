"""Flask-Login wiring: who is the current user of a browser session.

The Flask session (and the remember-me cookie) stores only the random key of a server-side
session record (``runtime.security.sessions``). Each request loads the user and that record
in one query and refuses a record that was revoked, belongs to an older session generation
("log out everywhere", password change) or ran past its idle or absolute timeout; the login
page then says the session ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login.utils import decode_cookie
from sqlalchemy import Engine
from sqlalchemy import Row

from runtime.clock import utcnow
from runtime.security import sessions
from runtime.security.sessions import SessionRef
from runtime.storage.engine import read_only

__all__ = ["ENDED", "CurrentUser", "clock", "init_login", "timeouts"]

#: Set in the Flask session when its record has ended, so the login page can say why.
ENDED = "session_ended"


@dataclass(frozen=True)
class CurrentUser(UserMixin):
    """What views need to know about the signed-in user; no password hash inside."""

    id: int
    email: str
    display_name: str | None
    is_admin: bool
    language: str
    session: SessionRef | None = None  # the server-side record this browser is signed in with
    has_2fa: bool = False
    must_enroll_2fa: bool = False  # 2FA is required but not set up: only enrollment is open

    @classmethod
    def from_row(cls, row: Row, *, session: SessionRef | None = None,
                 must_enroll_2fa: bool = False) -> CurrentUser:
        return cls(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            is_admin=bool(row.is_admin),
            language=row.language or "en",
            session=session,
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

    @property
    def authenticated_at(self) -> datetime | None:
        return self.session.authenticated_at if self.session else None

    def get_id(self) -> str:
        """The session key: Flask-Login keeps it in the session and the remember cookie, so
        either one brings back this very record (and nothing once it has ended)."""
        return self.session.key if self.session else ""


def clock() -> datetime:
    """Now, from ``app.extensions["metacrm"]["clock"]`` when a test put one there."""
    return current_app.extensions["metacrm"].get("clock", utcnow)()


def timeouts() -> sessions.Timeouts:
    """The session timeouts of this app's settings."""
    settings = current_app.extensions["metacrm"]["settings"]
    return sessions.Timeouts(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_hours),
        remember_idle=timedelta(days=settings.remember_idle_days),
        remember_lifetime=timedelta(days=settings.remember_days),
    )


def init_login(app: Flask, engine: Engine) -> LoginManager:
    """Attach a ``LoginManager`` that loads users from ``engine``; called by ``create_app``."""
    manager = LoginManager()
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(key: str) -> CurrentUser | None:
        now = clock()
        with read_only(engine.connect()) as conn:  # on SQLite a plain connect takes the write lock
            row = sessions.session_user(conn, key)
        if row is None:
            return None
        if not sessions.is_live(row, now, timeouts()):
            _forget(key)
            return None
        if sessions.needs_touch(row, now):  # at most once a minute: its own small write
            with engine.begin() as conn:
                sessions.touch(conn, row.session_id, now)
        ref = SessionRef(key, row.session_id, row.authenticated_at, bool(row.remember))
        return CurrentUser.from_row(row, session=ref, must_enroll_2fa=bool(row.two_factor_required))

    manager.unauthorized_handler(_unauthorized)
    manager.init_app(app)
    return manager


def _forget(key: str) -> None:
    """An ended session: drop its key (and a remember cookie carrying it) and note why."""
    session.pop("_user_id", None)
    session[ENDED] = True
    cookie = request.cookies.get(current_app.config["REMEMBER_COOKIE_NAME"])
    if cookie and decode_cookie(cookie) == key:
        session["_remember"] = "clear"


def _unauthorized():
    """API callers get a JSON 401; browsers go to the login page and come back."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "login_required", "message": "Sign in first.", "details": None}}
        return jsonify(body), 401
    target = request.full_path.rstrip("?") if request.query_string else request.path
    return redirect(url_for("web.login", next=target))
