"""The record service as one user may use it: the same methods, with their rights applied.

Every surface (API, screens, bulk actions, kanban, pickers, search, exports)
goes through this, so a rule is written once. Reads get the row filter in
their SQL; a record the user may not read is "not found" (404) — whether it
exists is itself private; a record they may read but not change is a 403.
Hidden fields are removed from everything returned and may not be written,
filtered, sorted or searched on. Lookups and other paths through links are
computed in SQL as the user may see them (``Access.link_guard``): NULL where
the linked record or its field is not theirs to read, in output, filters and sorts alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import select

from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.records.queries import list_records
from runtime.records.service import RecordService
from runtime.security.permissions import Access
from runtime.security.permissions import load_access
from runtime.security.sensitive import mask_record
from runtime.security.sensitive import revealed_names
from runtime.security.sensitive import sensitive_fields

__all__ = ["GuardedRecords", "records_for"]


class GuardedRecords:
    """Wraps a RecordService for ``access``'s user; unrestricted users pass straight through."""

    def __init__(self, service, access: Access):
        self.service = service
        self.access = access
        self.registry = service.registry
        self.clock = service.clock

    # -- reads ------------------------------------------------------------------------

    def get(self, conn: Connection, app: str, entity: str, record_id: int, *, user_id: int | None = None,
            include_deleted: bool = False) -> dict:
        ent, table = self.readable(app, entity)
        self._require(conn, ent, table, record_id, "read", NotFound)
        record = self.service.get(conn, app, entity, record_id, user_id=user_id, include_deleted=include_deleted,
                                  guard=self.link_guard(conn))
        return self._strip_one(ent, record)

    def list(self, conn: Connection, app: str, entity: str, *, secret: str, user_id: int | None = None,
             where: str | None = None, order: str | None = None, limit: int = 50, cursor: str | None = None,
             search: str | None = None, count: bool = False, extra_where=None):
        ent, table = self.readable(app, entity)
        rows = self._filter(conn, ent, table, "read")
        page = list_records(conn, self.registry, app, entity, where=where, order=order, limit=limit,
                            cursor=cursor, search=search, count=count, user_id=user_id, now=self.clock(),
                            secret=secret, extra_where=_and(extra_where, rows), hidden=self.access.hidden_fields(ent),
                            guard=self.link_guard(conn))
        page.data = self._strip(ent, page.data, listing=True)
        return page

    def list_deleted(self, conn: Connection, app: str, entity: str, limit: int = 100) -> list[dict]:
        ent, table = self.readable(app, entity)
        rows = self.service.list_deleted(conn, app, entity, limit, guard=self.link_guard(conn))
        visible = self._visible_ids(conn, ent, table, [r["id"] for r in rows], "read")
        return self._strip(ent, [r for r in rows if visible is None or r["id"] in visible], listing=True)

    def history(self, conn: Connection, app: str, entity: str, record_id: int) -> list[dict]:
        ent, table = self.readable(app, entity)
        self._require(conn, ent, table, record_id, "read", NotFound)
        hidden = self.access.hidden_fields(ent)
        entries = self.service.history(conn, app, entity, record_id)
        for entry in entries:
            entry["changes"] = {k: v for k, v in entry["changes"].items() if k not in hidden}
        return entries

    # -- writes -----------------------------------------------------------------------

    def create(self, conn: Connection, app: str, entity: str, data, user_id: int | None) -> dict:
        ent, table = self.readable(app, entity)
        if not self.access.can(ent, "create"):
            raise AccessDenied(f"you may not create {entity} records")
        self._require_writable(ent, data)
        record = self.service.create(conn, app, entity, data, user_id, guard=self.link_guard(conn))
        self._require(conn, ent, table, record["id"], "create", AccessDenied)  # a create rule on the new row
        return self._strip_one(ent, record)

    def update(self, conn: Connection, app: str, entity: str, record_id: int, data, user_id: int | None,
               expected_version: int) -> dict:
        ent, table = self.readable(app, entity)
        self._require(conn, ent, table, record_id, "read", NotFound)
        self._require(conn, ent, table, record_id, "update", AccessDenied)
        self._require_writable(ent, data)
        return self._strip_one(ent, self.service.update(conn, app, entity, record_id, data, user_id, expected_version,
                                                        guard=self.link_guard(conn)))

    def delete(self, conn: Connection, app: str, entity: str, record_id: int, user_id: int | None,
               expected_version: int | None = None) -> None:
        ent, table = self.readable(app, entity)
        self._require(conn, ent, table, record_id, "read", NotFound)
        self._require(conn, ent, table, record_id, "delete", AccessDenied)
        self.service.delete(conn, app, entity, record_id, user_id, expected_version=expected_version)

    def restore(self, conn: Connection, app: str, entity: str, record_id: int, user_id: int | None) -> dict:
        ent, table = self.readable(app, entity)
        self._require(conn, ent, table, record_id, "read", NotFound)
        self._require(conn, ent, table, record_id, "delete", AccessDenied)
        return self._strip_one(ent, self.service.restore(conn, app, entity, record_id, user_id))

    def purge(self, conn: Connection, app: str, entity: str, record_id: int, user_id: int | None,
              *, is_admin: bool) -> None:
        self.readable(app, entity)
        self.service.purge(conn, app, entity, record_id, user_id, is_admin=is_admin and self.access.is_admin)

    # -- helpers ----------------------------------------------------------------------

    def row_filter(self, conn: Connection, app: str, entity: str, action: str = "read"):
        """The SQL filter of ``action`` on ``app.entity`` (None: every row), for callers that query
        records themselves (exports)."""
        ent, table = self.readable(app, entity)
        return self._filter(conn, ent, table, action)

    def link_guard(self, conn: Connection):
        """How paths through links are computed for this user (``Access.link_guard``), for callers
        that list records themselves (exports)."""
        return self.access.link_guard(conn.dialect.name, self.clock())

    def title_scope(self, conn: Connection):
        """``(target entity, table) ->`` the SQL filter of the linked records whose titles this user
        may see (None: all): the same rule as any path through a link (``link_guard``), and a
        sensitive title for admins only (it is masked in lists). Screens and reports both use it."""
        sees = self.link_guard(conn)

        def scope(target, table):
            title = target.title_field
            if title and target.field(title).opt("sensitive", False) and not self.access.is_admin:
                return false()
            return sees(target, table, title) if sees and title else None
        return scope

    def allowed(self, conn: Connection, app: str, entity: str, action: str, record_id: int | None = None) -> bool:
        """Whether ``action`` is allowed on the entity, or on one record (for showing buttons)."""
        ent, table = self.readable(app, entity)
        if record_id is None:
            return self.access.can(ent, action)
        try:
            self._require(conn, ent, table, record_id, action, AccessDenied)
        except AccessDenied:
            return False
        return True

    def hidden_fields(self, app: str, entity: str) -> frozenset[str]:
        return self.access.hidden_fields(self.readable(app, entity)[0])

    def readable(self, app: str, entity: str):
        """``(entity, table)`` if the user may read ``app.entity`` at all; NotFound otherwise."""
        ent = self.registry.entity(app, entity)
        if not self.access.can(ent, "read"):
            raise NotFound(f"no entity {app}.{entity}")
        return ent, self.registry.table(app, entity)

    def _filter(self, conn: Connection, ent, table, action: str):
        return self.access.row_filter(ent, table, action, conn.dialect.name, self.clock())

    def _require(self, conn: Connection, ent, table, record_id: int, action: str, error) -> None:
        """``record_id`` must be a row ``action`` may touch, else ``error`` (NotFound or AccessDenied)."""
        allowed = self.access.can(ent, action)
        if allowed:
            visible = self._visible_ids(conn, ent, table, [record_id], action)
            allowed = visible is None or record_id in visible
        if not allowed:
            raise error(f"no {ent.name} {record_id}" if error is NotFound else f"you may not {action} this record")

    def _visible_ids(self, conn: Connection, ent, table, ids: list[int], action: str) -> set[int] | None:
        rule = self._filter(conn, ent, table, action)
        if rule is None:
            return None
        return set(conn.execute(select(table.c.id).where(table.c.id.in_(ids), rule)).scalars())

    def _require_writable(self, ent, data: Any) -> None:
        if not isinstance(data, dict):
            return  # the service reports the shape
        refused = {name: "you may not change this field" for name in data
                   if ent.has_field(name) and not self.access.writable(ent, name)}
        if refused:
            raise AccessDenied("some fields may not be changed by you", details=refused)

    def _strip_one(self, ent, record: dict) -> dict:
        return self._strip(ent, [record])[0]

    def _strip(self, ent, records: list[dict], *, listing: bool = False) -> list[dict]:
        """``records`` without hidden fields, and with sensitive values masked unless revealed
        (the rules are worked out once for the whole page, not per row)."""
        hidden = self.access.hidden_fields(ent)
        if hidden:
            records = [{k: v for k, v in r.items() if k not in hidden} for r in records]
        sensitive = sensitive_fields(self.registry, ent)
        if not sensitive:
            return records
        revealed = revealed_names(self.registry, ent, self.access, record_page=not listing)
        return [mask_record(sensitive, r, revealed) for r in records]


def _and(*clauses):
    present = [c for c in clauses if c is not None]
    return and_(*present) if present else None


def records_for(conn: Connection, registry, user_id: int, language: str = "en") -> GuardedRecords:
    """The record service for ``user_id`` in this request, with their rights."""
    return GuardedRecords(RecordService(registry, language=language), load_access(conn, registry, user_id))
