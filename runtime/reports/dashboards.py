"""Dashboards: a grid of report widgets, cut down to what one reader may see.

A widget whose report the reader may not run is left out (and counted, so
the page can say so) rather than failing the page; a dashboard with no
widget left is not theirs at all, like an entity they may not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.errors import NotFound
from runtime.metadata.model import label_of
from runtime.reports.definition import Report
from runtime.reports.definition import find_report
from runtime.reports.run import report_readable

__all__ = ["Dashboard", "Widget", "find_dashboard", "readable_dashboards", "visible_widgets"]

DEFAULT_WIDTH = 6


@dataclass(frozen=True)
class Widget:
    report: Report
    width: int  # columns of 12 on a wide screen; every widget is full width on a phone
    title: dict[str, str]


@dataclass(frozen=True)
class Dashboard:
    app: str
    name: str
    label: dict[str, str]
    widgets: tuple[Widget, ...]


def _parse(registry, app: str, doc: dict) -> Dashboard:
    widgets = []
    for w in doc["widgets"]:
        report = find_report(registry, app, w["report"])
        widgets.append(Widget(report, int(w.get("width", DEFAULT_WIDTH)),
                              label_of(w["title"], "") if "title" in w else report.label))
    return Dashboard(app, doc["name"], label_of(doc.get("label"), doc["name"]), tuple(widgets))


def find_dashboard(registry, app: str, name: str) -> Dashboard:
    """The dashboard ``name`` of installed app ``app``; NotFound when either is unknown."""
    for doc in registry.app(app).documents("dashboards").values():
        if doc.get("name") == name:
            return _parse(registry, app, doc)
    raise NotFound(f"no dashboard {app}.{name}")


def visible_widgets(records, dashboard: Dashboard) -> tuple[list[Widget], int]:
    """The widgets whose reports the reader may run, and how many were left out;
    NotFound when none is left."""
    shown = [w for w in dashboard.widgets if report_readable(records, w.report)]
    if not shown:
        raise NotFound(f"no dashboard {dashboard.app}.{dashboard.name}")
    return shown, len(dashboard.widgets) - len(shown)


def readable_dashboards(records, app: str) -> list[Dashboard]:
    """The app's dashboards with at least one widget the reader may see, by name."""
    registry = records.registry
    found = []
    for doc in registry.app(app).documents("dashboards").values():
        dashboard = _parse(registry, app, doc)
        if any(report_readable(records, w.report) for w in dashboard.widgets):
            found.append(dashboard)
    return sorted(found, key=lambda d: d.name)
