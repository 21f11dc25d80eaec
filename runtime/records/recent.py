"""Recently viewed records per user, for the "recent" menu and the launcher.

One row per (user, record), moved to the top by each visit and trimmed to
``KEEP`` per user, so the table stays small however much people browse.
Titles are not stored: the caller reads them (and drops records that are
gone or no longer readable), so a rename or a permission change shows at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from runtime.errors import BadInput
from runtime.storage.system import recent_records as visits

__all__ = ["KEEP", "recent_records", "record_visit"]

KEEP = 50
_KEY = (visits.c.app, visits.c.entity, visits.c.record_id)
_NEWEST_FIRST = (visits.c.viewed_at.desc(), *[c.desc() for c in _KEY])


def record_visit(conn: Connection, user_id: int, app: str, entity: str, record_id: int, now: datetime) -> None:
    """Note that ``user_id`` opened this record at ``now``; only the newest ``KEEP`` visits are kept."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(visits).values(
        user_id=user_id, app=app, entity=entity, record_id=record_id, viewed_at=now)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[visits.c.user_id, *_KEY], set_={"viewed_at": now}))
    _trim(conn, user_id)


def _trim(conn: Connection, user_id: int) -> None:
    """Drop visits beyond the newest ``KEEP`` (usually one, the visit this one displaced)."""
    extra = conn.execute(select(*_KEY).where(visits.c.user_id == user_id)
                         .order_by(*_NEWEST_FIRST).offset(KEEP)).all()
    if extra:
        conn.execute(delete(visits).where(visits.c.user_id == user_id,
                                                  tuple_(*_KEY).in_([tuple(row) for row in extra])))


def recent_records(conn: Connection, user_id: int, limit: int = 10) -> list[dict]:
    """The user's last ``limit`` (1..KEEP) visits, newest first: ``{app, entity, record_id, viewed_at}``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= KEEP:
        raise BadInput(f"limit must be a whole number from 1 to {KEEP}", details={"limit": str(limit)[:40]})
    rows = conn.execute(select(*_KEY, visits.c.viewed_at)
                        .where(visits.c.user_id == user_id)
                        .order_by(*_NEWEST_FIRST).limit(limit)).mappings()
    return [dict(row) for row in rows]
