"""Many rows into one table, faster than ``conn.execute(insert(table), dicts)``.

The import path writes validated rows by the thousand. Going through
SQLAlchemy's executemany costs more per row than the database does (a dict
per row, parameter construction, every type processor looked up per
statement), so this module binds each column's processor once and hands the
driver plain tuples:

* PostgreSQL: ``COPY ... FROM STDIN`` on the same connection and transaction
  (psycopg's row writer), several times faster than executemany.
* SQLite: one prepared ``INSERT`` and the DB-API ``executemany``.

Values are still passed as parameters or COPY data, never spliced into SQL,
and names are quoted by the dialect.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import insert


def insert_rows(conn: Connection, table: Table, keys: Sequence[str], rows: Iterable[Sequence],
                same: Mapping[str, Any] | None = None) -> None:
    """Insert ``rows`` (each a sequence of values in ``keys`` order) into ``table``; ``same``
    holds columns whose value is the same on every row (stamps), converted once.

    Values are what ``insert(table)`` would accept: each column's type
    converts them (exact decimals, JSON, dates) exactly as there.
    """
    dialect = conn.dialect
    same = dict(same or {})
    constant = tuple(_converted(_processor(table, k, dialect), v) for k, v in same.items())
    processors = [(i, p) for i, p in enumerate(_processor(table, k, dialect) for k in keys) if p is not None]
    bound = (_processed(row, processors) + constant for row in rows)
    columns = [*keys, *same]
    if dialect.name == "postgresql":
        _copy(conn, table, columns, bound)
    else:
        _executemany(conn, table, columns, bound)


def _processor(table: Table, key: str, dialect):
    return table.c[key].type.dialect_impl(dialect).bind_processor(dialect)


def _converted(process, value):
    return process(value) if process is not None else value


def _processed(row: Sequence, processors: list) -> tuple:
    values = list(row)
    for index, process in processors:
        values[index] = process(values[index])
    return tuple(values)


def _copy(conn: Connection, table: Table, keys: Sequence[str], rows: Iterable[tuple]) -> None:
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(k) for k in keys)
    statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _executemany(conn: Connection, table: Table, keys: Sequence[str], rows: Iterable[tuple]) -> None:
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
    order = [list(keys).index(name) for name in compiled.positiontup]
    if order != list(range(len(keys))):
        rows = (tuple(row[i] for i in order) for row in rows)
    conn.exec_driver_sql(compiled.string, list(rows))
