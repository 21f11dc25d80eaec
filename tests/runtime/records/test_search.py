"""Search helpers and the PostgreSQL trigram indexes that serve ``ILIKE '%word%'``."""

from __future__ import annotations

from contextlib import suppress

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from runtime.errors import BadInput
from runtime.records.queries import list_records
from runtime.records.search import escape_like
from runtime.records.search import install_search_indexes
from runtime.records.search import search_clause
from runtime.records.search import search_index_statements
from runtime.records.search import search_words
from runtime.records.search import searchable_fields


def test_escape_like_leaves_only_literal_characters():
    assert escape_like("50%_off\\") == "50\\%\\_off\\\\"
    assert escape_like("北京 plain") == "北京 plain"


def test_search_words_splits_deduplicates_and_limits():
    assert search_words("  acme   lyon acme ") == ["acme", "lyon"]
    assert search_words("") == []
    with pytest.raises(BadInput):
        search_words(" ".join("abcdefghi"))
    with pytest.raises(BadInput):
        search_words(["acme"])


def test_searchable_fields_are_the_stored_text_like_ones(service):
    deal = service.registry.entity("sales", "deal")
    assert [f.name for f in searchable_fields(deal)] == ["name", "code", "stage", "contact_email"]
    assert search_clause(deal, service.registry.table("sales", "deal"), "  ", "sqlite") is None


def test_index_statements_are_postgresql_only_and_leave_the_registry_alone(service):
    deal = service.registry.entity("sales", "deal")
    table = service.registry.table("sales", "deal")
    before = set(table.indexes)
    assert search_index_statements(deal, table, "sqlite") == []
    ddl = [str(s.compile(dialect=postgresql.dialect())) for s in
           search_index_statements(deal, table, "postgresql", trgm_schema="public")]
    assert len(ddl) == 4 and set(table.indexes) == before
    assert ddl[0] == ("CREATE INDEX IF NOT EXISTS ix_sales__deal_name_trgm ON sales__deal "
                      'USING gin (name "public".gin_trgm_ops)')


def test_indexes_serve_the_search_on_postgresql(published, service):
    with published.begin() as conn:
        for name in ("Acme", "北京科技有限公司", "Bolt 50%"):
            service.create(conn, "sales", "account", {"name": name}, 1)
    account = service.registry.entity("sales", "account")
    table = service.registry.table("sales", "account")
    with published.begin() as conn:
        if conn.dialect.name != "postgresql":
            assert install_search_indexes(conn, account, table) is False
            return
        _trgm_in_public(published)
        assert install_search_indexes(conn, account, table) is True
        assert install_search_indexes(conn, account, table) is True  # again at the next publish: no-op
    with published.begin() as conn:
        indexes = conn.execute(select(text("indexname")).select_from(text("pg_indexes")).where(
            text("schemaname = current_schema() AND tablename = 'sales__account' "
                 "AND indexdef LIKE '%gin_trgm_ops%'"))).scalars().all()  # other tests' schemas have the table too
        assert sorted(indexes) == ["ix_sales__account_city_trgm", "ix_sales__account_name_trgm"]
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        query = select(table.c.id).where(search_clause(account, table, "科技", "postgresql"))
        plan = "\n".join(conn.execute(text("EXPLAIN " + str(query.compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True})))).scalars())
        assert "ix_sales__account_name_trgm" in plan
        page = list_records(conn, service.registry, "sales", "account", search="科技", secret="s")
        assert [r["name"] for r in page.data] == ["北京科技有限公司"]
        page = list_records(conn, service.registry, "sales", "account", search="50%", secret="s")
        assert [r["name"] for r in page.data] == ["Bolt 50%"]


def _trgm_in_public(engine) -> None:
    """pg_trgm once per test database, in ``public``: per-test schemas are dropped afterwards."""
    # A concurrent test may create it first.
    with engine.connect() as conn, suppress(DBAPIError), conn.begin():
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
