"""OpenAPI paths of the reports (``runtime/api/reports.py``): one literal path per report."""

from __future__ import annotations

from runtime.metadata.model import label_of
from runtime.metadata.model import pick_label

CHART = {"type": "object", "required": ["type", "title", "groups", "measures", "empty"], "properties": {
    "type": {"enum": ["bar", "line", "pie", "funnel", "number", "table", "pivot"]},
    "title": {"type": "string"},
    "groups": {"type": "array", "items": {"type": "object", "required": ["key", "label"]}},
    "measures": {"type": "array", "items": {"type": "object", "required": ["key", "label"]}},
    "empty": {"type": "boolean", "description": "No row matched: show an empty state"},
    "categories": {"type": "array", "items": {"type": "string"}, "description": "bar, line: the x axis"},
    "series": {"type": "array", "description": "bar, line: one per measure, or per value of the second group"},
    "items": {"type": "array", "description": "pie, funnel: name and value of each slice"},
    "value": {"type": ["number", "null"], "description": "number: the figure"},
    "text": {"type": "string", "description": "number: the figure as text"},
    "rows": {"type": "array", "description": "table: cells as text"},
    "row_labels": {"type": "array"}, "column_labels": {"type": "array"}, "cells": {"type": "array"}}}
ANSWER = {"type": "object", "required": ["data", "chart"], "properties": {
    "data": {"type": "array", "items": {"type": "object"},
             "description": "One object per group: each group field's value and each measure by key "
                            "(count, sum_amount, ...); decimals as strings"},
    "chart": CHART}}


def report_paths(app, ok, errors) -> dict:
    """``GET /api/v1/reports/<app>/<report>`` for each report of ``app``."""
    paths = {}
    for doc in sorted(app.documents("reports").values(), key=lambda d: d["name"]):
        label = pick_label(label_of(doc.get("label"), doc["name"]))
        paths[f"/api/v1/reports/{app.name}/{doc['name']}"] = {"get": {
            "operationId": f"report_{app.name}_{doc['name']}", "summary": f"Run the report {label}",
            "tags": ["reports"], "responses": {
                "200": ok("Its rows and chart, with your row permissions applied", ANSWER),
                **errors(403, 404, 422)}}}
    return paths
