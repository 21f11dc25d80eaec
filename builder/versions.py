"""Published versions of an app: history, the difference between any two, and rollback.

A rollback publishes the older version's documents through the ordinary
publish path, so it is planned, assessed and refused if it would lose data
exactly like any other publish; fields the older version lacks are archived.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import select

from builder.publish import PublishResult
from builder.publish import publish
from runtime.errors import NotFound
from runtime.metadata.model import build_app
from runtime.storage.plan import plan_changes
from runtime.storage.system import app_versions

__all__ = ["diff_versions", "json_diff", "list_versions", "rollback", "version_source"]

MAX_DIFF_ITEMS = 500


def list_versions(conn: Connection, app: str) -> list[dict]:
    """Newest first: number, label, author, time and the planned changes it applied."""
    rows = conn.execute(select(app_versions.c.number, app_versions.c.version_label, app_versions.c.author,
                               app_versions.c.created_at, app_versions.c.changes)
                        .where(app_versions.c.app == app).order_by(app_versions.c.number.desc())).mappings()
    return [dict(r) for r in rows]


def version_source(conn: Connection, app: str, number: int) -> dict[str, Any]:
    row = conn.execute(select(app_versions.c.metadata)
                       .where(app_versions.c.app == app, app_versions.c.number == number)).first()
    if row is None:
        raise NotFound(f"{app} has no version {number}")
    return row.metadata


def diff_versions(conn: Connection, app: str, old: int, new: int) -> dict:
    """Documents added, removed and changed from version ``old`` to ``new``, and the tables/columns
    the change means (the publish planner's view, without touching the database)."""
    before, after = version_source(conn, app, old), version_source(conn, app, new)
    documents = []
    for path in sorted(set(before) | set(after)):
        if path not in before:
            documents.append({"path": path, "status": "added", "items": []})
        elif path not in after:
            documents.append({"path": path, "status": "removed", "items": []})
        elif before[path] != after[path]:
            documents.append({"path": path, "status": "changed", "items": json_diff(before[path], after[path])})
    changes = plan_changes(build_app(before), build_app(after), version=new)
    return {"documents": documents, "changes": [c.describe() for c in changes]}


def rollback(engine: Engine, app: str, number: int, author: str | None = None, *,
             user_id: int | None = None, ip: str | None = None) -> PublishResult:
    with engine.connect() as conn:
        source = version_source(conn, app, number)
    return publish(engine, source, author=author, user_id=user_id, ip=ip)


def json_diff(old: Any, new: Any, pointer: str = "") -> list[dict]:
    """``[{pointer, old, new}]``; lists of named objects (fields, options) are matched by name."""
    out: list[dict] = []
    _diff(old, new, pointer, out)
    return out[:MAX_DIFF_ITEMS]


def _diff(old: Any, new: Any, pointer: str, out: list) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            _diff(old.get(key), new.get(key), f"{pointer}/{key}", out)
    elif _named_list(old) and _named_list(new):
        before = {_key(i): i for i in old}
        after = {_key(i): i for i in new}
        for key in [*before, *(k for k in after if k not in before)]:
            _diff(before.get(key), after.get(key), f"{pointer}/{key}", out)
    else:
        out.append({"pointer": pointer, "old": old, "new": new})


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and _key(i) for i in value)


def _key(item: dict) -> str | None:
    key = item.get("name") or item.get("value") or item.get("field")
    return str(key) if key is not None else None
