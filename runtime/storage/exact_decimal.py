"""Exact decimals on every backend: NUMERIC on PostgreSQL, scaled BIGINT on SQLite.

SQLite has no exact decimal type (its NUMERIC affinity turns 0.1 into a float),
so decimal and currency values are stored there as ``value * 10**scale``; sums
and comparisons of those integers stay exact. Application code always sees
``Decimal`` quantized to the column's scale, rounding half away from zero.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Context
from decimal import Decimal
from typing import Any

from sqlalchemy.types import BigInteger
from sqlalchemy.types import Numeric
from sqlalchemy.types import TypeDecorator

_CONTEXT = Context(prec=80, rounding=ROUND_HALF_UP)
_INT64 = 2**63 - 1

__all__ = ["ExactDecimal"]


class ExactDecimal(TypeDecorator):
    """``Numeric(precision, scale)`` on PostgreSQL, a scaled ``BigInteger`` on SQLite.

    Raw SQL against the SQLite column sees scaled integers: arithmetic on it must
    go through the expression compiler, which knows the scale.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int, precision: int = 28):
        if not 0 <= scale <= 18:
            raise ValueError("ExactDecimal scale must be between 0 and 18")
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self.precision = precision
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    @property
    def python_type(self) -> type:
        return Decimal

    def process_bind_param(self, value: Any, dialect) -> Any:
        if value is None:
            return None
        quantized = self._quantize(exact_decimal(value))
        if dialect.name != "sqlite":
            return quantized
        scaled = int(quantized.scaleb(self.scale, context=_CONTEXT))
        if abs(scaled) > _INT64:
            raise ValueError(f"{value!r} is too large for a scale-{self.scale} decimal on SQLite")
        return scaled

    def process_result_value(self, value: Any, dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            # AVG and overflowing sums come back as floats; keep what precision they have.
            number = exact_decimal(value) if not isinstance(value, int) else Decimal(value)
            return self._quantize(number.scaleb(-self.scale, context=_CONTEXT))
        return self._quantize(exact_decimal(value))

    def process_literal_param(self, value: Any, dialect) -> str:
        return str(self.process_bind_param(value, dialect))

    def _quantize(self, value: Decimal) -> Decimal:
        q = value.quantize(self._quantum, context=_CONTEXT)
        return q.copy_abs() if q.is_zero() else q


def exact_decimal(value: Any) -> Decimal:
    """A finite Decimal from an int, Decimal, str or float (floats via their shortest repr)."""
    if type(value) is Decimal and value.is_finite():  # the common case (coerced values), checked first
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        value = repr(value)
    number = value if isinstance(value, Decimal) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number
