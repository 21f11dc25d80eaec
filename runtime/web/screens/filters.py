"""The list's filter builder: (field, operator, value) rows written as one expression.

The screen never takes SQL, only the expression language (DESIGN §3), so the
builder's rows and a typed "advanced" filter go through the same compiler and
the same checks as the API's ``where=``. Values are written as literals here
(``repr`` of a checked Python value), never pasted in as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

from runtime.errors import ValidationFailed
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.web.i18n import translate
from runtime.web.labels import user_language

__all__ = ["OPERATORS", "FilterRow", "filter_kind", "filterable", "parse_rows", "rows_to_where"]

TEXT_TYPES = frozenset({"text", "textarea", "email", "phone", "url", "richtext", "autonumber"})
NUMBER_TYPES = frozenset({"integer", "decimal", "currency", "percent", "rating", "rollup"})
MAX_ROWS = 20

#: operator -> (label, needs a value); the kinds below say which apply to which field.
OPERATORS = {
    "contains": ("contains", True), "eq": ("is", True), "ne": ("is not", True),
    "gt": (">", True), "ge": ("≥", True), "lt": ("<", True), "le": ("≤", True),
    "empty": ("is empty", False), "filled": ("is not empty", False),
    "me": ("is me", False), "true": ("is yes", False), "false": ("is no", False),
}
KIND_OPERATORS = {
    "text": ("contains", "eq", "ne", "empty", "filled"),
    "number": ("eq", "ne", "gt", "ge", "lt", "le", "empty", "filled"),
    "date": ("eq", "gt", "ge", "lt", "le", "empty", "filled"),
    "datetime": ("gt", "ge", "lt", "le", "empty", "filled"),
    "select": ("eq", "ne", "empty", "filled"),
    "boolean": ("true", "false"),
    "user": ("me", "eq", "ne", "empty", "filled"),
    "link": ("eq", "ne", "empty", "filled"),
}
_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


@dataclass(frozen=True)
class FilterRow:
    field: str
    op: str
    value: str = ""


def filter_kind(field: Field) -> str | None:
    """The operator family of ``field``, or None when it cannot be filtered from the builder."""
    kind = field.opt("result", "text") if field.type == "formula" else field.type
    if kind in TEXT_TYPES:
        return "text"
    if kind in NUMBER_TYPES:
        return "number"
    return kind if kind in KIND_OPERATORS else None


def filterable(entity: Entity) -> list[Field]:
    return [f for f in entity.fields if filter_kind(f) and not f.opt("hidden", False)]


def parse_rows(fields: list[str], ops: list[str], values: list[str]) -> list[FilterRow]:
    """The builder's parallel ``f``/``op``/``v`` query parameters; half-filled rows are dropped."""
    rows = []
    for i, (name, op) in enumerate(zip(fields, ops)):
        if name and op:
            rows.append(FilterRow(name, op, values[i] if i < len(values) else ""))
    return rows[:MAX_ROWS]


def rows_to_where(entity: Entity, rows: list[FilterRow]) -> str:
    """All rows ANDed into one expression; a bad row is a 422 naming its field."""
    return " and ".join(f"({_condition(entity, row)})" for row in rows)


def _condition(entity: Entity, row: FilterRow) -> str:
    if not entity.has_field(row.field) or filter_kind(entity.field(row.field)) is None:
        raise _bad(row, _t("cannot be filtered on"))
    field = entity.field(row.field)
    kind = filter_kind(field)
    if row.op not in KIND_OPERATORS[kind]:
        raise _bad(row, _t("has no operator {op}", op=repr(row.op)))
    name = field.name
    if row.op == "empty":
        return f"{name} == null"
    if row.op == "filled":
        return f"{name} != null"
    if row.op == "me":
        return f"{name} == $me"
    if row.op in ("true", "false"):
        return f"{name} == {row.op == 'true'}"
    if row.op == "contains":
        return f"CONTAINS(LOWER({name}), {_literal(field, kind, row, lower=True)})"
    return f"{name} {_COMPARE[row.op]} {_literal(field, kind, row)}"


def _literal(field: Field, kind: str, row: FilterRow, lower: bool = False) -> str:
    """The value as an expression literal, checked against the field's kind."""
    text = row.value.strip()
    if not text:
        raise _bad(row, _t("needs a value"))
    try:
        return _LITERALS[kind](field, text.lower() if lower else text)
    except (ValueError, InvalidOperation, KeyError):
        raise _bad(row, _t("cannot compare with {value}", value=repr(text[:40]))) from None


def _number(_field: Field, text: str) -> str:
    number = Decimal(text.replace(",", ""))
    if not number.is_finite():
        raise ValueError(text)
    return format(number, "f")


def _option(field: Field, text: str) -> str:
    values = {o["value"] for o in field.opt("options", ())}
    if text not in values:
        raise ValueError(text)
    return repr(text)


_LITERALS = {
    "text": lambda _f, text: repr(text),
    "number": _number,
    "date": lambda _f, text: repr(date.fromisoformat(text).isoformat()),
    "datetime": lambda _f, text: repr(datetime.fromisoformat(text).isoformat()),
    "select": _option,
    "user": lambda _f, text: str(int(text)),
    "link": lambda _f, text: str(int(text)),
}


def _bad(row: FilterRow, problem: str) -> ValidationFailed:
    """The list page shows this message as is, so it is in the user's language already."""
    message = _t("Filter on {field} {problem}.", field=repr(row.field), problem=problem)
    return ValidationFailed(message, details={"filter": f"{row.field}: {problem}"})


def _t(text: str, **params) -> str:
    return translate(text, user_language(), **params)
