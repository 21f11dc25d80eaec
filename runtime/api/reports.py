"""``GET /api/v1/reports/<app>/<report>``: a report's rows and chart, as its caller may see them.

The body is DESIGN §4's ``{"data": [{<group fields>, <measures>}], "chart": {...}}``:
``data`` holds exact values (decimals as strings, dates ISO), ``chart`` the
labelled series the dashboards draw. A report on an entity the caller may
not read is 404, like the entity itself; one that reads a field hidden from
them is 403.
"""

from __future__ import annotations

from flask import Blueprint

from runtime.api import context
from runtime.api.auth import api_user
from runtime.api.serialize import json_response
from runtime.reports import find_report
from runtime.reports import run_report
from runtime.security.guarded import records_for
from runtime.web.view_as import acting_user_id


def register(bp: Blueprint, registries: context.RegistryCache) -> None:
    def report(app: str, report: str):
        conn = context.request_connection()
        registry = registries.get(conn)
        user_id, language = acting_user_id(), api_user().language
        records = records_for(conn, registry, user_id, language)
        result = run_report(conn, records, find_report(registry, app, report), language=language,
                            user_id=user_id)
        return json_response({"data": result.data, "chart": result.chart})

    bp.add_url_rule("/v1/reports/<app>/<report>", "report", report, methods=["GET"])
