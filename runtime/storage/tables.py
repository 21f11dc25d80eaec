"""Metadata -> SQLAlchemy Core ``Table`` objects, one per entity.

The only place that decides what a generated table looks like: system
columns, one column per stored field (typed by the field-type registry),
foreign keys for links and child tables, and indexes. Each column carries
``info={"field": name}`` so later layers can map columns back to fields.
"""

from __future__ import annotations

from typing import Iterable
from typing import Mapping

from sqlalchemy import BigInteger
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Table

from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.model import split_target
from runtime.security.sensitive import SealedText
from runtime.security.sensitive import is_sensitive
from runtime.storage.names import fk_name
from runtime.storage.names import index_name
from runtime.storage.names import table_name

#: Record ids: 64-bit on PostgreSQL, the rowid alias on SQLite.
ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")
ON_DELETE = {"restrict": "RESTRICT", "cascade": "CASCADE", "set_null": "SET NULL"}


def system_columns() -> list[Column]:
    return [
        Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        Column("version", Integer, nullable=False, default=1),
        Column("created_at", DateTime, nullable=False),
        Column("created_by", Integer),
        Column("updated_at", DateTime, nullable=False),
        Column("updated_by", Integer),
        Column("owner", Integer),
        Column("deleted_at", DateTime),
    ]


def entity_table_name(entity: Entity) -> str:
    return table_name(entity.app, entity.name)


def target_table_name(field: Field, app_name: str) -> str:
    return table_name(*split_target(field.opt("target"), app_name))


def field_column(entity: Entity, field: Field) -> Column:
    """The column for one stored field (with its foreign key for links)."""
    args = []
    if field.type == "link":
        table = entity_table_name(entity)
        target = target_table_name(field, entity.app)
        ondelete = ON_DELETE[field.opt("on_delete", "restrict")]
        args.append(ForeignKey(f"{target}.id", ondelete=ondelete, name=fk_name(table, field.name)))
        return Column(field.name, ID_TYPE, *args, info={"field": field.name})
    column_type = SealedText() if is_sensitive(field) else field.kind.column_type(field)
    return Column(field.name, column_type, info={"field": field.name})


def child_columns(entity: Entity) -> list[Column]:
    parent_entity, _ = entity.parent
    table = entity_table_name(entity)
    parent_table = table_name(entity.app, parent_entity)
    return [
        Column(
            "parent_id",
            ID_TYPE,
            ForeignKey(f"{parent_table}.id", ondelete="CASCADE", name=fk_name(table, "parent_id")),
            nullable=False,
        ),
        Column("row_order", Integer, nullable=False, default=0),
    ]


def entity_indexes(entity: Entity) -> list[tuple[str, tuple[str, ...], bool]]:
    """``(name, columns, unique)`` for every index the entity's table should have."""
    table = entity_table_name(entity)
    # (updated_at, id) serves the default list order (newest first) with keyset paging
    wanted: dict[tuple[str, ...], bool] = {("owner",): False, ("deleted_at",): False, ("updated_at", "id"): False}
    if entity.parent:
        wanted[("parent_id", "row_order")] = False
    for f in entity.stored_fields:
        if f.type in ("link", "user") or f.opt("index"):
            wanted.setdefault((f.name,), False)
        if f.unique or f.type == "autonumber":
            wanted[(f.name,)] = True
    for columns in entity.indexes:
        wanted.setdefault(tuple(columns), False)
    return [(index_name(table, cols, unique), cols, unique) for cols, unique in wanted.items()]


def build_table(entity: Entity, metadata: MetaData) -> Table:
    columns = system_columns()
    if entity.parent:
        columns += child_columns(entity)
    columns += [field_column(entity, f) for f in entity.stored_fields if f.name != "owner"]
    table = Table(entity_table_name(entity), metadata, *columns, info={"entity": entity.qualified_name})
    for name, cols, unique in entity_indexes(entity):
        Index(name, *[table.c[c] for c in cols], unique=unique)
    return table


def build_tables(apps: Iterable[App], metadata: MetaData | None = None) -> Mapping[str, Table]:
    """Tables for every entity of ``apps``, keyed ``"app.entity"``, in one MetaData.

    All installed apps share one MetaData so cross-app links resolve.
    """
    metadata = metadata or MetaData()
    return {e.qualified_name: build_table(e, metadata) for app in apps for e in app.entities}
