"""Append-only history: who changed which field of a record, when, from what to what.

Written in the same transaction as the change itself, so a change without
its history entry (or the reverse) can never be committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import insert
from sqlalchemy import select

from runtime.records.serialize import json_value
from runtime.storage.system import history

ACTIONS = ("create", "update", "delete", "restore", "purge")


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
    conn.execute(insert(history).values(
        app=app, entity=entity, record_id=record_id, action=action,
        user_id=user_id, at=at, changes=dict(changes),
    ))


def record_history(conn: Connection, app: str, entity: str, record_id: int) -> list[dict]:
    """Entries for one record, oldest first."""
    rows = conn.execute(
        select(history)
        .where(history.c.app == app, history.c.entity == entity, history.c.record_id == record_id)
        .order_by(history.c.id)
    ).mappings()
    return [
        {"id": r["id"], "action": r["action"], "user_id": r["user_id"],
         "at": r["at"].isoformat(), "changes": r["changes"]}
        for r in rows
    ]
