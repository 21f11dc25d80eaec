"""Moving a record to the recycle bin applies its incoming links' on_delete."""

from datetime import datetime

import pytest

from builder.publish import publish
from runtime.errors import Conflict
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

NOW = datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def crm(engine):
    publish(engine, make_app(
        "crm",
        make_entity("account", [f("name")]),
        make_entity("contact", [f("name"), f("account", "link", target="account", on_delete="cascade")]),
        make_entity("memo", [f("text"), f("contact", "link", target="contact", on_delete="cascade")]),
        make_entity("visit", [f("place"), f("account", "link", target="account", on_delete="set_null")]),
        make_entity("invoice", [f("number"), f("contact", "link", target="contact", on_delete="restrict")]),
    ))
    with engine.connect() as conn:
        return engine, RecordService(SchemaRegistry.from_connection(conn), clock=lambda: NOW)


def test_cascade_goes_to_the_bin_and_comes_back_with_its_parent(crm):
    engine, service = crm
    with engine.begin() as conn:
        acme = service.create(conn, "crm", "account", {"name": "Acme"}, 1)["id"]
        ann = service.create(conn, "crm", "contact", {"name": "Ann", "account": acme}, 1)["id"]
        note = service.create(conn, "crm", "memo", {"text": "call back", "contact": ann}, 1)["id"]
        service.delete(conn, "crm", "account", acme, 1)
        binned = {e: [r["id"] for r in service.list_deleted(conn, "crm", e)] for e in ("account", "contact", "memo")}
        assert binned == {"account": [acme], "contact": [ann], "memo": [note]}
        service.restore(conn, "crm", "account", acme, 1)
        assert service.get(conn, "crm", "memo", note)["contact"] == ann
        assert [h["action"] for h in service.history(conn, "crm", "contact", ann)] == ["create", "delete", "restore"]


def test_set_null_empties_the_link_and_keeps_the_old_value_in_history(crm):
    engine, service = crm
    with engine.begin() as conn:
        acme = service.create(conn, "crm", "account", {"name": "Acme"}, 1)["id"]
        visit = service.create(conn, "crm", "visit", {"place": "Lyon", "account": acme}, 1)
        service.delete(conn, "crm", "account", acme, 1)
        after = service.get(conn, "crm", "visit", visit["id"])
        history = service.history(conn, "crm", "visit", visit["id"])
    assert after["account"] is None and after["version"] == visit["version"] + 1
    assert history[-1]["changes"] == {"account": [acme, None]}


def test_restrict_refuses_and_a_refusal_deep_in_a_cascade_changes_nothing(crm):
    engine, service = crm
    with engine.begin() as conn:
        acme = service.create(conn, "crm", "account", {"name": "Acme"}, 1)["id"]
        ann = service.create(conn, "crm", "contact", {"name": "Ann", "account": acme}, 1)["id"]
        service.create(conn, "crm", "invoice", {"number": "F-1", "contact": ann}, 1)
    with pytest.raises(Conflict, match="invoice.contact"), engine.begin() as conn:
        service.delete(conn, "crm", "account", acme, 1)  # cascades to Ann, whom an invoice restricts
    with engine.connect() as conn:
        assert service.get(conn, "crm", "account", acme)["deleted_at"] is None
        assert service.get(conn, "crm", "contact", ann)["deleted_at"] is None
