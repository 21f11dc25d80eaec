"""A report as ONE SQL ``GROUP BY`` query, built with SQLAlchemy Core.

The inner SELECT computes, per live row the reader may see, each group value
(bucketed dates, formulas and lookups included) and each measured value; the
outer SELECT groups and aggregates them. Grouping on the inner query's plain
columns means the grouped expressions are never repeated, so PostgreSQL
accepts them even when they carry bound parameters (``$me`` in a lookup's
guard). Every name comes from validated metadata; every value is bound.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Float
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.sql import Select

from runtime.metadata.expressions.types import Kind
from runtime.records.computed import SqlColumns
from runtime.reports.buckets import bucket_start
from runtime.reports.definition import Report
from runtime.reports.fields import Used

__all__ = ["build_query", "output_row"]

_CENT = Decimal("0.01")


def build_query(report: Report, groups: list[Used], measures: list[Used], columns: SqlColumns,
                filters: list) -> Select:
    """The report's SELECT: columns ``g0, g1, …`` (group values) then ``m0, m1, …`` (measures)."""
    inner_columns = [_group_value(g, columns).label(f"g{i}") for i, g in enumerate(groups)]
    inner_columns += [columns((m.part.field,)).label(f"v{i}") for i, m in enumerate(measures) if m.field]
    if not inner_columns:  # a plain count of rows still needs a column to select
        inner_columns = [columns.table.c.id.label("v")]
    rows = select(*inner_columns).select_from(columns.table).where(*filters).subquery("report_rows")
    keys = [rows.c[f"g{i}"] for i in range(len(groups))]
    aggregates = [_aggregate(m, rows.c[f"v{i}"] if m.field else None).label(f"m{i}")
                  for i, m in enumerate(measures)]
    query = select(*keys, *aggregates).select_from(rows)
    if keys:
        query = query.group_by(*keys)
    return query.order_by(*_order(report, groups, measures, keys, aggregates)).limit(report.limit)


def _group_value(used: Used, columns: SqlColumns):
    value = columns((used.part.field,))
    if used.part.bucket:
        return bucket_start(value, used.part.bucket, columns.dialect)
    return value


def _aggregate(used: Used, value):
    fn = used.part.fn
    if fn == "count":
        return func.count() if value is None else func.count(value)
    if fn == "avg":  # a decimal's average keeps its type (scaled integers on SQLite); an integer's is a float
        return func.avg(value, type_=value.type if used.type.kind is Kind.DECIMAL else Float())
    return getattr(func, fn)(value, type_=value.type)


def _order(report: Report, groups: list[Used], measures: list[Used], keys: list, aggregates: list) -> list:
    """The report's ``order``, then every group in turn; empty values last on every backend,
    a select field in the order of its options."""
    by_name = {g.part.field: (key, g) for g, key in zip(groups, keys)}
    by_name.update({m.part.key: (agg, None) for m, agg in zip(measures, aggregates)})
    wanted = [(name, desc) for name, desc in report.order if name in by_name]
    wanted += [(g.part.field, False) for g in groups if g.part.field not in {name for name, _ in wanted}]
    clauses = []
    for name, desc in wanted:
        column, used = by_name[name]
        sort_keys = [column]
        if used is not None and used.field.kind == "choice" and not used.part.bucket:
            options = [o.get("value") for o in used.field.shown.opt("options", ())]
            sort_keys.insert(0, case({v: i for i, v in enumerate(options)}, value=column, else_=len(options)))
        clauses.append(column.is_(None))
        clauses += [k.desc() if desc else k for k in sort_keys]
    return clauses


def output_row(row, groups: list[Used], measures: list[Used]) -> dict:
    """A result row as ``{field: value, measure key: number}``; integers stay integers."""
    out = {g.part.field: row[i] for i, g in enumerate(groups)}
    for i, m in enumerate(measures):
        out[m.part.key] = _number(row[len(groups) + i], m)
    return out


def _number(value, used: Used):
    if value is None:
        return None
    if used.part.fn == "count":
        return int(value)
    if used.type.kind is Kind.INTEGER:
        return Decimal(repr(value)).quantize(_CENT) if used.part.fn == "avg" else int(value)
    return value
