"""The roles editor: what each role may do with each entity of the app, and how open each field is.

A role is ``roles/<name>.json`` (DESIGN §3 Role, ``role.schema.json``). The page is drawn by
``static/js/builder/role-editor.js`` from ``data-state`` and saves the document through the draft
API with the revision it was opened at, so a second admin's save is a conflict as in the other
designers. Row rules are checked by the shared formula endpoint (a condition, BOOLEAN); problems
from validation come with the page and every save, pinned by their pointer.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.frame import Editor
from builder.designer.new_document import new_document_page
from builder.preview import draft_problems
from runtime.security.sensitive import SENSITIVE_TYPES

__all__ = ["EDITOR", "ORDER", "register"]

EDITOR = Editor("roles", "Roles", "builder.role_editor", "builder.new_role")
ORDER = 30


def role_list(app: str):
    draft = open_app_draft(app)
    roles = [(path[6:-5], doc) for path, doc in sorted(draft.documents.items())
             if path.startswith("roles/") and isinstance(doc, dict)]
    return render_template("builder/role_list.html", app=app, draft=draft, roles=roles)


def role_page(app: str, name: str):
    draft = open_app_draft(app)
    path = f"roles/{name}.json"
    document = draft.documents.get(path)
    if not isinstance(document, dict):
        abort(404, description=f"The draft of {app} has no role {name}.")
    with engine().connect() as conn:
        problems = [p for p in draft_problems(conn, app, draft.source) if p["file"] == path]
    state = {"app": app, "path": path, "revision": draft.revisions.get(path), "document": document,
             "entities": _entities(draft.documents), "problems": problems}
    return render_template("builder/role.html", app=app, draft=draft, name=name, role=document, state=state)


def _entities(documents: dict) -> list[dict]:
    """This app's entities as the editor lists them: their fields, which are sensitive."""
    found = []
    for path, doc in sorted(documents.items()):
        if not (path.startswith("entities/") and isinstance(doc, dict)):
            continue
        name = path[9:-5]
        fields = [{"name": f.get("name"), "label": f.get("label"), "type": f.get("type"),
                   "sensitive": f.get("type") in SENSITIVE_TYPES and bool(f.get("sensitive"))}
                  for f in doc.get("fields", []) if isinstance(f, dict) and isinstance(f.get("name"), str)]
        found.append({"name": name, "label": doc.get("label"), "fields": fields})  # labels localized in the page
    return found


def new_role(app: str):
    """GET the form; POST creates ``roles/<name>.json`` granting nothing yet."""
    def build(name: str, labels: dict) -> dict:
        return {"name": name, **({"label": labels} if labels else {}), "entities": {}}
    return new_document_page(app, "roles", "a role", "builder/role_new.html", build,
                             "builder.role_editor")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/<app>/roles/", "role_list", role_list)
    bp.add_url_rule("/<app>/roles/new", "new_role", new_role, methods=["GET", "POST"])
    bp.add_url_rule("/<app>/roles/<name>", "role_editor", role_page)
