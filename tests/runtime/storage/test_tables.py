"""Generated tables: every field type gets its column, links get foreign keys, children a parent."""

from datetime import datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy import insert
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from builder.publish import publish
from runtime.metadata import load_package
from runtime.metadata import validate_app
from runtime.storage.names import MAX_IDENTIFIER
from runtime.storage.names import table_name
from runtime.storage.system import system_metadata
from runtime.storage.tables import build_tables
from tests.runtime.metadata.fixtures_meta import SAMPLE_APP

NOW = {"version": 1, "created_at": datetime(2026, 1, 1), "updated_at": datetime(2026, 1, 1)}


@pytest.fixture
def sample(engine):
    source = load_package(SAMPLE_APP).source
    publish(engine, source)
    app = validate_app(source)
    return app, build_tables([app])


def test_migrations_produce_exactly_the_system_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), system_metadata)
    assert [d for d in diff if d[0] != "remove_table"] == []


def test_every_stored_field_has_a_column_and_computed_ones_do_not(engine, sample):
    app, _tables = sample
    opportunity = app.entity("opportunity")
    columns = {c["name"] for c in inspect(engine).get_columns(table_name(app.name, "opportunity"))}
    assert {f.name for f in opportunity.stored_fields} <= columns
    assert {"id", "version", "created_at", "created_by", "updated_at", "updated_by", "owner", "deleted_at"} <= columns
    for computed in ("weighted", "account_city", "lines"):
        assert computed not in columns
    child = {c["name"] for c in inspect(engine).get_columns(table_name(app.name, "opportunity_line"))}
    assert {"parent_id", "row_order"} <= child


def test_links_and_child_rows_have_foreign_keys_with_on_delete(engine, sample):
    app, _ = sample
    fks = inspect(engine).get_foreign_keys(table_name(app.name, "opportunity"))
    account_fk = next(fk for fk in fks if fk["constrained_columns"] == ["account"])
    assert account_fk["referred_table"] == table_name(app.name, "account")
    assert account_fk["options"].get("ondelete") == "RESTRICT"
    child_fk = inspect(engine).get_foreign_keys(table_name(app.name, "opportunity_line"))[0]
    assert child_fk["options"].get("ondelete") == "CASCADE"


def test_database_refuses_a_link_to_a_missing_record(engine, sample):
    _app, tables = sample
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(insert(tables["sample_sales.opportunity"]).values(name="x", account=999, **NOW))


def test_currency_is_exact_on_every_backend(engine, sample):
    _app, tables = sample
    account = tables["sample_sales.account"]
    with engine.begin() as conn:
        for amount in ("0.10", "0.20", "1234567890123.45"):
            conn.execute(insert(account).values(name=amount, revenue=Decimal(amount), **NOW))
        total = conn.scalar(select(account.c.revenue).where(account.c.name == "0.10"))
        assert total == Decimal("0.10")
        summed = conn.scalar(select(func.sum(account.c.revenue)).where(account.c.name != "1234567890123.45"))
    assert summed == Decimal("0.30")  # summed as scaled integers on SQLite, NUMERIC on PostgreSQL


def test_unique_and_declared_indexes_exist(engine, sample):
    app, _ = sample
    indexes = inspect(engine).get_indexes(table_name(app.name, "opportunity"))
    unique_columns = {tuple(i["column_names"]) for i in indexes if i["unique"]}
    assert ("code",) in unique_columns  # autonumbers are unique
    plain = {tuple(i["column_names"]) for i in indexes}
    assert ("account",) in plain and ("owner",) in plain
    for declared in app.entity("opportunity").indexes:
        assert tuple(declared) in plain


def test_long_names_stay_within_postgresql_limits():
    name = table_name("a" * 40, "b" * 40)
    assert len(name) <= MAX_IDENTIFIER
    assert name == table_name("a" * 40, "b" * 40) != table_name("a" * 40, "b" * 39 + "c")
