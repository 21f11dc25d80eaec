"""Stored rollups (sum/count/min/max/avg of a child field) kept right in the same transaction.

Recomputed from scratch with one SQL aggregate per parent whenever its child
rows change, instead of adjusting by deltas, so an edit, a move to another
parent or a delete can never leave the stored total drifting.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP
from decimal import Decimal

from sqlalchemy import Connection
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runtime.metadata.model import Entity

FUNCTIONS = {"sum": func.sum, "min": func.min, "max": func.max, "avg": func.avg}


def rollup_fields(entity: Entity, source: str | None = None) -> list:
    return [f for f in entity.fields if f.type == "rollup" and (source is None or f.opt("source") == source)]


def aggregate(field, child_table):
    """The SQL aggregate of one rollup field over its child rows (typed as the rollup column)."""
    function = field.opt("function")
    if function == "count":
        target = child_table.c[field.opt("field")] if field.opt("field") else child_table.c.id
        return func.count(target)
    column = child_table.c[field.opt("field")]
    # Typed as the child column so SQLite's scaled integers come back as Decimals at
    # the child's scale; normalise then rounds to the rollup's own precision.
    return FUNCTIONS[function](column, type_=column.type)


def recompute(conn: Connection, registry, entity: Entity, parent_id: int, source: str | None = None,
              old: Mapping | None = None) -> dict:
    """Refresh ``parent_id``'s rollups (all, or those over ``source``); returns ``{field: [old, new]}``.

    ``old``: the parent's stored values when the caller already has them (saves a read).
    """
    fields = rollup_fields(entity, source)
    if not fields:
        return {}
    table = registry.table(entity.app, entity.name)
    by_source: dict[str, list] = {}
    for f in fields:
        by_source.setdefault(f.opt("source"), []).append(f)
    new = {}
    for src, group in by_source.items():
        _child, child_table = registry.target(entity, entity.field(src).opt("target"))
        values = conn.execute(
            select(*[aggregate(f, child_table) for f in group]).where(child_table.c.parent_id == parent_id)
        ).one()
        for f, value in zip(group, values):
            new[f.name] = normalise(f, value)
    if old is None:
        old = conn.execute(select(*[table.c[n] for n in new]).where(table.c.id == parent_id)).one()._mapping
    old = {n: old.get(n) for n in new}
    changed = {n: [old[n], v] for n, v in new.items() if old[n] != v}
    if changed:
        conn.execute(update(table).where(table.c.id == parent_id).values({n: v[1] for n, v in changed.items()}))
    return changed


def empty_total(field):
    """The rollup of no child rows: 0 for count and sum, unknown for min/max/avg."""
    return normalise(field, None)


def normalise(field, value):
    """Sums over no rows are NULL in SQL; a total of nothing is 0, not unknown."""
    function = field.opt("function")
    if function == "count":
        return int(value or 0)
    if value is None and function != "sum":
        return None
    quantum = Decimal(1).scaleb(-field.opt("precision", 2))
    return Decimal(str(value or 0)).quantize(quantum, rounding=ROUND_HALF_UP)
