"""The record page's "Attachments" card: files on a record, uploaded and removed from the page.

The rules are the attachment service's (``runtime/records/attachments.py``);
this turns the form into its input and its refusals into a message. Downloads
link to the API route, which a signed-in session may call like file fields do.
"""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from runtime.api import context
from runtime.api.attachments import attach_upload
from runtime.api.attachments import posted_upload
from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.records.attachments import FORM_FIELD
from runtime.records.attachments import MAX_BYTES
from runtime.records.attachments import attachment_overview
from runtime.records.attachments import remove_attachment
from runtime.web.i18n import translate
from runtime.web.screens.access import Screen
from runtime.web.screens.access import screen

__all__ = ["register"]

RECORD = "/a/<app>/<entity>/<int:record_id>"


def attachment_card(s: Screen, r: dict) -> dict:
    """What the card shows (``{% set card = attachment_card(s, r) %}``): the files, and whether
    the form and remove buttons are offered."""
    files, can_attach = attachment_overview(s.conn, s.service, s.app.name, s.entity.name, r["id"])
    return {
        "files": files,
        "can_attach": can_attach,
        "form_field": FORM_FIELD,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }


def attach(app: str, entity: str, record_id: int):
    upload = posted_upload()
    if upload is None or not upload.filename:
        flash(_t("Choose a file to attach."), "danger")
        return _back(app, entity, record_id)
    try:
        with context.engine().begin() as conn:
            s = screen(app, entity, conn)
            added = attach_upload(conn, s.service, app, entity, record_id, upload, current_user.id)
    except BadInput as err:
        flash(_t("Not attached: {error}", error=err.message), "danger")
        return _back(app, entity, record_id)
    flash(_t("Attached {name}.", name=added["name"]), "success")
    return _back(app, entity, record_id)


def detach(app: str, entity: str, record_id: int, attachment_id: int):
    with context.engine().begin() as conn:
        s = screen(app, entity, conn)
        remove_attachment(
            conn, s.service, app, entity, record_id, attachment_id, current_user.id, utcnow()
        )
    flash(_t("Attachment removed."), "success")
    return _back(app, entity, record_id)


def _back(app: str, entity: str, record_id: int):
    return redirect(
        url_for("web.record", app=app, entity=entity, record_id=record_id, _anchor="attachments")
    )


def _t(text: str, **params) -> str:
    return translate(text, current_user.language, **params)


def register(bp: Blueprint) -> None:
    bp.add_url_rule(RECORD + "/attachments", "attach", login_required(attach), methods=["POST"])
    bp.add_url_rule(
        RECORD + "/attachments/<int:attachment_id>/delete",
        "detach",
        login_required(detach),
        methods=["POST"],
    )
    bp.add_app_template_global(attachment_card)
