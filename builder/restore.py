"""Bring an archived field or entity back, data included.

Restoring is an ordinary publish of the current metadata plus the archived
definition; the planner sees the name and storage match the archive and
renames the kept column or table back instead of creating an empty one.
"""

from __future__ import annotations

import copy

from sqlalchemy import Engine
from sqlalchemy import select

from builder.publish import PublishResult
from builder.publish import publish
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.storage.catalog import current_metadata
from runtime.storage.system import archives


def list_archived(engine: Engine, app_name: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(archives).where(archives.c.app == app_name, archives.c.restored_in.is_(None))
            .order_by(archives.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def restore_archived(engine: Engine, app_name: str, target: str, *, author: str | None = None) -> PublishResult:
    """``target`` is ``entity`` or ``entity.field``; publishes a version that has it back."""
    entity, _, field = target.partition(".")
    with engine.connect() as conn:
        current = current_metadata(conn, app_name)
    if current is None:
        raise NotFound(f"app {app_name!r} is not installed")
    candidates = [a for a in list_archived(engine, app_name)
                  if a["entity"] == entity and (a["field"] or "") == field]
    if not candidates:
        raise NotFound(f"nothing archived as {target!r} in app {app_name!r}")
    source = copy.deepcopy(current[1])
    definition = candidates[-1]["definition"]
    if field:
        _restore_field(source, entity, field, definition)
    else:
        if f"entities/{entity}.json" in source:
            raise BadInput(f"entity {entity!r} exists again; rename it before restoring the archived one")
        source[f"entities/{entity}.json"] = definition
    return publish(engine, source, author=author)


def _restore_field(source: dict, entity: str, field: str, definition: dict) -> None:
    doc = source.get(f"entities/{entity}.json")
    if doc is None:
        raise BadInput(f"entity {entity!r} is not in the app; restore the entity first")
    if any(f["name"] == field for f in doc["fields"]):
        raise BadInput(f"{entity}.{field} exists again; rename it before restoring the archived one")
    restored = {k: v for k, v in definition.items() if k != "renamed_from"}
    doc["fields"].append(restored)
