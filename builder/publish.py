"""Publish an app version: validate, plan, assess, migrate and record — all or nothing.

Everything happens in one transaction (on SQLite with foreign-key checks
deferred to a final ``foreign_key_check``, as SQLite's own ALTER TABLE
procedure prescribes), so a refusal, an error or a crash part-way leaves the
previous version fully in force. Concurrent publishes are serialised.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import Conflict
from runtime.errors import UnsafeChange
from runtime.metadata.model import App
from runtime.metadata.validate import validate_app
from runtime.records.search import install_search_indexes
from runtime.security import audit
from runtime.storage.assess import assess
from runtime.storage.catalog import current_apps
from runtime.storage.migrate import Migrator
from runtime.storage.plan import Archived
from runtime.storage.plan import Change
from runtime.storage.plan import plan_changes
from runtime.storage.system import app_versions
from runtime.storage.system import apps
from runtime.storage.system import archives
from runtime.storage.tables import build_tables

PUBLISH_LOCK = zlib.crc32(b"metacrm.publish")


@dataclass
class PublishResult:
    app: str
    version: int | None  # the new version number; None for a no-op or a dry run
    changes: list[Change]
    noop: bool = False

    def summary(self) -> list[str]:
        return [c.describe() for c in self.changes]


@contextmanager
def publish_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole publish, serialised against other publishes."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if not sqlite:
                    conn.execute(select(func.pg_advisory_xact_lock(PUBLISH_LOCK)))
                yield conn
                if sqlite:
                    _check_foreign_keys(conn)
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise Conflict(f"publish would leave {len(broken)} broken reference(s); nothing was changed")


def archived_items(conn: Connection, app_name: str) -> list[Archived]:
    rows = conn.execute(
        select(archives).where(archives.c.app == app_name, archives.c.restored_in.is_(None)).order_by(archives.c.id)
    )
    return [Archived(r.kind, r.entity, r.field, r.archived_name, r.definition) for r in rows]


def publish(
    engine: Engine,
    source: Mapping[str, Any],
    *,
    author: str | None = None,
    user_id: int | None = None,
    ip: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """Make ``source`` the app's version in force, or explain why not (raises, changes nothing).

    ``dry_run`` plans and assesses inside the transaction, then rolls it back. ``user_id`` and
    ``ip`` say who published from the web, for the audit row; without an ``ip`` the publish came
    from the command line and the row says ``cli``.
    """
    try:
        return _publish(engine, source, _Publisher(author, user_id, ip or audit.CLI), dry_run, progress)
    except _DryRun as planned:
        return planned.result


@dataclass(frozen=True)
class _Publisher:
    author: str | None
    user_id: int | None
    ip: str


class _DryRun(Exception):
    """Raised to roll back a dry run's transaction while returning its plan."""

    def __init__(self, result: PublishResult):
        super().__init__("dry run")
        self.result = result


def _publish(engine, source, by: _Publisher, dry_run, progress) -> PublishResult:
    with publish_transaction(engine) as conn:
        installed = current_apps(conn)
        name = source.get("app.json", {}).get("name") if isinstance(source.get("app.json"), dict) else None
        others = {k: app for k, (_n, app) in installed.items() if k != name}
        new = validate_app(source, installed=others)
        number, current = installed.get(new.name, (0, None))
        if current is not None and current.checksum == new.checksum:
            return PublishResult(new.name, None, [], noop=True)
        changes = plan_changes(current, new, archived_items(conn, new.name), number + 1)
        problems = assess(conn, changes)
        if problems:
            raise UnsafeChange(
                f"publish of {new.name} refused: {len(problems)} change(s) would lose data; nothing was changed",
                details=[f"{c.entity}{'.' + c.field if c.field else ''}: {c.problem}" for c in problems],
            )
        if dry_run:
            raise _DryRun(PublishResult(new.name, None, changes))
        tables = build_tables([*others.values(), new])
        Migrator(conn, new, tables, number + 1, progress).apply(changes)
        for entity in new.entities:
            if entity.parent is None:
                install_search_indexes(conn, entity, tables[entity.qualified_name])
        _record_version(conn, new, number + 1, changes, by)
        return PublishResult(new.name, number + 1, changes)


def _record_version(conn: Connection, app: App, number: int, changes: list[Change], by: _Publisher) -> None:
    now = utcnow()
    if number == 1:
        conn.execute(insert(apps).values(name=app.name, label=app.label, current_version=None,
                                         installed_at=now, updated_at=now))
    conn.execute(
        insert(app_versions).values(
            app=app.name, number=number, version_label=app.version, metadata=dict(app.source),
            checksum=app.checksum, author=by.author, changes=[c.to_json() for c in changes], created_at=now,
        )
    )
    conn.execute(update(apps).where(apps.c.name == app.name).values(
        current_version=number, label=app.label, updated_at=now))
    audit.record(conn, "app_published", by.user_id, by.author, by.ip,
                 {"app": app.name, "version": app.version, "number": number, "author": by.author})
