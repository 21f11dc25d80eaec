"""The form layout designer: sections, tabs and columns of an entity's form, with a live preview.

A form is ``forms/<entity>.json``. An entity without one is shown with the
layout the runtime would generate (``runtime/web/screens/layout.py``), and the
document is created on the first save. The preview evaluates conditions with
the runtime's own browser code, fed by the trees the ``conditions`` route builds.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import render_template
from flask import request

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.frame import Editor
from builder.preview import draft_problems
from runtime.clock import utcnow
from runtime.errors import MetacrmError
from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions.tree import to_tree
from runtime.metadata.model import build_app
from runtime.metadata.model import label_of
from runtime.metadata.scope import EntityScope
from runtime.web.screens.forms import NO_INPUT
from runtime.web.screens.layout import COMPUTED

__all__ = ["EDITOR", "ORDER", "default_layout", "register"]

EDITOR = Editor("forms", "Forms", "builder.form_layout", "builder.form_list")
ORDER = 20
#: The most conditions one preview asks trees for (each is parsed and checked).
MAX_CONDITIONS = 200


def default_layout(entity: dict) -> list[dict]:
    """What ``entity_layout`` generates for an entity without a form: its plain fields in one
    two-column section, each child table on its own tab; hidden fields left out."""
    fields = [f for f in entity.get("fields", []) if isinstance(f, dict) and not f.get("hidden")]
    plain = [f["name"] for f in fields if f.get("type") != "table"]
    layout = [{"section": _label(entity), "columns": 2, "fields": plain}] if plain else []
    return layout + [{"tab": _label(f), "fields": [f["name"]]} for f in fields if f.get("type") == "table"]


def _label(document: dict):
    """The label as the document wrote it, else its name, as ``label_of`` falls back on screens."""
    label = document.get("label")
    return label if label and isinstance(label, (str, dict)) else document.get("name", "")


def form_list(app: str):
    draft = open_app_draft(app)
    entities = [(path[9:-5], doc) for path, doc in sorted(draft.documents.items())
                if path.startswith("entities/") and isinstance(doc, dict)]
    forms = {doc.get("entity"): path[6:-5] for path, doc in draft.documents.items()
             if path.startswith("forms/") and isinstance(doc, dict)}
    return render_template("builder/form_list.html", app=app, draft=draft, entities=entities, forms=forms)


def form_layout(app: str, name: str):
    """``name`` is a form document's name (usually its entity's) or an entity still without a form."""
    draft = open_app_draft(app)
    path = f"forms/{name}.json"
    document = draft.documents.get(path)
    entity_name = document.get("entity", name) if isinstance(document, dict) else name
    entity = draft.documents.get(f"entities/{entity_name}.json")
    if not isinstance(entity, dict):
        abort(404, description=f"No entity {entity_name!r} in this app.")
    if not isinstance(document, dict):
        document = {"entity": entity_name, "layout": default_layout(entity)}
    with engine().connect() as conn:
        problems = [p for p in draft_problems(conn, app, draft.source) if p["file"] == path]
    state = {"app": app, "path": path, "revision": draft.revisions.get(path), "document": document,
             "entity": entity_name, "fields": [_field_info(f) for f in entity.get("fields", []) if isinstance(f, dict)],
             "problems": problems, "vars": _variables()}
    return render_template("builder/form_layout.html", app=app, draft=draft, name=name, entity=entity,
                           state=state)


def _field_info(field: dict) -> dict:
    """What the palette and the preview need of a field: its input kind and choices."""
    return {"name": field.get("name"), "type": field.get("type"), "label": label_of(field.get("label"), field.get("name")),
            "required": bool(field.get("required")), "hidden": bool(field.get("hidden")),
            "input": field.get("type") not in NO_INPUT and not field.get("hidden"),
            "computed": field.get("type") in COMPUTED, "default": _literal_default(field.get("default")),
            "options": [{"value": o.get("value"), "label": label_of(o.get("label"), str(o.get("value")))}
                        for o in field.get("options", []) if isinstance(o, dict)]}


def _literal_default(value):
    """A default the preview can show as typed; ``$me`` / ``$today`` are resolved only on real forms."""
    return None if isinstance(value, str) and value.startswith("$") else value


def _variables() -> dict:
    """Session variables for the preview's conditions, as the record form passes them."""
    now = utcnow()
    return {"me": 0, "today": now.date().isoformat(), "now": now.isoformat()}


def conditions(app: str, name: str):
    """``{"expressions": [...]}`` -> ``{"trees": {expression: tree | null}}`` for the preview; null
    where the browser cannot judge it (bad, or read through a link), as on the real form."""
    body = request.get_json(silent=True) or {}
    sources = [s for s in body.get("expressions", []) if isinstance(s, str)][:MAX_CONDITIONS]
    draft = open_app_draft(app)
    try:
        built = build_app(draft.source)
        entity = built.entity(str(body.get("entity", name)))
    except (MetacrmError, KeyError, TypeError, ValueError):
        return jsonify({"trees": {s: None for s in sources}})
    scope = EntityScope(built, entity)
    inputs = [f.name for f in entity.fields if f.type not in NO_INPUT and not f.opt("hidden", False)]
    return jsonify({"trees": {s: _tree(s, scope, inputs) for s in sources}})


def _tree(source: str, scope, inputs) -> dict | None:
    try:
        return to_tree(source, scope, inputs)
    except ExpressionError:
        return None


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/<app>/forms/", "form_list", form_list)
    bp.add_url_rule("/<app>/forms/<name>", "form_layout", form_layout)
    bp.add_url_rule("/<app>/forms/<name>/conditions", "form_conditions", conditions, methods=["POST"])

