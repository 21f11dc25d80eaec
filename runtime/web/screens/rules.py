"""The form's conditions as JSON trees for the browser (static/js/form-rules.js) to preview live."""

from __future__ import annotations

import json
from collections.abc import Collection

from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions.tree import to_tree
from runtime.metadata.scope import EntityScope
from runtime.web.screens.layout import Block

__all__ = ["browser_rules"]


def browser_rules(registry, entity, layout: tuple[Block, ...], inputs: Collection[str]) -> tuple[dict, dict]:
    """``({field: {"visible": json, "required": json}}, {block: json})`` for fields, sections and
    tabs; rules the browser cannot evaluate (through links) are left out and judged by the server on save."""
    scope = EntityScope(registry.app(entity.app), entity, registry.apps)
    cache = registry.cache.setdefault("browser_rules", {})

    def tree(source: str | None) -> str | None:
        if not source:
            return None
        key = (entity.app, entity.name, source, frozenset(inputs))
        if key not in cache:
            try:
                found = to_tree(source, scope, inputs)
            except ExpressionError:
                found = None
            cache[key] = json.dumps(found, separators=(",", ":")) if found else None
        return cache[key]

    fields, blocks = {}, {}
    for block in layout:
        for part in (block, *block.sections):
            if part.visible_when:
                blocks[part] = tree(part.visible_when)
            for slot in part.slots:
                required = tree(slot.required_when) if slot.field.name in inputs else None  # nothing to fill in
                rules = {"visible": tree(slot.visible_when), "required": required}
                if any(rules.values()):
                    fields[slot.field.name] = rules
    return fields, blocks
