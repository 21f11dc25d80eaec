"""Link integrity when a record goes to the recycle bin.

The database enforces ``on_delete`` only for a real DELETE (purge); a soft
delete must apply it itself, or live records would point into the bin:
``restrict`` refuses, ``cascade`` moves the linking records to the bin too
(and a restore brings back the ones that went with it), ``set_null`` empties
the link (the old value stays in the record's history).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import select

from runtime.errors import Conflict
from runtime.metadata.model import Entity
from runtime.metadata.model import split_target


def referring_links(registry, target: Entity) -> list[tuple[Entity, object]]:
    """Every (entity, link field) in any installed app that points at ``target``."""
    found = []
    for app in registry.apps.values():
        for entity in app.entities:
            for field in entity.fields:
                if field.type == "link" and split_target(field.opt("target"), app.name) == (target.app, target.name):
                    found.append((entity, field))
    return found


def check_soft_delete(conn: Connection, registry, target: Entity, record_id: int) -> None:
    for entity, field in referring_links(registry, target):
        if field.opt("on_delete", "restrict") != "restrict":
            continue
        table = registry.tables[entity.qualified_name]
        used = select(table.c.id).where(table.c[field.name] == record_id, table.c.deleted_at.is_(None))
        if conn.execute(used.limit(1)).first() is not None:
            raise Conflict(
                f"still used by {entity.name}.{field.name}; delete or change those records first",
                details={"referenced_by": f"{entity.app}.{entity.name}.{field.name}"},
            )


def linked(conn: Connection, registry, target: Entity, record_id: int, rule: str, deleted_at=None):
    """``(entity, table, field, ids)`` of the records linking to ``record_id`` with ``on_delete == rule``:
    live ones, or (with ``deleted_at``) the ones that went to the bin at that moment."""
    for entity, field in referring_links(registry, target):
        if field.opt("on_delete", "restrict") != rule:
            continue
        table = registry.tables[entity.qualified_name]
        state = table.c.deleted_at.is_(None) if deleted_at is None else table.c.deleted_at == deleted_at
        ids = list(conn.execute(select(table.c.id).where(table.c[field.name] == record_id, state)).scalars())
        if ids:
            yield entity, table, field, ids
