"""A published sample app (accounts, deals with lines) and a record service over it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.storage.system import users
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

NOW = datetime(2026, 3, 14, 9, 30, 0)


def sales_source() -> dict:
    account = make_entity("account", [
        make_field("name", required=True, unique=True, max_length=100),
        make_field("city"),
    ], title_field="name")
    deal = make_entity("deal", [
        make_field("name", required=True, max_length=20),
        make_field("code", "autonumber", format="D-{YYYY}-{####}"),
        make_field("stage", "select", default="new", options=[{"value": "new"}, {"value": "won"}]),
        make_field("amount", "currency", precision=2),
        make_field("probability", "percent", precision=0),
        make_field("weighted", "formula", expression="amount * probability / 100", result="currency"),
        make_field("account", "link", target="account", on_delete="restrict"),
        make_field("account_city", "lookup", source="account", field="city"),
        make_field("lines", "table", target="deal_line"),
        make_field("total", "rollup", source="lines", field="subtotal", function="sum"),
        make_field("line_count", "rollup", source="lines", function="count"),
        make_field("owner", "user", default="$me"),
        make_field("notes", "richtext"),
        make_field("contact_email", "email"),
        make_field("opened", "date", default="$today"),
    ], title_field="name", rules=[{"when": "stage == 'won' and amount == null", "message": {"en": "A won deal needs an amount"}}])
    line = make_entity("deal_line", [
        make_field("product", required=True),
        make_field("qty", "integer", min=0),
        make_field("subtotal", "currency", precision=2),
    ])
    return make_app("sales", account, deal, line)


@pytest.fixture
def published(engine):
    publish(engine, sales_source())
    with engine.begin() as conn:
        conn.execute(insert(users), [
            {"id": uid, "email": f"u{uid}@example.com", "password_hash": "x", "is_admin": False,
             "is_active": True, "language": "en", "created_at": NOW} for uid in (1, 2)
        ])
    return engine


def record_service(engine) -> RecordService:
    """A record service over the apps published in ``engine``, its clock stopped at NOW."""
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
    return RecordService(registry, clock=lambda: NOW)


@pytest.fixture
def service(published) -> RecordService:
    return record_service(published)
