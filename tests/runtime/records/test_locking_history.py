"""Nothing lost: stale versions are refused and every change is in the history."""

from __future__ import annotations

import threading

import pytest

from runtime.errors import StaleVersion


def new_deal(engine, service, **data):
    with engine.begin() as conn:
        return service.create(conn, "sales", "deal", {"name": "d", **data}, 1)


def test_stale_version_is_refused(published, service):
    deal = new_deal(published, service)
    with published.begin() as conn:
        service.update(conn, "sales", "deal", deal["id"], {"name": "first"}, 1, expected_version=1)
    with pytest.raises(StaleVersion) as caught, published.begin() as conn:
        service.update(conn, "sales", "deal", deal["id"], {"name": "second"}, 2, expected_version=1)
    assert caught.value.http_status == 412 and caught.value.code == "stale_version"
    with published.connect() as conn:
        assert service.get(conn, "sales", "deal", deal["id"])["name"] == "first"


def test_two_concurrent_updates_one_wins(published, service):
    """Both read version 1; the second UPDATE waits for the first commit, then matches no row."""
    deal = new_deal(published, service)
    first_written, outcome = threading.Event(), {}

    def second():
        first_written.wait(10)
        try:
            with published.begin() as conn:
                service.update(conn, "sales", "deal", deal["id"], {"name": "second"}, 2, expected_version=1)
            outcome["second"] = "saved"
        except StaleVersion:
            outcome["second"] = "stale"

    worker = threading.Thread(target=second)
    with published.begin() as conn:
        service.update(conn, "sales", "deal", deal["id"], {"name": "first"}, 1, expected_version=1)
        worker.start()
        first_written.set()
        worker.join(0.5)  # the second writer is blocked on our lock now
    worker.join(30)
    assert outcome == {"second": "stale"}
    with published.connect() as conn:
        record = service.get(conn, "sales", "deal", deal["id"])
    assert record["name"] == "first" and record["version"] == 2


def test_history_has_old_and_new_values(published, service):
    deal = new_deal(published, service, amount="10")
    with published.begin() as conn:
        service.update(conn, "sales", "deal", deal["id"], {"amount": "12.5", "name": "d"}, 2, expected_version=1)
        service.delete(conn, "sales", "deal", deal["id"], 2)
        service.restore(conn, "sales", "deal", deal["id"], 1)
    with published.connect() as conn:
        entries = service.history(conn, "sales", "deal", deal["id"])
    assert [e["action"] for e in entries] == ["create", "update", "delete", "restore"]
    created, updated, deleted, restored = entries
    assert created["user_id"] == 1 and created["changes"]["amount"] == [None, "10.00"]
    assert created["changes"]["code"] == [None, "D-2026-0001"]
    assert updated["user_id"] == 2 and updated["changes"] == {"amount": ["10.00", "12.50"]}
    assert deleted["changes"] == {"deleted_at": [None, "2026-03-14T09:30:00"]}
    assert restored["changes"] == {"deleted_at": ["2026-03-14T09:30:00", None]}
    assert created["at"] == "2026-03-14T09:30:00"


def test_history_records_child_rows_and_rollups(published, service):
    deal = new_deal(published, service, lines=[{"product": "p", "subtotal": "3.10"}])
    with published.begin() as conn:
        service.update(conn, "sales", "deal", deal["id"], {"lines": []}, 1, expected_version=1)
    with published.connect() as conn:
        update = service.history(conn, "sales", "deal", deal["id"])[-1]
    assert update["changes"]["total"] == ["3.10", "0.00"]
    before, after = update["changes"]["lines"]
    assert [r["product"] for r in before] == ["p"] and after == []
