"""How a stored value looks on a screen: select labels and colours, money, dates, link titles, user names.

Titles of linked records and names of users are fetched once per page for all
rows (one query per target entity), never once per cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from decimal import InvalidOperation
from typing import NamedTuple

from flask import url_for
from markupsafe import escape
from sqlalchemy import Connection

from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.records.titles import linked_titles
from runtime.records.titles import user_names
from runtime.web.i18n import translate
from runtime.web.labels import localize
from runtime.web.labels import user_language

__all__ = ["NUMERIC_TYPES", "Cell", "Display", "record_url", "title_of"]

NUMERIC_TYPES = frozenset({"integer", "decimal", "currency", "percent", "rating", "rollup"})
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


class Cell(NamedTuple):
    """One value ready for a template: ``kind`` picks the rendering, ``text`` is plain (escaped
    when it becomes HTML). ``{{ cell }}`` prints its HTML (``__html__``). A named tuple, not a
    frozen dataclass: a list makes 750 of them and this builds four times faster."""

    kind: str  # empty, text, badge, badges, link, user, bool, number, files, url, email, phone, longtext
    text: str = ""
    href: str | None = None
    color: str | None = None
    items: tuple = ()

    def __html__(self) -> str:
        """The cell as HTML, built in Python: a list prints 750 of them, and a macro call per
        cell cost more than all the rest of the table. Every text and attribute is escaped."""
        render = _HTML.get(self.kind)
        return render(self) if render else escape(self.text)


def _badge(c: Cell, css: str = "badge option-badge") -> str:
    color = f' data-color="{escape(c.color)}"' if c.color else ""
    return f'<span class="{css}"{color}>{escape(c.text)}</span>'


def _bool_html(c: Cell) -> str:
    if c.text == "yes":
        return f'<span class="text-success">{escape(translate("Yes", user_language()))}</span>'
    return f'<span class="text-body-secondary">{escape(translate("No", user_language()))}</span>'


def _link_html(c: Cell) -> str:
    return f'<a href="{escape(c.href)}">{escape(c.text)}</a>' if c.href else escape(c.text)


def _url_html(c: Cell) -> str:
    """Only web addresses become links: a ``javascript:`` value stays text."""
    if c.text.startswith(("http://", "https://")):
        text = escape(c.text)
        return f'<a href="{text}" rel="noopener noreferrer nofollow" target="_blank">{text}</a>'
    return escape(c.text)


def _wrapped(template: str):
    """A renderer putting the escaped text in each ``{0}`` of ``template``."""
    return lambda c: template.format(escape(c.text))


_HTML = {
    "empty": lambda c: '<span class="text-body-tertiary">—</span>',
    "badge": _badge,
    "badges": lambda c: "".join(_badge(i, "badge option-badge me-1") for i in c.items),
    "link": _link_html,
    "files": lambda c: "".join(f'<a class="me-2" href="{escape(i.href)}">{escape(i.text)}</a>' for i in c.items),
    "bool": _bool_html,
    "url": _url_html,
    "email": _wrapped('<a href="mailto:{0}">{0}</a>'),
    "phone": _wrapped('<a href="tel:{0}">{0}</a>'),
    "longtext": _wrapped('<span class="longtext">{0}</span>'),
}


EMPTY = Cell("empty")
_URL_ID = 987654321987  # a stand-in id, replaced in the one URL url_for builds per entity


def record_url(app: str, entity: str):
    """``record_id -> URL`` of the record page, with ``url_for`` called once (lists make hundreds)."""
    head, tail = url_for("web.record", app=app, entity=entity, record_id=_URL_ID).split(str(_URL_ID), 1)
    return lambda record_id: f"{head}{record_id}{tail}"


def title_of(entity: Entity, record: dict) -> str:
    """The record's title: its title field, else its first text value, else ``#id``."""
    name = entity.title_field
    if name and record.get(name) not in (None, ""):
        return str(record[name])
    return f"#{record.get('id')}"


#: ``(target entity, table) ->`` the SQL filter of the linked records whose titles may be shown
#: (None: all of them); the others show as ``#id``.
TitleScope = Callable[[Entity, object], object]


class Display:
    """Formats the values of ``records`` of ``entity`` for ``language``."""

    def __init__(self, conn: Connection, registry, entity: Entity, records: list[dict], language: str,
                 title_scope: TitleScope | None = None):
        self.registry = registry
        self.entity = entity
        self.language = language
        self.titles = _link_titles(conn, registry, entity, records, title_scope)
        self.user_names = _user_names(conn, entity, records)
        self._urls: dict = {}

    def cell(self, field: Field, record: dict) -> Cell:
        return self.column(field)(record)

    def column(self, field: Field) -> Callable[[dict], Cell]:
        """``record -> Cell`` for ``field``, its renderer looked up once: a list asks per row."""
        name, render = field.name, _RENDERERS.get(_result_type(field))

        def cell(record: dict) -> Cell:
            value = record.get(name)
            if value is None or value == "" or value == []:
                return EMPTY
            return render(self, field, value) if render else Cell("text", str(value))
        return cell

    def user_name(self, user_id: int | None) -> str:
        return self.user_names.get(user_id, f"#{user_id}") if user_id else ""

    def link_title(self, field: Field, value) -> tuple[str, str | None]:
        """The linked record's title and page (``None`` for child rows, which have no page)."""
        target, _table = self.registry.target(self.entity, field.opt("target"))
        key = (target.app, target.name)
        title = self.titles.get(key, {}).get(value, f"#{value}")
        if target.parent:
            return title, None
        if key not in self._urls:
            self._urls[key] = record_url(target.app, target.name)
        return title, self._urls[key](value)


def _select(display: Display, field: Field, value) -> Cell:
    option = _option(field, value)
    return Cell("badge", localize(option.get("label"), display.language, str(value)), color=option.get("color"))


def _multiselect(display: Display, field: Field, values) -> Cell:
    items = tuple(_select(display, field, v) for v in values)
    return Cell("badges", ", ".join(i.text for i in items), items=items)


def _link(display: Display, field: Field, value) -> Cell:
    title, href = display.link_title(field, value)
    return Cell("link", title, href=href)


def _files(_display: Display, _field: Field, value) -> Cell:
    items = tuple(Cell("link", str(f.get("name") or f.get("id")), href=url_for("api.file", file_id=f["id"]))
                  for f in value if isinstance(f, dict) and f.get("id"))
    return Cell("files", ", ".join(i.text for i in items), items=items)


def _as(kind: str):
    """A renderer that shows the value as text, marked with ``kind`` for the template."""
    return lambda _display, _field, value: Cell(kind, str(value))


_RENDERERS = {
    "select": _select, "multiselect": _multiselect, "link": _link, "file": _files, "image": _files,
    "user": lambda display, _field, value: Cell("user", display.user_name(value)),
    "boolean": lambda _display, _field, value: Cell("bool", "yes" if value else "no"),
    "datetime": lambda _display, _field, value: Cell("text", str(value).replace("T", " ")[:16]),
    "url": _as("url"), "email": _as("email"), "phone": _as("phone"),
    "textarea": _as("longtext"), "richtext": _as("longtext"),
    **{kind: (lambda _display, field, value: Cell("number", format_number(field, value))) for kind in NUMERIC_TYPES},
}


def format_number(field: Field, value) -> str:
    """Group thousands; money gets its symbol and two decimals, percent a ``%``."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    kind = _result_type(field)
    if kind == "currency":
        places = field.opt("precision", 2)
        symbol = CURRENCY_SYMBOLS.get(field.opt("currency", ""), "")
        return f"{symbol}{number:,.{places}f}"
    if kind == "percent":
        return f"{number.normalize():f}%"
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def _result_type(field: Field) -> str:
    """A formula or lookup shows like the type it produces."""
    if field.type == "formula":
        return field.opt("result", "text")
    return field.type


def _option(field: Field, value) -> dict:
    return next((o for o in field.opt("options", ()) if o.get("value") == value), {})


def _link_titles(conn: Connection, registry, entity: Entity, records: list[dict],
                 scope: TitleScope | None) -> dict:
    """``{(app, entity): {id: title}}`` for every link value in ``records``; linked records
    outside ``scope`` (the viewer may not read them) keep only their ``#id``."""
    wanted: dict[tuple, set] = defaultdict(set)
    targets = {}
    for field in entity.fields:
        if field.type != "link":
            continue
        target, table = registry.target(entity, field.opt("target"))
        key = (target.app, target.name)
        targets[key] = (target, table)
        wanted[key].update(r[field.name] for r in records if r.get(field.name) is not None)
    titles = {}
    for key, ids in wanted.items():
        target, table = targets[key]
        titles[key] = linked_titles(conn, target, table, ids, scope(target, table) if scope else None) if ids else {}
    return titles


def _user_names(conn: Connection, entity: Entity, records: list[dict]) -> dict:
    names = [f.name for f in entity.fields if f.type == "user"] + ["created_by", "updated_by", "owner"]
    ids = {r.get(n) for r in records for n in names} - {None}
    return user_names(conn, ids)
