"""The record service: the one path every surface takes to create, read, change and delete records.

Each operation is a fixed sequence of plain stages (defaults -> validate ->
write -> children and rollups -> rules -> history) run on the caller's
connection, so the record, its child rows, its rollups and its history entry
commit or roll back together (``with engine.begin() as conn``).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from runtime.clock import utcnow
from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import Conflict
from runtime.errors import NotFound
from runtime.errors import StaleVersion
from runtime.records import validation as v
from runtime.records.autonumber import next_autonumber
from runtime.records.children import plan_children
from runtime.records.children import table_fields
from runtime.records.children import write_children
from runtime.records.computed import LinkGuard
from runtime.records.computed import check_rules
from runtime.records.computed import session_variables
from runtime.records.defaults import apply_defaults
from runtime.records.files import attach_uploads
from runtime.records.history import diff
from runtime.records.history import record_change
from runtime.records.history import record_history
from runtime.records.integrity import check_soft_delete
from runtime.records.integrity import linked
from runtime.records.queries import Page
from runtime.records.queries import list_records
from runtime.records.reading import computed_values
from runtime.records.reading import read_record
from runtime.records.reading import read_rows
from runtime.records.rollups import planned_totals
from runtime.records.rollups import recompute
from runtime.records.serialize import row_to_dict
from runtime.security.sensitive import redact_changes
from runtime.security.sensitive import redact_rows
from runtime.storage.system import attachments
from runtime.storage.system import record_shares


class RecordService:
    """Create, read, update, delete, restore and purge records of any published entity."""

    def __init__(self, registry, clock: Callable[[], datetime] = utcnow, language: str = "en"):
        self.registry = registry
        self.clock = clock
        self.language = language

    # -- writes -------------------------------------------------------------

    def create(self, conn: Connection, app: str, entity: str, data: Mapping[str, Any],
               user_id: int | None, *, guard: LinkGuard | None = None) -> dict:
        """Validate and insert one record with its child rows; returns it as ``get`` would.

        Its rollups are added up before the INSERT and its stored values come back
        from the writes (RETURNING), so only formulas and lookups are read back.
        """
        ent, table = self._entity(app, entity)
        now = self.clock()
        data = _mapping(data)
        errors: dict = {}
        v.check_keys(ent, data, errors)
        data = apply_defaults(ent, data, user_id, now)
        values = v.coerce_values(ent, data, errors)
        v.check_required(ent, values, errors)
        v.check_unique(conn, ent, table, values, errors)
        v.check_references(conn, self.registry, ent, values, errors, user_id, guard)
        v.resolve_uploads(conn, ent, values, errors)
        plans = self._plan_children(conn, ent, data, None, errors, user_id, guard)
        v.raise_if(errors, ent)
        values.update(self._autonumbers(conn, ent, now))
        values.update(planned_totals(ent, plans))
        values.setdefault("owner", user_id)
        stamp = {"version": 1, "created_at": now, "created_by": user_id, "updated_at": now, "updated_by": user_id}
        stored = self._insert(conn, ent, table, {**values, **stamp})
        record_id = stored["id"]
        attach_uploads(conn, ent, record_id, values, user_id)
        changes = redact_changes(ent, diff({}, values))
        children = self._write_children(conn, ent, record_id, plans, user_id, now, changes, new_parent=True)
        variables = session_variables(user_id, now)
        check_rules(conn, self.registry, ent, table, record_id, variables, self.language)
        record_change(conn, ent.app, ent.name, record_id, "create", user_id, now, changes)
        return self._as_read(conn, ent, table, stored, children, variables, guard)

    def update(self, conn: Connection, app: str, entity: str, record_id: int, data: Mapping[str, Any],
               user_id: int | None, expected_version: int, *, guard: LinkGuard | None = None) -> dict:
        """Change the fields given; refused with StaleVersion unless ``expected_version`` is current."""
        ent, table = self._entity(app, entity)
        now = self.clock()
        data = _mapping(data)
        old = self._live_row(conn, table, record_id)
        if old["version"] != expected_version:
            raise StaleVersion(f"record {record_id} is at version {old['version']}, not {expected_version}")
        errors: dict = {}
        v.check_keys(ent, data, errors)
        values = v.coerce_values(ent, data, errors)
        v.check_required(ent, values, errors, only=values)
        v.check_unique(conn, ent, table, values, errors, record_id)
        # only links and users that change are checked: a form sends back a link someone else made,
        # to a record this writer may not read (or one since binned), and that must not block the save
        v.check_references(conn, self.registry, ent, {k: x for k, x in values.items() if old.get(k) != x},
                           errors, user_id, guard)
        v.resolve_uploads(conn, ent, values, errors)
        plans = self._plan_children(conn, ent, data, record_id, errors, user_id, guard)
        v.raise_if(errors, ent)
        guarded = (update(table)
                   .where(table.c.id == record_id, table.c.version == expected_version, table.c.deleted_at.is_(None))
                   .values(**values, version=table.c.version + 1, updated_at=now, updated_by=user_id))
        if self._write(conn, ent, table, values, record_id, lambda: conn.execute(guarded).rowcount) != 1:
            raise StaleVersion(f"record {record_id} was changed by someone else; reload and try again")
        attach_uploads(conn, ent, record_id, values, user_id)
        changes = redact_changes(ent, diff(old, values))
        children = self._write_children(conn, ent, record_id, plans, user_id, now, changes)
        self._finish(conn, ent, table, record_id, user_id, now, changes, stored=old)
        return read_record(conn, self.registry, ent, table, record_id, session_variables(user_id, now),
                           children=children, guard=guard)

    def delete(self, conn: Connection, app: str, entity: str, record_id: int, user_id: int | None,
               expected_version: int | None = None) -> None:
        """Move the record to the recycle bin (``deleted_at``); it can be restored.

        Links to it are handled per their ``on_delete``: restrict refuses, cascade
        moves the linking records to the bin too, set_null empties the link.
        """
        ent, table = self._entity(app, entity)
        old = self._live_row(conn, table, record_id)
        if expected_version is not None and old["version"] != expected_version:
            raise StaleVersion(f"record {record_id} is at version {old['version']}, not {expected_version}")
        self._to_bin(conn, ent, table, old, self.clock(), user_id)

    def _to_bin(self, conn, ent, table, old, now, user_id) -> None:
        record_id = old["id"]
        check_soft_delete(conn, self.registry, ent, record_id)
        for other, other_table, field, ids in linked(conn, self.registry, ent, record_id, "set_null"):
            for other_id in ids:
                conn.execute(update(other_table).where(other_table.c.id == other_id).values(
                    {field.name: None, "version": other_table.c.version + 1, "updated_at": now,
                     "updated_by": user_id}))
                record_change(conn, other.app, other.name, other_id, "update", user_id, now,
                              {field.name: [record_id, None]})
        self._set_deleted(conn, table, record_id, now, user_id, deleted=True)
        record_change(conn, ent.app, ent.name, record_id, "delete", user_id, now, diff(old, {"deleted_at": now}))
        for other, other_table, _field, ids in linked(conn, self.registry, ent, record_id, "cascade"):
            for other_id in ids:
                self._to_bin(conn, other, other_table, self._row(conn, other_table, other_id), now, user_id)

    def restore(self, conn: Connection, app: str, entity: str, record_id: int, user_id: int | None) -> dict:
        """Bring a record back from the recycle bin, with the records its deletion cascaded to."""
        ent, table = self._entity(app, entity)
        old = self._row(conn, table, record_id)
        if old is None or old["deleted_at"] is None:
            raise NotFound(f"no deleted {entity} {record_id}")
        self._from_bin(conn, ent, table, old, self.clock(), user_id)
        return self.get(conn, app, entity, record_id, user_id=user_id)

    def _from_bin(self, conn, ent, table, old, now, user_id) -> None:
        record_id, deleted_at = old["id"], old["deleted_at"]
        self._set_deleted(conn, table, record_id, now, user_id, deleted=False)
        record_change(conn, ent.app, ent.name, record_id, "restore", user_id, now, diff(old, {"deleted_at": None}))
        for other, other_table, _field, ids in linked(conn, self.registry, ent, record_id, "cascade", deleted_at):
            for other_id in ids:
                self._from_bin(conn, other, other_table, self._row(conn, other_table, other_id), now, user_id)

    def purge(self, conn: Connection, app: str, entity: str, record_id: int, user_id: int | None,
              *, is_admin: bool) -> None:
        """Delete for good a record already in the recycle bin; admins only."""
        if not is_admin:
            raise AccessDenied("only an administrator can purge records")
        ent, table = self._entity(app, entity)
        old = self._row(conn, table, record_id)
        if old is None or old["deleted_at"] is None:
            raise NotFound(f"no deleted {entity} {record_id} (delete it first)")
        try:
            with conn.begin_nested():
                conn.execute(delete(table).where(table.c.id == record_id))
        except IntegrityError:
            raise Conflict(f"{entity} {record_id} is still referenced by other records") from None
        # Its shares go with it: SQLite may give the next record this id, which must not inherit them.
        conn.execute(delete(record_shares).where(record_shares.c.app == app, record_shares.c.entity == entity,
                                                 record_shares.c.record_id == record_id))
        # Nor its attachments: they are marked removed (rows and files stay, like its history).
        conn.execute(update(attachments).where(
            attachments.c.app == app, attachments.c.entity == entity, attachments.c.record_id == record_id,
            attachments.c.deleted_at.is_(None)).values(deleted_at=self.clock(), deleted_by=user_id))
        # The last entry keeps the purged values, so history still says what was lost
        # (sensitive ones only as set: their plain values went with the row).
        snapshot = redact_changes(ent, {k: [new, None] for k, (_none, new) in diff({}, old).items() if k != "id"})
        record_change(conn, app, entity, record_id, "purge", user_id, self.clock(), snapshot)

    # -- reads --------------------------------------------------------------

    def get(self, conn: Connection, app: str, entity: str, record_id: int, *, user_id: int | None = None,
            include_deleted: bool = False, guard: LinkGuard | None = None) -> dict:
        """One record with formulas, lookups and child rows; NotFound when missing or deleted.

        ``guard``: paths through links as one reader may see them (``computed.LinkGuard``);
        ``create``, ``update`` and ``list_deleted`` take it too."""
        ent, table = self._entity(app, entity)
        variables = session_variables(user_id, self.clock())
        found = read_record(conn, self.registry, ent, table, record_id, variables, include_deleted, guard=guard)
        if found is None:
            raise NotFound(f"no {entity} {record_id}")
        return found

    def list(self, conn: Connection, app: str, entity: str, *, secret: str, user_id: int | None = None,
             where: str | None = None, order: str | None = None, limit: int = 50, cursor: str | None = None,
             search: str | None = None, count: bool = False, extra_where=None) -> Page:
        """One page of live records (see ``queries.list_records``), at this service's clock."""
        self._entity(app, entity)
        return list_records(conn, self.registry, app, entity, where=where, order=order, limit=limit,
                            cursor=cursor, search=search, count=count, user_id=user_id, now=self.clock(),
                            secret=secret, extra_where=extra_where)

    def list_deleted(self, conn: Connection, app: str, entity: str, limit: int = 100, *,
                     guard: LinkGuard | None = None) -> list[dict]:
        """The recycle bin of one entity, most recently deleted first."""
        ent, table = self._entity(app, entity)
        return read_rows(conn, self.registry, ent, table, session_variables(None, self.clock()),
                         table.c.deleted_at.is_not(None), [table.c.deleted_at.desc(), table.c.id.desc()], limit,
                         guard)

    def history(self, conn: Connection, app: str, entity: str, record_id: int) -> list[dict]:
        """Every change of one record, oldest first (also after it was deleted or purged)."""
        self._entity(app, entity)
        return record_history(conn, app, entity, record_id)

    # -- stages ---------------------------------------------------------------

    def _entity(self, app: str, entity: str):
        ent = self.registry.entity(app, entity)
        if ent.parent:
            raise BadInput(f"{entity} rows are written through their parent's '{ent.parent[1]}' field")
        return ent, self.registry.table(app, entity)

    def _plan_children(self, conn, ent, data, record_id, errors, user_id, guard) -> list:
        plans = []
        for field in table_fields(ent):
            if field.name in data and field.name not in errors:
                plan = plan_children(conn, self.registry, ent, field.name, data[field.name], record_id,
                                     errors, user_id, guard)
                if plan is not None:
                    plans.append(plan)
        return plans

    def _write_children(self, conn, ent, record_id, plans, user_id, now, changes, new_parent=False) -> dict:
        """Write each plan, noting changed row sets in ``changes``; returns ``{field: rows now}``."""
        rows = {}
        for plan in plans:
            before, after = write_children(conn, plan, record_id, user_id, now, new_parent=new_parent)
            if before != after:
                changes[plan.field] = [redact_rows(plan.entity, before), redact_rows(plan.entity, after)]
            rows[plan.field] = after
            for other in plan.moved_from:
                self._rollups_of_other(conn, ent, other, plan.field, user_id, now)
        return rows

    def _as_read(self, conn, ent, table, stored, children, variables, guard) -> dict:
        """A new record as ``get`` reads it, from what its writes returned (table fields it
        was not given are empty); only formulas and lookups need the database."""
        rows = {f.name: children.get(f.name, []) for f in table_fields(ent)}
        return {**row_to_dict(stored),
                **computed_values(conn, self.registry, ent, table, stored["id"], variables, guard), **rows}

    def _rollups_of_other(self, conn, ent, parent_id, source, user_id, now) -> None:
        """A parent that lost rows to a move: new totals, a new version and a history entry."""
        changed = recompute(conn, self.registry, ent, parent_id, source)
        table = self.registry.table(ent.app, ent.name)
        conn.execute(update(table).where(table.c.id == parent_id)
                     .values(version=table.c.version + 1, updated_at=now, updated_by=user_id))
        record_change(conn, ent.app, ent.name, parent_id, "update", user_id, now, diff(
            {k: o for k, (o, _n) in changed.items()}, {k: n for k, (_o, n) in changed.items()}))

    def _finish(self, conn, ent, table, record_id, user_id, now, changes, stored) -> None:
        """Rollups, rules and history: the stages after an update wrote the row itself.

        ``stored``: the row as it was before this change.
        """
        rolled = recompute(conn, self.registry, ent, record_id, old=stored)
        changes.update(diff({k: o for k, (o, _n) in rolled.items()}, {k: n for k, (_o, n) in rolled.items()}))
        check_rules(conn, self.registry, ent, table, record_id, session_variables(user_id, now), self.language)
        if changes:
            record_change(conn, ent.app, ent.name, record_id, "update", user_id, now, changes)

    def _autonumbers(self, conn, ent, now) -> dict:
        return {f.name: next_autonumber(conn, ent.app, ent.name, f.name, f.opt("format"), now)
                for f in ent.fields if f.type == "autonumber"}

    def _insert(self, conn, ent, table, values) -> dict:
        """Insert the row and return it as stored (RETURNING), so it need not be read back.

        The statement is built once per registry and the values go as parameters,
        so SQLAlchemy reuses its cache key instead of walking 20-odd literals per call.
        """
        key = ("insert", ent.qualified_name)
        statement = self.registry.cache.get(key)
        if statement is None:
            statement = self.registry.cache.setdefault(key, insert(table).returning(*table.c))
        return self._write(conn, ent, table, values, None, lambda: conn.execute(statement, values).mappings().one())

    def _write(self, conn, ent, table, values, record_id, run):
        """``run()`` a write and return what it returns (inside any savepoint); a unique
        index that fires anyway (a concurrent insert) is still a 422.

        Only entities with unique fields pay for the savepoint that lets the
        transaction go on to say which value was taken.
        """
        if not any(f.unique for f in ent.stored_fields):
            try:
                return run()
            except IntegrityError:
                raise Conflict(f"{ent.name}: the database refused the change") from None
        try:
            with conn.begin_nested():
                return run()
        except IntegrityError:
            errors: dict = {}
            v.check_unique(conn, ent, table, values, errors, record_id)
            v.raise_if(errors, ent)
            raise Conflict(f"{ent.name}: the database refused the change") from None

    @staticmethod
    def _row(conn, table, record_id) -> dict | None:
        row = conn.execute(select(table).where(table.c.id == record_id)).mappings().first()
        return dict(row) if row else None

    def _live_row(self, conn, table, record_id) -> dict:
        row = self._row(conn, table, record_id)
        if row is None or row["deleted_at"] is not None:
            raise NotFound(f"no record {record_id}")
        return row

    @staticmethod
    def _set_deleted(conn, table, record_id, now, user_id, deleted: bool) -> None:
        conn.execute(update(table).where(table.c.id == record_id).values(
            deleted_at=now if deleted else None, version=table.c.version + 1, updated_at=now, updated_by=user_id))


def _mapping(data: Any) -> dict:
    if not isinstance(data, Mapping):
        raise BadInput("a record must be a JSON object of field values")
    return dict(data)
