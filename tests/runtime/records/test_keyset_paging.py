"""Property: walking keyset pages returns every row once, in the order of one big query.

Random rows full of NULLs and ties, random sorts over every kind of key
(text, decimal, date, boolean, formula, lookup, link path) with mixed
directions, random page sizes; the expected order is computed in Python
with NULLs last in both directions and ``id`` as the final tie-breaker
(in the direction of the last key).
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy import insert

from builder.publish import publish
from runtime.records.queries import list_records
from runtime.records.registry import SchemaRegistry
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

STAMP = datetime(2026, 3, 14, 9, 30)
LABELS = [None, "a", "b", "ab"]
PRICES = [None, Decimal("0.00"), Decimal("1.50"), Decimal("-2.25"), Decimal("10.00")]
DUES = [None, date(2026, 1, 1), date(2026, 1, 2)]
FLAGS = [None, True, False]
TEAMS = [None, 1, 2]  # team 1 is named "x", team 2 has no name
TEAM_NAMES = {None: None, 1: "x", 2: None}


def _python_value(row: dict, key: str):
    if key in ("team_name", "team.name"):
        return TEAM_NAMES[row["team"]]
    if key == "created_at":
        return STAMP
    if key == "score":
        return None if row["price"] is None else row["price"] * 2
    return row[key]


@pytest.fixture
def inventory(engine):
    team = make_entity("team", [make_field("name")])
    item = make_entity("item", [
        make_field("label"),
        make_field("price", "decimal", precision=2),
        make_field("due", "date"),
        make_field("flag", "boolean"),
        make_field("score", "formula", expression="price * 2", result="decimal", precision=2),
        make_field("team", "link", target="team", on_delete="restrict"),
        make_field("team_name", "lookup", source="team", field="name"),
    ])
    publish(engine, make_app("inv", team, item))
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    with engine.begin() as conn:
        conn.execute(insert(registry.table("inv", "team")), [
            {"id": 1, "name": "x", "version": 1, "created_at": STAMP, "updated_at": STAMP},
            {"id": 2, "name": None, "version": 1, "created_at": STAMP, "updated_at": STAMP},
        ])
    return engine, registry


rows_strategy = st.lists(st.fixed_dictionaries({
    "label": st.sampled_from(LABELS), "price": st.sampled_from(PRICES), "due": st.sampled_from(DUES),
    "flag": st.sampled_from(FLAGS), "team": st.sampled_from(TEAMS),
}), max_size=14)
order_strategy = st.lists(
    st.tuples(st.sampled_from(["label", "price", "due", "flag", "score", "team_name", "team.name",
                               "created_at"]), st.booleans()),
    max_size=3, unique_by=lambda pair: pair[0].replace("team.name", "team_name"),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, order=order_strategy, limit=st.integers(1, 4),
       where=st.sampled_from([None, "price != null", "flag or label == null"]))
def test_pages_cover_the_big_query_exactly_once(inventory, rows, order, limit, where):
    engine, registry = inventory
    table = registry.table("inv", "item")
    with engine.begin() as conn:
        conn.execute(delete(table))
        if rows:
            conn.execute(insert(table), [
                {"id": i + 1, **row, "version": 1, "created_at": STAMP, "updated_at": STAMP}
                for i, row in enumerate(rows)])
    spec = ",".join(("-" if desc else "") + key for key, desc in order) or "id"
    options = {"where": where, "order": spec, "secret": "s"}
    with engine.connect() as conn:
        whole = list_records(conn, registry, "inv", "item", limit=500, count=True, **options)
        walked, cursor, pages = [], None, 0
        while True:
            page = list_records(conn, registry, "inv", "item", limit=limit, cursor=cursor, **options)
            walked += [r["id"] for r in page.data]
            pages += 1
            cursor = page.next_cursor
            assert pages <= len(rows) + 1
            if cursor is None:
                break
    ids = [r["id"] for r in whole.data]
    assert walked == ids
    assert whole.total == len(ids)
    assert ids == _expected(rows, order, where)


def _expected(rows: list[dict], order, where) -> list[int]:
    records = [{"id": i + 1, **row} for i, row in enumerate(rows)]
    if order and order[-1][1]:  # the tie-breaker id runs the way of the last key
        records.reverse()
    if where == "price != null":
        records = [r for r in records if r["price"] is not None]
    elif where:
        records = [r for r in records if r["flag"] or r["label"] is None]
    for key, desc in reversed(order):  # stable sorts, least significant key first
        present = [r for r in records if _python_value(r, key) is not None]
        missing = [r for r in records if _python_value(r, key) is None]
        records = sorted(present, key=lambda r: _python_value(r, key), reverse=desc) + missing
    return [r["id"] for r in records]
