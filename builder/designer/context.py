"""Per-request collaborators of the builder pages: the engine, the signed-in admin, the draft."""

from __future__ import annotations

from flask import current_app
from flask import request
from flask_login import current_user

from builder.drafts import Draft
from builder.drafts import open_draft
from runtime.web.i18n import translate
from runtime.web.labels import user_language

__all__ = ["engine", "open_app_draft", "publisher", "ui"]


def engine():
    return current_app.extensions["metacrm"]["engine"]


def publisher() -> dict:
    """Who publishes and from where, as ``publish`` records it in the audit log."""
    return {"author": current_user.email, "user_id": current_user.id, "ip": request.remote_addr}


def open_app_draft(app: str) -> Draft:
    """The app's draft (started from the published version on first open), committed at once."""
    with engine().begin() as conn:
        return open_draft(conn, app, current_user.id)


def ui(text: str, **params) -> str:
    """``text`` in the signed-in admin's language, for flash messages (the catalog is the UI's)."""
    return translate(text, user_language(), **params)
