"""How many statements a create costs, and that what it returns is what ``get`` reads.

A create writes the row (its rollups already in it, its stored values coming
back through RETURNING), its child rows and its history entry; only formulas
and lookups are read back, and only when the entity has some.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from builder.publish import publish
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f
from tests.runtime.records.conftest import record_service

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
TABLE = re.compile(r"(?:INTO|UPDATE|FROM) (\w+)")
SHOP = make_app(
    "shop",
    make_entity("purchase", [
        f("name"), f("price", "currency"), f("qty", "integer"),
        f("worth", "formula", expression="price * qty", result="currency"),
        f("lines", "table", target="purchase_line"),
        f("total", "rollup", source="lines", field="subtotal", function="sum"),
    ]),
    make_entity("purchase_line", [f("product"), f("subtotal", "currency")]),
    make_entity("note", [f("text"), f("pinned", "boolean")]),
)


@pytest.fixture
def shop(engine):
    publish(engine, SHOP)
    return engine, record_service(engine)


@contextmanager
def statements(engine):
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if not statement.startswith(TRANSACTION_CONTROL):
            seen.append(f"{statement.split()[0]} {TABLE.search(statement)[1]}")

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_create_with_lines_rollup_and_formula_is_four_statements(shop):
    engine, service = shop
    data = {"name": "o", "price": "2.50", "qty": 4,
            "lines": [{"product": "a", "subtotal": "1.25"}, {"product": "b", "subtotal": "2.00"}]}
    with engine.begin() as conn, statements(engine) as seen:
        created = service.create(conn, "shop", "purchase", data, None)
    assert seen == ["INSERT shop__purchase", "INSERT shop__purchase_line", "INSERT metacrm_history", "SELECT shop__purchase"]
    assert created["total"] == "3.25" and created["worth"] == "10.00"
    assert [(r["product"], r["row_order"]) for r in created["lines"]] == [("a", 0), ("b", 1)]
    with engine.connect() as conn:
        assert service.get(conn, "shop", "purchase", created["id"]) == created


def test_a_create_without_computed_fields_reads_nothing_back(shop):
    engine, service = shop
    with engine.begin() as conn, statements(engine) as seen:
        created = service.create(conn, "shop", "note", {"text": "hi", "pinned": True}, None)
    assert seen == ["INSERT shop__note", "INSERT metacrm_history"]
    with engine.connect() as conn:
        assert service.get(conn, "shop", "note", created["id"]) == created


def test_an_update_of_lines_reads_them_once(shop):
    engine, service = shop
    with engine.begin() as conn:
        created = service.create(conn, "shop", "purchase", {"name": "o", "lines": [{"product": "a"}]}, None)
    kept = {"id": created["lines"][0]["id"], "subtotal": "5.00"}
    with engine.begin() as conn, statements(engine) as seen:
        updated = service.update(conn, "shop", "purchase", created["id"], {"lines": [kept, {"product": "b"}]},
                                 None, expected_version=1)
    # the kept row by its id, the rows before (for history) and the new total; none read after writing
    assert seen.count("SELECT shop__purchase_line") == 3, seen
    assert updated["total"] == "5.00" and [r["product"] for r in updated["lines"]] == ["a", "b"]
    with engine.connect() as conn:
        assert service.get(conn, "shop", "purchase", created["id"]) == updated
