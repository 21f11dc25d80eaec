"""Per-request collaborators of the API routes: engine, schema registry and record service.

The registry is rebuilt only when an app's version in force changes (one
small query per request checks that), so a publish is seen at once without
re-reading every app's metadata on every call.
"""

from __future__ import annotations

import threading

from flask import current_app
from flask import g
from sqlalchemy import Connection
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
        versions = tuple(conn.execute(select(apps.c.name, apps.c.current_version).order_by(apps.c.name)))
        key = (id(conn.engine), conn.engine.url.render_as_string(), versions)
        with self._lock:
            if key != self._key:
                self._registry = SchemaRegistry.from_connection(conn)
                self._key = key
            return self._registry


def engine():
    return current_app.extensions["metacrm"]["engine"]


def request_connection() -> Connection:
    """One read connection per API request (auth, registry check and reads share it);
    closed, and its transaction rolled back, by ``close_request_connection``."""
    if "api_conn" not in g:
        g.api_conn = read_only(engine().connect())
    return g.api_conn


def close_request_connection(_exc=None) -> None:
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
