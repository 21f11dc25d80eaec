"""Python and SQL implementations of the built-in functions, paired up in ``functions``.

Each SQL implementation receives DECIMAL arguments as scaled integers (see
``sqlops``) and must return the same value as its Python twin on every input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from string import ascii_lowercase
from string import ascii_uppercase
from typing import Any

import sqlalchemy as sa

from . import sqlops
from .types import ExprType
from .types import Kind
from .types import quantize


class SqlArgs:
    """What a SQL implementation gets: argument expressions, their types, the result type."""

    __slots__ = ("dialect", "result", "types", "values")

    def __init__(self, values: tuple, types: tuple[ExprType, ...], result: ExprType, dialect: str):
        self.values, self.types, self.result, self.dialect = values, types, result, dialect


SqlImpl = Callable[[SqlArgs], Any]


# -- Python implementations ------------------------------------------------

_LOWER = str.maketrans(ascii_uppercase, ascii_lowercase)
_UPPER = str.maketrans(ascii_lowercase, ascii_uppercase)


def _text(value: Any) -> str:
    """CONCAT's rendering, identical to the SQL side: null is '', decimals keep their scale."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def py_round(value: Any, places: int = 0) -> Any:
    return value if isinstance(value, int) else quantize(value, places)


def py_if(cond, yes, no):
    return yes() if cond() is True else no()


def py_coalesce(*thunks):
    for thunk in thunks:
        value = thunk()
        if value is not None:
            return value
    return None


# -- SQL implementations ---------------------------------------------------


def sql_concat(a: SqlArgs):
    parts = [_sql_text(v, t, a.dialect) for v, t in zip(a.values, a.types)]
    result = sa.func.coalesce(parts[0], sa.literal(""), type_=sa.Text())
    for part in parts[1:]:
        result = result.concat(sa.func.coalesce(part, sa.literal(""), type_=sa.Text()))
    return result


def _sql_text(value, t: ExprType, dialect: str):
    if t.kind is Kind.DECIMAL:
        return sqlops.decimal_text(value, t.scale, dialect)
    if t.kind is Kind.DATE and dialect == sqlops.POSTGRESQL:
        return sa.func.to_char(value, sa.literal("YYYY-MM-DD"), type_=sa.Text())
    if t.kind is Kind.NULL:
        return sa.literal("")
    return sa.cast(value, sa.Text())


def sql_round(a: SqlArgs):
    if a.types[0].kind is Kind.INTEGER:
        return a.values[0]
    return sqlops.rescale(a.values[0], a.types[0].scale, a.result.scale, a.dialect)


def sql_days_between(a: SqlArgs):
    start, end = a.values
    if a.dialect == sqlops.POSTGRESQL:
        return sa.cast(sa.cast(end, sa.Date()) - sa.cast(start, sa.Date()), sa.BigInteger())
    days = sa.func.julianday(sa.func.date(end)) - sa.func.julianday(sa.func.date(start))
    return sa.cast(sa.func.round(days), sa.BigInteger())


def _sql_part(field: str, fmt: str) -> SqlImpl:
    def impl(a: SqlArgs):
        if a.dialect == sqlops.POSTGRESQL:
            return sa.cast(sa.extract(field, a.values[0]), sa.BigInteger())
        return sa.cast(sa.func.strftime(fmt, a.values[0]), sa.BigInteger())

    return impl


def _sql_case(name: str) -> SqlImpl:
    def impl(a: SqlArgs):
        # PostgreSQL's C collation maps ASCII only, as SQLite's built-ins do.
        fn = getattr(sa.func, name)
        return fn(sqlops.text_order(a.values[0], a.dialect), type_=sa.Text())

    return impl


def add_days_sql(day, days, dialect: str):
    """date + n days; shared with the ``+``/``-`` operators on dates."""
    if dialect == sqlops.POSTGRESQL:
        return sa.cast(day + sa.cast(days, sa.Integer()), sa.Date())
    modifier = sa.cast(days, sa.Text()).concat(sa.literal(" days"))
    return sa.func.date(day, modifier, type_=sa.Date())


def sql_contains(a: SqlArgs):
    finder = sa.func.strpos if a.dialect == sqlops.POSTGRESQL else sa.func.instr
    return finder(a.values[0], a.values[1]) > sa.literal(0, sa.BigInteger())


def sql_len(a: SqlArgs):
    fn = sa.func.char_length if a.dialect == sqlops.POSTGRESQL else sa.func.length
    return fn(a.values[0], type_=sa.BigInteger())


def py_concat(*values: Any) -> str:
    return "".join(_text(v) for v in values)


def py_days_between(start: dt.date, end: dt.date) -> int:
    return (_day(end) - _day(start)).days


def py_contains(text: str, part: str) -> bool:
    return part in text


def py_lower(text: str) -> str:
    return text.translate(_LOWER)


def py_upper(text: str) -> str:
    return text.translate(_UPPER)


def py_add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def sql_if(a: SqlArgs):
    return sa.case((a.values[0], a.values[1]), else_=a.values[2])


def sql_coalesce(a: SqlArgs):
    return sa.func.coalesce(*a.values)


def sql_abs(a: SqlArgs):
    return sa.func.abs(a.values[0])


def sql_add_days(a: SqlArgs):
    return add_days_sql(a.values[0], a.values[1], a.dialect)


sql_lower = _sql_case("lower")
sql_upper = _sql_case("upper")
sql_year = _sql_part("year", "%Y")
sql_month = _sql_part("month", "%m")


def py_year(day: dt.date) -> int:
    return day.year


def py_month(day: dt.date) -> int:
    return day.month
