"""Import a CSV or XLSX sheet into an entity: map columns, coerce, report per-row errors, write.

Modes: ``all_or_nothing`` (any bad row -> nothing written, every error
listed), ``skip_bad_rows`` (good rows written, bad ones reported) and
``upsert`` (rows whose unique key already exists update that record, the
others are created; bad rows as in all-or-nothing). ``upsert_on`` may also
be combined with ``skip_bad_rows``. The whole import is one transaction on
the caller's connection, so a crashed import that runs again cannot
double-insert.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy import select
from sqlalchemy import text

from runtime.automation.jobs import job_kind
from runtime.clock import utcnow
from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import MetacrmError
from runtime.errors import ValidationFailed
from runtime.records.computed import broken_rules
from runtime.records.computed import session_variables
from runtime.records.import_batch import BatchChecks
from runtime.records.import_batch import RowPlan
from runtime.records.import_batch import write_batch
from runtime.records.import_columns import ColumnPlan
from runtime.records.import_columns import match_columns
from runtime.records.service import RecordService
from runtime.records.tabular import Sheet
from runtime.records.tabular import open_sheet

MODES = ("all_or_nothing", "skip_bad_rows", "upsert")
BATCH = 1000
ANALYZE_AFTER = 10_000  # rows; below that the old statistics are still close enough
MAX_ERRORS = 1000
Progress = Callable[[int, int | None], None]


def import_file(conn: Connection, registry, app: str, entity: str, path: str | Path, *, fmt: str | None = None,
                **options) -> dict:
    """Import the file at ``path`` (CSV or XLSX); see ``import_sheet`` for the options."""
    return import_sheet(conn, registry, app, entity, open_sheet(path, fmt), **options)


def import_sheet(conn: Connection, registry, app: str, entity: str, sheet: Sheet, *,
                 mode: str = "all_or_nothing", upsert_on: str | None = None,
                 mapping: Mapping[str, str | None] | None = None, user_id: int | None = None,
                 now: datetime | None = None, language: str = "en", progress: Progress | None = None,
                 guard=None) -> dict:
    """Import ``sheet``; returns counts, errors (``{"row", "field", "column", "message"}``) and columns.

    ``guard`` (a ``GuardedRecords``) imports with a user's rights: columns they may not write
    are refused, created rows must pass the role's create rule and upserts update only records
    they may update. Without it (CLI, builder) the import runs as the operator.

    Raises ValidationFailed (with the same report in ``details``) when an
    all-or-nothing import has any bad row: the caller's transaction must roll back.
    """
    if conn.dialect.name == "postgresql":
        # psycopg prepares a batch's repeated checks (``name IN (...)``); once the table has
        # grown in this transaction PostgreSQL's generic plan for them is a sequential scan
        # per batch (a 55,000-row import took 180 s instead of 6): plan each for its values.
        conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    importer = Importer(conn, registry, app, entity, mode=mode, upsert_on=upsert_on, user_id=user_id,
                        now=now or utcnow(), language=language, guard=guard)
    report = importer.run(sheet, match_columns(importer.entity, sheet.header, mapping), progress)
    if conn.dialect.name == "postgresql" and report["created"] + report["updated"] >= ANALYZE_AFTER:
        # fresh planner statistics, or the next list may scan the table instead of an index
        conn.execute(text(f"ANALYZE {conn.dialect.identifier_preparer.quote(importer.table.name)}"))
    if report["errors"] and not importer.skip_bad:
        raise ValidationFailed(f"{report['bad_rows']} row(s) have errors; nothing was imported", details=report)
    return report


class Importer:
    """One import run: the column plan, the batch loop and the report."""

    def __init__(self, conn, registry, app, entity, *, mode, upsert_on, user_id, now, language, guard=None):
        if mode not in MODES:
            raise BadInput(f"unknown import mode {mode!r}; use one of {', '.join(MODES)}")
        if mode == "upsert" and not upsert_on:
            raise BadInput("upsert needs the unique field to match on (upsert_on)")
        self.conn, self.registry, self.app, self.user_id, self.now = conn, registry, app, user_id, now
        self.entity = registry.entity(app, entity)
        self.table = registry.table(app, entity)
        self.skip_bad = mode == "skip_bad_rows"
        self.key = self._key_field(upsert_on) if upsert_on else None
        self.language = language
        self.guard = guard
        self.service = guard or RecordService(registry, clock=lambda: now, language=language)
        self.create_rule = self._create_rule(mode)
        self.checks = BatchChecks(conn, registry, self.entity, self.table, user_id,
                                  guard.link_guard(conn) if guard else None)
        self.keys_seen: dict = {}
        self.counts = {"created": 0, "updated": 0, "bad_rows": 0, "processed": 0}
        self.errors: list[dict] = []

    def _create_rule(self, mode: str):
        """The role's create rule as SQL (None: any row); refuses users who may not import here at all."""
        if self.guard is None:
            return None
        self.guard.readable(self.app, self.entity.name)
        can = self.guard.access.can
        if not can(self.entity, "create") and not (mode == "upsert" and can(self.entity, "update")):
            raise AccessDenied(f"you may not create {self.entity.name} records")
        return self.guard.row_filter(self.conn, self.app, self.entity.name, "create")

    def _key_field(self, name: str):
        if not self.entity.has_field(name) or not self.entity.field(name).unique:
            raise BadInput(f"upsert_on must name a unique field of {self.entity.name}; {name!r} is not one")
        return self.entity.field(name)

    def run(self, sheet: Sheet, plan: ColumnPlan, progress: Progress | None) -> dict:
        self.plan = plan
        self.rows = RowPlan(self.entity, [(i, name) for i, name, _t in plan.columns], self.user_id, self.now)
        if self.key is not None and self.key.name not in plan.fields:
            raise BadInput(f"no column for the upsert key {self.key.name!r}")
        if self.guard is not None:
            refused = [name for name in plan.fields if not self.guard.access.writable(self.entity, name)]
            if refused:
                raise AccessDenied(f"you may not set {', '.join(refused)}: leave those columns out",
                                   details={name: "you may not set this field" for name in refused})
        rows = iter(sheet.rows)
        while batch := list(islice(rows, BATCH)):
            self._batch(batch)
            self.counts["processed"] += len(batch)
            if progress is not None:
                progress(self.counts["processed"], sheet.total)
        return {**self.counts, "total": self.counts["processed"], "errors": self.errors[:MAX_ERRORS],
                "columns": {title: name for _i, name, title in plan.columns},
                "unknown_columns": plan.unknown, "ignored_columns": plan.ignored}

    def _batch(self, batch: list[tuple[int, list]]) -> None:
        cells = self.rows.cells
        rows = [(number, cells(row)) for number, row in batch]
        updates, creates = self._split_upserts(rows) if self.key is not None else ([], rows)
        for number, data, record in updates:
            self._through_service(number, self._blanks_clear(data), record)
        self._creates(creates)

    def _blanks_clear(self, data: dict) -> dict:
        """In an update a blank cell clears the field: the sheet is the truth for its columns."""
        return {name: data.get(name) for name in self.plan.fields}

    def _split_upserts(self, cells):
        """Rows whose key exists become updates (``record`` = id, version); the rest creates."""
        key = self.key
        keyed = []
        for number, data in cells:
            try:
                value = key.kind.coerce(key, data.get(key.name))
            except ValueError as exc:
                self._fail(number, {key.name: str(exc)})
                continue
            if value in self.keys_seen:
                self._fail(number, {key.name: f"same key as row {self.keys_seen[value]}"})
                continue
            if value is not None:
                self.keys_seen[value] = number
            keyed.append((number, data, value))
        column = self.table.c[key.name]
        wanted = [value for _n, _d, value in keyed if value is not None]
        found = {}
        for start in range(0, len(wanted), 500):
            query = select(column, self.table.c.id, self.table.c.version).where(
                column.in_(wanted[start:start + 500]), self.table.c.deleted_at.is_(None))
            found.update({k: (i, ver) for k, i, ver in self.conn.execute(query)})
        updates = [(n, d, found[k]) for n, d, k in keyed if k in found]
        return updates, [(n, d) for n, d, k in keyed if k not in found]

    def _through_service(self, number: int, data: dict, record) -> None:
        """One row via RecordService (in a savepoint, so a bad row leaves no trace)."""
        try:
            with self.conn.begin_nested():
                if record is None:
                    self.service.create(self.conn, self.app, self.entity.name, data, self.user_id)
                    self.counts["created"] += 1
                else:
                    record_id, version = record
                    data.pop(self.key.name, None)
                    self.service.update(self.conn, self.app, self.entity.name, record_id, data,
                                        self.user_id, expected_version=version)
                    self.counts["updated"] += 1
        except MetacrmError as err:
            details = err.details if isinstance(err.details, dict) else {}
            self._fail(number, {k: str(m) for k, m in details.items()} or {"": err.message})

    def _creates(self, cells) -> None:
        """New records a batch at a time: the service's checks hoisted, two executemany writes."""
        prepare = self.rows.prepare
        prepared = [prepare(number, data) for number, data in cells]
        self.checks.check([p for p in prepared if not p.errors])
        good = []
        for p in prepared:
            if p.errors:
                self._fail(p.row, p.errors)
            else:
                good.append(p)
        if self.skip_bad or not self.errors:
            good = self._without_refused_rows(good)
        if self.skip_bad or not self.errors:
            write_batch(self.conn, self.entity, self.table, good, self.user_id, self.now)
            self.counts["created"] += len(good)

    def _without_refused_rows(self, good: list) -> list:
        """The entity's rules and the role's create rule are judged on the stored rows (as the
        service does): write, check, roll back."""
        if not good or (not self.entity.rules and self.create_rule is None):
            return good
        savepoint = self.conn.begin_nested()
        ids = write_batch(self.conn, self.entity, self.table, good, self.user_id, self.now)
        broken = broken_rules(self.conn, self.registry, self.entity, self.table, ids,
                              session_variables(self.user_id, self.now), self.language)
        if self.create_rule is not None:
            allowed = set(self.conn.execute(
                select(self.table.c.id).where(self.table.c.id.in_(ids), self.create_rule)).scalars())
            for record_id in ids:
                if record_id not in allowed:
                    broken.setdefault(record_id, []).append("you may not create this record")
        savepoint.rollback()
        for p, record_id in zip(good, ids):
            if record_id in broken:
                self._fail(p.row, {"_rules": "; ".join(broken[record_id])})
        return [p for p, record_id in zip(good, ids) if record_id not in broken]


    def _fail(self, number: int, errors: Mapping[str, str]) -> None:
        self.counts["bad_rows"] += 1
        for name, message in errors.items():
            if len(self.errors) < MAX_ERRORS:
                self.errors.append({"row": number, "field": name or None,
                                    "column": self.plan.header_of(name), "message": message})


def rows_of(report: dict) -> Iterator[str]:
    """Human lines for a report's errors (the CLI prints these)."""
    for e in report.get("errors", ()):
        where = f" {e['column'] or e['field']}:" if e.get("field") else ""
        yield f"row {e['row']}:{where} {e['message']}"


@job_kind("import")
def import_job(conn: Connection, params: dict, ctx) -> dict:
    """Job kind ``import``: params ``app, entity, path`` and the ``import_sheet`` options."""
    from runtime.records.registry import SchemaRegistry
    from runtime.security.guarded import records_for

    options = {k: params[k] for k in ("mode", "upsert_on", "mapping", "language") if params.get(k) is not None}
    registry = SchemaRegistry.from_connection(conn)
    guard = records_for(conn, registry, ctx.user_id, options.get("language", "en")) if ctx.user_id else None
    return import_file(conn, registry, params["app"], params["entity"], params["path"], fmt=params.get("format"),
                       user_id=ctx.user_id, progress=ctx.progress, guard=guard, **options)
