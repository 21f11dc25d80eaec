"""Apply a planned, assessed change list with Alembic ``Operations``.

Runs inside the caller's transaction: on PostgreSQL all DDL is transactional;
on SQLite the engine opens a real ``BEGIN`` and ``publish`` turns foreign-key
enforcement off around it (the SQLite-documented way to alter tables), so a
failure anywhere rolls everything back. Nothing here drops a column or table:
removals and type conversions rename the old data to an archived name.
"""

from __future__ import annotations

from typing import Callable
from typing import Mapping

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column
from sqlalchemy import Connection
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.fieldtypes.base import default_value
from runtime.metadata.model import App
from runtime.security.sensitive import is_sensitive
from runtime.storage.assess import column_table
from runtime.storage.assess import convert_value
from runtime.storage.assess import field_of
from runtime.storage.assess import iter_values
from runtime.storage.names import archived_name
from runtime.storage.plan import Change
from runtime.storage.system import archives
from runtime.storage.tables import field_column

#: Order in which kinds run: free names first (drops, archives, renames), then fill them.
ORDER = [
    "drop_index", "archive_field", "archive_entity", "rename_entity", "restore_entity", "create_entity",
    "rename_field", "restore_field", "add_field", "alter_field", "fill_default", "require_field",
    "unique_field", "add_index",
]
Progress = Callable[[str], None]


class Migrator:
    """Carries the connection, the target app and its tables through one publish."""

    def __init__(self, conn: Connection, new: App, tables: Mapping[str, Table], version: int,
                 progress: Progress | None = None):
        self.conn = conn
        self.new = new
        self.tables = tables
        self.version = version
        self.progress = progress or (lambda _msg: None)
        self.op = Operations(MigrationContext.configure(conn))
        self.sqlite = conn.dialect.name == "sqlite"

    def apply(self, changes: list[Change]) -> None:
        ordered = sorted(changes, key=lambda c: ORDER.index(c.kind))
        created = [c for c in ordered if c.kind == "create_entity"]
        for change in ordered:
            if change.kind == "create_entity":
                if change is created[0]:
                    self._create_entities(created)
                continue
            self.progress(change.describe())
            getattr(self, f"_{change.kind}")(change)

    def table_of(self, entity_name: str) -> Table:
        return self.tables[f"{self.new.name}.{entity_name}"]

    def _create_entities(self, changes: list[Change]) -> None:
        wanted = [self.table_of(c.entity) for c in changes]
        for change in changes:
            self.progress(change.describe())
        wanted[0].metadata.create_all(self.conn, tables=wanted)

    def _drop_index(self, change: Change) -> None:
        self.op.drop_index(change.detail["name"], table_name=change.table, if_exists=True)

    def _archive(self, change: Change, kind: str) -> None:
        self.conn.execute(
            insert(archives).values(
                app=self.new.name, entity=change.entity, field=change.field, kind=kind,
                table_name=change.table, archived_name=change.detail["archived"],
                definition=dict(change.old), archived_in=self.version, created_at=utcnow(),
            )
        )

    def _archive_field(self, change: Change) -> None:
        for name in change.detail.get("indexes", ()):
            self.op.drop_index(name, table_name=change.table, if_exists=True)
        self.op.alter_column(change.table, change.field, new_column_name=change.detail["archived"])
        self._archive(change, "field")

    def _archive_entity(self, change: Change) -> None:
        for name in change.detail.get("indexes", ()):
            self.op.drop_index(name, table_name=change.table, if_exists=True)
        self.op.rename_table(change.table, change.detail["archived"])
        self._archive(change, "entity")

    def _rename_entity(self, change: Change) -> None:
        self.op.rename_table(change.table, self.table_of(change.entity).name)

    def _mark_restored(self, archived: str) -> None:
        self.conn.execute(
            update(archives)
            .where(archives.c.app == self.new.name, archives.c.archived_name == archived,
                   archives.c.restored_in.is_(None))
            .values(restored_in=self.version)
        )

    def _restore_entity(self, change: Change) -> None:
        self.op.rename_table(change.detail["archived"], self.table_of(change.entity).name)
        self._mark_restored(change.detail["archived"])

    def _rename_field(self, change: Change) -> None:
        table = self.table_of(change.entity).name
        self.op.alter_column(table, change.detail["old_name"], new_column_name=change.field)

    def _restore_field(self, change: Change) -> None:
        table = self.table_of(change.entity).name
        self.op.alter_column(table, change.detail["archived"], new_column_name=change.field)
        self._mark_restored(change.detail["archived"])

    def _add_field(self, change: Change) -> None:
        entity = self.new.entity(change.entity)
        column = field_column(entity, entity.field(change.field))
        table = self.table_of(change.entity).name
        if self.sqlite and column.foreign_keys:
            # SQLite cannot add a constrained column in place: copy the table (FKs are off).
            with self.op.batch_alter_table(table, recreate="always") as batch:
                batch.add_column(column)
        else:
            self.op.add_column(table, column)

    def _alter_field(self, change: Change) -> None:
        getattr(self, f"_alter_{change.mode}")(change)

    def _alter_widen(self, change: Change) -> None:
        if not self.sqlite:  # SQLite ignores declared lengths; nothing to do there
            new = field_of(change.new)
            column_type = Text() if is_sensitive(new) else new.kind.column_type(new)
            self.op.alter_column(self.table_of(change.entity).name, change.field, type_=column_type)

    def _alter_narrow(self, change: Change) -> None:
        new = field_of(change.new)
        limit = new.kind.storage(new)[1]
        table = column_table(self.table_of(change.entity).name, new)
        column = table.c[change.field]
        if change.rows:
            self.conn.execute(update(table).where(func.length(column) > limit).values(
                {column: func.substr(column, 1, limit)}))
        if not self.sqlite:
            self.op.alter_column(table.name, change.field, type_=String(limit))

    def _alter_convert(self, change: Change) -> None:
        """New column of the new type, filled value by value; the old column is archived."""
        new, prior = field_of(change.new), field_of(change.old)
        table_name = self.table_of(change.entity).name
        temp = f"_tmp_{change.field}"
        self.op.add_column(table_name, Column(temp, new.kind.column_type(new)))
        old_column = column_table(table_name, prior).c[change.field]
        target = column_table(table_name, field_of({**new.raw, "name": temp}))
        statement = update(target).where(target.c.id == bindparam("row_id")).values({temp: bindparam("value")})
        batch = []
        for row_id, value in iter_values(self.conn, old_column):
            try:
                batch.append({"row_id": row_id, "value": convert_value(new, value)})
            except ValueError:
                continue  # assessed: allowed only with convert=null_invalid
            if len(batch) >= 5000:
                self.conn.execute(statement, batch)
                batch = []
        if batch:
            self.conn.execute(statement, batch)
        change.detail["archived"] = archived_name(change.field, self.version)
        self.op.alter_column(table_name, change.field, new_column_name=change.detail["archived"])
        self.op.alter_column(table_name, temp, new_column_name=change.field)
        change.table = table_name
        self._archive(change, "field")

    def _fill_default(self, change: Change) -> None:
        new = field_of(change.new)
        table = column_table(self.table_of(change.entity).name, new)
        self.conn.execute(update(table).where(table.c[new.name].is_(None)).values(
            {new.name: resolve_default(new)}))

    def _require_field(self, change: Change) -> None:
        """Nothing to do in the database: assessment refused it if any row is empty."""

    def _unique_field(self, change: Change) -> None:
        """The unique index itself comes as an ``add_index`` change."""

    def _add_index(self, change: Change) -> None:
        detail = change.detail
        self.op.create_index(detail["name"], self.table_of(change.entity).name, list(detail["columns"]),
                             unique=detail["unique"])


def resolve_default(field):
    """A field's default as a stored value (``$today``/``$now`` resolve to the publish time)."""
    return field.kind.coerce(field, default_value(field.default, None, utcnow()))


__all__ = ["Migrator", "resolve_default"]
