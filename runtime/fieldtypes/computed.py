"""Fields the system computes: formula, rollup, lookup, autonumber.

Formulas and lookups have no column: they compile to SQL at query time, so
they can be filtered, sorted and grouped. Rollups are stored and kept right
in the same transaction as the child rows; autonumbers are stored once.
"""

from __future__ import annotations

from sqlalchemy import BigInteger

from runtime.fieldtypes.base import CodeStorage
from runtime.fieldtypes.base import FieldType
from runtime.fieldtypes.base import register

RESULT_KINDS = ["text", "integer", "decimal", "currency", "percent", "boolean", "date", "datetime"]
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}


def result_kind(result: str, precision: int) -> tuple:
    if result in ("decimal", "currency", "percent"):
        return ("decimal", precision)
    return (result,)


@register
class FormulaType(FieldType):
    name = "formula"
    computed = True
    stored = False
    indexable = False
    options = {
        "expression": {"type": "string", "minLength": 1, "maxLength": 2000},
        "result": {"enum": RESULT_KINDS},
        "precision": {"type": "integer", "minimum": 0, "maximum": 8},
    }
    required_options = ("expression", "result")


    def value_kind(self, field):
        return result_kind(field.opt("result"), field.opt("precision", 2))


@register
class RollupType(FieldType):
    """Aggregate of a child-table field, stored on the parent."""

    name = "rollup"
    computed = True
    indexable = True
    options = {
        "source": NAME,
        "field": NAME,
        "function": {"enum": ["sum", "count", "min", "max", "avg"]},
        "precision": {"type": "integer", "minimum": 0, "maximum": 8},
    }
    required_options = ("source", "function")


    def column_type(self, field):
        if field.opt("function") == "count":
            return BigInteger()
        from runtime.storage.exact_decimal import ExactDecimal

        return ExactDecimal(field.opt("precision", 2))

    def storage(self, field):
        return self.value_kind(field)

    def value_kind(self, field):
        if field.opt("function") == "count":
            return ("integer",)
        return ("decimal", field.opt("precision", 2))


@register
class LookupType(FieldType):
    """A field of the record a link points to, read through the link in SQL."""

    name = "lookup"
    computed = True
    stored = False
    indexable = False
    options = {"source": NAME, "field": NAME}
    required_options = ("source", "field")



@register
class AutonumberType(CodeStorage, FieldType):
    """``OPP-{YYYY}-{#####}``: a per-period counter that never repeats."""

    name = "autonumber"
    computed = True
    options = {"format": {"type": "string", "pattern": "\\{#+\\}", "maxLength": 60}}
    required_options = ("format",)
