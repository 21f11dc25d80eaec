"""The entity designer: the page that edits one ``entities/<name>.json`` and the form that adds one.

The page itself is drawn by ``static/js/builder/entity-designer.js`` from the draft API; this
module serves its frame, creates new entities, and checks formulas against the entity *as
edited* (the shared formula endpoint only sees what was saved, so a field added a moment ago
would be "unknown" there).
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import render_template
from flask import request

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.formulas import check_formula
from builder.designer.frame import Editor
from builder.designer.new_document import new_document_page
from runtime.storage.catalog import installed_apps

__all__ = ["EDITOR", "ORDER", "register"]

EDITOR = Editor("entities", "Entities", "builder.entity", "builder.new_entity")
ORDER = 10


def designer(app: str, name: str):
    draft = open_app_draft(app)
    if f"entities/{name}.json" not in draft.documents:
        abort(404, description=f"The draft of {app} has no entity {name}.")
    return render_template("builder/entity.html", app=app, name=name, draft=draft,
                           other_entities=_other_apps_entities(app))


def new_entity(app: str):
    """GET the form; POST creates ``entities/<name>.json`` with a required text "name" as its title."""
    return new_document_page(app, "entities", "an entity", "builder/new_entity.html", _starter_entity,
                             "builder.entity")


def entity_formula(app: str, name: str):
    """Like the shared formula endpoint, but on ``document`` (the unsaved entity) in place of the saved one."""
    body = request.get_json(silent=True) or {}
    source = open_app_draft(app).source
    if isinstance(body.get("document"), dict):
        source[f"entities/{name}.json"] = body["document"]
    sample = body.get("sample") if isinstance(body.get("sample"), dict) else None
    return jsonify(check_formula(source, name, str(body.get("expression", "")), sample))


def _starter_entity(name: str, labels: dict) -> dict:
    return {"name": name, "label": labels or {"en": name}, "title_field": "name",
            "fields": [{"name": "name", "type": "text", "label": {"en": "Name", "zh": "名称"},
                        "required": True}]}


def _other_apps_entities(app: str) -> list[dict]:
    """Link targets outside this app, as ``{"value": "crm.account", "app", "label"}``."""
    with engine().connect() as conn:
        apps = installed_apps(conn)
    return [{"value": f"{a['name']}.{e['name']}", "app": a["name"], "label": e["label"]}
            for a in apps if a["name"] != app for e in a["entities"]]


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/<app>/entities/new", "new_entity", new_entity, methods=["GET", "POST"])
    bp.add_url_rule("/<app>/entities/<name>", "entity", designer)
    bp.add_url_rule("/api/<app>/entities/<name>/formula", "api_entity_formula", entity_formula, methods=["POST"])
