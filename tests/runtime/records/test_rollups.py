"""A new record's rollups, added up before its INSERT, equal what the SQL aggregate gives.

``planned_totals`` and ``recompute`` are two ways to the same value; if they
ever differed, the next update of the parent would "change" a total nobody
touched. Averages divide the exact sum by the count on both paths.
"""

from __future__ import annotations

import pytest

from builder.publish import publish
from runtime.errors import ValidationFailed
from runtime.records.rollups import recompute
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f
from tests.runtime.records.conftest import record_service

ROLLUPS = [
    f("total", "rollup", source="entries", field="amount", function="sum"),
    f("rows_n", "rollup", source="entries", function="count"),
    f("qty_n", "rollup", source="entries", field="qty", function="count"),
    f("low", "rollup", source="entries", field="amount", function="min"),
    f("high", "rollup", source="entries", field="qty", function="max", precision=0),
    f("mean", "rollup", source="entries", field="amount", function="avg"),
    f("fine_mean", "rollup", source="entries", field="amount", function="avg", precision=4),
    f("qty_mean", "rollup", source="entries", field="qty", function="avg", precision=1),
]
BOOK = make_app(
    "acct",
    make_entity("book", [f("name"), f("entries", "table", target="entry"), *ROLLUPS]),
    make_entity("entry", [f("label"), f("amount", "currency", precision=2), f("qty", "integer")]),
)


@pytest.fixture
def book(engine):
    publish(engine, BOOK)
    return engine, record_service(engine)


def create(engine, service, *rows):
    with engine.begin() as conn:
        return service.create(conn, "acct", "book", {"name": "b", "entries": list(rows)}, None)


def recomputed(engine, service, record) -> dict:
    """What the SQL aggregates would change: nothing, if the planned totals were right."""
    with engine.begin() as conn:
        return recompute(conn, service.registry, service.registry.entity("acct", "book"), record["id"])


def test_every_function_matches_the_sql_aggregate(book):
    engine, service = book
    record = create(engine, service, {"amount": "1.00", "qty": 3}, {"amount": "1.01"},
                    {"label": "no amount", "qty": 4}, {"amount": "-0.50", "qty": 1})
    assert (record["total"], record["rows_n"], record["qty_n"]) == ("1.51", 4, 3)
    assert (record["low"], record["high"]) == ("-0.50", "4")
    assert (record["mean"], record["fine_mean"], record["qty_mean"]) == ("0.50", "0.5033", "2.7")
    assert recomputed(engine, service, record) == {}


def test_an_exact_half_rounds_up_on_every_backend(book):
    engine, service = book
    record = create(engine, service, {"amount": "1.00"}, {"amount": "1.01"})
    assert (record["mean"], record["fine_mean"]) == ("1.01", "1.0050")
    assert recomputed(engine, service, record) == {}


def test_no_rows_count_and_sum_zero_the_rest_unknown(book):
    engine, service = book
    record = create(engine, service)
    assert (record["total"], record["rows_n"], record["qty_n"]) == ("0.00", 0, 0)
    assert record["low"] is record["high"] is record["mean"] is None
    assert recomputed(engine, service, record) == {}


def test_a_row_moved_into_a_new_record_counts_with_its_stored_values(book):
    engine, service = book
    first = create(engine, service, {"amount": "2.00", "qty": 5}, {"amount": "3.00", "qty": 1})
    moved = first["entries"][0]
    second = create(engine, service, {"id": moved["id"], "label": "moved"}, {"amount": "4.00"})
    assert (second["total"], second["rows_n"], second["high"]) == ("6.00", 2, "5")
    assert [r["label"] for r in second["entries"]] == ["moved", None]
    assert recomputed(engine, service, second) == {}
    with engine.connect() as conn:
        left = service.get(conn, "acct", "book", first["id"])
        history = service.history(conn, "acct", "book", first["id"])
    assert (left["total"], left["rows_n"], left["version"]) == ("3.00", 1, 2)
    assert history[-1]["changes"]["total"] == ["5.00", "3.00"]


def test_a_row_given_twice_is_refused(book):
    engine, service = book
    first = create(engine, service, {"amount": "2.00"})
    row_id = first["entries"][0]["id"]
    with pytest.raises(ValidationFailed) as caught:
        create(engine, service, {"id": row_id}, {"id": row_id})
    assert caught.value.details == {"entries[1].id": f"row {row_id} is given twice"}
