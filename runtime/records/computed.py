"""Formulas, lookups and rules as SQL, so they read, filter and sort in the database.

A formula compiles once per read into a column expression; a path through a
link (``account.city``) or a lookup becomes a correlated scalar subquery on
the target table. Rules are checked the same way, against the row just
written inside the still-open transaction, so a broken rule rolls it back.

Read for a user, a path through a link carries a *guard* (``LinkGuard``):
the subquery finds the linked row only where that user may read it and the
field, so what a lookup shows, filters and sorts on is the same NULL for
everyone who may not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from runtime.errors import ValidationFailed
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import Entity
from runtime.metadata.model import pick_label
from runtime.storage.system import users

DECIMAL_RESULTS = ("decimal", "currency", "percent")
CACHE_LIMIT = 2000
Variables = Callable[[tuple[str, ...]], Any]
#: ``guard(entity, table, field)``: SQL true for the rows of ``table`` (an alias of ``entity``'s)
#: whose ``field`` the reader may see, or None for every row (``Access.link_guard``).
LinkGuard = Callable[[Entity, Any, str], ColumnElement | None]


def session_variables(user_id: int | None, now: datetime) -> Variables:
    """``$me``, ``$today``, ``$now`` for one request; user attributes are not loaded here."""
    values = {("me",): user_id, ("today",): now.date(), ("now",): now}
    return lambda path: values.get(tuple(path))


class SqlColumns:
    """Resolves expression paths on one entity to SQL against ``table`` (possibly an alias);
    with a ``guard``, paths through links as one reader may see them."""

    def __init__(self, registry, entity: Entity, table, variables: Variables, dialect: str,
                 guard: LinkGuard | None = None):
        self.registry, self.entity, self.table = registry, entity, table
        self.variables, self.dialect, self.guard = variables, dialect, guard

    def __call__(self, path: tuple[str, ...]) -> ColumnElement:
        head, rest = path[0], tuple(path[1:])
        system = head in SYSTEM_COLUMNS and not self.entity.has_field(head) or head == "owner"
        if rest and (system or self.entity.field(head).type == "user"):
            return _user_attribute(self.table.c[head], rest[0])
        if system:
            return self.table.c[head]
        field = self.entity.field(head)
        if field.type == "lookup":
            return self._through(self.entity.field(field.opt("source")), (field.opt("field"), *rest))
        if field.type == "formula":
            return self.formula(head)
        if rest:
            return self._through(field, rest)
        return self.table.c[head]

    def _through(self, link, rest: tuple[str, ...]) -> ColumnElement:
        target_entity, target_table = self.registry.target(self.entity, link.opt("target"))
        alias = target_table.alias()
        inner = SqlColumns(self.registry, target_entity, alias, self.variables, self.dialect, self.guard)(rest)
        linked = select(inner).where(alias.c.id == self.table.c[link.name])
        seen = self.guard(target_entity, alias, rest[0]) if self.guard is not None else None
        return (linked if seen is None else linked.where(seen)).scalar_subquery()

    def compile(self, source: str) -> ColumnElement:
        """SQL for ``source``; reused from the registry's cache when it does not depend on
        the request (no ``$`` variables, no reader's guard) and targets the entity's own table."""
        from runtime.metadata.expressions import compile_sql
        from runtime.metadata.expressions import parse
        from runtime.metadata.expressions import variables_used
        from runtime.metadata.scope import EntityScope

        cache = self.registry.cache
        if len(cache) > CACHE_LIMIT:  # callers' where= strings are unbounded; start over
            cache.clear()
        expr = cache.get(("parse", source)) or cache.setdefault(("parse", source), parse(source))
        reusable = (self.guard is None and not variables_used(expr)
                    and self.table is self.registry.tables[self.entity.qualified_name])
        key = ("sql", self.entity.qualified_name, source, self.dialect)
        if reusable and key in cache:
            return cache[key]
        scope = EntityScope(self.registry.app(self.entity.app), self.entity, self.registry.apps)
        compiled = compile_sql(expr, scope, self, self.variables, self.dialect)
        if reusable:
            cache[key] = compiled
        return compiled

    def formula(self, name: str) -> ColumnElement:
        """A decimal formula rounds to its field's precision, via the language's own ROUND."""
        field = self.entity.field(name)
        source = field.opt("expression")
        if field.opt("result") in DECIMAL_RESULTS:
            source = f"ROUND(({source}), {int(field.opt('precision', 2))})"
        return self.compile(source)


def _user_attribute(user_id: ColumnElement, attribute: str) -> ColumnElement:
    """``owner.department``: the attribute of the user a column points at (checked by the scope)."""
    return select(users.c[attribute]).where(users.c.id == user_id).scalar_subquery()


def computed_columns(registry, entity: Entity, table: Table, variables: Variables, dialect: str,
                     guard: LinkGuard | None = None) -> list:
    """Labelled SQL for every formula and lookup of ``entity``, to add to a SELECT."""
    columns = SqlColumns(registry, entity, table, variables, dialect, guard)
    return [columns((f.name,)).label(f.name) for f in entity.fields if f.type in ("formula", "lookup")]


def check_rules(conn: Connection, registry, entity: Entity, table: Table, record_id: int,
                variables: Variables, language: str = "en") -> None:
    """Raise ValidationFailed when any of the entity's rules holds for the stored row."""
    broken = broken_rules(conn, registry, entity, table, [record_id], variables, language).get(record_id)
    if broken:
        raise ValidationFailed("; ".join(broken), details={"_rules": broken})


def broken_rules(conn: Connection, registry, entity: Entity, table: Table, record_ids: list[int],
                 variables: Variables, language: str = "en") -> dict[int, list[str]]:
    """``{record id: [messages]}`` for the stored rows that break a rule, checked in one SELECT."""
    if not entity.rules or not record_ids:
        return {}
    columns = SqlColumns(registry, entity, table, variables, conn.dialect.name)
    tests = [columns.compile(rule.when).label(f"r{i}") for i, rule in enumerate(entity.rules)]
    found = {}
    for row in conn.execute(select(table.c.id, *tests).where(table.c.id.in_(record_ids))):
        broken = [pick_label(rule.message, language) for i, rule in enumerate(entity.rules) if row[i + 1] is True]
        if broken:
            found[row[0]] = broken
    return found
