"""A list page's rows, computed once in Python: each record's link, title and cells as HTML.

Templates then only print; a 50 × 15 page formats 750 cells, so doing each
once in Python (escaped with markupsafe, and building record links from one
``url_for`` pattern) is what keeps the page fast: a template expression per
cell costs several times the Python that makes the same string.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape

from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.web.i18n import translate
from runtime.web.labels import localize
from runtime.web.screens.display import Cell
from runtime.web.screens.display import Display
from runtime.web.screens.display import record_url
from runtime.web.screens.display import title_of

__all__ = ["Header", "column_headers", "table_rows"]

#: On a phone a row becomes a card showing its first columns; the rest stay in the table only.
CARD_COLUMNS = 4


@dataclass(frozen=True)
class Header:
    label: str
    css: str


def column_headers(entity: Entity, columns: list[Field], language: str | None = None) -> list[Header]:
    headers = []
    for index, field in enumerate(columns):
        css = "card-title-cell" if index == 0 else ("card-cell" if index < CARD_COLUMNS else "table-only-cell")
        headers.append(Header(localize(field.label, language, field.name), css))
    return headers


def table_rows(s, records: list[dict], columns: list[Field], display: Display, headers: list[Header]) -> list[Markup]:
    """Each record's whole ``<tr>`` (a checkbox, then the values), escaped and ready to print."""
    href = record_url(s.app.name, s.entity.name)
    opens = _cell_openings(headers)
    makers = [display.column(f) for f in columns]
    select = escape(translate("Select", display.language))
    rows = []
    for r in records:
        link, title = escape(href(r["id"])), escape(title_of(s.entity, r))
        cells = _cells_html([make(r) for make in makers], opens, link)
        rows.append(Markup(f'<tr data-href="{link}"><td class="select-col"><input class="form-check-input"'
                           f' type="checkbox" name="ids" value="{r["id"]}" aria-label="{select} {title}"></td>'
                           f"{cells}</tr>"))
    return rows


def _cell_openings(headers: list[Header]) -> list[tuple[str, str]]:
    """Per column, its ``<td ...>`` for text and for numbers (right-aligned): the same for every row."""
    return [(f'<td class="{escape(h.css)}" data-label="{escape(h.label)}">',
             f'<td class="{escape(h.css)} text-end" data-label="{escape(h.label)}">') for h in headers]


def _cells_html(cells: list[Cell], opens: list[tuple[str, str]], href: str) -> str:
    """The row's value ``<td>``s (``href`` escaped already); the first value links to the record."""
    parts = []
    for index, (c, (plain, number)) in enumerate(zip(cells, opens)):
        inner = c.__html__()
        if index == 0:
            inner = f'<a class="fw-semibold record-link" href="{href}">{inner}</a>'
        parts.append(f"{number if c.kind == 'number' else plain}{inner}</td>")
    return "".join(parts)
