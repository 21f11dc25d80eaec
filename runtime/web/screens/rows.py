"""A list page's rows, computed once in Python: each record's link, title and cells.

Templates then only print; a 50 × 15 page formats 750 cells, so doing each
once (and building record links from one ``url_for`` pattern) is what keeps
the page fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.web.labels import localize
from runtime.web.screens.display import Cell
from runtime.web.screens.display import Display
from runtime.web.screens.display import record_url
from runtime.web.screens.display import title_of

__all__ = ["Header", "Row", "column_headers", "table_rows"]

#: On a phone a row becomes a card showing its first columns; the rest stay in the table only.
CARD_COLUMNS = 4


@dataclass(frozen=True)
class Header:
    label: str
    css: str


@dataclass(frozen=True)
class Row:
    id: int
    href: str
    title: str
    cells: list[Cell]


def column_headers(entity: Entity, columns: list[Field], language: str | None = None) -> list[Header]:
    headers = []
    for index, field in enumerate(columns):
        css = "card-title-cell" if index == 0 else ("card-cell" if index < CARD_COLUMNS else "table-only-cell")
        headers.append(Header(localize(field.label, language, field.name), css))
    return headers


def table_rows(s, records: list[dict], columns: list[Field], display: Display) -> list[Row]:
    href = record_url(s.app.name, s.entity.name)
    return [Row(r["id"], href(r["id"]), title_of(s.entity, r), [display.cell(f, r) for f in columns])
            for r in records]
