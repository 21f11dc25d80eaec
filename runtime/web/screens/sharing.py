"""The record page's "Sharing" card: who the record is shared with, and sharing or unsharing it.

The rules (who may share, with whom) are the share service's; this only turns
the form into its input and its answer into a message.
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_login import current_user

from runtime.api import context
from runtime.errors import ValidationFailed
from runtime.security.role_grants import Actor
from runtime.security.shares import add_share
from runtime.security.shares import list_shares
from runtime.security.shares import may_share
from runtime.security.shares import remove_share
from runtime.security.shares import share_targets
from runtime.web.i18n import translate
from runtime.web.screens.access import Screen
from runtime.web.screens.access import screen

__all__ = ["share_record", "sharing_card", "unshare_record"]


def sharing_card(s: Screen, record_id: int) -> dict | None:
    """What the card shows: the shares, and the form's choices for those who may share
    (None when there is nothing to show: no shares and no right to add one)."""
    shares = list_shares(s.conn, s.service, s.app.name, s.entity.name, record_id)
    can_share = may_share(s.conn, s.service, s.app.name, s.entity.name, record_id)
    if not shares and not can_share:
        return None
    people, departments = share_targets(s.conn, s.service) if can_share else ([], [])
    return {"shares": shares, "can_share": can_share, "people": people, "departments": departments}


def share_record(app: str, entity: str, record_id: int):
    with context.engine().begin() as conn:
        s = screen(app, entity, conn)
        try:
            _share, outcome = add_share(conn, s.service, app, entity, record_id, _form_data(request.form), _actor())
        except ValidationFailed as err:
            problems = "; ".join(str(v) for v in (err.details or {}).values()) or err.message
            flash(_t("Not shared: {error}", error=problems), "danger")
            return _back(app, entity, record_id)
    flash(_t("It was already shared like that.") if outcome == "unchanged" else _t("Shared."), "success")
    return _back(app, entity, record_id)


def unshare_record(app: str, entity: str, record_id: int, share_id: int):
    with context.engine().begin() as conn:
        s = screen(app, entity, conn)
        remove_share(conn, s.service, app, entity, record_id, share_id, _actor())
    flash(_t("No longer shared."), "success")
    return _back(app, entity, record_id)


def _form_data(form) -> dict:
    """``target`` is ``user:<id>`` or ``department:<name>`` (one picker for both)."""
    kind, _, value = form.get("target", "").partition(":")
    data = {"access": form.get("access", "read")}
    if kind == "user":
        data["user_id"] = int(value) if value.isdigit() else value
    elif kind == "department":
        data["department"] = value
    return data


def _actor() -> Actor:
    return Actor(current_user.id, current_user.email, request.remote_addr)


def _back(app: str, entity: str, record_id: int):
    return redirect(url_for("web.record", app=app, entity=entity, record_id=record_id, _anchor="sharing"))


def _t(text: str, **params) -> str:
    return translate(text, current_user.language, **params)
