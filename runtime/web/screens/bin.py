"""Delete, restore and the recycle bin: nothing a user deletes on screen is gone for good."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from runtime.api import context
from runtime.errors import StaleVersion
from runtime.web.i18n import translate
from runtime.web.screens.access import screen
from runtime.web.screens.display import title_of

__all__ = ["bin_view", "delete_record", "purge_record", "restore_record"]

BIN_ROWS = 200


def delete_record(app: str, entity: str, record_id: int):
    version = request.form.get("version", "")
    with context.engine().begin() as conn:
        s = screen(app, entity, conn)
        record = s.service.get(conn, app, entity, record_id, user_id=s.user_id)
        try:
            s.service.delete(conn, app, entity, record_id, s.user_id,
                             expected_version=int(version) if version.isdigit() else None)
        except StaleVersion:
            conn.rollback()
            flash(_t("Someone changed this record since you opened it. Look at it again before deleting."), "warning")
            return redirect(url_for("web.record", app=app, entity=entity, record_id=record_id))
    flash(_t("Moved {title} to the recycle bin.", title=title_of(s.entity, record)), "success")
    return redirect(url_for("web.records", app=app, entity=entity))


def restore_record(app: str, entity: str, record_id: int):
    with context.engine().begin() as conn:
        s = screen(app, entity, conn)
        record = s.service.restore(conn, app, entity, record_id, s.user_id)
    flash(_t("Restored {title}.", title=title_of(s.entity, record)), "success")
    return redirect(url_for("web.record", app=app, entity=entity, record_id=record_id))


def purge_record(app: str, entity: str, record_id: int):
    with context.engine().begin() as conn:
        s = screen(app, entity, conn)
        s.service.purge(conn, app, entity, record_id, s.user_id, is_admin=current_user.is_admin)
    flash(_t("Deleted for good."), "success")
    return redirect(url_for("web.bin", app=app, entity=entity))


def bin_view(app: str, entity: str):
    s = screen(app, entity)
    rows = s.service.list_deleted(s.conn, app, entity, limit=BIN_ROWS)
    display = s.display(s.entity, rows)
    return render_template("web/bin.html", s=s, rows=rows, display=display, title_of=title_of)


def _t(text: str, **params) -> str:
    return translate(text, current_user.language, **params)
