"""Stored rollups (sum/count/min/max/avg of a child field) kept right in the same transaction.

Recomputed from scratch with one SQL aggregate per parent whenever its child
rows change, instead of adjusting by deltas, so an edit, a move to another
parent or a delete can never leave the stored total drifting. A new record's
rollups are added up from the rows it is created with, before its INSERT.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP
from decimal import Context
from decimal import Decimal

from sqlalchemy import Connection
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runtime.metadata.model import Entity

FUNCTIONS = {"sum": func.sum, "min": func.min, "max": func.max}
IN_PYTHON = {"sum": sum, "min": min, "max": max}
_EXACT = Context(prec=80)


def rollup_fields(entity: Entity, source: str | None = None) -> list:
    return [f for f in entity.fields if f.type == "rollup" and (source is None or f.opt("source") == source)]


def aggregates(field, child_table) -> list:
    """The SQL aggregates of one rollup field over its child rows (typed as the child column).

    An average is asked for as its sum and count and divided here, exactly:
    SQLite's AVG is a float, and ``planned_totals`` must give the same value.
    """
    function, name = field.opt("function"), field.opt("field")
    if function == "count":
        return [func.count(child_table.c[name] if name else child_table.c.id)]
    column = child_table.c[name]
    # Typed as the child column so SQLite's scaled integers come back as Decimals at
    # the child's scale; normalise then rounds to the rollup's own precision.
    if function == "avg":
        return [func.sum(column, type_=column.type), func.count(column)]
    return [FUNCTIONS[function](column, type_=column.type)]


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
        columns = [aggregates(f, child_table) for f in group]
        values = iter(conn.execute(
            select(*[c for parts in columns for c in parts]).where(child_table.c.parent_id == parent_id)
        ).one())
        for f, parts in zip(group, columns):
            new[f.name] = _finish(f, [next(values) for _ in parts])
    if old is None:
        old = conn.execute(select(*[table.c[n] for n in new]).where(table.c.id == parent_id)).one()._mapping
    old = {n: old.get(n) for n in new}
    changed = {n: [old[n], v] for n, v in new.items() if old[n] != v}
    if changed:
        conn.execute(update(table).where(table.c.id == parent_id).values({n: v[1] for n, v in changed.items()}))
    return changed


def planned_totals(entity: Entity, plans) -> dict:
    """A new record's rollups from the child rows it is being created with (``ChildPlan.final``),
    so they go into its INSERT: no aggregate query and no UPDATE afterwards."""
    rows_of = {plan.field: plan.final for plan in plans}
    return {f.name: total(f, rows_of.get(f.opt("source"), [])) for f in rollup_fields(entity)}


def total(field, rows: list[Mapping]):
    """One rollup over rows in hand; the same value ``recompute`` gets from the database."""
    function, name = field.opt("function"), field.opt("field")
    values = [r[name] for r in rows if r.get(name) is not None] if name else rows
    if function == "count":
        return len(values)
    if function == "avg":
        return _finish(field, [sum(values), len(values)])
    return _finish(field, [IN_PYTHON[function](values) if values else None])


def _finish(field, parts: list):
    """``aggregates``' results as the stored value; an average divides its sum by its count."""
    if field.opt("function") != "avg":
        return normalise(field, parts[0])
    added, count = parts
    return normalise(field, _EXACT.divide(Decimal(added), count) if count else None)


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
