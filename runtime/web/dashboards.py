"""Dashboard screens: ``/d/<app>/<dashboard>``, a grid of report widgets.

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
from runtime.reports import run_report
from runtime.reports import visible_widgets
from runtime.security.guarded import records_for
from runtime.web.screens.access import registry
from runtime.web.view_as import effective_user_id

__all__ = ["register"]

#: Report chart types the browser draws; the others are rendered here.
DRAWN = frozenset({"bar", "line", "pie", "funnel"})


@login_required
def dashboard(app: str, dashboard: str):
    conn = request_connection()
    reg = registry(conn)
    user_id = effective_user_id()
    records = records_for(conn, reg, user_id, current_user.language)
    board = find_dashboard(reg, app, dashboard)
    widgets, left_out = visible_widgets(records, board)
    shown = [_widget(conn, records, w, user_id) for w in widgets]
    return render_template("web/dashboard.html", board=board, app=reg.app(app), widgets=shown,
                           left_out=left_out, drawn=DRAWN)


def _widget(conn, records, widget, user_id: int) -> dict:
    try:
        result = run_report(conn, records, widget.report, language=current_user.language, user_id=user_id)
    except (AccessDenied, ValidationFailed) as exc:
        return {"widget": widget, "chart": None, "error": exc.message}
    return {"widget": widget, "chart": result.chart, "error": None}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/d/<app>/<dashboard>", "dashboard", dashboard)
