"""Count the rows each planned change touches and refuse the lossy ones.

Runs inside the publish transaction (or a rolled-back one for ``app diff``),
on the tables as they are before the change. Counting is one SQL query per
change, except type conversions, which try every stored value with the new
type's own ``coerce`` so the refusal names exactly how many rows would fail.
"""

from __future__ import annotations

from sqlalchemy import Column
from sqlalchemy import Connection
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select

from runtime.metadata.model import Field
from runtime.storage.plan import Change
from runtime.storage.tables import ID_TYPE

BATCH = 5000


def column_table(table_name: str, *fields: Field) -> Table:
    """A minimal Table to read ``fields`` from ``table_name`` with their real types."""
    columns = [Column("id", ID_TYPE, primary_key=True)]
    columns += [Column(f.name, ID_TYPE if f.type == "link" else f.kind.column_type(f)) for f in fields]
    return Table(table_name, MetaData(), *columns)


def field_of(raw) -> Field:
    return Field(raw["name"], raw["type"], raw)


def assess(conn: Connection, changes: list[Change]) -> list[Change]:
    """Fill ``rows`` and ``problem`` on each change; returns the changes with a problem."""
    for change in changes:
        check = CHECKS.get(change.kind)
        if check:
            check(conn, change)
    return [c for c in changes if c.problem]


def _old_column(change: Change):
    prior = field_of(change.old)
    return column_table(change.table, prior).c[prior.name], prior


def _check_alter(conn: Connection, change: Change) -> None:
    column, prior = _old_column(change)
    new = field_of(change.new)
    if change.mode == "narrow":
        limit = new.kind.storage(new)[1]
        change.rows = conn.scalar(select(func.count()).where(func.length(column) > limit))
        if change.rows and new.convert != "truncate":
            change.problem = (
                f"{change.rows} row(s) have {change.field} longer than {limit} characters; "
                'set "convert": "truncate" to cut them'
            )
    elif change.mode == "convert":
        failures, total = count_conversion_failures(conn, column, new)
        change.rows = total
        if failures and new.convert != "null_invalid":
            change.problem = (
                f"{failures} of {total} row(s) have {change.field} values that are not valid "
                f'{new.type}; set "convert": "null_invalid" to empty them (old values stay archived)'
            )


def iter_values(conn: Connection, column):
    """``(id, value)`` of every non-null value, in id order, batch by batch (keyset)."""
    table = column.table
    last = 0
    while True:
        rows = conn.execute(
            select(table.c.id, column)
            .where(table.c.id > last, column.is_not(None))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def convert_value(field: Field, value):
    """The value in the new field's type, or raise ValueError."""
    return field.kind.coerce(field, value if not hasattr(value, "isoformat") else value.isoformat())


def count_conversion_failures(conn: Connection, column, new: Field) -> tuple[int, int]:
    failures = total = 0
    for _id, value in iter_values(conn, column):
        total += 1
        try:
            convert_value(new, value)
        except ValueError:
            failures += 1
    return failures, total


def _count_nulls(conn: Connection, change: Change) -> int:
    column, _ = _old_column(change)
    return conn.scalar(select(func.count()).where(column.is_(None)))


def _check_fill(conn: Connection, change: Change) -> None:
    change.rows = _count_nulls(conn, change)


def _check_require(conn: Connection, change: Change) -> None:
    change.rows = _count_nulls(conn, change)
    if change.rows:
        change.problem = (
            f"{change.rows} row(s) have no {change.field}; give the field a default to fill them "
            "before making it required"
        )


def _check_unique(conn: Connection, change: Change) -> None:
    column, _ = _old_column(change)
    dupes = select(column).where(column.is_not(None)).group_by(column).having(func.count() > 1).subquery()
    change.rows = conn.scalar(select(func.count()).select_from(dupes))
    if change.rows:
        change.problem = f"{change.rows} value(s) of {change.field} appear more than once; cannot make it unique"


def _check_archive_field(conn: Connection, change: Change) -> None:
    column, _ = _old_column(change)
    change.rows = conn.scalar(select(func.count()).where(column.is_not(None)))


def _check_archive_entity(conn: Connection, change: Change) -> None:
    table = Table(change.table, MetaData(), Column("id", ID_TYPE))
    change.rows = conn.scalar(select(func.count()).select_from(table))


CHECKS = {
    "alter_field": _check_alter,
    "fill_default": _check_fill,
    "require_field": _check_require,
    "unique_field": _check_unique,
    "archive_field": _check_archive_field,
    "archive_entity": _check_archive_entity,
}
