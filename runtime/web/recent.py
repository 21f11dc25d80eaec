"""Recently viewed records: noted when a record page is shown, listed on the launcher.

A visit is written after the page is built, in its own short transaction, so
a busy database costs the visit and never the page. Titles are read through
the record service's list path, so records that are gone (or, once row
permissions exist, hidden) drop out here and on the notifications page alike.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from flask import Blueprint
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from runtime.api import context
from runtime.clock import utcnow
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.metadata.model import Entity
from runtime.records.recent import recent_records
from runtime.records.recent import record_visit
from runtime.web.screens.access import screen
from runtime.web.screens.display import title_of

__all__ = ["LAUNCHER_RECENT", "launcher_recent", "live_titles", "register"]

log = logging.getLogger(__name__)

LAUNCHER_RECENT = 8
_SQLITE_WAIT_MS = 2000  # a visit is not worth the 30 s an ordinary write may wait for the lock
_SQLITE_DEFAULT_WAIT_MS = 30000  # runtime.storage.engine's busy_timeout, restored afterwards

RecordKey = tuple[str, str, int]


def note_visit(response):
    """After a record page rendered, move that record to the top of the user's recent list."""
    if request.endpoint != "web.record" or response.status_code != 200 or not current_user.is_authenticated:
        return response
    args = request.view_args or {}
    try:
        with context.engine().connect() as conn, _impatient(conn), conn.begin():
            record_visit(conn, current_user.id, args["app"], args["entity"], args["record_id"], utcnow())
    except SQLAlchemyError:
        log.warning("visit to %s.%s %s not recorded", args.get("app"), args.get("entity"),
                    args.get("record_id"), exc_info=True)
    return response


@contextmanager
def _impatient(conn: Connection):
    """On SQLite, give up on a locked database after a short wait instead of the usual 30 s.

    Set on the driver connection: a statement through SQLAlchemy would begin a
    transaction, which on SQLite takes the write lock this is trying not to wait for.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    driver.execute(f"PRAGMA busy_timeout={_SQLITE_WAIT_MS}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout={_SQLITE_DEFAULT_WAIT_MS}")


def live_titles(refs: Iterable[RecordKey]) -> dict[RecordKey, tuple[Entity, str]]:
    """``{(app, entity, id): (Entity, title)}`` for the records that still exist and are readable.

    One list query per entity; records of removed apps or entities are left out.
    """
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for app, entity, record_id in refs:
        wanted[app, entity].add(int(record_id))
    found = {}
    for (app, entity), ids in wanted.items():
        try:
            s = screen(app, entity)
            page = s.service.list(s.conn, app, entity, secret=s.secret, user_id=s.user_id,
                                  where=f"id in [{', '.join(str(i) for i in sorted(ids))}]", limit=len(ids))
        except (NotFound, AccessDenied):
            continue
        for row in page.data:
            found[app, entity, row["id"]] = (s.entity, title_of(s.entity, row))
    return found


def launcher_recent(conn: Connection, user_id: int) -> list[dict]:
    """Up to ``LAUNCHER_RECENT`` recently viewed records that still exist, newest first.

    Reads a few more visits than it shows, so a deleted record does not leave a gap.
    """
    visits = recent_records(conn, user_id, limit=LAUNCHER_RECENT * 2)
    keys = [(v["app"], v["entity"], v["record_id"]) for v in visits]
    titles = live_titles(keys)
    shown = []
    for app, entity, record_id in keys:
        if (app, entity, record_id) in titles and len(shown) < LAUNCHER_RECENT:
            ent, title = titles[app, entity, record_id]
            href = url_for("web.record", app=app, entity=entity, record_id=record_id)
            shown.append({"entity": ent, "title": title, "href": href})
    return shown


def register(bp: Blueprint) -> None:
    bp.after_request(note_visit)
