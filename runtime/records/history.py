"""Append-only history: who changed which field of a record, when, from what to what.

Written in the same transaction as the change itself, so a change without
its history entry (or the reverse) can never be committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import and_
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select

from runtime.records.serialize import json_value
from runtime.storage.system import history

#: "attach" and "detach" are a record's attachments coming and going (``runtime/records/attachments.py``):
#: they change no field and no version, so they are not "update" entries.
ACTIONS = ("create", "update", "delete", "restore", "purge", "attach", "detach")
#: The ``changes`` key of those entries, ``{ATTACHMENTS: [old name, new name]}``: no field can be named so.
ATTACHMENTS = "_attachments"
#: Widest id range one batch entry may cover, so finding a record's batch stays an index range.
BATCH_SPAN = 2000


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for every key of ``new`` whose JSON value changed."""
    changes = {}
    for key, value in new.items():
        before, after = json_value(old.get(key)), json_value(value)
        if before != after:
            changes[key] = [before, after]
    return changes


def record_change(conn: Connection, app: str, entity: str, record_id: int, action: str,
                  user_id: int | None, at: datetime, changes: Mapping[str, list]) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown history action {action!r}")
    conn.execute(insert(history), {  # values as parameters: no per-call statement to build and key
        "app": app, "entity": entity, "record_id": record_id, "action": action,
        "user_id": user_id, "at": at, "changes": dict(changes),
    })


def record_batch_created(conn: Connection, app: str, entity: str, fields: list[str],
                         created: Mapping[int, list], user_id: int | None, at: datetime) -> None:
    """The creation of many records: ``created`` maps each id to its JSON values in ``fields``
    order (None = not set). One entry per id range of at most BATCH_SPAN."""
    ids = sorted(created)
    start = 0
    while start < len(ids):
        end = start
        while end + 1 < len(ids) and ids[end + 1] - ids[start] < BATCH_SPAN:
            end += 1
        part = ids[start:end + 1]
        conn.execute(insert(history).values(
            app=app, entity=entity, record_id=part[0], last_record_id=part[-1], action="create",
            user_id=user_id, at=at, changes={"fields": fields, "rows": {str(i): created[i] for i in part}},
        ))
        start = end + 1


def record_history(conn: Connection, app: str, entity: str, record_id: int) -> list[dict]:
    """Entries for one record, oldest first (its share of a batch entry included)."""
    own = history.c.record_id == record_id
    in_batch = and_(history.c.record_id.between(record_id - BATCH_SPAN, record_id - 1),
                    history.c.last_record_id >= record_id)
    rows = conn.execute(
        select(history)
        .where(history.c.app == app, history.c.entity == entity, or_(own, in_batch))
        .order_by(history.c.id)
    ).mappings()
    entries = []
    for r in rows:
        changes = r["changes"]
        if r["last_record_id"] is not None:
            values = changes["rows"].get(str(record_id))
            if values is None:  # an id inside the range that another transaction took
                continue
            changes = {f: [None, v] for f, v in zip(changes["fields"], values) if v is not None}
        entries.append({"id": r["id"], "action": r["action"], "user_id": r["user_id"],
                        "at": r["at"].isoformat(), "changes": changes})
    return entries
