"""Dashboard screens: ``/d/<app>/<dashboard>``, a grid of report widgets, and
``/d/<app>/reports/<report>``, one report on its own page.

Each widget's report runs with the signed-in user's rights (``runtime.reports``);
charts are drawn in the browser by ``static/js/dashboard.js`` from a JSON
block the template escapes, numbers, tables and pivots are plain HTML. A
widget whose report fails (a report broken by a later change elsewhere)
shows its error and the rest of the dashboard still renders.
"""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask_login import current_user
from flask_login import login_required

from runtime.api.context import request_connection
from runtime.errors import AccessDenied
from runtime.errors import ValidationFailed
from runtime.reports import find_dashboard
from runtime.reports import find_report
from runtime.reports import run_report
from runtime.reports import visible_widgets
from runtime.security.guarded import records_for
from runtime.web.screens.access import registry
from runtime.web.view_as import effective_user_id

__all__ = ["register"]

def _reader():
    """The request's connection, registry, effective user and that user's guarded records."""
    conn = request_connection()
    reg = registry(conn)
    user_id = effective_user_id()
    return conn, reg, user_id, records_for(conn, reg, user_id, current_user.language)


@login_required
def dashboard(app: str, dashboard: str):
    conn, reg, user_id, records = _reader()
    board = find_dashboard(reg, app, dashboard)
    widgets, left_out = visible_widgets(records, board)
    shown = [_widget(conn, records, w, user_id) for w in widgets]
    return render_template("web/dashboard.html", board=board, app=reg.app(app), widgets=shown,
                           left_out=left_out)


@login_required
def report_page(app: str, report: str):
    """The report full width; unlike on a dashboard, a refusal (hidden field) is the page's 403."""
    conn, reg, user_id, records = _reader()
    found = find_report(reg, app, report)
    result = run_report(conn, records, found, language=current_user.language, user_id=user_id)
    return render_template("web/report.html", report=found, app=reg.app(app),
                           item={"chart": result.chart, "error": None})


def _widget(conn, records, widget, user_id: int) -> dict:
    try:
        result = run_report(conn, records, widget.report, language=current_user.language, user_id=user_id)
    except (AccessDenied, ValidationFailed) as exc:
        return {"widget": widget, "chart": None, "error": exc.message}
    return {"widget": widget, "chart": result.chart, "error": None}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/d/<app>/<dashboard>", "dashboard", dashboard)
    bp.add_url_rule("/d/<app>/reports/<report>", "report", report_page)
