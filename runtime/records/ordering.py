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
        keys.append(SortKey(("id",), False, columns(("id",)), False))
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
    into one index range. Otherwise the OR-chain ``k1 > v1 OR (k1 = v1 AND ...)``
    with NULL (sorted last) counted as greater than any value.
    """
    if not any(k.nullable for k in keys) and len({k.descending for k in keys}) == 1:
        left = tuple_(*[k.expr for k in keys])
        right = tuple_(*[_bind(k, v) for k, v in zip(keys, values)])
        return left < right if keys[0].descending else left > right
    chain, equal = [], []
    for key, value in zip(keys, values):
        if value is not None:  # nothing sorts after NULL on this key
            chain.append(and_(*equal, _beyond(key, value)))
        equal.append(key.expr.is_(None) if value is None else key.expr == _bind(key, value))
    return or_(*chain)


def _beyond(key: SortKey, value) -> ColumnElement:
    bound = _bind(key, value)
    test = key.expr < bound if key.descending else key.expr > bound
    return or_(test, key.expr.is_(None)) if key.nullable else test


def _bind(key: SortKey, value) -> ColumnElement:
    """The value as the key's own SQL type, so scaled decimals on SQLite compare right."""
    return literal(value, type_=key.expr.type)
