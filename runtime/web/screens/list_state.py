"""A list page's state (search, filters, sort, columns, page) read from and written back to its URL.

Every list is a plain GET URL, so a filtered, sorted page can be bookmarked,
shared, reloaded and navigated with the back button.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from dataclasses import replace
from urllib.parse import urlencode

from flask import url_for
from werkzeug.datastructures import MultiDict

from runtime.metadata.model import Entity
from runtime.web.screens.filters import FilterRow
from runtime.web.screens.filters import parse_rows
from runtime.web.screens.filters import rows_to_where

__all__ = ["MODES", "ListState", "with_view"]

MAX_SEARCH = 200
MAX_WHERE = 2000
MODES = ("table", "kanban", "calendar")
#: saved view spec key -> the URL parameter that overrides it
VIEW_PARAMS = {"columns": "cols", "where": "where", "order": "order", "search": "q", "mode": "mode",
               "group_by": "group", "date_field": "date_field"}
#: While a view is applied these are written even when empty, so an emptied one overrides the view.
_VIEW_OVERRIDES = ("q", "where", "order", "cols", "mode")
#: What werkzeug's url_for leaves unescaped in a query string.
_QUERY_SAFE = "!$'()*,/:;?@"


@dataclass(frozen=True)
class ListState:
    app: str
    entity: str
    search: str = ""
    where: str = ""  # the "advanced" typed expression
    rows: tuple[FilterRow, ...] = ()
    order: str = ""
    columns: tuple[str, ...] = ()
    cursor: str = ""
    count: bool = False
    view: int | None = None
    mode: str = "table"
    extra: dict = dc_field(default_factory=dict)  # mode-specific parameters (kanban group, calendar month)

    @classmethod
    def from_args(cls, app: str, entity: str, args: MultiDict) -> ListState:
        rows = parse_rows(args.getlist("f"), args.getlist("op"), args.getlist("v"))
        view = args.get("view", "")
        return cls(
            app, entity,
            search=args.get("q", "").strip()[:MAX_SEARCH],
            where=args.get("where", "").strip()[:MAX_WHERE],
            rows=tuple(rows),
            order=args.get("order", "").strip()[:200],
            columns=tuple(c for c in args.get("cols", "").split(",") if c)[:40],
            cursor=args.get("cursor", ""),
            count=args.get("count") == "1",
            view=int(view) if view.isdigit() else None,
            mode=args.get("mode") if args.get("mode") in MODES else "table",
            extra={k: args[k] for k in ("group", "month", "date_field") if args.get(k)},
        )

    def combined_where(self, entity: Entity) -> str:
        """The builder's rows and the typed expression, ANDed; raises ValidationFailed on a bad row."""
        parts = [p for p in (rows_to_where(entity, list(self.rows)), self.where) if p]
        return " and ".join(f"({p})" for p in parts) if len(parts) > 1 else (parts[0] if parts else "")

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.where or self.rows)

    def args(self) -> list[tuple[str, str]]:
        out = [("q", self.search), ("where", self.where), ("order", self.order),
               ("cols", ",".join(self.columns)), ("cursor", self.cursor), ("count", "1" if self.count else ""),
               ("view", str(self.view) if self.view else ""),
               ("mode", "" if self.mode == "table" and not self.view else self.mode)]
        for row in self.rows:
            out += [("f", row.field), ("op", row.op), ("v", row.value)]
        out += sorted(self.extra.items())
        return [(k, v) for k, v in out if v or (self.view and k in _VIEW_OVERRIDES)]

    def url(self, **changes) -> str:
        """This list's URL with ``changes``; any change other than the page starts at page one."""
        if "cursor" not in changes:
            changes["cursor"] = ""
        state = replace(self, **changes)
        return _with_query(url_for("web.records", app=self.app, entity=self.entity), state.args())

    def sort_url(self, name: str) -> str:
        """Click a header: ascending, then descending, then back to the default order."""
        if self.order == name:
            return self.url(order=f"-{name}")
        if self.order == f"-{name}":
            return self.url(order="")
        return self.url(order=name)

    def sorted_by(self, name: str) -> str | None:
        return "asc" if self.order == name else "desc" if self.order == f"-{name}" else None


def with_view(args: MultiDict, spec: dict) -> MultiDict:
    """``args`` with the saved view's settings filled in where the URL gives none: explicit params win."""
    merged = MultiDict(args)
    for key, param in VIEW_PARAMS.items():
        value = spec.get(key)
        if param not in args and value:
            merged[param] = ",".join(value) if key == "columns" else str(value)
    return merged


def _with_query(path: str, pairs: list[tuple[str, str]]) -> str:
    """``path?query`` as ``url_for`` would write it (a repeated key's values together, its safe
    characters), at half the cost: a list page builds some twenty of these."""
    grouped: dict = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    query = urlencode([(key, value) for key, values in grouped.items() for value in values], safe=_QUERY_SAFE)
    return f"{path}?{query}" if query else path
