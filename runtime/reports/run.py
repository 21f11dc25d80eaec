"""Run one report for one reader: their rights in the SQL, then labels and the chart.

Rights are the lists' own (``GuardedRecords``): an entity the reader may not
read makes the report "not found"; their row rule is ANDed into the query;
deleted records (and child rows of deleted parents) never count; a report
that reads a field hidden from them is refused rather than silently partial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import select

from runtime.clock import utcnow
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.records.computed import SqlColumns
from runtime.records.computed import session_variables
from runtime.records.queries import compile_where
from runtime.reports.aggregate import build_query
from runtime.reports.aggregate import output_row
from runtime.reports.charts import chart_spec
from runtime.reports.definition import Report
from runtime.reports.fields import resolve
from runtime.reports.fields import used_names
from runtime.reports.labels import group_labels
from runtime.security.sensitive import refuse_sensitive

__all__ = ["ReportResult", "report_readable", "run_report"]


@dataclass(frozen=True)
class ReportResult:
    """The API's answer: ``data`` (exact values by field and measure key) and ``chart`` (labelled)."""

    report: Report
    data: list[dict]
    chart: dict


def run_report(conn: Connection, records, report: Report, *, language: str, user_id: int | None,
               now: datetime | None = None) -> ReportResult:
    """Aggregate ``report`` in one query for ``records``' reader (a ``GuardedRecords``)."""
    entity, table = _readable(records, report)
    hidden = records.hidden_fields(*report.target) & used_names(report)
    if hidden:
        raise AccessDenied(f"report {report.name!r} uses {min(hidden)!r}, a field hidden from you")
    registry = records.registry
    refuse_sensitive(registry, entity, report.where, None)
    entity, groups, measures = resolve(registry, report)
    columns = SqlColumns(registry, entity, table, session_variables(user_id, now or utcnow()),
                         conn.dialect.name, records.link_guard(conn))
    filters = _row_filters(conn, records, entity, table)
    if report.where:
        filters.append(compile_where(registry, entity, columns, report.where))
    result = conn.execute(build_query(report, groups, measures, columns, filters))
    rows = [output_row(row, groups, measures) for row in result]
    labels = group_labels(conn, records, groups, rows, language)
    return ReportResult(report, rows, chart_spec(report, entity, groups, measures, rows, labels, language))


def report_readable(records, report: Report) -> bool:
    """Whether the reader may run ``report`` (launcher and dashboards show only those)."""
    try:
        _readable(records, report)
    except NotFound:
        return False
    return not records.hidden_fields(*report.target) & used_names(report)


def _readable(records, report: Report):
    try:
        return records.readable(*report.target)
    except NotFound:
        raise NotFound(f"no report {report.app}.{report.name}") from None


def _row_filters(conn: Connection, records, entity, table) -> list:
    """Live rows the reader may read; a child row counts when its live parent is readable."""
    filters = [table.c.deleted_at.is_(None)]
    if entity.parent:
        parent = records.registry.table(entity.app, entity.parent[0])
        live = select(parent.c.id).where(parent.c.deleted_at.is_(None))
        rule = records.row_filter(conn, entity.app, entity.parent[0])
        filters.append(table.c.parent_id.in_(live if rule is None else live.where(rule)))
        return filters
    rule = records.row_filter(conn, entity.app, entity.name)
    return filters if rule is None else [*filters, rule]
