"""The batched write path of an import: the same checks and rows as ``RecordService.create``.

For entities without child tables, rollups or rules a record is just its
row and its history entry, so a batch of validated rows goes in with two
executemany statements (rows with RETURNING ids, then history) and the
per-record checks that need the database (unique, links, users) run once per
batch with ``IN`` lists instead of once per row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from runtime.fieldtypes import COMPUTED_TYPES
from runtime.metadata.model import Entity
from runtime.records.autonumber import period_of
from runtime.records.autonumber import render
from runtime.records.computed import LinkGuard
from runtime.records.defaults import default_value
from runtime.records.files import UPLOAD_TYPES
from runtime.records.files import stored_uploads
from runtime.records.history import record_batch_created
from runtime.records.rollups import empty_total
from runtime.records.serialize import json_value
from runtime.security.sensitive import redacted
from runtime.security.sensitive import sealed_names
from runtime.storage.bulk import insert_rows
from runtime.storage.system import sequences
from runtime.storage.system import users

IN_CHUNK = 500
#: What ``exporting`` protects with a leading apostrophe (kept in sync by the round-trip test).
FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![0-9 ()./-]*$)")
#: Fields whose cells may hold JSON text (as exported).
JSON_TYPES = frozenset({"geo", "file", "image"})


@dataclass
class Prepared:
    """One sheet row, coerced; ``errors`` is ``{field: message}`` like the service's 422."""

    row: int
    values: dict
    errors: dict


def empty_rollups(entity: Entity) -> dict:
    """What a new record's rollups are before it has child rows (imports never carry any)."""
    return {f.name: empty_total(f) for f in entity.fields if f.type == "rollup"}


class RowPlan:
    """``apply_defaults`` + ``coerce_values`` + ``check_required`` with the field lookups done once.

    Same rules as the record service (the tests compare the two paths); only
    the per-row metadata lookups are hoisted out of the loop.
    """

    def __init__(self, entity: Entity, columns: list[tuple[int, str]], user_id: int | None, now: datetime):
        self.user_id = user_id
        self.columns = columns
        self.json = {f.name for f in entity.fields if f.type in JSON_TYPES}
        self.coercers = {f.name: f.kind.coercer(f) for f in entity.fields if f.stored}
        if "owner" not in self.coercers:
            from runtime.fieldtypes import get_type

            self.coercers["owner"] = get_type("user").coercer(None)
        self.defaults = [(f.name, default_value(f.default, user_id, now)) for f in entity.fields
                         if f.default is not None]
        self.required = [f.name for f in entity.stored_fields if f.required and f.type not in COMPUTED_TYPES]

    def cells(self, row: list) -> dict:
        """The row's non-blank cells by field name (JSON text parsed for JSON-valued fields)."""
        data = {}
        width = len(row)
        for index, name in self.columns:
            cell = row[index] if index < width else None
            if cell is None or cell == "":
                continue
            if isinstance(cell, str) and cell[:1] == "'" and FORMULA_START.match(cell[1:]):
                cell = cell[1:]  # the apostrophe an export adds against formula injection
            if name in self.json and isinstance(cell, str) and cell[:1] in "[{":
                try:
                    cell = json.loads(cell)
                except ValueError:
                    pass  # coercion reports it
            data[name] = cell
        return data

    def prepare(self, number: int, data: dict) -> Prepared:
        """``data`` holds the non-blank cells by field name."""
        for name, value in self.defaults:
            data.setdefault(name, value)
        values, errors = {}, {}
        coercers = self.coercers
        for name, raw in data.items():
            try:
                values[name] = coercers[name](raw)
            except ValueError as exc:
                errors[name] = str(exc)
        for name in self.required:
            if name not in errors and values.get(name) in (None, "", []):
                errors[name] = "required"
        values.setdefault("owner", self.user_id)
        return Prepared(number, values, errors)


PLAIN = (str, int, bool, type(None))


class BatchChecks:
    """Unique, link and user checks for a batch, remembering values seen earlier in the file."""

    def __init__(self, conn: Connection, registry, entity: Entity, table, user_id: int | None,
                 readable: LinkGuard | None = None):
        self.conn, self.registry, self.entity, self.table = conn, registry, entity, table
        self.user_id = user_id
        self.readable = readable  # the importer's read access to linked records (None: all)
        self.unique = [f.name for f in entity.stored_fields if f.unique]
        self.seen: dict[str, dict] = {name: {} for name in self.unique}
        self.links = [f for f in entity.stored_fields if f.type == "link"]
        self.users = [f.name for f in entity.stored_fields if f.type == "user"]
        self.uploads = [f.name for f in entity.stored_fields if f.type in UPLOAD_TYPES]
        if not entity.has_field("owner"):
            self.users.append("owner")

    def check(self, batch: list[Prepared]) -> None:
        for name in self.unique:
            self._unique(name, batch)
        for field in self.links:
            target_entity, target = self.registry.target(self.entity, field.opt("target"))
            live = target.c.deleted_at.is_(None)
            rule = self.readable(target_entity, target, "id") if self.readable else None
            self._exists(field.name, batch, target.c.id, live if rule is None else and_(live, rule),
                         "no record {} to link to")
        for name in self.users:
            self._exists(name, batch, users.c.id, None, "no user {}", skip=self.user_id)
        for name in self.uploads:
            self._uploads(name, batch)

    def _uploads(self, name: str, batch: list[Prepared]) -> None:
        """Same rule as ``validation.resolve_uploads``, one query per batch."""
        mine = [p for p in batch if p.values.get(name) and name not in p.errors]
        found = stored_uploads(self.conn, self.entity.app, self.entity.name, name,
                               {d["id"] for p in mine for d in p.values[name]})
        for p in mine:
            missing = [d["id"] for d in p.values[name] if d["id"] not in found]
            if missing:
                p.errors[name] = f"no uploaded file {missing[0]}"
            else:
                p.values[name] = [found[d["id"]] for d in p.values[name]]

    def _unique(self, name: str, batch: list[Prepared]) -> None:
        seen = self.seen[name]
        mine = [p for p in batch if p.values.get(name) is not None and name not in p.errors]
        taken = self._found(self.table.c[name], {p.values[name] for p in mine}, None)
        for p in mine:
            value = p.values[name]
            if value in taken:
                p.errors[name] = "already used by another record"
            elif value in seen:
                p.errors[name] = f"same value as row {seen[value]}"
            else:
                seen[value] = p.row

    def _exists(self, name, batch, column, where, message, skip=None) -> None:
        wanted = {p.values.get(name) for p in batch if name not in p.errors} - {None, skip}
        found = self._found(column, wanted, where)
        for p in batch:
            value = p.values.get(name)
            if value is not None and value != skip and value not in found and name not in p.errors:
                p.errors[name] = message.format(value)

    def _found(self, column, values: set, where) -> set:
        found: set = set()
        items = list(values)
        for start in range(0, len(items), IN_CHUNK):
            query = select(column).where(column.in_(items[start:start + IN_CHUNK]))
            if where is not None:
                query = query.where(where)
            found.update(self.conn.execute(query).scalars())
        return found


def reserve_numbers(conn: Connection, entity: Entity, field: str, fmt: str, now: datetime, count: int) -> list[str]:
    """``count`` consecutive autonumbers with one counter bump (same rule as ``next_autonumber``)."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(sequences).values(
        app=entity.app, entity=entity.name, field=field, period=period_of(fmt, now), value=count)
    statement = statement.on_conflict_do_update(
        index_elements=[sequences.c.app, sequences.c.entity, sequences.c.field, sequences.c.period],
        set_={"value": sequences.c.value + count},
    ).returning(sequences.c.value)
    last = conn.execute(statement).scalar_one()
    return [render(fmt, n, now) for n in range(last - count + 1, last + 1)]


def reserve_ids(conn: Connection, table, count: int) -> list[int]:
    """Ids for ``count`` new rows, so rows and history go in as two plain executemany calls.

    PostgreSQL: taken from the id sequence, exactly as the inserts would.
    SQLite: the next ``count`` after the current maximum, which is what SQLite
    itself would assign; safe because the transaction holds the write lock
    (``BEGIN IMMEDIATE``) until it commits.
    """
    if conn.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        series = func.generate_series(1, count).table_valued("n")
        return list(conn.execute(select(func.nextval(sequence)).select_from(series)).scalars())
    last = conn.execute(select(func.coalesce(func.max(table.c.id), literal_column("0")))).scalar_one()
    return list(range(last + 1, last + count + 1))


def write_batch(conn: Connection, entity: Entity, table, batch: list[Prepared], user_id: int | None,
                now: datetime) -> list[int]:
    """Insert the batch's rows and their history entries; returns the new ids in order."""
    if not batch:
        return []
    for f in entity.fields:
        if f.type == "autonumber":
            for p, number in zip(batch, reserve_numbers(conn, entity, f.name, f.opt("format"), now, len(batch))):
                p.values[f.name] = number
    ids = reserve_ids(conn, table, len(batch))
    rollups = empty_rollups(entity)
    for p in batch:
        p.values.update(rollups)
    # one column list for the batch: only the columns some row fills (the rest stay NULL)
    fields = list(dict.fromkeys(key for p in batch for key in p.values))
    stamp = {"version": 1, "created_at": now, "created_by": user_id, "updated_at": now, "updated_by": user_id}
    insert_rows(conn, table, [*fields, "id"], ((*map(p.values.get, fields), i) for i, p in zip(ids, batch)), stamp)
    record_batch_created(conn, entity.app, entity.name, fields, history_rows(entity, fields, ids, batch), user_id, now)
    return ids


def history_rows(entity: Entity, fields: list[str], ids: list[int], batch: list[Prepared]) -> dict[int, list]:
    """Each record's JSON values in ``fields`` order for its history, sensitive ones only noted as set
    (as ``redact_changes`` does for a single create): the plain value lives only in the encrypted row."""
    sealed = [i for i, name in enumerate(fields) if name in sealed_names(entity)]
    rows = {}
    for record_id, p in zip(ids, batch):
        values = [v if type(v) in PLAIN else json_value(v) for v in map(p.values.get, fields)]
        for i in sealed:
            values[i] = redacted(values[i])
        rows[record_id] = values
    return rows
