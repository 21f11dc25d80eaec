"""The fields one report reads, resolved against the published entity.

Publishing already checked them (``runtime.metadata.reportcheck``); they are
resolved again here because a report may read an entity of another app that
has since changed, and a broken report must fail with a clear message, not
a database error.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.errors import ValidationFailed
from runtime.metadata.expressions.types import ExprType
from runtime.metadata.model import Entity
from runtime.metadata.reportfields import ReportField
from runtime.metadata.reportfields import ReportFieldError
from runtime.metadata.reportfields import fn_problem
from runtime.metadata.reportfields import report_field
from runtime.metadata.scope import EntityScope
from runtime.records.filter_names import named_fields
from runtime.reports.definition import Group
from runtime.reports.definition import Measure
from runtime.reports.definition import Report
from runtime.reports.words import SYSTEM_LABELS

__all__ = ["Used", "field_label", "resolve", "used_names"]


@dataclass(frozen=True)
class Used:
    """A group or measure with its field (None for a plain count) and the field's value type."""

    part: Group | Measure
    field: ReportField | None
    type: ExprType | None


def resolve(registry, report: Report) -> tuple[Entity, list[Used], list[Used]]:
    """``(entity, groups, measures)``; ValidationFailed names the report and the field at fault."""
    entity = registry.entity(*report.target)
    scope = EntityScope(registry.app(entity.app), entity, registry.apps)
    groups = [_use(scope, report, g, g.field) for g in report.groups]
    measures = [_use(scope, report, m, m.field) for m in report.measures]
    for used in measures:
        reason = fn_problem(used.part.fn, used.field)
        if reason:
            raise ValidationFailed(f"report {report.name!r}: {reason}")
    return entity, groups, measures


def _use(scope: EntityScope, report: Report, part, name: str | None) -> Used:
    if name is None:
        return Used(part, None, None)
    try:
        return Used(part, report_field(scope, name), scope.field_type((name,)))
    except ReportFieldError as exc:
        raise ValidationFailed(f"report {report.name!r}: {exc}") from None


def used_names(report: Report) -> set[str]:
    """Every field of the entity the report reads: grouped, measured or in ``where``."""
    names = {g.field for g in report.groups} | {m.field for m in report.measures if m.field}
    return names | named_fields(report.where, None)[0]


def field_label(entity: Entity, name: str) -> dict[str, str]:
    """A field's label; system columns (owner, created_at, …) have theirs in ``words``."""
    if entity.has_field(name):
        return entity.field(name).label
    return SYSTEM_LABELS.get(name, {"*": name})
