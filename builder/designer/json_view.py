"""The JSON view: any document of the draft as text, for what the visual editors do not cover.

The page only renders; saving goes through the JSON API (``PUT .../documents/<path>``
with ``{"text", "revision"}``), which answers with lines for syntax errors and problems.
Also gives every builder page ``document_url``: where to fix a problem in a document, which is
the visual editor of its folder when one was discovered (``builder.designer.editors``).
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.frame import Editor
from builder.designer.lossy import designer_problems
from builder.drafts import document_path
from builder.json_lines import line_of
from builder.json_lines import pointer_lines
from builder.json_lines import pretty
from runtime.errors import BadInput

__all__ = ["document_url", "register"]


def document_url(editors: dict[str, Editor], app: str, path: str, pointer: str = "") -> str:
    """The visual editor of ``path`` (``editors`` by folder) if there is one, else its JSON view
    at ``pointer``."""
    folder, _, file = path.partition("/")
    if folder in editors:
        return url_for(editors[folder].endpoint, app=app, name=file[:-5])
    return json_url(app, path, pointer)


def json_url(app: str, path: str, pointer: str = "") -> str:
    return url_for("builder.json_view", app=app, path=path, **({"pointer": pointer} if pointer else {}))


def skeleton(path: str) -> dict:
    """A starting point for a new document, named after its file."""
    folder, _, file = path.partition("/")
    name = file[:-5]
    if folder == "forms":
        return {"entity": name, "layout": []}
    if folder == "entities":
        return {"name": name, "label": {"en": name.replace("_", " ").title()},
                "fields": [{"name": "name", "type": "text", "required": True}]}
    return {"name": name}


def json_open(app: str):
    """``?path=roles/sales_rep.json`` from the "new document" box: checked by the server's path rules."""
    path = request.args.get("path", "app.json").strip()
    try:
        document_path(path)
    except BadInput as err:
        flash(err.message, "danger")
        return redirect(json_url(app, request.args.get("from", "app.json")))
    return redirect(json_url(app, path))


def json_view(app: str, path: str):
    document_path(path)
    draft = open_app_draft(app)
    exists = path in draft.documents
    text = pretty(draft.documents[path] if exists else skeleton(path))
    with engine().connect() as conn:
        problems = designer_problems(conn, app, draft.source)
    lines = pointer_lines(text)
    mine = [{**p, "line": line_of(lines, p["pointer"])} for p in problems if p["file"] == path]
    jump = line_of(lines, request.args["pointer"]) if request.args.get("pointer") else None
    return render_template("builder/json_view.html", app=app, draft=draft, path=path, text=text, exists=exists,
                           revision=draft.revisions.get(path), problems=mine,  # a removed one's too
                           others=len(problems) - len(mine), jump=jump)


def register(bp: Blueprint, editors: list[Editor]) -> None:
    """``editors``: the discovered visual editors, which problems in their folders link to."""
    bp.add_url_rule("/<app>/json", "json_open", json_open)
    bp.add_url_rule("/<app>/json/<path:path>", "json_view", json_view)
    to_editor = partial(document_url, {editor.folder: editor for editor in editors})
    bp.context_processor(lambda: {"document_url": to_editor, "json_url": json_url})
