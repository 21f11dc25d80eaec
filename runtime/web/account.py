"""The signed-in user's own page, ``/me``: who they are and the language of their UI.

The language is stored in ``users.language``; Flask-Login loads the user from
the database on every request, so the very next page is in the new language.
"""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import update

from runtime.storage.system import users
from runtime.web.auth import safe_next
from runtime.web.i18n import translate
from runtime.web.labels import LANGUAGES
from runtime.web.labels import user_language

__all__ = ["register"]


@login_required
def account():
    return _render(error=None)


@login_required
def save_account():
    """Save the chosen language, then go back to ``next`` (the language menu's page) or ``/me``."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        error = translate("Choose one of the listed languages.", user_language())
        return _render(error=error), 422
    with current_app.extensions["metacrm"]["engine"].begin() as conn:
        conn.execute(update(users).where(users.c.id == current_user.id).values(language=language))
    flash(translate("Saved", language), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("web.account"))


def _render(error: str | None) -> str:
    return render_template("web/account.html", language=user_language(), error=error)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/me", "account", account)
    bp.add_url_rule("/me", "save_account", save_account, methods=["POST"])
