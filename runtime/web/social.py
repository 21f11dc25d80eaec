"""Comments on the record page, and the notifications they cause (the bell and ``/notifications``).

A comment is written only after the record has been read through the record
service, so nobody comments on a record they cannot see; each write is its
own ``engine.begin()``. Bodies are shown from ``parts``, never as markup.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError

from runtime.api import context
from runtime.automation.notifications import UNREAD_CAP
from runtime.automation.notifications import list_notifications
from runtime.automation.notifications import mark_read
from runtime.automation.notifications import unread_count
from runtime.clock import utcnow
from runtime.errors import AccessDenied
from runtime.errors import ValidationFailed
from runtime.records.comments import MAX_BODY
from runtime.records.comments import add_comment
from runtime.records.comments import delete_comment
from runtime.records.comments import list_comments
from runtime.web.i18n import translate
from runtime.web.labels import user_language
from runtime.web.recent import live_titles
from runtime.web.screens.access import screen

__all__ = ["register"]

log = logging.getLogger(__name__)

NOTIFICATIONS_SHOWN = 50
RECORD = "/a/<app>/<entity>/<int:record_id>"


def add(app: str, entity: str, record_id: int):
    _readable(app, entity, record_id)
    try:
        with context.engine().begin() as conn:
            add_comment(conn, app, entity, record_id, current_user.id, request.form.get("body", ""), utcnow())
    except ValidationFailed as err:
        flash(translate(err.message, user_language()), "error")
    return _back_to_comments(app, entity, record_id)


def remove(app: str, entity: str, record_id: int, comment_id: int):
    _readable(app, entity, record_id)
    try:
        with context.engine().begin() as conn:
            delete_comment(conn, app, entity, record_id, comment_id, current_user.id, utcnow())
    except AccessDenied:
        flash(translate("You can only delete your own comments.", user_language()), "error")
    return _back_to_comments(app, entity, record_id)


def _readable(app: str, entity: str, record_id: int) -> None:
    """NotFound (404) unless the signed-in user can open the record."""
    s = screen(app, entity)
    s.service.get(s.conn, app, entity, record_id, user_id=s.user_id)


def _back_to_comments(app: str, entity: str, record_id: int):
    return redirect(url_for("web.record", app=app, entity=entity, record_id=record_id, _anchor="comments"))


def notifications_page():
    conn = context.request_connection()
    entries = list_notifications(conn, current_user.id, limit=NOTIFICATIONS_SHOWN)
    titles = live_titles((n["app"], n["entity"], n["record_id"]) for n in entries)
    shown = []
    for entry in entries:
        found = titles.get((entry["app"], entry["entity"], entry["record_id"]))
        if found is not None:  # the record was deleted or its app removed: nothing to open
            shown.append({**entry, "record_entity": found[0], "title": found[1]})
    # Counted over all of them: an unread one about a deleted record still lights the bell.
    return render_template("web/notifications.html", notifications=shown,
                           unread=unread_count(conn, current_user.id) > 0)


def mark_all_read():
    with context.engine().begin() as conn:
        mark_read(conn, current_user.id)
    return redirect(url_for("web.notifications"))


def record_comments(s, r) -> list[dict]:
    """The record page's comments, oldest first (``{% set comments = record_comments(s, r) %}``)."""
    return list_comments(s.conn, s.app.name, s.entity.name, r["id"])


def unread_badge() -> str:
    """The bell's badge text: "" for none, "99+" from ``UNREAD_CAP`` on.

    The bell is decoration: a database error here must not take down the page
    (the error page itself included), so it is logged and the badge left empty.
    """
    try:
        count = unread_count(context.request_connection(), current_user.id)
    except SQLAlchemyError:
        log.warning("unread notifications not counted", exc_info=True)
        return ""
    if count >= UNREAD_CAP:
        return f"{UNREAD_CAP - 1}+"
    return str(count) if count else ""


def ago(when: datetime | None) -> str:
    """A short relative time ("5 min ago"); older than a week, the date."""
    if when is None:
        return ""
    seconds = max(0, int((utcnow() - when).total_seconds()))
    lang = user_language()
    if seconds < 60:
        return translate("just now", lang)
    if seconds < 3600:
        return translate("{n} min ago", lang, n=seconds // 60)
    if seconds < 86400:
        return translate("{n} h ago", lang, n=seconds // 3600)
    if seconds < 7 * 86400:
        return translate("{n} d ago", lang, n=seconds // 86400)
    return when.strftime("%Y-%m-%d")


def register(bp: Blueprint) -> None:
    routes = [
        (RECORD + "/comments", "add_comment", add, ["POST"]),
        (RECORD + "/comments/<int:comment_id>/delete", "delete_comment", remove, ["POST"]),
        ("/notifications", "notifications", notifications_page, ["GET"]),
        ("/notifications/read", "mark_notifications_read", mark_all_read, ["POST"]),
    ]
    for rule, endpoint, view, methods in routes:
        bp.add_url_rule(rule, endpoint, login_required(view), methods=methods)
    bp.add_app_template_global(record_comments)
    bp.add_app_template_global(unread_badge)
    bp.add_app_template_global(ago)
    bp.add_app_template_global(MAX_BODY, "comment_max_length")
