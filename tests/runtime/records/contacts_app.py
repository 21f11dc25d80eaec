"""A published ``crm`` app for import/export tests: a plain ``contact`` entity with zh labels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.storage.system import users
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

NOW = datetime(2026, 3, 14, 9, 30, 0)


def crm_source() -> dict:
    company = make_entity("company", [f("name", required=True, unique=True)])
    contact = make_entity("contact", [
        f("name", required=True, max_length=50, label={"en": "Full name", "zh": "姓名"}),
        f("email", "email", unique=True, label={"en": "E-mail", "zh": "邮箱"}),
        f("amount", "currency", precision=2, label={"en": "Amount", "zh": "金额"}),
        f("born", "date", label={"en": "Birthday", "zh": "生日"}),
        f("stage", "select", default="new", options=[
            {"value": "new", "label": {"en": "New", "zh": "新"}}, {"value": "won", "label": {"zh": "赢单"}}]),
        f("vip", "boolean", label={"zh": "重要"}),
        f("seats", "integer", min=0),
        f("tags", "multiselect", options=[{"value": "hot"}, {"value": "cold"}]),
        f("company", "link", target="company", on_delete="restrict"),
        f("code", "autonumber", format="C-{####}"),
        f("seen_at", "datetime"),
        f("spot", "geo"),
        f("doubled", "formula", expression="amount * 2", result="currency"),
    ], label={"en": "Contact", "zh": "联系人"})
    return make_app("crm", company, contact)


def publish_crm(engine) -> SchemaRegistry:
    publish(engine, crm_source())
    with engine.begin() as conn:
        conn.execute(insert(users), [
            {"id": uid, "email": f"u{uid}@example.com", "password_hash": "x", "is_admin": False,
             "is_active": True, "language": "en", "created_at": NOW} for uid in (1, 2)])
    with engine.connect() as conn:
        return SchemaRegistry.from_connection(conn)
