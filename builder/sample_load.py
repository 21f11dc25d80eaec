"""Loading checked sample data (see ``builder.sample_data`` for the format and the checks):
every record through the record service in one transaction, linked-to records first, each
in a savepoint so every refusal is reported before the whole load rolls back."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import select

from builder.sample_data import Ref
from builder.sample_data import Relative
from builder.sample_data import SampleRecord
from builder.sample_data import SampleResult
from builder.sample_data import UserRef
from builder.sample_data import raise_problems
from builder.sample_data import read_sample_data
from runtime.clock import utcnow
from runtime.errors import MetacrmError
from runtime.metadata.problems import Problem
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import get_user_by_email

__all__ = ["install_sample_data", "load_records"]

def install_sample_data(engine: Engine, app_name: str, files: Mapping[str, bytes], user_id: int | None,
                        progress: Callable[[str], None] | None = None) -> SampleResult:
    """Check the files against the installed app, then load them in one transaction (or skip)."""
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        app = registry.app(app_name)
        records = read_sample_data(app, files)
        busy = _occupied(conn, registry, app.name, records)
        if busy:
            return SampleResult({}, skipped=f"{busy} already has records")
        return SampleResult(load_records(conn, registry, app.name, records, user_id, progress))


def _occupied(conn: Connection, registry: SchemaRegistry, app_name: str, records: list[SampleRecord]) -> str | None:
    """The first entity of the data that holds any row, deleted ones included."""
    for name in sorted({r.entity for r in records}):
        table = registry.table(app_name, name)
        if conn.execute(select(table.c.id).limit(1)).first() is not None:
            return name
    return None


def load_records(conn: Connection, registry: SchemaRegistry, app_name: str, records: list[SampleRecord],
                 user_id: int | None, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Create ``records`` (from ``read_sample_data``) on the caller's connection; counts per entity.

    Each record is tried in a savepoint so every refused record is reported,
    then MetacrmError is raised and the caller's transaction must roll back.
    """
    now = utcnow()
    service = RecordService(registry, clock=lambda: now)
    resolver = _Resolver(conn, user_id, now)
    problems: list[Problem] = []
    counts: Counter = Counter()
    for done, record in enumerate(records, 1):
        if record.needs - resolver.ids.keys():
            continue  # a record it links to was refused; that one is reported
        try:
            with conn.begin_nested():
                created = service.create(conn, app_name, record.entity, resolver(record.data), user_id)
        except MetacrmError as err:
            problems += _refusal(record, err)
            continue
        if record.key is not None:
            resolver.ids[(record.entity, record.key)] = created["id"]
        counts[record.entity] += 1
        if progress is not None and (done % 100 == 0 or done == len(records)):
            progress(f"{done}/{len(records)} sample records")
    raise_problems(problems, app_name)
    return dict(counts)


class _Resolver:
    """Replaces placeholders by ids: sample keys, users by email (cached) and relative dates."""

    def __init__(self, conn: Connection, user_id: int | None, now: datetime):
        self.conn, self.user_id, self.now = conn, user_id, now
        self.ids: dict[tuple[str, str], int] = {}
        self.users: dict[str, int | None] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, Ref):
            return self.ids[(value.entity, value.key)]
        if isinstance(value, UserRef):
            return self.user(value.email)
        if isinstance(value, Relative):
            return value.at(self.now)
        return value

    def user(self, email: str | None) -> int | None:
        if email is None:
            return self.user_id
        if email not in self.users:
            found = get_user_by_email(self.conn, email)
            self.users[email] = found.id if found is not None else self.user_id
        return self.users[email]


def _refusal(record: SampleRecord, err: MetacrmError) -> list[Problem]:
    """The service's ``{field: message}`` details as problems at the record's fields."""
    if not isinstance(err.details, dict) or not err.details:
        return [record.problem((), err.message)]
    found = []
    for name, message in err.details.items():
        text = "; ".join(message) if isinstance(message, list) else str(message)
        steps = () if name.startswith("_") else _steps(name)
        found.append(record.problem(steps, text))
    return found


def _steps(name: str) -> tuple:
    """``interactions[2].summary`` -> ("interactions", 2, "summary")."""
    return tuple(int(s) if s.isdigit() else s for s in re.split(r"[\[\].]+", name) if s)


