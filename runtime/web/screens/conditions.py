"""The form's ``visible_when`` / ``required_when`` judged on the server (the browser only previews them).

A hidden field's submitted value is ignored (the user could not see what
they sent), and a field required by its condition must be filled, with the
same expression semantics the browser uses (compile_python, SQL's nulls).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import select

from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import check
from runtime.metadata.expressions import compile_python
from runtime.metadata.expressions import parse
from runtime.metadata.expressions import truthy
from runtime.metadata.model import Entity
from runtime.metadata.scope import EntityScope
from runtime.web.screens.layout import Block
from runtime.web.screens.layout import Slot

__all__ = ["FormJudge", "typed_values"]


def typed_values(entity: Entity, data: Mapping[str, Any]) -> dict:
    """Values typed as the evaluator expects (dates, decimals); unparsable input counts as empty."""
    out = {}
    for name, value in data.items():
        if entity.has_field(name) and entity.field(name).stored:
            field = entity.field(name)
            try:
                out[name] = field.kind.coerce(field, value)
            except (ValueError, TypeError):
                out[name] = None
        else:
            out[name] = value
    return out


class FormJudge:
    """Evaluates the layout's conditions for one submitted record."""

    def __init__(self, conn: Connection, registry, entity: Entity, values: Mapping[str, Any], variables):
        self.conn, self.registry, self.entity = conn, registry, entity
        self.values, self.variables = values, variables
        self._linked: dict = {}

    def holds(self, source: str | None, default: bool = True) -> bool:
        if not source:
            return default
        evaluate = _compiled(self.registry, self.entity, source)
        return truthy(evaluate(self._field, self.variables)) if evaluate else default

    def hidden_fields(self, layout: tuple[Block, ...]) -> set[str]:
        """Fields whose own condition, section or tab is false right now."""
        hidden = set()
        for block in layout:
            shown = self.holds(block.visible_when)
            hidden |= {s.field.name for s in block.slots if not (shown and self.holds(s.visible_when))}
            for section in block.sections:
                inner = shown and self.holds(section.visible_when)
                hidden |= {s.field.name for s in section.slots if not (inner and self.holds(s.visible_when))}
        return hidden

    def required(self, slot: Slot) -> bool:
        return slot.field.required or self.holds(slot.required_when, default=False)

    def _field(self, path: tuple[str, ...]) -> Any:
        value = self.values.get(path[0])
        if len(path) == 1 or value is None:
            return value
        return self._through(path[0], value, path[1:])

    def _through(self, name: str, record_id: int, rest: tuple[str, ...]) -> Any:
        """A value on a linked record (``account.city``), read once per record."""
        target, table = self.registry.target(self.entity, self.entity.field(name).opt("target"))
        key = (target.app, target.name, record_id)
        if key not in self._linked:
            row = self.conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
            self._linked[key] = dict(row) if row else {}
        value = self._linked[key].get(rest[0])
        if len(rest) == 1 or value is None or not target.has_field(rest[0]):
            return value
        return FormJudge(self.conn, self.registry, target, self._linked[key], self.variables)._field(rest)


def _compiled(registry, entity: Entity, source: str):
    """Checked at publish already; a condition that no longer checks counts as absent."""
    cache = registry.cache.setdefault("form_conditions", {})
    key = (entity.app, entity.name, source)
    if key not in cache:
        try:
            scope = EntityScope(registry.app(entity.app), entity, registry.apps)
            expr = parse(source)
            check(expr, scope)
            cache[key] = compile_python(expr, scope)
        except ExpressionError:
            cache[key] = None
    return cache[key]
