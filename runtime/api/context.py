"""Per-request collaborators of the API routes: engine, schema registry and record service.

The registry is rebuilt only when an app's version in force changes, so a
publish is seen by the next request without re-reading every app's metadata
on every call. The versions come with the Bearer token lookup (see
``catalog_key_column``), so checking them costs no round trip of its own.
"""

from __future__ import annotations

import threading
from functools import cache

from flask import current_app
from flask import g
from flask import has_request_context
from sqlalchemy import Connection
from sqlalchemy import String
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import select

from runtime.errors import NotFound
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.storage.engine import read_only
from runtime.storage.system import apps


class RegistryCache:
    """The last registry built, with the app versions it was built from."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._registry = None

    def get(self, conn: Connection) -> SchemaRegistry:
        key = (id(conn.engine), conn.engine.url.render_as_string(), _catalog_key(conn))
        with self._lock:
            if key != self._key:
                self._registry = SchemaRegistry.from_connection(conn)
                self._key = key
            return self._registry


@cache
def catalog_key_column():
    """Every app's name and version in force as one ``name:version,...`` value: a scalar
    subquery that the request's first statement (the token lookup) carries along."""
    pair = apps.c.name + ":" + cast(func.coalesce(apps.c.current_version, 0), String)
    return select(func.aggregate_strings(pair, ",")).scalar_subquery().label("catalog_key")


def note_catalog_key(conn: Connection, value: str | None) -> None:
    """Remember the catalog key read on ``conn`` for the rest of this request."""
    g.catalog_key = (conn.engine, value)


def _catalog_key(conn: Connection) -> frozenset:
    """The key noted by this request's token lookup, else read now (session calls, other engines)."""
    noted = g.get("catalog_key") if has_request_context() else None
    if noted is not None and noted[0] is conn.engine:
        value = noted[1]
    else:
        value = conn.execute(select(catalog_key_column())).scalar()
    return frozenset((value or "").split(","))  # the database aggregates in no set order


def engine():
    return current_app.extensions["metacrm"]["engine"]


def request_connection() -> Connection:
    """One read connection per API request (auth, registry check and reads share it);
    closed, and any transaction rolled back, by ``close_request_connection``.

    On PostgreSQL it runs in autocommit: each statement of a READ COMMITTED
    transaction reads its own snapshot anyway, so this sees the same data
    without the BEGIN and ROLLBACK round trips.
    """
    if "api_conn" not in g:
        conn = read_only(engine().connect())
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        g.api_conn = conn
    return g.api_conn


def close_request_connection(_exc=None) -> None:
    g.pop("catalog_key", None)
    conn = g.pop("api_conn", None)
    if conn is not None:
        conn.close()


def settings():
    return current_app.extensions["metacrm"]["settings"]


def jobs():
    return current_app.extensions["metacrm"]["jobs"]


def record_service(registry: SchemaRegistry, language: str) -> RecordService:
    return RecordService(registry, language=language)


def api_entity(registry: SchemaRegistry, app: str, entity: str):
    """A top-level entity; child entities are reached through their parent, so 404 here."""
    found = registry.entity(app, entity)
    if found.parent:
        raise NotFound(f"no entity {app}.{entity} (its rows are part of {found.parent[0]})")
    return found
