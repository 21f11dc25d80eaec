"""Reading records back: stored columns, formulas and lookups in one SELECT, plus child rows."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import select

from runtime.metadata.model import Entity
from runtime.records.children import current_rows
from runtime.records.children import table_fields
from runtime.records.computed import computed_columns
from runtime.records.serialize import row_to_dict


def record_select(registry, entity: Entity, table, variables, dialect: str, guard=None):
    """SELECT of every stored column and every formula/lookup, computed by the database
    (through links as ``guard``'s reader may see them: ``computed.LinkGuard``)."""
    return select(table, *computed_columns(registry, entity, table, variables, dialect, guard))


def read_record(conn: Connection, registry, entity: Entity, table, record_id: int, variables,
                include_deleted: bool = False, children: dict | None = None, guard=None) -> dict | None:
    """``children``: rows of ``table`` fields already in hand (``{field: rows}``), not read again."""
    query = record_select(registry, entity, table, variables, conn.dialect.name, guard).where(table.c.id == record_id)
    if not include_deleted:
        query = query.where(table.c.deleted_at.is_(None))
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return _with_children(conn, registry, entity, row_to_dict(row), children or {})


def computed_values(conn: Connection, registry, entity: Entity, table, record_id: int, variables,
                    guard=None) -> dict:
    """The formulas and lookups of one stored row: for a record whose stored values are known
    (an INSERT .. RETURNING), so only what the database computes is read; no query without any."""
    columns = computed_columns(registry, entity, table, variables, conn.dialect.name, guard)
    if not columns:
        return {}
    return row_to_dict(conn.execute(select(*columns).where(table.c.id == record_id)).mappings().one())


def read_rows(conn: Connection, registry, entity: Entity, table, variables, where, order, limit: int,
              guard=None) -> list[dict]:
    query = record_select(registry, entity, table, variables, conn.dialect.name, guard).where(where)
    rows = conn.execute(query.order_by(*order).limit(limit)).mappings()
    return [row_to_dict(r) for r in rows]


def _with_children(conn: Connection, registry, entity: Entity, record: dict, known: dict) -> dict:
    for field in table_fields(entity):
        if field.name in known:
            record[field.name] = known[field.name]
            continue
        _child, child_table = registry.target(entity, field.opt("target"))
        record[field.name] = current_rows(conn, child_table, record["id"])
    return record
