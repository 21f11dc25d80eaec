"""Bulk actions on the records selected in a list: set a field, export, delete — all or nothing."""

from __future__ import annotations

from flask import Response
from flask import flash
from flask import redirect
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_login import current_user

from runtime.api import context
from runtime.errors import BadInput
from runtime.errors import MetacrmError
from runtime.records.exporting import export_csv
from runtime.records.exporting import user_rights
from runtime.security import audit
from runtime.storage.engine import read_only
from runtime.web.auth import safe_next
from runtime.web.i18n import translate
from runtime.web.screens.access import screen
from runtime.web.screens.forms import editable

__all__ = ["MAX_SELECTED", "bulk"]

MAX_SELECTED = 500


def bulk(app: str, entity: str):
    ids = _selected_ids()
    back = safe_next(request.form.get("back")) or url_for("web.records", app=app, entity=entity)
    action = request.form.get("action")
    if not ids:
        flash(_t("Select at least one record first."), "warning")
        return redirect(back)
    if action == "export":
        return _export(app, entity, ids)
    try:
        with context.engine().begin() as conn:
            s = screen(app, entity, conn)
            if action == "delete":
                for record_id in ids:
                    s.service.delete(conn, app, entity, record_id, s.user_id)
                message = _t("Moved {n} records to the recycle bin.", n=len(ids))
            elif action == "edit":
                field = _bulk_field(s.entity, request.form.get("field", ""))
                value = request.form.get("value", "").strip() or None
                for record_id in ids:
                    version = s.service.get(conn, app, entity, record_id, user_id=s.user_id)["version"]
                    s.service.update(conn, app, entity, record_id, {field: value}, s.user_id, version)
                message = _t("Updated {n} records.", n=len(ids))
            else:
                raise BadInput(f"unknown bulk action {action!r}")
    except MetacrmError as err:  # one bad record stops the whole batch; nothing was changed
        flash(_t("Nothing was changed: {problem}", problem=_problem(err)), "danger")
        return redirect(back)
    flash(message, "success")
    return redirect(back)


def _selected_ids() -> list[int]:
    ids = []
    for raw in request.form.getlist("ids"):
        if raw.isdigit() and len(raw) < 19 and int(raw) not in ids:
            ids.append(int(raw))
    if len(ids) > MAX_SELECTED:
        raise BadInput(f"select at most {MAX_SELECTED} records at once")
    return ids


def _bulk_field(entity, name: str) -> str:
    if not entity.has_field(name) or not editable(entity.field(name)) or entity.field(name).type in (
            "table", "file", "image", "multiselect"):
        raise BadInput(f"{name!r} cannot be set in bulk")
    return name


def _export(app: str, entity: str, ids: list[int]) -> Response:
    """Streamed on its own connection: the request's one is closed before the body is sent."""
    s = screen(app, entity)
    where = f"id in [{', '.join(map(str, ids))}]"
    registry, user_id, language = s.registry, s.user_id, current_user.language
    with context.engine().begin() as conn:
        audit.record(conn, "records_exported", current_user.id, current_user.email, request.remote_addr,
                     {"app": app, "entity": entity, "rows": len(ids), "user": current_user.email})

    def chunks():
        with read_only(context.engine().connect()) as conn:
            rights = user_rights(conn, registry, app, entity, user_id)
            yield from export_csv(conn, registry, app, entity, language=language, where=where, user_id=user_id,
                                  **rights)

    headers = {"Content-Disposition": f'attachment; filename="{entity}-selected.csv"'}
    return Response(stream_with_context(chunks()), mimetype="text/csv; charset=utf-8", headers=headers)


def _problem(err: MetacrmError) -> str:
    details = err.details if isinstance(err.details, dict) else {}
    return "; ".join(f"{k}: {v}" for k, v in list(details.items())[:3]) or err.message


def _t(text: str, **params) -> str:
    return translate(text, current_user.language, **params)
