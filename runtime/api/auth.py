"""Who is calling the API: a browser session or ``Authorization: Bearer <token>``.

A Bearer header, when present, decides alone (a bad token is a 401 even with a
session cookie). Session calls that change data must carry ``X-CSRFToken``,
since a browser sends the cookie on cross-site requests too; token calls
need no CSRF token because no browser attaches them by itself. Every refusal
here (a bad token, a read token writing, a missing or forged CSRF token) is
audited (``runtime.web.refusals``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask import g
from flask import request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from runtime.api.context import catalog_key_column
from runtime.api.context import note_catalog_key
from runtime.api.context import request_connection
from runtime.api.serialize import json_response
from runtime.errors import AccessDenied
from runtime.errors import MetacrmError
from runtime.security.tokens import check_token
from runtime.security.tokens import needs_touch
from runtime.security.tokens import touch_token
from runtime.web.refusals import note_refusal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ApiUser:
    """The caller as the API routes see it."""

    id: int
    is_admin: bool
    language: str
    scope: str  # "read" or "write"; a session may do whatever its user may
    via: str  # "token" or "session"


class CsrfFailed(MetacrmError):
    code = "csrf_failed"
    http_status = 403


def api_user() -> ApiUser:
    return g.api_user


def authenticate():
    """``before_request`` of the API blueprint: sets ``g.api_user`` or answers 401/403."""
    header = request.headers.get("Authorization")
    if header is not None:
        user = _from_token(header)
        if user is None:
            return _unauthorized("invalid_token", "The token is missing, invalid, expired or revoked.")
    elif current_user.is_authenticated:
        _check_csrf()
        user = ApiUser(current_user.id, current_user.is_admin, current_user.language, "write", "session")
    else:
        return _unauthorized("login_required", "Sign in or send Authorization: Bearer <token>.")
    if user.scope == "read" and request.method not in SAFE_METHODS:
        note_refusal("token_refused", {"reason": "scope", "scope": user.scope}, user_id=user.id)
        raise AccessDenied("This token is read-only; create a write token to change data.")
    g.api_user = user
    return None


def _from_token(header: str) -> ApiUser | None:
    """The token's user, or None (audited, with the token's owner when it has one)."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        note_refusal("token_refused", {"reason": "not_bearer"})
        return None
    conn = request_connection()
    row, refused = check_token(conn, token.strip(), extra_columns=(catalog_key_column(),))
    if refused:
        note_refusal("token_refused", {"reason": refused}, user_id=row and row.id, email=row and row.email)
        return None
    note_catalog_key(conn, row.catalog_key)
    if needs_touch(row):  # at most once a minute per token: its own small write
        with current_app.extensions["metacrm"]["engine"].begin() as write:
            touch_token(write, row.token_id)
    return ApiUser(row.id, bool(row.is_admin), row.language or "en", row.scope, "token")


def _check_csrf() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        current_app.extensions["csrf"].protect()
    except CSRFError as refused:
        note_refusal("csrf_refused", {"reason": refused.description})
        raise CsrfFailed("Session requests that change data need the X-CSRFToken header "
                         "(or use an API token).") from None


def _unauthorized(code: str, message: str):
    body = {"error": {"code": code, "message": message, "details": None}}
    return json_response(body, 401, {"WWW-Authenticate": 'Bearer realm="metacrm"'})
