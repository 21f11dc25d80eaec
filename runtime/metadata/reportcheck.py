"""Cross-checks of reports and dashboards: what JSON Schema cannot know about the entity.

A report's entity must be reachable, each grouped or measured field usable
(``reportfields``), buckets only on dates, sums only on numbers, its chart
given the groups it needs, its ``where`` a condition; a dashboard's widgets
must name reports of this app. Each problem points at the exact key.
"""

from __future__ import annotations

from runtime.metadata.exprcheck import _touches_broken
from runtime.metadata.exprcheck import expression_error
from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.layout import Layout
from runtime.metadata.model import split_target
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer
from runtime.metadata.reportfields import ReportFieldError
from runtime.metadata.reportfields import fn_problem
from runtime.metadata.reportfields import measure_key
from runtime.metadata.reportfields import report_field
from runtime.metadata.schema_messages import did_you_mean
from runtime.metadata.scope import EntityScope
from runtime.metadata.targets import target_problem

#: chart type -> (fewest, most) group_by items, and why, for the message.
CHART_GROUPS = {
    "number": (0, 0, "a number chart shows one figure: remove group_by"),
    "pie": (1, 1, "a pie chart needs exactly one group_by field"),
    "funnel": (1, 1, "a funnel chart needs exactly one group_by field"),
    "bar": (1, 2, "a bar chart needs one or two group_by fields (the second splits the bars)"),
    "line": (1, 2, "a line chart needs one or two group_by fields (the second draws one line each)"),
    "pivot": (2, 2, "a pivot table needs exactly two group_by fields (rows and columns)"),
    "table": (0, 2, "a table has at most two group_by fields"),
}


def report_scope(layout: Layout, target: str) -> EntityScope | None:
    """The scope of the report's entity, or None when it is unknown or failed its own schema."""
    if target_problem(layout, target) is not None:
        return None
    app_name, name = split_target(target, layout.app.name)
    if app_name == layout.app.name:
        return None if layout.is_broken(name) else EntityScope(layout.app, name, layout.installed)
    return EntityScope(layout.installed[app_name], name, layout.installed)


def check_report(layout: Layout, path: str, doc: dict) -> list[Problem]:
    """Entity, fields, functions, order, chart shape and ``where`` of one report."""
    reason = target_problem(layout, doc["entity"], what="entity")
    if reason:
        return [Problem(path, "/entity", reason)]
    scope = report_scope(layout, doc["entity"])
    if scope is None:
        return []
    found, keys = _group_problems(layout, path, doc, scope)
    found += _measure_problems(layout, path, doc, scope, keys)
    found += _order_problems(path, doc, keys)
    found += _chart_problems(path, doc)
    where = doc.get("where")
    if where is not None:
        error = expression_error(where, scope, BOOLEAN)
        if error is not None and not _touches_broken(layout, scope, where):
            found.append(Problem(path, "/where", error.message))
    return found


def _broken(layout: Layout, scope: EntityScope, name: str) -> bool:
    return scope.app is layout.app and layout.is_broken(scope.entity.name, name)


def _hint(scope: EntityScope, name: str) -> str:
    names = [f.name for f in scope.entity.fields]
    return "" if name in names else did_you_mean(name, names)


def _field_or_problem(scope: EntityScope, name: str, path: str, at: str, found: list[Problem]):
    """The report field ``name``, or None with its problem (and a did-you-mean) added at pointer ``at``."""
    try:
        return report_field(scope, name)
    except ReportFieldError as exc:
        found.append(Problem(path, at, f"{exc}{_hint(scope, name)}"))
        return None


def _group_problems(layout, path, doc, scope) -> tuple[list[Problem], dict[str, str]]:
    found, keys = [], {}
    for i, group in enumerate(doc.get("group_by", ())):
        name = group["field"]
        if name in keys:
            found.append(Problem(path, pointer("group_by", i, "field"), f"{name!r} is already grouped at {keys[name]}"))
            continue
        keys[name] = pointer("group_by", i)
        if _broken(layout, scope, name):
            continue
        used = _field_or_problem(scope, name, path, pointer("group_by", i, "field"), found)
        if used is None:
            continue
        if "bucket" in group and used.kind not in ("date", "datetime"):
            found.append(Problem(path, pointer("group_by", i, "bucket"),
                                 f"a bucket needs a date or datetime field; {name!r} is a {used.shown.type} field"))
    return found, keys


def _measure_problems(layout, path, doc, scope, keys: dict[str, str]) -> list[Problem]:
    found = []
    for i, measure in enumerate(doc.get("measures", ())):
        fn, name = measure["fn"], measure.get("field")
        key = measure_key(fn, name)
        if key in keys:
            found.append(Problem(path, pointer("measures", i), f"{key!r} is already used at {keys[key]}"))
            continue
        keys[key] = pointer("measures", i)
        if name is None or _broken(layout, scope, name):
            continue
        used = _field_or_problem(scope, name, path, pointer("measures", i, "field"), found)
        if used is None:
            continue
        reason = fn_problem(fn, used)
        if reason:
            found.append(Problem(path, pointer("measures", i, "fn"), reason))
    return found


def _order_problems(path: str, doc: dict, keys: dict[str, str]) -> list[Problem]:
    found = []
    for i, item in enumerate(doc.get("order", ())):
        if item["by"] not in keys:
            known = ", ".join(keys) or "none"
            found.append(Problem(path, pointer("order", i, "by"),
                                 f"{item['by']!r} is not a group field or measure of this report"
                                 f"{did_you_mean(item['by'], keys)} (choose from: {known})"))
    return found


def _chart_problems(path: str, doc: dict) -> list[Problem]:
    fewest, most, why = CHART_GROUPS[doc["chart"]["type"]]
    if fewest <= len(doc.get("group_by", ())) <= most:
        return []
    return [Problem(path, "/group_by" if "group_by" in doc else "/chart/type", why)]


def check_dashboard(layout: Layout, path: str, doc: dict) -> list[Problem]:
    """Each widget shows a report of this app."""
    reports = {d["name"] for p, d in layout.app.documents("reports").items() if isinstance(d.get("name"), str)}
    broken = {d.get("name") for p, d in layout.source.items()  # failed their schema: reported already
              if p.startswith("reports/") and p not in layout.app.source and isinstance(d, dict)}
    found = []
    for i, widget in enumerate(doc["widgets"]):
        name = widget["report"]
        if name not in reports and name not in broken:
            known = ", ".join(sorted(reports)) or "none"
            found.append(Problem(path, pointer("widgets", i, "report"),
                                 f"report {name!r} does not exist in this app{did_you_mean(name, reports)}"
                                 f" (reports: {known})"))
    return found


def report_problems(layout: Layout) -> list[Problem]:
    """Every report and dashboard check of the app."""
    found = []
    for path, doc in sorted(layout.app.documents("reports").items()):
        found.extend(check_report(layout, path, doc))
    for path, doc in sorted(layout.app.documents("dashboards").items()):
        found.extend(check_dashboard(layout, path, doc))
    return found
