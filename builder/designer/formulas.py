"""The formula editor's server side: check an expression on a draft entity, list what can be
typed next, and compute it on a sample record with the same evaluator publish and records use."""

from __future__ import annotations

from typing import Any

from runtime.clock import utcnow
from runtime.errors import MetacrmError
from runtime.metadata.expressions import FUNCTIONS
from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import check
from runtime.metadata.expressions import compile_python
from runtime.metadata.expressions import parse
from runtime.metadata.model import build_app
from runtime.metadata.scope import EntityScope
from runtime.records.computed import session_variables
from runtime.records.serialize import json_value
from runtime.web.screens.conditions import typed_values

__all__ = ["check_formula", "completions"]

VARIABLES = ("$me", "$today", "$now")


def check_formula(source: dict, entity: str, expression: str, sample: dict | None) -> dict:
    """``{"ok", "type", "error": {line, col, message}, "completions", "preview"}``."""
    try:
        app = build_app(source)
        ent = app.entity(entity)
    except (MetacrmError, KeyError, TypeError, ValueError):
        return {"ok": False, "error": {"line": 1, "col": 1, "message": f"no entity {entity!r} in the draft"},
                "completions": []}
    scope = EntityScope(app, ent)
    result: dict[str, Any] = {"completions": completions(app, ent)}
    try:
        expr = parse(expression)
        result_type = check(expr, scope)
    except ExpressionError as err:
        line, col = err.position
        return {**result, "ok": False, "error": {"line": line, "col": col, "message": err.reason}}
    result.update(ok=True, type=str(result_type))
    if sample is not None:
        result["preview"] = _preview(expr, scope, ent, sample)
    return result


def completions(app, entity) -> list[dict]:
    """Fields (and one step through each link), variables and functions, for autocompletion."""
    items = [{"text": f.name, "kind": "field", "type": f.type, "label": f.label} for f in entity.fields
             if f.type != "table"]
    for link in (f for f in entity.fields if f.type == "link"):
        target = link.opt("target", "")
        if "." not in target and app.has_entity(target):
            items += [{"text": f"{link.name}.{f.name}", "kind": "field", "type": f.type, "label": f.label}
                      for f in app.entity(target).fields if f.type not in ("table", "link")]
    items += [{"text": v, "kind": "variable"} for v in VARIABLES]
    items += [{"text": f"{name}(", "kind": "function"} for name in sorted(FUNCTIONS)]
    return items


def _preview(expr, scope, entity, sample: dict) -> dict:
    values = typed_values(entity, {k: v for k, v in sample.items() if isinstance(k, str)})
    try:
        value = compile_python(expr, scope)(lambda path: values.get(path[0]) if len(path) == 1 else None,
                                            session_variables(None, utcnow()))
    except ExpressionError as err:
        return {"error": err.reason}
    return {"value": json_value(value)}
