"""Exact scaled-integer arithmetic in SQL, the same on SQLite and PostgreSQL.

Inside a compiled expression a DECIMAL(s) value is the integer ``value * 10**s``:
SQLite has no exact decimals (ExactDecimal stores scaled BIGINTs) and doing the
same on PostgreSQL (as NUMERIC integers) keeps one code path whose rounding is
provably the Python evaluator's. Only the integer division and the literal
types differ between dialects. Every number here is a bound parameter.

Range on SQLite: every scaled intermediate must stay below 2**63 (about 9.2e18),
or SQLite silently switches to floating point. Scales are at most 10, so a
value × 10**scale up to ~9e18; a product needs |a·b| × 10**(sa+sb) in range and a
division |a| × 10**(s+sb) × 2, e.g. DECIMAL(2) / DECIMAL(2) (s = 6) works for
dividends up to about 4.6e10. PostgreSQL's NUMERIC integers have no such limit.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.elements import Grouping

from runtime.storage.exact_decimal import ExactDecimal

from .types import ExprType
from .types import Kind

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
DIALECTS = (SQLITE, POSTGRESQL)


def scaled_type(dialect: str) -> sa.types.TypeEngine:
    """The SQL type of a scaled integer: BIGINT on SQLite, unbounded NUMERIC on PostgreSQL."""
    return sa.Numeric() if dialect == POSTGRESQL else sa.BigInteger()


def storage_type(t: ExprType, dialect: str) -> sa.types.TypeEngine:
    """The SQL type of a value of ``t`` while it is inside an expression."""
    if t.kind is Kind.DECIMAL:
        return scaled_type(dialect)
    return {
        Kind.TEXT: sa.Text(),
        Kind.INTEGER: sa.BigInteger(),
        Kind.BOOLEAN: sa.Boolean(),
        Kind.DATE: sa.Date(),
        Kind.DATETIME: sa.DateTime(),
    }.get(t.kind, sa.types.NullType())


def retype(expr: ColumnElement, type_: sa.types.TypeEngine) -> ColumnElement:
    """``type_coerce`` that never re-binds a parameter.

    ``type_coerce`` on a bound parameter changes how its value is *sent*: a scaled
    literal would be scaled again, a column given as ``literal(v, ExactDecimal)``
    would lose its scaling. The parentheses keep the parameter's own type.
    """
    if isinstance(expr, BindParameter):
        expr = Grouping(expr)
    return sa.type_coerce(expr, type_)


def result_type(t: ExprType) -> sa.types.TypeEngine:
    """The SQL type a finished expression reports, so result rows come back as Python values."""
    if t.kind is Kind.DECIMAL:
        return ExactDecimal(t.scale)
    return storage_type(t, SQLITE)


def scaled_literal(value: int, dialect: str) -> ColumnElement:
    """A bound integer in the scaled domain."""
    if dialect == POSTGRESQL:
        return sa.literal(Decimal(value), sa.Numeric())
    return sa.literal(int(value), sa.BigInteger())


def to_scaled(expr: ColumnElement, dialect: str) -> ColumnElement:
    """An INTEGER expression as a scaled integer with scale 0."""
    return sa.cast(expr, sa.Numeric()) if dialect == POSTGRESQL else expr


def idiv(a: ColumnElement, b: ColumnElement, dialect: str) -> ColumnElement:
    """Integer division truncating toward zero (SQLite ``/`` on integers, PostgreSQL ``div``)."""
    if dialect == POSTGRESQL:
        return sa.func.div(a, b, type_=sa.Numeric())
    # A raw operator with explicit parentheses: SQLAlchemy 2's ``/`` means true division.
    quotient = Grouping(a).op("/", precedence=100, return_type=sa.BigInteger())(Grouping(b))
    return Grouping(quotient)


def upscale(expr: ColumnElement, by: int, dialect: str) -> ColumnElement:
    """Multiply a scaled value by ``10**by`` (exact)."""
    return expr if by == 0 else expr * scaled_literal(10**by, dialect)


def round_down_scale(expr: ColumnElement, by: int, dialect: str) -> ColumnElement:
    """Divide by ``10**by`` rounding half away from zero: (x ± p/2) / p, truncated.

    PostgreSQL's ``round(numeric)`` already rounds half away from zero, and
    multiplying by 1E-by is exact, so there the operand appears only once.
    """
    if by == 0:
        return expr
    if dialect == POSTGRESQL:
        shifted = expr * sa.literal(Decimal(1).scaleb(-by), sa.Numeric())
        return sa.func.round(shifted, type_=sa.Numeric())
    half = scaled_literal(5 * 10 ** (by - 1), dialect)
    shift = sa.case((expr < scaled_literal(0, dialect), -half), else_=half)
    return idiv(expr + shift, scaled_literal(10**by, dialect), dialect)


def rescale(expr: ColumnElement, src: int, dst: int, dialect: str) -> ColumnElement:
    """Move a scaled value from scale ``src`` to scale ``dst``."""
    if dst >= src:
        return upscale(expr, dst - src, dialect)
    return round_down_scale(expr, src - dst, dialect)


def divide(n: ColumnElement, b: ColumnElement, dialect: str) -> ColumnElement:
    """round_half_away(n / b) for integers; NULL when ``b`` is 0.

    trunc((2n + sign(n)·|b|) / 2b) equals n/b + sign(n/b)/2 truncated, which is
    rounding half away from zero with nothing but integer operations.
    """
    zero = scaled_literal(0, dialect)
    two = scaled_literal(2, dialect)
    magnitude = sa.func.abs(b)
    shift = sa.case((n < zero, -magnitude), else_=magnitude)
    return idiv(two * n + shift, two * sa.func.nullif(b, zero), dialect)


def unscale(expr: ColumnElement, scale: int, dialect: str) -> ColumnElement:
    """Turn a scaled value into the storage form ExactDecimal reads back."""
    if dialect == POSTGRESQL and scale:
        expr = expr * sa.literal(Decimal(1).scaleb(-scale), sa.Numeric())
    return retype(expr, ExactDecimal(scale))


def decimal_text(expr: ColumnElement, scale: int, dialect: str) -> ColumnElement:
    """Format a scaled value like Python's ``format(d, 'f')``: '-0.05', '12.50'."""
    if dialect == POSTGRESQL:
        plain = expr * sa.literal(Decimal(1).scaleb(-scale), sa.Numeric())
        return sa.cast(sa.func.round(plain, scale), sa.Text())
    if scale == 0:
        return sa.cast(expr, sa.Text())
    power = scaled_literal(10**scale, dialect)
    magnitude = sa.func.abs(expr)
    sign = sa.case((expr < scaled_literal(0, dialect), sa.literal("-")), else_=sa.literal(""))
    whole = sa.cast(idiv(magnitude, power, dialect), sa.Text())
    # power + remainder is "1" followed by exactly `scale` digits: drop the "1".
    fraction = sa.func.substr(sa.cast(power + magnitude % power, sa.Text()), 2)
    return sign.concat(whole).concat(sa.literal(".")).concat(fraction)


def text_order(expr: ColumnElement, dialect: str) -> ColumnElement:
    """Code-point order for ``<``: PostgreSQL's collation would otherwise decide."""
    return sa.collate(expr, "C") if dialect == POSTGRESQL else expr
