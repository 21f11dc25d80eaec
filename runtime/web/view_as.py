""""View as <user>": an admin browses with another user's rights, read-only.

The choice is a session flag. While it is set every screen and session API
call builds its guarded record service for that user (``effective_user_id``),
and any change is refused, so an admin can check what someone sees without
acting in their name. Starting and stopping are audited.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select

from runtime.api.auth import api_user
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.security import audit
from runtime.security.freshness import fresh_required
from runtime.storage.system import users
from runtime.web.i18n import translate
from runtime.web.labels import user_language
from runtime.web.roles_admin import admin_only

__all__ = ["acting_user_id", "effective_user_id", "register", "viewed_as"]

SESSION_KEY = "view_as"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Reachable with a change method while viewing as someone: stopping, and signing out.
_STILL_OPEN = {"web.view_as_stop", "web.logout", "web.login"}


def viewed_as() -> dict | None:
    """``{"id", "email", "name"}`` of the user an admin is viewing as, else None."""
    found = session.get(SESSION_KEY)
    if not found or not current_user.is_authenticated or not current_user.is_admin:
        return None
    return found


def effective_user_id(user_id: int | None = None, *, via: str = "session") -> int:
    """The user whose rights apply to this request: the viewed-as user for the admin's own
    session requests, else ``user_id`` (default: the signed-in user). Token calls are never
    affected (``via="token"``)."""
    own = current_user.id if user_id is None else user_id
    target = viewed_as() if via == "session" else None
    return target["id"] if target and own == current_user.id else own


def acting_user_id() -> int:
    """``effective_user_id`` for an API call (session or token)."""
    return effective_user_id(api_user().id, via=api_user().via)


def refuse_changes():
    """``before_app_request``: while viewing as someone, nothing may change (403)."""
    target = viewed_as()
    if target is None or request.method in SAFE_METHODS or request.endpoint in _STILL_OPEN:
        return
    if request.path.startswith("/api/") and request.headers.get("Authorization"):
        return  # a token acts as its own user
    message = translate("You are viewing as {name}; changes are off.", user_language(), name=target["name"])
    raise AccessDenied(message)


@login_required
@fresh_required
def start(user_id: int):
    admin_only()
    with current_app.extensions["metacrm"]["engine"].begin() as conn:
        row = conn.execute(select(users.c.id, users.c.email, users.c.display_name)
                           .where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user {user_id}")
        audit.record(conn, "view_as_started", current_user.id, current_user.email, request.remote_addr,
                     {"user": row.email})
    session[SESSION_KEY] = {"id": row.id, "email": row.email, "name": row.display_name or row.email}
    return redirect(url_for("web.launcher"))


@login_required
def stop():
    target = session.pop(SESSION_KEY, None)
    if target and current_user.is_admin:
        with current_app.extensions["metacrm"]["engine"].begin() as conn:
            audit.record(conn, "view_as_stopped", current_user.id, current_user.email, request.remote_addr,
                         {"user": target["email"]})
    return redirect(url_for("web.admin_roles"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/view-as/<id32:user_id>", "view_as_start", start, methods=["POST"])
    bp.add_url_rule("/admin/view-as/stop", "view_as_stop", stop, methods=["POST"])
    bp.before_app_request(refuse_changes)
    bp.app_context_processor(lambda: {"viewing_as": viewed_as()})
