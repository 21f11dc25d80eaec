"""Child rows written with their parent; rollups right after every kind of change."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlalchemy import select


def deal_with(engine, service, *lines):
    with engine.begin() as conn:
        return service.create(conn, "sales", "deal", {"name": "d", "lines": list(lines)}, 1)


def set_lines(engine, service, deal, *lines):
    version = current(engine, service, deal)["version"]
    with engine.begin() as conn:
        return service.update(conn, "sales", "deal", deal["id"], {"lines": list(lines)}, 1, expected_version=version)


def current(engine, service, deal):
    with engine.connect() as conn:
        return service.get(conn, "sales", "deal", deal["id"])


def true_total(engine, service, deal):
    """The rollup recomputed independently, to compare with the stored one."""
    table = service.registry.table("sales", "deal_line")
    with engine.connect() as conn:
        values = conn.execute(select(table.c.subtotal).where(table.c.parent_id == deal["id"])).scalars()
        return str(sum(values, Decimal("0.00")))


def test_rows_are_written_with_the_parent(published, service):
    deal = deal_with(published, service, {"product": "a", "qty": 2, "subtotal": "10.25"},
                     {"product": "b", "subtotal": "0.10"})
    assert [(r["product"], r["row_order"]) for r in deal["lines"]] == [("a", 0), ("b", 1)]
    assert deal["total"] == "10.35" and deal["line_count"] == 2


def test_rollup_follows_add_edit_and_delete(published, service):
    deal = deal_with(published, service, {"product": "a", "subtotal": "1.00"})
    a = deal["lines"][0]
    added = set_lines(published, service, deal, {"id": a["id"]}, {"product": "b", "subtotal": "2.50"})
    assert added["total"] == "3.50" and added["line_count"] == 2
    b = added["lines"][1]
    edited = set_lines(published, service, deal, {"id": a["id"], "subtotal": "4.00"}, {"id": b["id"]})
    assert edited["total"] == "6.50" and [r["subtotal"] for r in edited["lines"]] == ["4.00", "2.50"]
    deleted = set_lines(published, service, deal, {"id": b["id"]})
    assert deleted["total"] == "2.50" and deleted["line_count"] == 1
    assert deleted["total"] == true_total(published, service, deal)
    emptied = set_lines(published, service, deal)
    assert emptied["total"] == "0.00" and emptied["line_count"] == 0


def test_rollup_follows_a_row_moved_to_another_parent(published, service):
    first = deal_with(published, service, {"product": "a", "subtotal": "1.00"}, {"product": "b", "subtotal": "2.00"})
    second = deal_with(published, service, {"product": "c", "subtotal": "5.00"})
    moving = first["lines"][1]
    moved = set_lines(published, service, second, {"id": second["lines"][0]["id"]}, {"id": moving["id"]})
    assert moved["total"] == "7.00" and moved["line_count"] == 2
    left = current(published, service, first)
    assert left["total"] == "1.00" and left["line_count"] == 1 and left["version"] == 2
    assert left["total"] == true_total(published, service, first)
    with published.connect() as conn:
        assert service.history(conn, "sales", "deal", first["id"])[-1]["changes"]["total"] == ["3.00", "1.00"]


def test_update_without_lines_leaves_rows_alone(published, service):
    deal = deal_with(published, service, {"product": "a", "subtotal": "1.00"})
    with published.begin() as conn:
        changed = service.update(conn, "sales", "deal", deal["id"], {"name": "e"}, 1, expected_version=1)
    assert changed["lines"] == deal["lines"] and changed["total"] == "1.00"


def test_a_row_of_another_entity_id_is_refused(published, service):
    import pytest

    from runtime.errors import ValidationFailed

    deal = deal_with(published, service)
    with pytest.raises(ValidationFailed) as caught:
        set_lines(published, service, deal, {"id": 12345, "product": "x"})
    assert caught.value.details == {"lines[0].id": "no row 12345"}


def test_purge_removes_child_rows(published, service):
    deal = deal_with(published, service, {"product": "a"})
    with published.begin() as conn:
        service.delete(conn, "sales", "deal", deal["id"], 1)
        service.purge(conn, "sales", "deal", deal["id"], 1, is_admin=True)
    table = service.registry.table("sales", "deal_line")
    with published.connect() as conn:
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_new_child_rows_get_their_fields_defaults(engine):
    """A regression: rows added through their parent skipped defaults ($today, fixed values)."""
    from datetime import date

    from builder.publish import publish
    from runtime.records.registry import SchemaRegistry
    from runtime.records.service import RecordService
    from tests.factories import make_app
    from tests.factories import make_entity
    from tests.factories import make_field

    parent = make_entity("visit_log", [make_field("name"), make_field("visits", "table", target="visit")])
    child = make_entity("visit", [make_field("visited_on", "date", required=True, default="$today"),
                                  make_field("channel", "select", default="call", options=[{"value": "call"}, {"value": "mail"}]),
                                  make_field("note")])
    publish(engine, make_app("crm", parent, child))
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        record = service.create(conn, "crm", "visit_log", {"name": "x", "visits": [{"note": "hi"}]}, None)
    row = record["visits"][0]
    assert row["visited_on"] == date.today().isoformat() and row["channel"] == "call"
