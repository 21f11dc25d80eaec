"""Free-text search across an entity's text fields, and the indexes that keep it fast.

Substring matching (``ILIKE '%term%'``) is what CRM users expect from a search
box: partial names, phone fragments, Chinese text without word boundaries.
PostgreSQL serves it from ``pg_trgm`` GIN indexes (one per field, created at
publish time by :func:`install_search_indexes`); without the extension the
same query still works, only unindexed. SQLite uses ``LIKE`` (case-insensitive
for ASCII). Every word must match, each in any field.
"""

from __future__ import annotations

import logging

from sqlalchemy import Column
from sqlalchemy import Connection
from sqlalchemy import Index
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.elements import ColumnElement

from runtime.errors import BadInput
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.model import label_of
from runtime.security.sensitive import is_sensitive
from runtime.storage.names import search_index_name

log = logging.getLogger(__name__)

SEARCHABLE_TYPES = ("text", "textarea", "email", "phone", "url", "select", "autonumber")
MAX_SEARCH = 200
MAX_WORDS = 8
_ESCAPE = "\\"


def searchable_fields(entity: Entity) -> list[Field]:
    """The stored text-like fields a search box looks in, in metadata order (not the encrypted ones)."""
    return [f for f in entity.stored_fields if f.type in SEARCHABLE_TYPES and not is_sensitive(f)]


def search_words(query: str) -> list[str]:
    """The words of a search box entry; BadInput when it is too long to be a search."""
    if not isinstance(query, str):
        raise BadInput("search must be text", details={"search": "not text"})
    if not storable_text(query):
        raise BadInput("search may not contain NUL or unpaired surrogate characters",
                       details={"search": "not storable text"})
    if len(query) > MAX_SEARCH:
        raise BadInput(f"search is longer than {MAX_SEARCH} characters", details={"search": "too long"})
    words = list(dict.fromkeys(query.split()))
    if len(words) > MAX_WORDS:
        raise BadInput(f"search may have at most {MAX_WORDS} words", details={"search": "too many words"})
    return words


def search_clause(entity: Entity, table, query: str, dialect: str,
                  hidden: frozenset[str] = frozenset()) -> ColumnElement | None:
    """A WHERE clause requiring every word somewhere in the entity's text fields (None: no words);
    fields hidden from the user are not searched, or a search would reveal their content."""
    words = search_words(query)
    if not words:
        return None
    fields = [f for f in searchable_fields(entity) if f.name not in hidden]
    return and_(*[_word_clause(fields, table, word, dialect) for word in words])


def _word_clause(fields: list[Field], table, word: str, dialect: str) -> ColumnElement:
    pattern = literal(f"%{escape_like(word)}%", Text())
    tests = []
    for field in fields:
        column = table.c[field.name]
        if dialect == "postgresql":
            tests.append(column.ilike(pattern, escape=_ESCAPE))
        else:
            tests.append(column.like(pattern, escape=_ESCAPE))
        values = _options_labelled(field, word)
        if values:  # a select also matches by its label, in any language
            tests.append(column.in_(values))
    if word.isascii() and word.isdigit() and len(word) <= 18:  # not "¹", which int() refuses
        tests.append(table.c.id == int(word))
    return or_(*tests) if tests else false()


def storable_text(value: str) -> bool:
    """Text every backend can take as a parameter (PostgreSQL refuses NUL; UTF-8 refuses lone surrogates)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escape_like(word: str) -> str:
    """``%``, ``_`` and the escape character itself match only themselves."""
    return word.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")


def _options_labelled(field: Field, word: str) -> list[str]:
    if field.type != "select":
        return []
    needle = word.casefold()
    found = []
    for option in field.opt("options", []) or []:
        labels = label_of(option.get("label"), option["value"]).values()
        if any(needle in str(label).casefold() for label in labels):
            found.append(option["value"])
    return found


# -- indexes (PostgreSQL) ------------------------------------------------------

def search_index_statements(entity: Entity, table, dialect: str = "postgresql",
                            trgm_schema: str | None = None) -> list:
    """DDL creating one trigram GIN index per searchable field (none on SQLite).

    ``trgm_schema`` qualifies the ``gin_trgm_ops`` operator class when pg_trgm
    lives outside the search path. Idempotent (``IF NOT EXISTS``), so it can run
    at every publish; an index for a removed field goes with its column.
    """
    if dialect != "postgresql":
        return []
    ops = f'"{trgm_schema.replace(chr(34), chr(34) * 2)}".gin_trgm_ops' if trgm_schema else "gin_trgm_ops"
    # A throwaway Table, so the registry's tables never grow indexes the
    # migration planner did not ask for.
    shadow = Table(table.name, MetaData(), *[Column(f.name, Text()) for f in searchable_fields(entity)],
                   schema=table.schema)
    statements = []
    for column in shadow.columns:
        index = Index(search_index_name(table.name, column.name), column,
                      postgresql_using="gin", postgresql_ops={column.name: ops})
        statements.append(CreateIndex(index, if_not_exists=True))
    return statements


def install_search_indexes(conn: Connection, entity: Entity, table) -> bool:
    """Create pg_trgm (if allowed) and the entity's search indexes; False when not possible.

    Runs in a savepoint: a server where the extension cannot be created keeps
    working with unindexed ILIKE instead of failing the publish.
    """
    if conn.dialect.name != "postgresql" or not searchable_fields(entity):
        return False
    try:
        with conn.begin_nested():
            schema = _trgm_schema(conn)
            if schema is None:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                schema = _trgm_schema(conn)
            for statement in search_index_statements(entity, table, "postgresql", schema):
                conn.execute(statement)
    except Exception as exc:  # noqa: BLE001 - any refusal means "search without an index"
        log.warning("search indexes for %s not created: %s", entity.qualified_name, exc)
        return False
    return True


def _trgm_schema(conn: Connection) -> str | None:
    return conn.execute(select(text("n.nspname")).select_from(text(
        "pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace")).where(
        text("e.extname = 'pg_trgm'"))).scalar()
