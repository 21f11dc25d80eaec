"""Create, read, update, delete, restore and purge through the record service."""

from __future__ import annotations

import pytest

from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import Conflict
from runtime.errors import NotFound


def create_account(engine, service, **data):
    with engine.begin() as conn:
        return service.create(conn, "sales", "account", {"name": "Acme", "city": "Lyon", **data}, 1)


def test_create_and_get_round_trip(published, service):
    account = create_account(published, service)
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {
            "name": "Big deal", "amount": "1234.50", "probability": 40, "account": account["id"],
        }, 1)
    with published.connect() as conn:
        again = service.get(conn, "sales", "deal", deal["id"])
    assert again == deal
    assert deal["amount"] == "1234.50"
    assert deal["weighted"] == "493.80"  # formula computed by the database
    assert deal["account_city"] == "Lyon"  # lookup through the link
    assert deal["stage"] == "new" and deal["owner"] == 1 and deal["opened"] == "2026-03-14"
    assert deal["version"] == 1 and deal["created_by"] == 1 and deal["deleted_at"] is None
    assert deal["code"] == "D-2026-0001"
    assert deal["lines"] == [] and deal["total"] == "0.00" and deal["line_count"] == 0


def test_autonumber_assigned_in_order(published, service):
    with published.begin() as conn:
        codes = [service.create(conn, "sales", "deal", {"name": f"d{i}"}, 1)["code"] for i in range(3)]
    assert codes == ["D-2026-0001", "D-2026-0002", "D-2026-0003"]


def test_update_bumps_version_and_keeps_other_fields(published, service):
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {"name": "d", "amount": 10}, 1)
    with published.begin() as conn:
        changed = service.update(conn, "sales", "deal", deal["id"], {"amount": "12.345"}, 2, expected_version=1)
    assert changed["version"] == 2 and changed["amount"] == "12.35" and changed["name"] == "d"
    assert changed["updated_by"] == 2 and changed["created_by"] == 1


def test_html_and_script_are_stored_as_given(published, service):
    hostile = "<script>alert('x')</script><b onmouseover=\"x()\">hi</b> '; DROP TABLE deal; --"
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {"name": "<i>x</i>", "notes": hostile}, 1)
    with published.connect() as conn:
        stored = service.get(conn, "sales", "deal", deal["id"])
    assert stored["notes"] == hostile and stored["name"] == "<i>x</i>"


def test_delete_moves_to_recycle_bin_and_restore_brings_it_back(published, service):
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {"name": "d"}, 1)
    with published.begin() as conn:
        service.delete(conn, "sales", "deal", deal["id"], 1)
    with published.connect() as conn:
        with pytest.raises(NotFound):
            service.get(conn, "sales", "deal", deal["id"])
        assert [r["id"] for r in service.list_deleted(conn, "sales", "deal")] == [deal["id"]]
    with published.begin() as conn:
        restored = service.restore(conn, "sales", "deal", deal["id"], 1)
    assert restored["deleted_at"] is None and restored["version"] == 3
    with published.connect() as conn:
        assert service.list_deleted(conn, "sales", "deal") == []


def test_deleted_record_cannot_be_updated_or_deleted_again(published, service):
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {"name": "d"}, 1)
        service.delete(conn, "sales", "deal", deal["id"], 1)
    with published.begin() as conn:
        with pytest.raises(NotFound):
            service.update(conn, "sales", "deal", deal["id"], {"name": "e"}, 1, expected_version=2)
        with pytest.raises(NotFound):
            service.delete(conn, "sales", "deal", deal["id"], 1)


def test_purge_is_admin_only_and_only_from_the_bin(published, service):
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {"name": "d", "lines": [{"product": "p"}]}, 1)
    with published.begin() as conn:
        with pytest.raises(NotFound):
            service.purge(conn, "sales", "deal", deal["id"], 1, is_admin=True)
        service.delete(conn, "sales", "deal", deal["id"], 1)
        with pytest.raises(AccessDenied):
            service.purge(conn, "sales", "deal", deal["id"], 1, is_admin=False)
    with published.begin() as conn:
        service.purge(conn, "sales", "deal", deal["id"], 1, is_admin=True)
    with published.connect() as conn:
        with pytest.raises(NotFound):
            service.get(conn, "sales", "deal", deal["id"], include_deleted=True)
        assert service.list_deleted(conn, "sales", "deal") == []
        assert service.history(conn, "sales", "deal", deal["id"])[-1]["action"] == "purge"


def test_linked_record_cannot_go_to_the_bin_while_used(published, service):
    account = create_account(published, service)
    with published.begin() as conn:
        service.create(conn, "sales", "deal", {"name": "d", "account": account["id"]}, 1)
    with published.begin() as conn, pytest.raises(Conflict):
        service.delete(conn, "sales", "account", account["id"], 1)


def test_unknown_entity_and_child_entity_are_refused(published, service):
    with published.begin() as conn:
        with pytest.raises(NotFound):
            service.create(conn, "sales", "nope", {}, 1)
        with pytest.raises(BadInput):
            service.create(conn, "sales", "deal_line", {"product": "p"}, 1)
        with pytest.raises(BadInput):
            service.create(conn, "sales", "deal", ["not", "a", "record"], 1)
