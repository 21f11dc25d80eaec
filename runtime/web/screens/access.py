"""What every generated screen needs per request: the registry, the entity and the record service.

Screens share the API's request connection and registry cache, so a publish
is seen at once and a page costs one connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_login import current_user
from sqlalchemy import Connection

from runtime.api import context
from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import GuardedRecords
from runtime.security.guarded import records_for
from runtime.web.screens.display import Display
from runtime.web.view_as import effective_user_id

__all__ = ["Screen", "registry", "screen"]


@dataclass(frozen=True)
class Screen:
    """One top-level entity as seen by the signed-in user in this request."""

    conn: Connection
    registry: SchemaRegistry
    app: App
    entity: Entity
    service: GuardedRecords

    @property
    def user_id(self) -> int:
        return effective_user_id()

    @property
    def secret(self) -> str:
        return context.settings().secret_key

    @property
    def hidden(self) -> frozenset[str]:
        """Fields this user may not see: left out of columns, layouts, filters and forms."""
        return self.service.access.hidden_fields(self.entity)

    @property
    def locked(self) -> frozenset[str]:
        """Fields this user may see but not change (plus the hidden ones)."""
        return frozenset(f.name for f in self.entity.fields if not self.service.access.writable(self.entity, f.name))

    def display(self, entity: Entity, records: list[dict]) -> Display:
        """How ``records`` of ``entity`` (this screen's or a child/related one) look to this user:
        titles of linked records they may not read stay ``#id``."""
        return Display(self.conn, self.registry, entity, records, current_user.language,
                       self.service.title_scope(self.conn))

    def can(self, action: str, record_id: int | None = None) -> bool:
        """May the user ``action`` this entity (or this record: its row rule is checked in SQL)?"""
        return self.service.allowed(self.conn, self.app.name, self.entity.name, action, record_id)


def registry(conn: Connection) -> SchemaRegistry:
    cache = current_app.extensions["metacrm"].setdefault("web_registries", context.RegistryCache())
    return cache.get(conn)


def screen(app: str, entity: str, conn: Connection | None = None) -> Screen:
    """The screen for ``app.entity`` on ``conn`` (default: the request's read connection);
    404 for unknown names and for child entities."""
    conn = conn or context.request_connection()
    reg = registry(conn)
    ent = context.api_entity(reg, app, entity)
    service = records_for(conn, reg, effective_user_id(), current_user.language)
    service.readable(app, entity)
    return Screen(conn, reg, reg.app(app), ent, service)
