"""Record lists: ``where=``, ``order=``, keyset pages, search and an optional count.

Every list — screens, REST, exports — goes through :func:`list_records`, so
filters in the expression language, sorting on formulas and lookups, and the
big-table rules of DESIGN §5 hold everywhere: pages are found by key (never
OFFSET) and the total is counted only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.sql.elements import ColumnElement

from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.errors import ValidationFailed
from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.expressions import check
from runtime.metadata.expressions import compile_sql
from runtime.metadata.expressions import parse
from runtime.metadata.expressions import walk
from runtime.metadata.expressions.errors import ExpressionError
from runtime.metadata.expressions.nodes import Literal
from runtime.metadata.scope import EntityScope
from runtime.records.computed import LinkGuard
from runtime.records.computed import SqlColumns
from runtime.records.computed import session_variables
from runtime.records.cursor import decode_cursor
from runtime.records.cursor import encode_cursor
from runtime.records.cursor import fingerprint
from runtime.records.filter_names import refuse_hidden
from runtime.records.ordering import parse_order
from runtime.records.ordering import phases
from runtime.records.reading import record_select
from runtime.records.search import search_clause
from runtime.records.search import search_words
from runtime.records.search import storable_text
from runtime.records.serialize import rows_to_dicts
from runtime.security.sensitive import refuse_sensitive

MAX_LIMIT = 500
_KEY = "_k"  # prefix of extra sort-key columns; field names never start with "_"


@dataclass
class Page:
    """One page of a list: records, the cursor of the next page (None at the end), the total if asked."""

    data: list[dict]
    next_cursor: str | None
    total: int | None = None


def list_records(conn: Connection, registry, app: str, entity: str, *, where: str | None = None,
                 order: str | None = None, limit: int = 50, cursor: str | None = None,
                 search: str | None = None, count: bool = False, user_id: int | None = None,
                 now: datetime | None = None, secret: str,
                 extra_where: ColumnElement | None = None, hidden: frozenset[str] = frozenset(),
                 guard: LinkGuard | None = None) -> Page:
    """One page of live records of ``app.entity`` with formulas and lookups, without child rows.

    ``extra_where`` is ANDed in (row permissions); it is part of the filter but
    not of the cursor's fingerprint, so the caller must pass the same one on
    every page. ``hidden`` fields are refused in ``where``/``order`` and left out of the search;
    ``guard`` computes paths through links as the reader may see them (the same in
    the output, ``where`` and ``order``). Raises BadInput (400: limit, cursor, search) or
    ValidationFailed (422 with a position: where, order).
    """
    ent = registry.entity(app, entity)
    if ent.parent:
        raise BadInput(f"{entity} rows are listed through their parent's '{ent.parent[1]}' field")
    table = registry.table(app, entity)
    limit = check_limit(limit)
    refuse_hidden(hidden, where, order)
    refuse_sensitive(registry, ent, where, order)
    columns = SqlColumns(registry, ent, table, session_variables(user_id, now or utcnow()), conn.dialect.name,
                         guard)
    keys = parse_order(order, registry, ent, table, columns)
    where, words = (where or "").strip(), search_words(search or "")
    filters = _filters(registry, ent, table, columns, where, words, extra_where, hidden)
    query_id = fingerprint(app, entity, where, ",".join(k.spec for k in keys), words, user_id)
    values = decode_cursor(cursor, query_id, secret, len(keys)) if cursor else None

    base = record_select(registry, ent, table, columns.variables, columns.dialect, guard)
    output = set(base.selected_columns.keys())
    extra = [k.expr.label(f"{_KEY}{i}") for i, k in enumerate(keys) if _key_column(k, output) is None]
    rows = _fetch(conn, base.add_columns(*extra).where(*filters), phases(keys, values), limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = [rows[-1][_key_column(k, output) or f"{_KEY}{i}"] for i, k in enumerate(keys)]
        next_cursor = encode_cursor(last, query_id, secret)
    data = rows_to_dicts(rows, hide_prefix=_KEY)
    total = _count(conn, table, filters) if count else None
    return Page(data, next_cursor, total)


def _filters(registry, ent, table, columns: SqlColumns, where: str, words: list[str], extra_where,
             hidden: frozenset[str] = frozenset()) -> list:
    """Everything that decides which rows are in the list at all (the count uses these too)."""
    filters = [table.c.deleted_at.is_(None)]
    if where:
        filters.append(compile_where(registry, ent, columns, where))
    if words:
        filters.append(search_clause(ent, table, " ".join(words), columns.dialect, hidden))
    if extra_where is not None:
        filters.append(extra_where)
    return filters


def _fetch(conn: Connection, query, steps, wanted: int) -> list:
    """Up to ``wanted`` rows, running the page's phases in turn until it is full."""
    rows: list = []
    for phase in steps:
        step = query if phase.where is None else query.where(phase.where)
        rows += _run(conn, step.order_by(*phase.order).limit(wanted - len(rows))).mappings().all()
        if len(rows) >= wanted:
            break
    return rows


def compile_where(registry, entity, columns: SqlColumns, source: str) -> ColumnElement:
    """``where=`` type-checked as a condition on ``entity`` and compiled to SQL."""
    expr = parse(source)
    scope = EntityScope(registry.app(entity.app), entity, registry.apps)
    check(expr, scope, BOOLEAN)
    for node in walk(expr):
        if isinstance(node, Literal) and isinstance(node.value, str) and not storable_text(node.value):
            raise ExpressionError("text may not contain NUL or unpaired surrogate characters", node.pos)
    return compile_sql(expr, scope, columns, columns.variables, columns.dialect)


def check_limit(limit) -> int:
    """``limit`` as an int in 1..500; BadInput (400) otherwise. Digit strings (query args) pass."""
    if isinstance(limit, str) and limit.strip().isascii() and limit.strip().isdigit() and len(limit.strip()) <= 6:
        limit = int(limit.strip())
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                       details={"limit": str(limit)[:40]})
    return limit


def _key_column(key, output: set[str]) -> str | None:
    """The output column already holding this key's value, if any."""
    return key.path[0] if len(key.path) == 1 and key.path[0] in output else None


def _count(conn: Connection, table, filters: list) -> int:
    return _run(conn, select(func.count()).select_from(table).where(*filters)).scalar_one()


def _run(conn: Connection, query):
    """A value the database cannot compute (an overflow in a filter) is the caller's 422, not a 500."""
    try:
        return conn.execute(query)
    except DataError:
        raise ValidationFailed("the database could not evaluate this list's filter or sort; "
                               "check the values it compares") from None

