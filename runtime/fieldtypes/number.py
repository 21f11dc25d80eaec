"""Numeric fields: integer, rating, decimal, currency, percent.

Decimal-like values are exact (``Decimal``), never floats; their column type
is ``ExactDecimal``, which stores scaled integers on SQLite.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

from sqlalchemy import BigInteger
from sqlalchemy import Integer

from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

INT64 = 2**63 - 1
MAX_DIGITS = 18  # total digits kept exact on every backend


def _bounds_check(field):
    """A function enforcing the field's ``min``/``max`` (limits parsed once)."""
    low, high = field.opt("min"), field.opt("max")
    low_d = None if low is None else Decimal(str(low))
    high_d = None if high is None else Decimal(str(high))

    def check(value):
        if low_d is not None and value < low_d:
            raise ValueError(f"must be at least {low}")
        if high_d is not None and value > high_d:
            raise ValueError(f"must be at most {high}")
        return value

    return check


def _to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("expected a number") from None
    if not number.is_finite():
        raise ValueError("expected a finite number")
    return number


@register
class IntegerType(FieldType):
    name = "integer"
    options = {"min": {"type": "number"}, "max": {"type": "number"}}

    def default_schema(self):
        return {"type": "integer"}

    def column_type(self, field):
        return BigInteger()

    def storage(self, field):
        return ("integer",)

    def value_kind(self, field):
        return ("integer",)

    def coerce(self, field, value):
        return self.coercer(field)(value)

    def coercer(self, field):
        bounds = _bounds_check(field)

        def coerce(value):
            if value is None or value == "":
                return None
            if type(value) is int and abs(value) <= INT64:
                return int(bounds(value))
            number = _to_decimal(value)
            if number != number.to_integral_value():
                raise ValueError("expected a whole number")
            if abs(number) > INT64:
                raise ValueError("number too large")
            return int(bounds(number))

        return coerce


@register
class RatingType(IntegerType):
    name = "rating"
    options = {"max": {"type": "integer", "minimum": 1, "maximum": 10}}

    def column_type(self, field):
        return Integer()

    def coercer(self, field):
        whole, top = super().coercer(field), field.opt("max", 5)

        def coerce(value):
            number = whole(value)
            if number is not None and not 0 <= number <= top:
                raise ValueError(f"rating must be between 0 and {top}")
            return number

        return coerce


@register
class DecimalType(FieldType):
    name = "decimal"
    default_precision = 2
    options = {
        "precision": {"type": "integer", "minimum": 0, "maximum": 8},
        "min": {"type": "number"},
        "max": {"type": "number"},
    }

    def default_schema(self):
        return {"type": ["number", "string"]}

    def scale(self, field) -> int:
        return field.opt("precision", self.default_precision)

    def column_type(self, field):
        from runtime.storage.exact_decimal import ExactDecimal

        return ExactDecimal(self.scale(field))

    def storage(self, field):
        return ("decimal", self.scale(field))

    def value_kind(self, field):
        return ("decimal", self.scale(field))

    def coerce(self, field, value):
        return self.coercer(field)(value)

    def coercer(self, field):
        scale, bounds = self.scale(field), _bounds_check(field)
        quantum = Decimal(1).scaleb(-scale)

        def coerce(value):
            if value is None or value == "":
                return None
            number = _to_decimal(value)
            if number.adjusted() >= MAX_DIGITS - scale:
                raise ValueError("number too large")
            rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
            if rounded.adjusted() >= MAX_DIGITS - scale:
                raise ValueError("number too large")
            return bounds(rounded)

        return coerce


@register
class CurrencyType(DecimalType):
    name = "currency"
    options = {**DecimalType.options, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}


@register
class PercentType(DecimalType):
    name = "percent"
