"""New and edit: the record form, saved through the record service in one transaction.

On a validation error the form comes back (422) with each message at its
field and the user's input kept. If someone else saved the record since the
form was opened, the user sees what they changed and decides: nothing is
overwritten silently (the version travels with the form).
"""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from runtime.api import context
from runtime.clock import utcnow
from runtime.errors import StaleVersion
from runtime.errors import ValidationFailed
from runtime.records.computed import session_variables
from runtime.records.defaults import apply_defaults
from runtime.records.files import store_upload
from runtime.records.titles import user_names
from runtime.storage.system import users
from runtime.web.i18n import translate
from runtime.web.screens.access import Screen
from runtime.web.screens.access import screen
from runtime.web.screens.conditions import FormJudge
from runtime.web.screens.conditions import typed_values
from runtime.web.screens.display import Display
from runtime.web.screens.display import title_of
from runtime.web.screens.forms import UPLOADS
from runtime.web.screens.forms import build_form_class
from runtime.web.screens.forms import editable
from runtime.web.screens.forms import form_values
from runtime.web.screens.forms import invalid_fields
from runtime.web.screens.forms import put_errors
from runtime.web.screens.layout import entity_layout
from runtime.web.screens.layout import read_only_fields
from runtime.web.screens.layout import without_fields
from runtime.web.screens.rules import browser_rules
from runtime.web.screens.timeline import timeline

__all__ = ["edit_record", "new_record"]

REQUIRED_MISSING = "Please fill in the required fields."  # shown through the catalog


def new_record(app: str, entity: str):
    if request.method == "POST":
        return _save(app, entity, None)
    s = screen(app, entity)
    form = _form_class(s)(formdata=None, data=_prefill(s))
    return _render(s, form, None)


def edit_record(app: str, entity: str, record_id: int):
    if request.method == "POST":
        return _save(app, entity, record_id)
    s = screen(app, entity)
    record = s.service.get(s.conn, app, entity, record_id, user_id=s.user_id)
    form = _form_class(s)(formdata=None, data=_form_data(record))
    return _render(s, form, record)


def _save(app: str, entity: str, record_id: int | None):
    """Write in one transaction; on a refusal it is rolled back and the form re-rendered from a fresh read."""
    form = None
    try:
        with context.engine().begin() as conn:
            s = screen(app, entity, conn)
            record = s.service.get(conn, app, entity, record_id, user_id=s.user_id) if record_id else None
            form = _form_class(s)()
            if not form.validate_on_submit():
                return _render(s, form, record, status=400)
            saved = _write(s, form, record)
    except ValidationFailed as err:
        s, record = _reread(app, entity, record_id)
        unplaced = put_errors(form, err.details if isinstance(err.details, dict) else {})
        return _render(s, form, record, status=422, error=translate(err.message, current_user.language), unplaced=unplaced)
    except StaleVersion:
        s, record = _reread(app, entity, record_id)
        return _render_conflict(s, form, record)
    flash(_saved_message(s, saved), "success")
    return redirect(url_for("web.record", app=app, entity=entity, record_id=saved["id"]))


def _reread(app: str, entity: str, record_id: int | None):
    s = screen(app, entity)
    return s, s.service.get(s.conn, app, entity, record_id, user_id=s.user_id) if record_id else None


def _write(s: Screen, form, record: dict | None) -> dict:
    data = form_values(s.entity, form, s.registry)
    data.update(_uploads(s, form, record))
    layout = without_fields(entity_layout(s.app, s.entity), s.hidden)
    judge = FormJudge(s.conn, s.registry, s.entity, typed_values(s.entity, {**(record or {}), **data}),
                      session_variables(s.user_id, utcnow()))
    for name in judge.hidden_fields(layout):
        data.pop(name, None)  # not shown, so not the user's input: keep what is stored
    missing = {slot.field.name: "required" for block in layout for slot in block.all_slots()
               if slot.required_when and judge.required(slot) and slot.field.name in data
               and data[slot.field.name] in (None, [], "")}
    if missing:
        raise ValidationFailed(REQUIRED_MISSING, details=missing)
    if record is None:
        return s.service.create(s.conn, s.app.name, s.entity.name, data, s.user_id)
    version = int(form.version.data) if (form.version.data or "").isdigit() else -1
    return s.service.update(s.conn, s.app.name, s.entity.name, record["id"], data, s.user_id, version)


def _uploads(s: Screen, form, record: dict | None) -> dict:
    """New uploads stored now (same transaction); no upload keeps the files, "remove" empties the field.
    Upload fields without an input (locked or read-only) keep what is stored, as other fields do."""
    settings = context.settings()
    out = {}
    for field in s.entity.fields:
        if field.type not in UPLOADS or field.name not in form:
            continue
        chosen = [f for f in request.files.getlist(field.name) if f and f.filename]
        if chosen:
            stored = [store_upload(s.conn, settings.files_dir, s.registry, s.app.name, s.entity.name, field.name,
                                   f.stream, f.filename, user_id=s.user_id) for f in chosen]
            kept = (record or {}).get(field.name) or [] if field.opt("multiple") else []
            out[field.name] = [{"id": d["id"]} for d in [*kept, *stored]]
        elif request.form.get(f"{field.name}__remove") or record is None:
            out[field.name] = None
    return out


def _form_class(s: Screen):
    """Fields the user may not change and the layout's read-only ones get no input, so a value
    posted for them anyway is never read (the record keeps its value, a new one its default)."""
    locked = s.locked | read_only_fields(entity_layout(s.app, s.entity))
    return build_form_class(s.entity, s.registry, current_user.language, _users(s.conn), locked=locked)


def _users(conn) -> list[tuple[int, str]]:
    rows = conn.execute(select(users.c.id, users.c.display_name, users.c.email)
                        .where(users.c.is_active.is_(True)).order_by(users.c.display_name, users.c.email))
    return [(r.id, r.display_name or r.email) for r in rows]


def _prefill(s: Screen) -> dict:
    """Defaults, then values passed in the URL (``?account=5`` from an account's related list)."""
    data = _defaults(s.entity, s.user_id)
    for field in s.entity.fields:
        if field.name in request.args and editable(field) and field.type not in UPLOADS | {"table"}:
            data[field.name] = request.args.get(field.name, "")[:500]
    return data


def _defaults(entity, user_id: int) -> dict:
    """Each field's default as form input text ($me, $today and $now resolved now)."""
    data = apply_defaults(entity, {}, user_id, utcnow())
    return {k: v if isinstance(v, (bool, list)) else str(v) for k, v in data.items()}


def _form_data(record: dict) -> dict:
    """A stored record as WTForms data: ids and numbers as text, child rows as lists of dicts."""
    out = {}
    for key, value in record.items():
        if isinstance(value, list) and value and isinstance(value[0], dict) and "id" in value[0] and "name" not in value[0]:
            out[key] = [{k: _as_input(v) for k, v in row.items()} for row in value]
        else:
            out[key] = _as_input(value)
    out["version"] = str(record["version"])
    return out


def _as_input(value):
    if value is None or isinstance(value, (bool, list)):
        return value
    return str(value)[:16] if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T" else str(value)


def _render(s: Screen, form, record: dict | None, *, status: int = 200, error: str | None = None,
            unplaced: dict | None = None, conflict=None):
    layout = without_fields(entity_layout(s.app, s.entity), s.hidden)
    values = record or apply_defaults(s.entity, {}, s.user_id, utcnow())  # what fields without inputs show
    typed_links = {f.name: _int(form[f.name].data) for f in s.entity.fields if f.type == "link" and f.name in form}
    display = s.display(s.entity, [values, typed_links])
    field_rules, section_rules = browser_rules(s.registry, s.entity, layout, [n for n in form._fields])
    row_forms = {f.name: (form[f.name], _defaults(s.registry.target(s.entity, f.opt("target"))[0], s.user_id))
                 for f in s.entity.fields if f.type == "table" and f.name in form}
    return render_template(
        "web/form.html", s=s, form=form, r=record, layout=layout, error=error,
        form_rules=field_rules, section_rules=section_rules,
        blank_row=lambda name: _blank_row(*row_forms[name]), link_title=lambda f, v: _link_title(display, f, v),
        unplaced=unplaced or {}, conflict=conflict, title=title_of(s.entity, record) if record else None,
        display=display, values=values, invalid=invalid_fields(form), children=_shown_tables(s, form, values),
        variables={"me": s.user_id, "today": utcnow().date().isoformat(), "now": utcnow().isoformat()},
    ), status


def _shown_tables(s: Screen, form, values: dict) -> dict:
    """Child tables without inputs (read-only or locked), shown as the record page shows them."""
    out = {}
    for field in s.entity.fields:
        if field.type == "table" and field.name not in form:
            child, _table = s.registry.target(s.entity, field.opt("target"))
            out[field.name] = (child, s.display(child, values.get(field.name) or []))
    return out


def _blank_row(rows, defaults: dict):
    """A new child row named ``<field>-__index__-<name>`` with the child's defaults;
    the browser numbers it when adding."""
    row = rows.unbound_field.bind(form=None, name="__index__", prefix=f"{rows.name}-", _meta=rows.meta)
    row.process(None)
    for name, value in defaults.items():
        if name in row.form:
            row.form[name].data = value
    return row.form


def _link_title(display: Display, field, value) -> str:
    record_id = _int(value)
    return display.link_title(field, record_id)[0] if record_id else ""


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _render_conflict(s: Screen, form, record: dict):
    """Someone saved first: show their changes since the version this form started from."""
    started = int(form.version.data) if (form.version.data or "").isdigit() else 0
    newer = record["version"] - started
    updates = [h for h in s.service.history(s.conn, s.app.name, s.entity.name, record["id"])
               if h["action"] == "update"]
    entries = updates[-newer:] if newer > 0 else []
    names = user_names(s.conn, {h["user_id"] for h in entries})
    form.version.data = str(record["version"])  # saving again now is a deliberate choice
    events = timeline(s.entity, entries, names, current_user.language)
    return _render(s, form, record, status=409, conflict=events)


def _saved_message(s: Screen, record: dict) -> str:
    return translate("Saved {title}.", current_user.language, title=title_of(s.entity, record))
