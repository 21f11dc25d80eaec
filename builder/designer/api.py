"""JSON endpoints the designer pages call: the draft, saving one document, field types, formulas.

Saves name the revision they started from (see ``builder.drafts``); a 409
carries both versions so the page can show them side by side. CSRF comes in
the ``X-CSRFToken`` header, which flask-wtf checks for every POST/PUT/DELETE.
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import jsonify
from flask import request
from flask_login import current_user

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.formulas import check_formula
from builder.designer.lossy import designer_problems
from builder.designer.type_changes import convertible_types
from builder.drafts import save_document
from builder.json_lines import line_of
from builder.json_lines import pointer_lines
from runtime.errors import BadInput
from runtime.errors import ValidationFailed
from runtime.fieldtypes import get_type
from runtime.fieldtypes import type_names
from runtime.metadata.jsondoc import parse_json

__all__ = ["register"]


def draft(app: str):
    found = open_app_draft(app)
    with engine().connect() as conn:
        problems = designer_problems(conn, app, found.source)
    return jsonify({"app": app, "base_version": found.base_version, "documents": found.documents,
                    "revisions": found.revisions, "problems": problems})


def put_document(app: str, path: str):
    """Body ``{"document": {...} | null, "revision": n | null}`` or ``{"text": "...", "revision": n}``
    (the JSON view: syntax errors come back with their line, and problems carry lines too)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not ({"document", "text"} & set(body)):
        raise BadInput('send {"document": ..., "revision": ...}')
    text = body.get("text")
    document = _parse_text(path, text) if text is not None else body.get("document")
    revision = body.get("revision")
    if revision is not None and not isinstance(revision, int):
        raise BadInput("revision must be a number or null")
    with engine().begin() as conn:
        new_revision = save_document(conn, app, path, document, revision, current_user.id)
    found = open_app_draft(app)
    with engine().connect() as conn:
        problems = designer_problems(conn, app, found.source)
    lines = pointer_lines(text) if text is not None else None
    for problem in problems:
        if lines is not None and problem["file"] == path:
            problem["line"] = line_of(lines, problem["pointer"])
    return jsonify({"path": path, "revision": new_revision, "problems": problems})


def field_types():
    """The palette: every field type with the JSON Schema of its options and the types a field
    of it can be changed to."""
    types = [{"name": n, "computed": get_type(n).computed, "schema": get_type(n).options_schema(),
              "becomes": list(convertible_types(n))} for n in type_names()]
    return jsonify({"data": types})


def formula(app: str):
    """``{"entity", "expression", "sample"?}`` -> its type or the error's position, names to
    complete, and the value on a sample record."""
    body = request.get_json(silent=True) or {}
    found = open_app_draft(app)
    return jsonify(check_formula(found.source, str(body.get("entity", "")), str(body.get("expression", "")),
                                 body.get("sample") if isinstance(body.get("sample"), dict) else None))


def _parse_text(path: str, text) -> object:
    if not isinstance(text, str):
        raise BadInput("text must be a string")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"line {exc.lineno}, column {exc.colno}: {exc.msg}",
                               details={"line": exc.lineno, "col": exc.colno}) from None
    document, problems = parse_json(path, text.encode("utf-8"))
    if problems:  # duplicate keys and the like: refuse rather than silently keep one of them
        lines = pointer_lines(text)
        first = problems[0]
        raise ValidationFailed(str(first), details={"line": line_of(lines, first.pointer), "col": 1})
    return document


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/api/fieldtypes", "api_field_types", field_types)
    bp.add_url_rule("/api/<app>/draft", "api_draft", draft)
    bp.add_url_rule("/api/<app>/documents/<path:path>", "api_document", put_document, methods=["PUT"])
    bp.add_url_rule("/api/<app>/formula", "api_formula", formula, methods=["POST"])
