"""Bad record data: a 422 naming each field, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from runtime.errors import ValidationFailed
from runtime.storage.system import history


def count(engine, service, entity):
    with engine.connect() as conn:
        table = service.registry.table("sales", entity)
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def refused(engine, service, entity, data, record_id=None):
    with pytest.raises(ValidationFailed) as caught, engine.begin() as conn:
        if record_id is None:
            service.create(conn, "sales", entity, data, 1)
        else:
            service.update(conn, "sales", entity, record_id, data, 1, expected_version=1)
    assert caught.value.http_status == 422
    return caught.value.details


@pytest.mark.parametrize("data, field, message", [
    ({}, "name", "required"),
    ({"name": None}, "name", "required"),
    ({"name": "x" * 21}, "name", "at most 20 characters"),
    ({"name": "d", "amount": "lots"}, "amount", "expected a number"),
    ({"name": "d", "amount": True}, "amount", "expected a number"),
    ({"name": "d", "stage": "lost"}, "stage", "not one of the options"),
    ({"name": "d", "contact_email": "nobody"}, "contact_email", "not a valid email"),
    ({"name": "d", "colour": "red"}, "colour", "unknown field"),
    ({"name": "d", "weighted": 5}, "weighted", "computed"),
    ({"name": "d", "code": "D-1"}, "code", "computed"),
    ({"name": "d", "total": 5}, "total", "computed"),
    ({"name": "d", "version": 7}, "version", "system field"),
    ({"name": "d", "account": 999}, "account", "no record 999"),
    ({"name": "d", "owner": 999}, "owner", "no user 999"),
    ({"name": "d", "opened": "31/01/2026"}, "opened", "expected a date"),
    ({"name": "d", "lines": "many"}, "lines", "expected a list"),
    ({"name": "d", "lines": [{"qty": 1}]}, "lines[0].product", "required"),
    ({"name": "d", "lines": [{"product": "p", "qty": -1}]}, "lines[0].qty", "at least 0"),
])
def test_bad_field_is_named_and_nothing_written(published, service, data, field, message):
    details = refused(published, service, "deal", data)
    assert message in details[field]
    assert count(published, service, "deal") == 0 and count(published, service, "deal_line") == 0
    with published.connect() as conn:
        assert conn.execute(select(func.count()).select_from(history)).scalar_one() == 0


def test_every_bad_field_is_reported_at_once(published, service):
    details = refused(published, service, "deal", {"amount": "x", "stage": "lost", "colour": 1})
    assert set(details) == {"name", "amount", "stage", "colour"}


def test_unique_is_a_field_error_not_a_database_error(published, service):
    with published.begin() as conn:
        service.create(conn, "sales", "account", {"name": "Acme"}, 1)
    details = refused(published, service, "account", {"name": "Acme"})
    assert details == {"name": "already used by another record"}
    assert count(published, service, "account") == 1


def test_unique_counts_records_in_the_recycle_bin(published, service):
    with published.begin() as conn:
        acme = service.create(conn, "sales", "account", {"name": "Acme"}, 1)
        service.delete(conn, "sales", "account", acme["id"], 1)
    assert refused(published, service, "account", {"name": "Acme"}) == {"name": "already used by another record"}


def test_update_keeps_its_own_unique_value(published, service):
    with published.begin() as conn:
        acme = service.create(conn, "sales", "account", {"name": "Acme"}, 1)
    with published.begin() as conn:
        changed = service.update(conn, "sales", "account", acme["id"], {"name": "Acme", "city": "Oslo"}, 1, 1)
    assert changed["city"] == "Oslo"


def test_link_to_a_deleted_record_is_refused(published, service):
    with published.begin() as conn:
        acme = service.create(conn, "sales", "account", {"name": "Acme"}, 1)
        service.delete(conn, "sales", "account", acme["id"], 1)
    assert "no record" in refused(published, service, "deal", {"name": "d", "account": acme["id"]})["account"]


def test_rule_refuses_and_rolls_back(published, service):
    details = refused(published, service, "deal", {"name": "d", "stage": "won"})
    assert details == {"_rules": ["A won deal needs an amount"]}
    assert count(published, service, "deal") == 0


def test_rule_checked_on_update_too(published, service):
    with published.begin() as conn:
        deal = service.create(conn, "sales", "deal", {"name": "d", "amount": 5}, 1)
    details = refused(published, service, "deal", {"stage": "won", "amount": None}, record_id=deal["id"])
    assert details == {"_rules": ["A won deal needs an amount"]}
    with published.connect() as conn:
        assert service.get(conn, "sales", "deal", deal["id"])["amount"] == "5.00"
