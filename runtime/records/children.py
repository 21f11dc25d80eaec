"""Child rows (``table`` fields) written with their parent, in the parent's transaction.

Replace-set semantics: the list given is the complete new set of rows. A row
with an ``id`` is kept and edited (or moved here from another parent), a row
without one is added, and an existing row left out is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.metadata.model import Entity
from runtime.records import validation as v
from runtime.records.computed import LinkGuard
from runtime.records.defaults import apply_defaults
from runtime.records.serialize import row_to_dict


@dataclass
class ChildPlan:
    """What one ``table`` field's new list means, checked and ready to write."""

    field: str
    entity: Entity
    table: Any
    rows: list[tuple[int | None, dict]] = dc_field(default_factory=list)  # (id or None, values)
    moved_from: set[int] = dc_field(default_factory=set)  # other parents that lose rows
    #: each row as it will be stored (kept values under the new ones): a new parent's rollups add these up
    final: list[dict] = dc_field(default_factory=list)


def table_fields(entity: Entity) -> list:
    return [f for f in entity.fields if f.type == "table"]


def plan_children(conn: Connection, registry, entity: Entity, name: str, rows: Any, parent_id: int | None,
                  errors: dict, acting_user: int | None, readable: LinkGuard | None = None) -> ChildPlan | None:
    """Validate one ``table`` field's rows; problems go into ``errors`` as ``lines[2].qty``
    (links in them must point at records ``readable`` lets the writer read)."""
    field = entity.field(name)
    child, table = registry.target(entity, field.opt("target"))
    if rows is None:
        rows = []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors[name] = "expected a list of rows"
        return None
    if len(rows) < field.opt("min_rows", 0):
        errors[name] = f"at least {field.opt('min_rows')} row(s)"
    plan = ChildPlan(name, child, table)
    for i, row in enumerate(rows):
        row_errors: dict = {}
        row_id, data = _split_id(row, row_errors)
        if row_id is None:  # a new row gets its fields' defaults, like any new record
            data = apply_defaults(child, data, acting_user, utcnow())
        if row_id is not None and any(row_id == kept for kept, _ in plan.rows):
            row_errors["id"] = f"row {row_id} is given twice"  # one row cannot sit in two places
        old = _existing(conn, table, row_id, row_errors) if row_id is not None else {}
        v.check_keys(child, data, row_errors)
        values = v.coerce_values(child, data, row_errors)
        final = {**old, **values}
        v.check_required(child, final, row_errors)
        v.check_references(conn, registry, child, values, row_errors, acting_user, readable)
        errors.update({f"{name}[{i}].{k}": m for k, m in row_errors.items()})
        if old and old["parent_id"] != parent_id:
            plan.moved_from.add(old["parent_id"])
        plan.rows.append((row_id, values))
        plan.final.append(final)
    return plan


def _split_id(row: dict, errors: dict) -> tuple[int | None, dict]:
    data = dict(row)
    raw = data.pop("id", None)
    if raw is None:
        return None, data
    if isinstance(raw, bool) or not isinstance(raw, int):
        errors["id"] = "expected a row id"
        return None, data
    return raw, data


def _existing(conn: Connection, table, row_id: int, errors: dict) -> dict:
    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if row is None:
        errors["id"] = f"no row {row_id}"
        return {}
    return dict(row)


def write_children(conn: Connection, plan: ChildPlan, parent_id: int, user_id: int | None,
                   now: datetime, *, new_parent: bool = False) -> list[list]:
    """Apply the plan; returns the old and new rows (JSON) for the parent's history entry.

    ``new_parent``: the parent was just inserted, so it has no rows to read or delete.
    The new rows come back from the writes themselves (RETURNING), not a re-read.
    """
    table = plan.table
    before = [] if new_parent else current_rows(conn, table, parent_id)
    keep = {row_id for row_id, _ in plan.rows if row_id is not None}
    gone = [r["id"] for r in before if r["id"] not in keep]
    if gone:
        conn.execute(delete(table).where(table.c.id.in_(gone)))
    added, written = [], []
    for order, (row_id, values) in enumerate(plan.rows):
        stamp = {"parent_id": parent_id, "row_order": order, "updated_at": now, "updated_by": user_id}
        if row_id is None:
            added.append({**values, **stamp, "version": 1, "created_at": now, "created_by": user_id,
                          "owner": user_id})
        else:
            written.append(conn.execute(update(table).where(table.c.id == row_id)
                                        .values(**values, **stamp, version=table.c.version + 1)
                                        .returning(*table.c)).one())
    for same_keys in _by_keys(added):  # executemany wants one key set per statement
        written.extend(conn.execute(insert(table).returning(*table.c), same_keys))
    after = sorted((_child_output(r._mapping) for r in written), key=lambda r: (r["row_order"], r["id"]))
    return [before, after]


def _by_keys(rows: list[dict]) -> list[list[dict]]:
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def current_rows(conn: Connection, table, parent_id: int) -> list[dict]:
    """The child rows of one parent in their order, as JSON-friendly dicts."""
    rows = conn.execute(
        select(table).where(table.c.parent_id == parent_id).order_by(table.c.row_order, table.c.id)
    ).mappings()
    return [_child_output(r) for r in rows]


def _child_output(row) -> dict:
    data = row_to_dict(row)
    for key in ("parent_id", "created_at", "created_by", "updated_at", "updated_by", "owner", "deleted_at"):
        data.pop(key, None)
    return data
