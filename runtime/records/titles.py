"""Titles of linked records and names of users, fetched once for many ids.

Screens and reports both show a link as its record's title and a user as a
name; each asks here with every id it has, one query per target, and falls
back to ``#id`` for what is missing (no title, or outside the reader's scope).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import select

from runtime.metadata.model import Entity
from runtime.storage.system import users

__all__ = ["linked_titles", "user_names"]


def linked_titles(conn: Connection, target: Entity, table, ids, where=None) -> dict[int, str]:
    """``{id: title}`` of the records ``ids`` of ``target`` within ``where`` that have a title."""
    name = target.title_field
    if not ids or not name or name not in table.c:
        return {}
    query = select(table.c.id, table.c[name]).where(table.c.id.in_(sorted(ids)))
    rows = conn.execute(query if where is None else query.where(where))
    return {row[0]: str(row[1]) for row in rows if row[1] not in (None, "")}


def user_names(conn: Connection, ids) -> dict[int, str]:
    """``{id: display name or email}`` of the users ``ids``."""
    ids = sorted(i for i in ids if isinstance(i, int))
    if not ids:
        return {}
    rows = conn.execute(select(users.c.id, users.c.display_name, users.c.email).where(users.c.id.in_(ids)))
    return {row.id: row.display_name or row.email for row in rows}
