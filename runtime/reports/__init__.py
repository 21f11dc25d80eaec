"""Reports and dashboards at run time (DESIGN §3 Report): one SQL ``GROUP BY`` per report,
with the reader's rights, labelled for charts.

Flask-free: the API (``runtime/api/reports.py``) and the dashboard screens
(``runtime/web/dashboards.py``) call ``run_report`` with the reader's
``GuardedRecords``.
"""

from runtime.reports.dashboards import Dashboard
from runtime.reports.dashboards import Widget
from runtime.reports.dashboards import find_dashboard
from runtime.reports.dashboards import readable_dashboards
from runtime.reports.dashboards import visible_widgets
from runtime.reports.definition import Report
from runtime.reports.definition import find_report
from runtime.reports.run import ReportResult
from runtime.reports.run import report_readable
from runtime.reports.run import run_report

__all__ = ["Dashboard", "Report", "ReportResult", "Widget", "find_dashboard", "find_report",
           "readable_dashboards", "report_readable", "run_report", "visible_widgets"]
