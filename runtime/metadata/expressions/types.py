"""The value types of the expression language and how Python values map onto them.

Kept apart from the parser and the compilers because every caller (field types,
the formula service, the API) needs the types without needing the compilers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Context
from decimal import Decimal
from enum import Enum
from typing import Any

from runtime.storage.exact_decimal import exact_decimal as to_decimal

MAX_SCALE = 10
DIVISION_SCALE = 6

# Enough digits for any scaled 64-bit value times any power of ten we use.
EXACT = Context(prec=80, rounding=ROUND_HALF_UP)


class Kind(str, Enum):
    """A type family; a ``str`` enum so ``kind == "TEXT"`` reads naturally."""

    TEXT = "TEXT"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATETIME = "DATETIME"
    NULL = "NULL"
    LIST = "LIST"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ExprType:
    """The static type of an expression: a kind, a scale for DECIMAL, an item type for LIST."""

    kind: Kind
    scale: int = 0
    item: ExprType | None = None

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.kind is not Kind.DECIMAL and self.scale:
            raise ValueError(f"only DECIMAL has a scale, not {self.kind}")
        if not 0 <= self.scale <= MAX_SCALE:
            raise ValueError(f"scale must be between 0 and {MAX_SCALE}")
        if (self.kind is Kind.LIST) != (self.item is not None):
            raise ValueError("LIST needs an item type and only LIST has one")

    def __str__(self) -> str:
        if self.kind is Kind.DECIMAL:
            return f"DECIMAL({self.scale})"
        if self.kind is Kind.LIST:
            return f"LIST({self.item})"
        return self.kind.value

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Kind.INTEGER, Kind.DECIMAL)


def decimal_type(scale: int) -> ExprType:
    """DECIMAL with ``scale`` digits after the point (0..10)."""
    return ExprType(Kind.DECIMAL, scale)


def list_type(item: ExprType) -> ExprType:
    return ExprType(Kind.LIST, item=item)


TEXT = ExprType(Kind.TEXT)
INTEGER = ExprType(Kind.INTEGER)
BOOLEAN = ExprType(Kind.BOOLEAN)
DATE = ExprType(Kind.DATE)
DATETIME = ExprType(Kind.DATETIME)
NULL = ExprType(Kind.NULL)


def scale_of(t: ExprType) -> int:
    """The number of decimal places a numeric type carries (INTEGER has 0)."""
    return t.scale if t.kind is Kind.DECIMAL else 0


def unify(a: ExprType, b: ExprType) -> ExprType | None:
    """The common type two values can both be converted to, or None if there is none.

    NULL joins anything; INTEGER and DECIMAL join as DECIMAL with the larger scale.
    """
    if a.kind is Kind.NULL:
        return b
    if b.kind is Kind.NULL or a == b:
        return a
    if a.is_numeric and b.is_numeric:
        return decimal_type(max(scale_of(a), scale_of(b)))
    return None


def assignable(actual: ExprType, expected: ExprType) -> bool:
    """Whether a result of type ``actual`` may be stored where ``expected`` is wanted.

    Numbers go into DECIMAL of any scale (stored values are rounded to the
    target scale); INTEGER accepts only whole numbers (DECIMAL with scale 0).
    """
    if actual.kind is Kind.NULL or actual == expected:
        return True
    if expected.kind is Kind.DECIMAL:
        return actual.is_numeric
    if expected.kind is Kind.INTEGER:
        return actual.kind is Kind.DECIMAL and actual.scale == 0
    if expected.kind is Kind.LIST and actual.kind is Kind.LIST:
        return assignable(actual.item, expected.item)
    return False


def quantize(value: Decimal, scale: int) -> Decimal:
    """Round half away from zero to ``scale`` places; never returns a negative zero."""
    q = value.quantize(Decimal(1).scaleb(-scale), context=EXACT)
    return q.copy_abs() if q.is_zero() else q


def coerce_value(value: Any, t: ExprType) -> Any:
    """Bring a value from a record or a variable into the canonical Python form of ``t``.

    Records may hold ints for decimals or ISO strings for dates (JSON input); the
    evaluator and the SQL binder both need one representation per type.
    """
    if value is None:
        return None
    kind = t.kind
    if kind is Kind.DECIMAL:
        return quantize(to_decimal(value), t.scale)
    if kind is Kind.INTEGER:
        if isinstance(value, bool):
            raise TypeError("a boolean is not an integer")
        return int(value) if isinstance(value, int) else int(to_decimal(value))
    if kind is Kind.DATETIME:
        return _to_datetime(value)
    if kind is Kind.DATE:
        return _to_date(value)
    if kind is Kind.BOOLEAN:
        return bool(value)
    if kind is Kind.TEXT:
        return str(value)
    return value




def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _to_datetime(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
