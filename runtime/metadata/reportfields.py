"""What a report may group by and measure: one set of rules for publish and run time.

A field is usable when SQL can compare its values: numbers, dates, choices,
links, users and short text. Long text, lists, files and encrypted
(sensitive) values are not. A lookup counts as the field it reads, so a
report on contacts may group by the account's industry.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.metadata.expressions.types import Kind
from runtime.metadata.model import Field
from runtime.metadata.scope import SYSTEM_TYPES
from runtime.metadata.scope import EntityScope

__all__ = ["BUCKETS", "FUNCTIONS", "ReportField", "ReportFieldError", "fn_problem", "measure_key", "report_field"]

BUCKETS = ("day", "week", "month", "quarter", "year")
FUNCTIONS = ("count", "sum", "avg", "min", "max")
#: System columns worth grouping on; ``id``, ``version`` and ``deleted_at`` are not.
SYSTEM_GROUPS = ("owner", "created_at", "created_by", "updated_at", "updated_by")
_FIXED_KINDS = {"select": "choice", "boolean": "boolean", "link": "link", "user": "user",
                "date": "date", "datetime": "datetime"}
_EXPR_KINDS = {Kind.INTEGER: "number", Kind.DECIMAL: "number", Kind.TEXT: "text",
               Kind.DATE: "date", Kind.DATETIME: "datetime", Kind.BOOLEAN: "boolean"}
_LONG_TEXT = ("textarea", "richtext")
#: Which kinds of field each function accepts (count accepts any usable field).
_FN_KINDS = {"sum": ("number",), "avg": ("number",), "min": ("number", "date", "datetime"),
             "max": ("number", "date", "datetime")}


class ReportFieldError(ValueError):
    """Why a field cannot be used in a report, in words an admin can act on."""


@dataclass(frozen=True)
class ReportField:
    """A usable field: ``kind`` decides buckets and functions; ``shown`` is the field whose
    values are displayed (a lookup's target field, so select labels and link titles work)."""

    name: str
    kind: str  # number | date | datetime | text | choice | boolean | link | user
    shown: Field
    scope: EntityScope  # the entity ``shown`` belongs to


def report_field(scope: EntityScope, name: str) -> ReportField:
    """The usable field ``name`` of ``scope``'s entity; ReportFieldError otherwise."""
    entity = scope.entity
    if entity.has_field(name):
        field = entity.field(name)
    elif name in SYSTEM_GROUPS:
        field = Field(name, SYSTEM_TYPES[name][0], {"name": name, "type": SYSTEM_TYPES[name][0]})
    else:
        raise ReportFieldError(f"{entity.name!r} has no field {name!r}")
    if field.type == "lookup":
        return _through_lookup(scope, field)
    if field.opt("sensitive", False):
        raise ReportFieldError(f"{name!r} is a sensitive (encrypted) field: it cannot be grouped or measured")
    kind = _FIXED_KINDS.get(field.type)
    if kind is None and field.type not in _LONG_TEXT:
        expr_type = scope.field_type((name,))
        kind = _EXPR_KINDS.get(expr_type.kind) if expr_type is not None else None
    if kind is None:
        raise ReportFieldError(f"{name!r} is a {field.type} field: it cannot be grouped or measured")
    return ReportField(name, kind, field, scope)


def _through_lookup(scope: EntityScope, field: Field) -> ReportField:
    source = field.opt("source", "")
    link = scope.entity.field(source) if scope.entity.has_field(source) else None
    target = scope.scope_for(link.opt("target", "")) if link is not None and link.type == "link" else None
    if target is None:
        raise ReportFieldError(f"lookup {field.name!r} has no link to read through")
    try:
        inner = report_field(target, field.opt("field", ""))
    except ReportFieldError as exc:
        raise ReportFieldError(f"lookup {field.name!r} reads {field.opt('field')!r}: {exc}") from None
    return ReportField(field.name, inner.kind, inner.shown, inner.scope)


def fn_problem(fn: str, used: ReportField | None) -> str | None:
    """Why ``fn`` cannot aggregate ``used`` (None: it can); ``count`` alone counts rows."""
    if used is None:
        return None if fn == "count" else f"{fn} needs a field"
    allowed = _FN_KINDS.get(fn)
    if allowed is None or used.kind in allowed:
        return None
    what = " or ".join(allowed)
    return f"{fn} needs a {what} field; {used.name!r} is a {used.shown.type} field"


def measure_key(fn: str, field: str | None) -> str:
    """The measure's column in the report's data: ``count``, ``sum_amount``, ``count_email``."""
    return fn if field is None else f"{fn}_{field}"
