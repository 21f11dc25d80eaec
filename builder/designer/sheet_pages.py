"""The "import a sheet as an entity" wizard: upload, preview and adjust the fields, create in one step.

Create checks every row before anything changes (see ``builder.sheet_import``),
then publishes the draft with the new entity and imports the rows. The form
re-sends every field choice, so the preview can be redrawn with the admin's
edits without keeping state on the server beyond the uploaded file.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.context import publisher
from builder.designer.sheet_form import FIELD_TYPES
from builder.designer.sheet_form import read_choices
from builder.designer.sheet_store import SheetStore
from builder.drafts import discard_draft
from builder.drafts import load_draft
from builder.drafts import save_document
from builder.publish import publish
from builder.sheet_import import Column
from builder.sheet_import import check_rows
from builder.sheet_import import entity_problems
from builder.sheet_import import failure_lines
from builder.sheet_import import import_rows
from builder.sheet_import import pending_changes
from builder.sheet_import import preview_rows
from builder.sheet_import import widen_options
from builder.sheet_infer import propose_file
from runtime.errors import BadInput
from runtime.errors import Conflict
from runtime.errors import MetacrmError
from runtime.security.freshness import fresh_required

__all__ = ["register"]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")


def _store() -> SheetStore:
    return SheetStore(current_app.extensions["metacrm"]["settings"].files_dir)


def upload_form(app: str):
    return render_template("builder/sheet_upload.html", app=app, draft=open_app_draft(app),
                           max_mb=MAX_UPLOAD_BYTES >> 20, error=None)


def upload(app: str):
    draft = open_app_draft(app)
    sheet = request.files.get("sheet")
    suffix = Path(sheet.filename).suffix.lower() if sheet and sheet.filename else ""
    if suffix not in SUFFIXES:
        message = "Choose a .csv or .xlsx file." if not suffix else f"{suffix} files cannot be imported; use .csv or .xlsx."
        return _upload_error(app, draft, message)
    store = _store()
    token = store.save(sheet.stream, Path(sheet.filename).name, suffix, app, current_user.id)
    try:
        path, meta = store.open(token, app, current_user.id)
        propose_file(path, meta["filename"])
    except BadInput as err:
        store.remove(token)
        return _upload_error(app, draft, err.message)
    return redirect(url_for("builder.sheet_preview", app=app, token=token))


def _upload_error(app: str, draft, message: str):
    return render_template("builder/sheet_upload.html", app=app, draft=draft, max_mb=MAX_UPLOAD_BYTES >> 20,
                           error=message), 400


@fresh_required  # creating the entity publishes and imports: a recent sign-in first
def preview(app: str, token: str):
    """GET: the proposal as inferred. POST: the admin's edits, redrawn or created."""
    path, meta = _store().open(token, app, current_user.id)
    draft = open_app_draft(app)
    proposal = propose_file(path, meta["filename"], _taken(draft))
    choices = read_choices(request.form if request.method == "POST" else None, proposal)
    creating = request.form.get("action") == "create"
    # options from every row only on create: a redraw should not read the whole file
    entity_json = widen_options(path, choices.entity, choices.columns) if creating else choices.entity
    state = _check(app, draft, entity_json)
    entity = state.pop("entity")
    if creating and entity is not None and not state["error"]:
        state["row_check"] = check_rows(path, entity, choices.columns, current_user.id)
        if not state["row_check"].errors and _confirmed(draft, state):
            return _create(app, token, entity_json, choices.columns, path)
    rows = preview_rows(entity, proposal.rows, choices.columns) if entity else []
    return render_template("builder/sheet_preview.html", app=app, draft=draft, token=token, meta=meta,
                           proposal=proposal, choices=choices, rows=rows, types=FIELD_TYPES, **state)


def _check(app: str, draft, entity_json: dict) -> dict:
    """The draft with the entity added: a taken name, validator problems, other unpublished changes."""
    path = f"entities/{entity_json['name']}.json"
    with engine().connect() as conn:
        problems, entity = entity_problems(conn, app, {**draft.source, path: entity_json}, path)
        pending = [p for p in pending_changes(conn, app, draft.documents) if p != path]
    error = None
    if path in draft.documents:
        error = f"The app already has an entity named {entity_json['name']}; choose another name."
    return {"problems": problems, "entity": entity, "pending": pending, "error": error, "row_check": None}


def _confirmed(draft, state: dict) -> bool:
    """Other unpublished changes go live only when the admin ticked them, as listed on this very draft."""
    answer = request.form.get("confirm_pending")
    if not state["pending"] or answer == draft.fingerprint:
        return True
    if answer is not None:
        state["error"] = "The draft changed meanwhile; check the list of other changes and confirm again."
    return False


def _taken(draft) -> set[str]:
    return {p[len("entities/"):-len(".json")] for p in draft.documents if p.startswith("entities/")}


def _create(app: str, token: str, entity_json: dict, columns: list[Column], path: Path):
    """Add the entity to the draft and publish the draft; on refusal take the entity out again."""
    name = entity_json["name"]
    doc = f"entities/{name}.json"
    with engine().begin() as conn:
        before = load_draft(conn, app)
        if doc in before.documents:  # added by someone else since the preview
            raise Conflict(f"The app already has an entity named {name}; choose another name.")
        save_document(conn, app, doc, entity_json, before.revisions.get(doc), current_user.id)
        draft = load_draft(conn, app)
    try:
        publish(engine(), draft.source, **publisher())
    except MetacrmError as err:
        with engine().begin() as conn:
            save_document(conn, app, doc, None, draft.revisions[doc], current_user.id)
        flash(f"Nothing was created: {err.message}", "danger")
        return redirect(url_for("builder.sheet_preview", app=app, token=token))
    with engine().begin() as conn:
        latest = load_draft(conn, app)
        if latest is not None and latest.fingerprint == draft.fingerprint:  # else keep what others saved meanwhile
            discard_draft(conn, app)
    store = _store()
    _path, meta = store.open(token, app, current_user.id)
    store.write_meta(token, {**meta, "entity": name, "columns": [c.__dict__ for c in columns]})
    return _import(app, token, name, columns, path)


def _import(app: str, token: str, name: str, columns, path: Path):
    try:
        report = import_rows(engine(), app, name, path, columns, user_id=current_user.id,
                             language=current_user.language)
    except MetacrmError as err:
        return render_template("builder/sheet_failed.html", app=app, draft=open_app_draft(app), token=token,
                               entity=name, lines=failure_lines(err)), 422
    _store().remove(token)
    flash(f"Created {name} and imported {report['created']} records.", "success")
    return redirect(f"/a/{app}/{name}")


@fresh_required  # imports into the new entity
def retry(app: str, token: str):
    """Run the import again into the entity published earlier (its file was kept for this)."""
    path, meta = _store().open(token, app, current_user.id)
    if "entity" not in meta:
        return redirect(url_for("builder.sheet_preview", app=app, token=token))
    return _import(app, token, meta["entity"], [Column(**c) for c in meta["columns"]], path)


def _raise_upload_limit(endpoint, _values) -> None:
    """Sheets are bigger than the app-wide body limit; raised before CSRF reads the form."""
    if endpoint == "builder.sheet_upload" and request.method == "POST":
        request.max_content_length = MAX_UPLOAD_BYTES


def register(bp: Blueprint) -> None:
    bp.url_value_preprocessor(_raise_upload_limit)
    bp.add_url_rule("/<app>/import-sheet", "sheet_upload_form", upload_form)
    bp.add_url_rule("/<app>/import-sheet", "sheet_upload", upload, methods=["POST"])
    bp.add_url_rule("/<app>/import-sheet/<token>", "sheet_preview", preview, methods=["GET", "POST"])
    bp.add_url_rule("/<app>/import-sheet/<token>/retry", "sheet_retry", retry, methods=["POST"])
