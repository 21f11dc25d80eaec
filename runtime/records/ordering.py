"""``order=`` for record lists: which keys, in what SQL order, and "rows after this one".

Keys are stored fields, formulas, lookups, paths through links
(``account.name``) and system columns; ``id`` is always the last key, so
the order is total and a keyset position is exact. NULLs sort last in both
directions on every backend, and the keyset condition agrees with that, so
walking pages returns the rows of one big ORDER BY, each exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import tuple_
from sqlalchemy.sql.elements import ColumnElement

from runtime.errors import ValidationFailed
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import Entity

#: What a CRM user expects of a list: the most recently changed first.
DEFAULT_ORDER = "-updated_at,-id"
MAX_KEYS = 6
#: Sorting by these means nothing or costs too much (long text, JSON, files).
UNSORTABLE = frozenset({"table", "file", "image", "multiselect", "geo", "signature", "richtext", "textarea"})
SORTABLE_SYSTEM = frozenset(SYSTEM_COLUMNS) - {"deleted_at"}
_ITEM = re.compile(r"^([-+]?)([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)$")


class InvalidOrder(ValidationFailed):
    """``order=`` names something that cannot be sorted; ``details`` has its column."""

    code = "invalid_order"

    def __init__(self, reason: str, item: str, col: int):
        super().__init__(f"order: col {col}: {reason}", details={"order": item, "col": col, "reason": reason})


@dataclass(frozen=True)
class SortKey:
    path: tuple[str, ...]
    descending: bool
    expr: ColumnElement
    nullable: bool

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def spec(self) -> str:
        return ("-" if self.descending else "") + self.name


def parse_order(order: str | None, registry, entity: Entity, table, columns) -> list[SortKey]:
    """The sort keys of ``order`` (default ``-updated_at,-id``), ending with ``id``.

    ``id`` comes last in the direction of the key before it unless ``order`` places it.

    ``columns`` maps a field path to SQL (a ``SqlColumns``). Keys after ``id``
    could never matter and are dropped. Raises InvalidOrder with a position.
    """
    if order is not None and not isinstance(order, str):
        raise InvalidOrder("order must be text such as '-amount,name'", str(order), 1)
    source = order if order and order.strip() else DEFAULT_ORDER
    keys: list[SortKey] = []
    col = 1
    for raw in source.split(","):
        item, at = raw.strip(), col + len(raw) - len(raw.lstrip())
        col += len(raw) + 1
        path, descending = _parse_item(item, at)
        if any(k.path == path for k in keys):
            raise InvalidOrder(f"'{'.'.join(path)}' is sorted twice", item, at)
        if keys and keys[-1].path == ("id",):
            break
        try:
            _check_sortable(registry, entity, path)
        except _Unsortable as exc:
            raise InvalidOrder(str(exc), item, at) from None
        keys.append(SortKey(path, descending, columns(path), _nullable(table, path)))
        if len(keys) > MAX_KEYS:
            raise InvalidOrder(f"at most {MAX_KEYS} sort keys", item, at)
    if keys[-1].path != ("id",):
        # The tie-breaker runs the way of the last key (``-amount`` -> ``-amount,-id``), so one
        # index on (amount, id) serves the list read in either direction.
        keys.append(SortKey(("id",), keys[-1].descending, columns(("id",)), False))
    return keys


def _parse_item(item: str, at: int) -> tuple[tuple[str, ...], bool]:
    if not item:
        raise InvalidOrder("empty sort key", item, at)
    match = _ITEM.match(item)
    if match is None:
        raise InvalidOrder(f"'{item[:60]}' is not a field name (use 'name' or '-name')", item[:60], at)
    return tuple(match.group(2).split(".")), match.group(1) == "-"


class _Unsortable(Exception):
    """Why a path cannot be a sort key."""


def _check_sortable(registry, entity: Entity, path: tuple[str, ...]) -> None:
    name, rest = path[0], path[1:]
    if name in SYSTEM_COLUMNS and not entity.has_field(name):
        if rest:
            raise _Unsortable(f"'.' cannot follow '{name}'")
        if name not in SORTABLE_SYSTEM:
            raise _Unsortable(f"cannot sort by '{name}'")
        return
    if not entity.has_field(name):
        raise _Unsortable(f"unknown field '{name}' on {entity.name!r}")
    field = entity.field(name)
    if field.type == "lookup":
        source = entity.field(field.opt("source"))
        target, _table = registry.target(entity, source.opt("target"))
        return _check_sortable(registry, target, (field.opt("field"), *rest))
    if rest:
        if field.type != "link":
            raise _Unsortable(f"'{name}' ({field.type}) is not a link; '.' cannot follow it")
        target, _table = registry.target(entity, field.opt("target"))
        return _check_sortable(registry, target, rest)
    if field.type in UNSORTABLE:
        raise _Unsortable(f"cannot sort by '{name}' ({field.type})")


def _nullable(table, path: tuple[str, ...]) -> bool:
    """Only a plain NOT NULL column is known never to be NULL (links and formulas may be)."""
    return not (len(path) == 1 and path[0] in table.c and not table.c[path[0]].nullable)


# -- SQL ---------------------------------------------------------------------

@dataclass(frozen=True)
class Phase:
    """One query of a page: its condition (None: none) and ORDER BY. Run in turn until full."""

    where: ColumnElement | None
    order: list[ColumnElement]


def phases(keys: list[SortKey], values: list | None) -> list[Phase]:
    """The queries that together give the page after ``values`` (None: the first page).

    When the first key may be NULL, its non-NULL rows and its NULL rows are read
    by separate queries (the second only runs if the first did not fill the
    page). Neither then needs ``NULLS LAST`` on that key, and each is a plain
    range or equality on it, so an ordinary index on the key serves both
    directions and a deep page costs as little as the first.
    """
    first, rest = keys[0], keys[1:]
    if not first.nullable:
        return [Phase(None if values is None else after(keys, values), order_by(keys))]
    non_null = [first.expr.desc() if first.descending else first.expr.asc(), *order_by(rest)]
    nulls = Phase(first.expr.is_(None), order_by(rest))
    if values is None:
        return [Phase(first.expr.is_not(None), non_null), nulls]
    if values[0] is None:
        return [Phase(and_(first.expr.is_(None), after(rest, values[1:])), order_by(rest))]
    return [Phase(_within(first, values[0], after(rest, values[1:])), non_null), nulls]


def order_by(keys: list[SortKey]) -> list[ColumnElement]:
    """ORDER BY terms; NULLS LAST only where NULL can occur, so indexes stay usable."""
    terms = []
    for key in keys:
        term = key.expr.desc() if key.descending else key.expr.asc()
        terms.append(term.nulls_last() if key.nullable else term)
    return terms


def after(keys: list[SortKey], values: list) -> ColumnElement:
    """Rows strictly after the row whose key values are ``values``, in ``order_by(keys)``.

    Same direction and no NULLs: a row-value comparison, which PostgreSQL turns
    into one index range. Otherwise ``k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND
    <after the rest>))`` (the redundant ``k1 >= v1`` is an index range too),
    with NULL sorted after every value.
    """
    if not any(k.nullable for k in keys) and len({k.descending for k in keys}) == 1:
        left = tuple_(*[k.expr for k in keys])
        right = tuple_(*[_bind(k, v) for k, v in zip(keys, values)])
        return left < right if keys[0].descending else left > right
    first, rest, value = keys[0], keys[1:], values[0]
    if value is None:  # only NULLs can follow NULL on this key
        return and_(first.expr.is_(None), after(rest, values[1:])) if rest else false()
    if not rest:
        beyond = first.expr < _bind(first, value) if first.descending else first.expr > _bind(first, value)
        return or_(beyond, first.expr.is_(None)) if first.nullable else beyond
    within = _within(first, value, after(rest, values[1:]))
    return or_(within, first.expr.is_(None)) if first.nullable else within


def _within(key: SortKey, value, tie_break: ColumnElement) -> ColumnElement:
    """Non-NULL rows of ``key`` after ``value``; ``tie_break`` decides among equal ones."""
    bound = _bind(key, value)
    if key.descending:
        return and_(key.expr <= bound, or_(key.expr < bound, and_(key.expr == bound, tie_break)))
    return and_(key.expr >= bound, or_(key.expr > bound, and_(key.expr == bound, tie_break)))


def _bind(key: SortKey, value) -> ColumnElement:
    """The value as the key's own SQL type, so scaled decimals on SQLite compare right."""
    return literal(value, type_=key.expr.type)
