"""Date buckets in SQL that give the same answer on SQLite and PostgreSQL.

Each bucket is the date its period starts (a week starts on Monday, as in
ISO 8601), typed ``Date`` so both backends return a ``datetime.date``.
Datetimes are stored in UTC, so buckets are UTC days. The bucket names come
from the validated metadata and are written as SQL literals, never bound,
so the expression is identical wherever a query repeats it.
"""

from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import type_coerce
from sqlalchemy.sql.elements import ColumnElement

from runtime.metadata.reportfields import BUCKETS

__all__ = ["bucket_start"]

_SQLITE_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m-01", "year": "%Y-01-01"}


def bucket_start(value: ColumnElement, bucket: str, dialect: str) -> ColumnElement:
    """The first day of ``value``'s ``bucket`` (day, week, month, quarter, year)."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r}")
    if dialect == "postgresql":
        start = func.date_trunc(literal_column(f"'{bucket}'"), cast(value, DateTime))
        return cast(start, Date)
    return type_coerce(_sqlite(value, bucket), Date)


def _sqlite(value: ColumnElement, bucket: str) -> ColumnElement:
    if bucket in _SQLITE_FORMATS:
        return func.strftime(literal_column(f"'{_SQLITE_FORMATS[bucket]}'"), value)
    if bucket == "week":  # on to the next Sunday (or stay on one), then back to its Monday
        return func.date(value, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    month = cast(func.strftime(literal_column("'%m'"), value), Integer)
    first_month = (month + 2) // 3 * 3 - 2  # 1..3 -> 1, 4..6 -> 4, ...
    return func.printf(literal_column("'%s-%02d-01'"), func.strftime(literal_column("'%Y'"), value), first_month)
