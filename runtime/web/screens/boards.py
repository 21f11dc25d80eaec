"""Kanban and calendar: the list's records laid out by a select field or by a date field.

Both read through the same ``service.list`` as the table, with the list's
filters and search ANDed in, so a board never shows a record the table would
not. Each board column and each month is one bounded page (DESIGN §5: no counts).
"""

from __future__ import annotations

import calendar as cal
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from runtime.api import context
from runtime.errors import BadInput
from runtime.errors import MetacrmError
from runtime.errors import StaleVersion
from runtime.errors import ValidationFailed
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.web.auth import safe_next
from runtime.web.i18n import translate
from runtime.web.screens.access import Screen
from runtime.web.screens.access import screen
from runtime.web.screens.columns import card_fields
from runtime.web.screens.columns import list_columns
from runtime.web.screens.display import title_of
from runtime.web.screens.filters import KIND_OPERATORS
from runtime.web.screens.filters import OPERATORS
from runtime.web.screens.filters import filter_kind
from runtime.web.screens.filters import filterable
from runtime.web.screens.list_state import ListState

__all__ = ["BOARD_MODES", "board", "date_fields", "default_date_field", "default_group", "group_fields",
           "move_record"]

BOARD_MODES = ("kanban", "calendar")
COLUMN_LIMIT = 50
MONTH_LIMIT = 500
DAY_TITLES = 4
SYSTEM_DATES = {"created_at": "Created", "updated_at": "Last changed"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Column:
    """One kanban column: an option of the group field (``value`` None for records without one)."""

    value: str | None
    label: str
    color: str | None
    records: list[dict]
    more: bool  # more than COLUMN_LIMIT records: the column links to the table instead
    table_url: str


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    records: list[dict]


# -- which fields a board can use ----------------------------------------------------

def group_fields(entity: Entity, hidden: frozenset[str] = frozenset()) -> list[Field]:
    """Select fields a board can group by: none hidden by the metadata or from this user
    (``hidden``), whose values the columns would otherwise give away."""
    return [f for f in entity.fields
            if f.type == "select" and not f.opt("hidden", False) and f.name not in hidden]


def date_fields(entity: Entity) -> list[tuple[str, object]]:
    """``(name, label)`` of every date or datetime field, then the system timestamps."""
    fields = [(f.name, f.label) for f in entity.fields if f.type in ("date", "datetime") and not f.opt("hidden", False)]
    return fields + [(name, _t(label)) for name, label in SYSTEM_DATES.items()]


def default_group(entity: Entity, wanted: str | None = None,
                  hidden: frozenset[str] = frozenset()) -> str | None:
    names = [f.name for f in group_fields(entity, hidden)]
    return wanted if wanted in names else (names[0] if names else None)


def default_date_field(entity: Entity, wanted: str | None = None) -> str:
    names = [name for name, _label in date_fields(entity)]
    return wanted if wanted in names else names[0]


# -- pages ---------------------------------------------------------------------------

def board(s: Screen, state: ListState, views: list[dict]):
    """The kanban or calendar page for ``state.mode``; a 422 shows a bad filter at the filter bar."""
    if state.mode == "kanban" and not group_fields(s.entity, s.hidden):
        return redirect(state.url(mode="table"))
    builder = _kanban if state.mode == "kanban" else _calendar
    try:
        body, status = builder(s, state), 200
    except ValidationFailed as err:  # the toolbar still shows which field the board is by
        group = s.entity.field(default_group(s.entity, hidden=s.hidden))
        body, status = {"error": err, "empty": True, "group": group,
                        "date_field": default_date_field(s.entity, state.extra.get("date_field"))}, 422
    template = f"web/{state.mode}.html"
    return render_template(template, s=s, state=state, views=views, title_of=title_of, **_header(s),
                           **{"error": None, **body}), status


def _header(s: Screen) -> dict:
    """What list.html's header (filter bar) needs; the board replaces only the list body."""
    return {"filter_fields": filterable(s.entity), "operators": OPERATORS, "kind_operators": KIND_OPERATORS,
            "filter_kind": filter_kind, "group_fields": group_fields(s.entity, s.hidden),
            "date_fields": date_fields(s.entity)}


def _kanban(s: Screen, state: ListState) -> dict:
    group = s.entity.field(default_group(s.entity, state.extra.get("group"), s.hidden))
    base = state.combined_where(s.entity)
    options = [(o["value"], o.get("label") or o["value"], o.get("color")) for o in group.opt("options", ())]
    columns = [_column(s, state, group, base, *option) for option in options]
    empty = _column(s, state, group, base, None, _t("(none)"), None)
    if empty.records or not group.required:
        columns.append(empty)
    records = [r for c in columns for r in c.records]
    shown = [f for f in list_columns(s.entity, list(state.columns)) if f.name != group.name]
    title_field, rest = card_fields(shown, s.entity)
    return {"group": group, "columns": columns, "title_field": title_field, "card_rest": rest,
            "display": s.display(s.entity, records), "movable": _movable(s, group, records)}


def _movable(s: Screen, group: Field, records: list[dict]) -> frozenset[int]:
    """The cards this user may move: they may change ``group`` and update the record (its row
    rule is checked for all cards in one query). The others render without drag or "Move to"."""
    if not records or group.name in s.locked or not s.can("update"):
        return frozenset()
    ids = [r["id"] for r in records]
    rule = s.service.row_filter(s.conn, s.app.name, s.entity.name, "update")
    if rule is None:
        return frozenset(ids)
    table = s.registry.table(s.app.name, s.entity.name)
    return frozenset(s.conn.execute(select(table.c.id).where(table.c.id.in_(ids), rule)).scalars())


def _column(s: Screen, state: ListState, group: Field, base: str, value, label, color) -> Column:
    test = f"{group.name} == null" if value is None else f"{group.name} == {value!r}"
    page = _list(s, state, _and(base, test), COLUMN_LIMIT, state.order or None)
    table_url = state.url(mode="table", where=_and(state.where, test))
    return Column(value, label, color, page.data, page.next_cursor is not None, table_url)


def _calendar(s: Screen, state: ListState) -> dict:
    name = default_date_field(s.entity, state.extra.get("date_field"))
    today = s.service.clock().date()
    first = _month(state.extra.get("month"), today)
    after = _next_month(first)
    page = _list(s, state, _and(state.combined_where(s.entity), _between(s.entity, name, first, after)),
                 MONTH_LIMIT, name)
    by_day: dict[date, list[dict]] = defaultdict(list)
    for record in page.data:
        by_day[_day_of(record.get(name))].append(record)
    start = first - timedelta(days=first.weekday())
    end = after + timedelta(days=(7 - after.weekday()) % 7)
    days = [Day(d, d.month == first.month, by_day.get(d, [])) for d in _dates(start, end)]
    return {
        "date_field": name, "month": first, "today": today, "more": page.next_cursor is not None,
        "weeks": [days[i:i + 7] for i in range(0, len(days), 7)],
        "agenda": [d for d in days if d.in_month and d.records],
        "prev_url": state.url(extra={**state.extra, "month": _key(_prev_month(first))}),
        "next_url": state.url(extra={**state.extra, "month": _key(after)}),
        "today_url": state.url(extra={**state.extra, "month": _key(today.replace(day=1))}),
        "day_url": lambda d: state.url(mode="table", where=_and(
            state.where, _between(s.entity, name, d, d + timedelta(days=1)))),
        "day_titles": DAY_TITLES, "month_limit": MONTH_LIMIT, "month_name": cal.month_name[first.month],
        "weekdays": [cal.day_abbr[i] for i in range(7)],
    }


def _list(s: Screen, state: ListState, where: str, limit: int, order: str | None):
    return s.service.list(s.conn, s.app.name, s.entity.name, secret=s.secret, user_id=s.user_id, limit=limit,
                          where=where, order=order, search=state.search or None)


# -- moving a card -------------------------------------------------------------------

def move_record(app: str, entity: str, record_id: int):
    """Set a card's select field (drag and drop, or the "Move to" form); JSON for scripts, a redirect for forms."""
    wants_json = request.accept_mimetypes.best == "application/json"
    field, value = request.form.get("field", ""), request.form.get("value", "") or None
    version = request.form.get("version", "")
    back = safe_next(request.form.get("back")) or url_for("web.records", app=app, entity=entity, mode="kanban")
    try:
        with context.engine().begin() as conn:
            s = screen(app, entity, conn)
            if field not in [f.name for f in group_fields(s.entity, s.hidden)]:
                raise BadInput(_t("Cards can only be moved along a select field."))
            if not version.isdigit():
                raise BadInput(_t("The card's version is missing; reload the page."))
            record = s.service.update(conn, app, entity, record_id, {field: value}, s.user_id, int(version))
    except MetacrmError as err:
        return _refused(err, wants_json, back)
    if wants_json:
        return jsonify({"data": {"id": record_id, "version": record["version"], "value": record.get(field)}})
    return redirect(back)


def _refused(err: MetacrmError, wants_json: bool, back: str):
    if isinstance(err, StaleVersion):
        message, status = _t("Someone changed this record since the board was loaded. Reload and try again."), 409
    else:
        message, status = _problem(err), err.http_status
    if wants_json:
        return jsonify({"error": {"code": err.code, "message": message, "details": err.details}}), status
    flash(_t("The card was not moved: {problem}", problem=message), "danger")
    return redirect(back)


def _problem(err: MetacrmError) -> str:
    """The rule's own message, else each field's problem."""
    details = err.details if isinstance(err.details, dict) else {}
    if details.get("_rules"):
        return "; ".join(details["_rules"])
    return "; ".join(f"{k}: {v}" for k, v in list(details.items())[:3]) or err.message


# -- small helpers -------------------------------------------------------------------

def _and(*parts: str) -> str:
    parts = [p for p in parts if p]
    return " and ".join(f"({p})" for p in parts) if len(parts) > 1 else (parts[0] if parts else "")


def _between(entity: Entity, name: str, start: date, end: date) -> str:
    """``start <= name < end`` as an expression; timestamps compare with midnight of each day."""
    timestamp = name in SYSTEM_DATES or entity.field(name).type == "datetime"
    lit = (lambda d: repr(datetime.combine(d, datetime.min.time()).isoformat())) if timestamp else \
        (lambda d: repr(d.isoformat()))
    return f"{name} >= {lit(start)} and {name} < {lit(end)}"


def _month(text: str | None, today: date) -> date:
    found = _MONTH.match(text or "")
    if found and 1000 <= int(found[1]) <= 9000 and 1 <= int(found[2]) <= 12:
        return date(int(found[1]), int(found[2]), 1)
    return today.replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _prev_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _key(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def _day_of(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10]) if value else None


def _dates(start: date, end: date):
    return (start + timedelta(days=i) for i in range((end - start).days))


def _t(text: str, **params) -> str:
    return translate(text, current_user.language, **params)
