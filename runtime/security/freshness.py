"""Step-up re-authentication: sensitive actions need a recent password (and 2FA) check.

A stolen or unattended session should not be enough to turn 2FA off, mint API tokens, end
the owner's other sessions or use admin powers. Those views require the session's
``authenticated_at`` (set at sign-in and by the "Confirm it's you" page) to be recent;
otherwise a page goes to that confirmation and comes back (a form post is not replayed:
the user sees the page again and repeats the action), and a JSON call gets a 401
``reauth_required``.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user

from runtime.errors import MetacrmError
from runtime.security.login import clock

__all__ = ["FRESH_FOR", "ReauthRequired", "ensure_fresh", "fresh_required", "is_fresh"]

FRESH_FOR = timedelta(minutes=15)


class ReauthRequired(MetacrmError):
    code = "reauth_required"
    http_status = 401


def is_fresh(authenticated_at: datetime | None, now: datetime) -> bool:
    return authenticated_at is not None and now - authenticated_at <= FRESH_FOR


def ensure_fresh() -> None:
    """Raise ``ReauthRequired`` unless the signed-in session checked its password lately."""
    at = current_user.authenticated_at if current_user.is_authenticated else None
    if not is_fresh(at, clock()):
        raise ReauthRequired("This needs a recent sign-in: confirm your password at /me/confirm, "
                             "then try again.")


def fresh_required(view):
    """Decorate a view (inside ``login_required``) that needs a recent sign-in."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            ensure_fresh()
        except ReauthRequired:
            if request.path.startswith("/api/"):
                raise
            return redirect(url_for("web.confirm", next=_back()))
        return view(*args, **kwargs)

    return wrapped


def _back() -> str:
    """Where to return after confirming: this page for a GET; for a form post, the page the
    form was on (same site only), else this address if it has a page, else the start page."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.path
    return url_for("web.launcher")
