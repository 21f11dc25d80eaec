"""The published schema as the record service sees it: entities and their tables.

Loaded once from the catalog (every installed app's version in force) so
that links across apps resolve in one ``MetaData``; reload after a publish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import Connection
from sqlalchemy import Table

from runtime.errors import NotFound
from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import split_target
from runtime.storage.catalog import current_apps
from runtime.storage.tables import build_tables


@dataclass(frozen=True)
class SchemaRegistry:
    apps: Mapping[str, App]
    tables: Mapping[str, Table]
    #: Parsed and compiled expressions, valid as long as this registry (one set of app versions).
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_apps(cls, apps: list[App]) -> SchemaRegistry:
        return cls({a.name: a for a in apps}, build_tables(apps))

    @classmethod
    def from_connection(cls, conn: Connection) -> SchemaRegistry:
        """Every installed app's current metadata, with tables in one MetaData."""
        apps = [app for _number, app in current_apps(conn).values()]
        return cls.from_apps(apps)

    def app(self, app: str) -> App:
        try:
            return self.apps[app]
        except KeyError:
            raise NotFound(f"no app {app!r}") from None

    def entity(self, app: str, entity: str) -> Entity:
        found = self.app(app)
        if not found.has_entity(entity):
            raise NotFound(f"no entity {app}.{entity}")
        return found.entity(entity)

    def table(self, app: str, entity: str) -> Table:
        self.entity(app, entity)
        return self.tables[f"{app}.{entity}"]

    def target(self, entity: Entity, target: str) -> tuple[Entity, Table]:
        """The entity and table a link/table field's ``target`` names."""
        app_name, name = split_target(target, entity.app)
        return self.entity(app_name, name), self.table(app_name, name)
