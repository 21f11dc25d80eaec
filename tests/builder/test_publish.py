"""Publishing keeps every row and value, refuses lossy changes, and is all-or-nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text

from builder.publish import publish
from builder.restore import list_archived
from builder.restore import restore_archived
from runtime.errors import MetadataInvalid
from runtime.errors import UnsafeChange
from runtime.storage.catalog import current_metadata
from runtime.storage.system import app_versions
from tests.factories import evolve
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

NOW = "2026-01-01 00:00:00"


def customer_v1():
    return make_app(
        "shop",
        make_entity("customer", [
            f("name", max_length=50, required=True),
            f("nickname"),
            f("legacy_code"),
            f("balance", "currency"),
            f("score", "integer"),
        ]),
        make_entity("purchase", [f("title"), f("customer", "link", target="customer"), f("total", "currency")]),
    )


def insert_customers(engine, rows):
    with engine.begin() as conn:
        for name, nickname, code, balance, score in rows:
            conn.execute(
                text(
                    "INSERT INTO shop__customer (version, created_at, updated_at, name, nickname, legacy_code,"
                    " balance, score) VALUES (1, :now, :now, :name, :nick, :code, :balance, :score)"
                ),
                {"now": NOW, "name": name, "nick": nickname, "code": code, "balance": balance, "score": score},
            )


def scaled(engine, value: str):
    """How a currency value sits in the column: scaled integer on SQLite, NUMERIC on PostgreSQL."""
    return int(Decimal(value) * 100) if engine.dialect.name == "sqlite" else Decimal(value)


def read_all(engine, table, columns):
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")).all()


def columns_of(engine, table):
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_v1_creates_tables_and_v2_keeps_every_row_and_value(engine):
    result = publish(engine, customer_v1(), author="admin@example.com")
    assert result.version == 1
    rows = [(f"Customer {i}", f"nick{i}", f"L{i}", scaled(engine, f"{i}.25"), i) for i in range(1, 301)]
    insert_customers(engine, rows)

    v2 = evolve(customer_v1(), "customer", [
        f("full_name", max_length=120, required=True, renamed_from="name"),  # rename + widen
        f("nickname"),
        # legacy_code removed -> archived
        f("balance", "currency"),
        f("score", "integer"),
        f("city"), f("vip", "boolean"), f("joined", "date"),  # three new fields
    ], version="1.1.0")
    result = publish(engine, v2)
    kinds = sorted(c.kind for c in result.changes)
    assert result.version == 2
    assert kinds.count("add_field") == 3 and "rename_field" in kinds and "archive_field" in kinds
    assert any(c.kind == "alter_field" and c.mode == "widen" for c in result.changes)

    assert read_all(engine, "shop__customer", ["full_name", "nickname", "balance", "score"]) == [
        (name, nick, balance, score) for name, nick, _code, balance, score in rows
    ]
    archived = list_archived(engine, "shop")
    assert [(a["entity"], a["field"]) for a in archived] == [("customer", "legacy_code")]
    assert read_all(engine, "shop__customer", [archived[0]["archived_name"]]) == [(r[2],) for r in rows]
    assert {"city", "vip", "joined"} <= columns_of(engine, "shop__customer")
    assert "legacy_code" not in columns_of(engine, "shop__customer")


def test_identical_publish_is_a_noop(engine):
    publish(engine, customer_v1())
    again = publish(engine, customer_v1())
    assert again.noop and again.version is None
    with engine.connect() as conn:
        assert conn.scalar(select(app_versions.c.number).order_by(app_versions.c.number.desc())) == 1


def test_removed_field_is_restorable_with_its_data(engine):
    publish(engine, customer_v1())
    insert_customers(engine, [("Ann", "a", "CODE-1", None, 1)])
    without = evolve(customer_v1(), "customer",
                     [fd for fd in customer_v1()["entities/customer.json"]["fields"] if fd["name"] != "legacy_code"])
    publish(engine, without)
    result = restore_archived(engine, "shop", "customer.legacy_code")
    assert [c.kind for c in result.changes] == ["restore_field"]
    assert read_all(engine, "shop__customer", ["legacy_code"]) == [("CODE-1",)]
    assert list_archived(engine, "shop") == []


def test_removed_entity_is_archived_and_restorable(engine):
    publish(engine, customer_v1())
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO shop__customer (version, created_at, updated_at, name) VALUES (1, :n, :n, 'X')"),
                     {"n": NOW})
    v2 = customer_v1()
    del v2["entities/purchase.json"]
    publish(engine, v2)
    assert "shop__purchase" not in inspect(engine).get_table_names()
    restore_archived(engine, "shop", "purchase")
    assert "shop__purchase" in inspect(engine).get_table_names()


@pytest.mark.parametrize("lossy, convert", [
    (f("name", max_length=3), "truncate"),
    (f("name", "integer"), "null_invalid"),
])
def test_lossy_change_is_refused_with_a_count_and_changes_nothing(engine, lossy, convert):
    publish(engine, customer_v1())
    insert_customers(engine, [("Alexandra", None, None, None, 1), ("Bo", None, None, None, 2)])
    fields = [lossy] + customer_v1()["entities/customer.json"]["fields"][1:]
    before = read_all(engine, "shop__customer", ["*"])
    with pytest.raises(UnsafeChange) as refused:
        publish(engine, evolve(customer_v1(), "customer", fields))
    assert "customer.name" in refused.value.details[0]
    assert read_all(engine, "shop__customer", ["*"]) == before
    with engine.connect() as conn:
        assert current_metadata(conn, "shop")[0] == 1
    # with an explicit conversion it goes through, and old values stay archived
    fields[0] = {**lossy, "convert": convert}
    assert publish(engine, evolve(customer_v1(), "customer", fields)).version == 2


def test_text_to_number_converts_values_and_archives_the_originals(engine):
    publish(engine, customer_v1())
    insert_customers(engine, [("A", "12", None, None, 1), ("B", " 7 ", None, None, 2)])
    fields = customer_v1()["entities/customer.json"]["fields"]
    fields[1] = f("nickname", "integer")
    publish(engine, evolve(customer_v1(), "customer", fields))
    assert read_all(engine, "shop__customer", ["nickname"]) == [(12,), (7,)]
    archived = list_archived(engine, "shop")[0]["archived_name"]
    assert read_all(engine, "shop__customer", [archived]) == [("12",), (" 7 ",)]


def test_required_without_default_is_refused_when_rows_are_empty(engine):
    publish(engine, customer_v1())
    insert_customers(engine, [("A", None, None, None, 1)])
    fields = customer_v1()["entities/customer.json"]["fields"]
    fields[1] = f("nickname", required=True)
    with pytest.raises(UnsafeChange, match="1 change"):
        publish(engine, evolve(customer_v1(), "customer", fields))
    fields[1] = f("nickname", required=True, default="n/a")
    publish(engine, evolve(customer_v1(), "customer", fields))
    assert read_all(engine, "shop__customer", ["nickname"]) == [("n/a",)]


def test_failure_part_way_leaves_the_previous_version_in_force(engine, monkeypatch):
    from runtime.storage.migrate import Migrator

    publish(engine, customer_v1())
    insert_customers(engine, [("A", None, None, None, 1)])
    v2 = evolve(customer_v1(), "customer", customer_v1()["entities/customer.json"]["fields"] + [f("city")])
    v2["entities/purchase.json"]["fields"].append(f("note"))

    calls = []
    real = Migrator._add_field

    def crash_on_second(self, change):
        calls.append(change.field)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real(self, change)

    monkeypatch.setattr(Migrator, "_add_field", crash_on_second)
    with pytest.raises(RuntimeError):
        publish(engine, v2)
    assert "city" not in columns_of(engine, "shop__customer")
    assert "note" not in columns_of(engine, "shop__purchase")
    with engine.connect() as conn:
        assert current_metadata(conn, "shop")[0] == 1
    monkeypatch.undo()
    assert publish(engine, v2).version == 2


def test_invalid_metadata_changes_nothing(engine):
    bad = make_app("shop", make_entity("customer", [f("name", "nmber")]))
    with pytest.raises(MetadataInvalid):
        publish(engine, bad)
    assert not any(t.startswith("shop__") for t in inspect(engine).get_table_names())


def test_dry_run_plans_without_touching_the_database(engine):
    publish(engine, customer_v1())
    v2 = evolve(customer_v1(), "customer", customer_v1()["entities/customer.json"]["fields"] + [f("city")])
    planned = publish(engine, v2, dry_run=True)
    assert [c.kind for c in planned.changes] == ["add_field"]
    assert "city" not in columns_of(engine, "shop__customer")


def trigram_indexes(engine, table):
    with engine.connect() as conn:
        return sorted(conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = :t AND indexdef LIKE '%gin_trgm_ops%'"),
            {"t": table}).scalars())


def test_search_indexes_follow_archive_and_restore_on_postgresql(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("trigram search indexes exist on PostgreSQL only")
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    publish(engine, customer_v1())
    assert "ix_shop__customer_legacy_code_trgm" in trigram_indexes(engine, "shop__customer")
    without = evolve(customer_v1(), "customer",
                     [fd for fd in customer_v1()["entities/customer.json"]["fields"] if fd["name"] != "legacy_code"])
    publish(engine, without)
    assert "ix_shop__customer_legacy_code_trgm" not in trigram_indexes(engine, "shop__customer")
    restore_archived(engine, "shop", "customer.legacy_code")
    assert "ix_shop__customer_legacy_code_trgm" in trigram_indexes(engine, "shop__customer")
