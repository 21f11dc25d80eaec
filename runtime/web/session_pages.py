"""The user's sign-in sessions: the "Signed-in devices" list on /me/security and signing
one of them out (each a server-side record, ``runtime.security.sessions``).
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import logout_user

from runtime.security import audit
from runtime.security import sessions
from runtime.security.login import clock
from runtime.security.login import timeouts
from runtime.storage.engine import read_only
from runtime.web.i18n import translate
from runtime.web.labels import user_language

__all__ = ["devices", "register"]

# First match wins: Edge and Opera also say Chrome, Chrome also says Safari, Android says Linux.
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def _engine():
    return current_app.extensions["metacrm"]["engine"]


def _t(text: str, **values) -> str:
    return translate(text, user_language(), **values)


def describe(user_agent: str | None) -> str:
    """"Firefox on Windows" from a User-Agent header, enough to recognise one's devices."""
    agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    if browser and system:
        return _t("{browser} on {system}", browser=browser, system=system)
    return browser or system or _t("Unknown browser")


def devices() -> list[dict]:
    """The signed-in user's live sessions for the security page, this one marked."""
    with read_only(_engine().connect()) as conn:
        rows = sessions.active_sessions(conn, current_user.id, clock(), timeouts())
    return [{"id": row.id, "device": describe(row.user_agent), "ip": row.ip, "last_seen_at": row.last_seen_at,
             "remember": row.remember, "current": row.id == current_user.session.id} for row in rows]


@login_required
def sign_out_session(session_id: int):
    """Sign out one of the user's own sessions (404 for anyone else's); this one signs out here."""
    with _engine().begin() as conn:
        if not sessions.revoke(conn, session_id, clock(), user_id=current_user.id):
            abort(404)
        audit.record(conn, "session_revoked", current_user.id, current_user.email, request.remote_addr,
                     {"session": session_id})
    if session_id == current_user.session.id:
        session.clear()
        logout_user()
        flash(_t("You have been signed out."), "success")
        return redirect(url_for("web.login"))
    flash(_t("That device was signed out."), "success")
    return redirect(url_for("web.security"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/me/sessions/<int:session_id>/sign-out", "sign_out_session", sign_out_session,
                    methods=["POST"])
