"""The ``chart`` part of a report answer: what to draw, already labelled and in order.

The browser module (static/js/dashboard.js) only maps this onto ECharts
options and the dashboard template renders tables from it, so the API and
the screens show the same thing. Categories come in the query's order;
numbers are JSON numbers here (a chart needs no exactness), while the
answer's ``data`` keeps exact decimals.
"""

from __future__ import annotations

from decimal import Decimal

from runtime.metadata.model import Entity
from runtime.metadata.model import pick_label
from runtime.reports.definition import Report
from runtime.reports.definition import default_measure_label
from runtime.reports.fields import Used
from runtime.reports.fields import field_label
from runtime.reports.labels import period_label
from runtime.reports.periods import every_period

__all__ = ["chart_spec", "figure"]


def chart_spec(report: Report, entity: Entity, groups: list[Used], measures: list[Used], rows: list[dict],
               labels: list[dict], language: str) -> dict:
    """``{"type", "title", "groups", "measures", "empty"}`` plus the parts its type draws from."""
    group_names = [pick_label(g.part.label or field_label(entity, g.part.field), language) for g in groups]
    measure_names = [pick_label(default_measure_label(m.part, field_label(entity, m.part.field)
                                                      if m.part.field else None), language) for m in measures]
    spec = {
        "type": report.chart,
        "title": pick_label(report.label, language),
        "groups": [{"key": g.part.field, "label": n} for g, n in zip(groups, group_names)],
        "measures": [{"key": m.part.key, "label": n} for m, n in zip(measures, measure_names)],
        "empty": not rows,
    }
    if rows:
        spec.update(_SHAPES[report.chart](groups, measures, rows, labels, measure_names))
    return spec


def figure(value) -> str:
    """A measure as text: thousands grouped, a decimal's places kept, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{value:,}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _number(value) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return float(value) if isinstance(value, Decimal) else None  # a date has no height


def _distinct(rows: list[dict], key: str) -> list:
    return list(dict.fromkeys(row[key] for row in rows))


def _column_order(rows: list[dict], used: Used) -> list:
    """The second group's values sorted as the query sorts the first: options in their order, empty last."""
    options = [o.get("value") for o in used.field.shown.opt("options", ())] if used.field.kind == "choice" else []
    rank = {v: i for i, v in enumerate(options)}
    return sorted(_distinct(rows, used.part.field),
                  key=lambda v: (v is None, rank.get(v, len(rank)), v if v is not None and not rank else 0))


def _number_shape(_groups, measures, rows, _labels, _names) -> dict:
    value = rows[0][measures[0].part.key]
    return {"value": _number(value), "text": figure(value)}


def _series_shape(groups, measures, rows, labels, names) -> dict:
    """One group: a series per measure. Two groups: a series per value of the second (first measure)."""
    first, bucket = groups[0].part.field, groups[0].part.bucket
    categories = _distinct(rows, first)
    if bucket:
        categories = every_period(categories, bucket)
    if len(groups) == 1:
        by_category = {r[first]: r for r in rows}
        series = [_series(n, [by_category[c][m.part.key] if c in by_category else _nothing(m) for c in categories])
                  for m, n in zip(measures, names)]
    else:
        second, key = groups[1].part.field, measures[0].part.key
        cells = {(r[first], r[second]): r[key] for r in rows}
        series = [_series(labels[1][s], [cells.get((c, s), _nothing(measures[0])) for c in categories])
                  for s in _column_order(rows, groups[1])]
    return {"categories": [labels[0][c] if c in labels[0] else period_label(c, bucket) for c in categories],
            "series": series}


def _nothing(measure: Used):
    """A measure over no rows as a chart shows it: a count or sum of 0, no average, minimum or maximum."""
    return 0 if measure.part.fn in ("count", "sum") else None


def _series(name: str, values: list) -> dict:
    """A series to draw (``data``) and the same values as exact text (``texts``) for its table."""
    return {"name": name, "data": [_number(v) for v in values], "texts": [figure(v) for v in values]}


def _items_shape(groups, measures, rows, labels, _names) -> dict:
    key, field = measures[0].part.key, groups[0].part.field
    return {"items": [{"name": labels[0][r[field]], "value": _number(r[key]), "text": figure(r[key])}
                      for r in rows]}


def _table_shape(groups, measures, rows, labels, _names) -> dict:
    return {"rows": [[labels[i][r[g.part.field]] for i, g in enumerate(groups)]
                     + [figure(r[m.part.key]) for m in measures] for r in rows]}


def _pivot_shape(groups, measures, rows, labels, _names) -> dict:
    first, second, key = groups[0].part.field, groups[1].part.field, measures[0].part.key
    row_values, column_values = _distinct(rows, first), _column_order(rows, groups[1])
    cells = {(r[first], r[second]): figure(r[key]) for r in rows}
    return {"row_labels": [labels[0][v] for v in row_values],
            "column_labels": [labels[1][v] for v in column_values],
            "cells": [[cells.get((rv, cv), "") for cv in column_values] for rv in row_values]}


_SHAPES = {"number": _number_shape, "bar": _series_shape, "line": _series_shape, "pie": _items_shape,
           "funnel": _items_shape, "table": _table_shape, "pivot": _pivot_shape}
