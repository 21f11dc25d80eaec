"""Autonumbers like ``OPP-{YYYY}-{#####}`` that never repeat, even under concurrency.

The counter is one row per (field, period) in ``metacrm_sequence``, bumped
with a single ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING``: PostgreSQL
row-locks it for the rest of the transaction and SQLite's write lock
serialises writers, so two inserts can never read the same value.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from runtime.storage.system import sequences

DIGITS = re.compile(r"\{(#+)\}")
DATE_TOKENS = {"{YYYY}": "%Y", "{YY}": "%y", "{MM}": "%m", "{DD}": "%d"}


def period_of(fmt: str, now: datetime) -> str:
    """The counter restarts whenever the date part of the format changes."""
    parts = [now.strftime(code) for token, code in DATE_TOKENS.items() if token in fmt]
    return "-".join(parts) or "all"


def render(fmt: str, number: int, now: datetime) -> str:
    text = fmt
    for token, code in DATE_TOKENS.items():
        text = text.replace(token, now.strftime(code))
    return DIGITS.sub(lambda m: str(number).zfill(len(m.group(1))), text, count=1)


def next_number(conn: Connection, app: str, entity: str, field: str, period: str) -> int:
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(sequences).values(app=app, entity=entity, field=field, period=period, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[sequences.c.app, sequences.c.entity, sequences.c.field, sequences.c.period],
        set_={"value": sequences.c.value + 1},
    ).returning(sequences.c.value)
    return conn.execute(statement).scalar_one()


def next_autonumber(conn: Connection, app: str, entity: str, field: str, fmt: str, now: datetime) -> str:
    """The next formatted number for ``app.entity.field``, inside the caller's transaction."""
    return render(fmt, next_number(conn, app, entity, field, period_of(fmt, now)), now)
