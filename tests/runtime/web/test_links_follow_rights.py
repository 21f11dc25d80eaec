"""A link shows the linked record's title only to those who may read that record (and its title field):
otherwise linking any id would read any record's title."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install
from tests.runtime.security.permissions_app import sales_source

NARROW = {"name": "narrow", "entities": {
    "deal": {"read": True, "create": True, "update": True, "delete": False},
    "account": {"read": "city == 'Pune'", "create": False, "update": False, "delete": False}}}
NO_TITLES = {"name": "no_titles", "entities": {
    "deal": {"read": True, "create": True, "update": True, "delete": False},
    "account": {"read": True, "create": False, "update": False, "delete": False, "fields": {"name": "hidden"}}}}


@pytest.fixture
def world(engine):
    people = install(engine)
    source = sales_source()
    source["roles/narrow.json"], source["roles/no_titles.json"] = NARROW, NO_TITLES
    publish(engine, source)
    with engine.begin() as conn:
        for role in ("narrow", "no_titles"):
            people[role] = create_user(conn, f"{role}@example.com", PASSWORD)
            conn.execute(insert(user_roles).values(user_id=people[role], role=f"sales.{role}"))
        admin = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        ids = {}
        for name, city in (("Open Co", "Pune"), ("Secret Holdings", "Oslo")):
            account = admin.create(conn, "sales", "account", {"name": name, "city": city}, people["admin"])
            deal = admin.create(conn, "sales", "deal", {"title": f"deal with {name}", "account": account["id"]},
                                people["admin"])
            ids[name] = (account["id"], deal["id"])
    return ids


def page_for(app, who, path):
    client = app.test_client()
    assert client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD}).status_code == 302
    return client.get(path).get_data(as_text=True)


def test_titles_of_unreadable_linked_records_stay_ids(app, world):
    secret_id, secret_deal = world["Secret Holdings"]
    listing = page_for(app, "narrow", "/a/sales/deal")
    assert ">Open Co</a>" in listing and "deal with Secret Holdings" in listing
    assert ">Secret Holdings</a>" not in listing and f"#{secret_id}" in listing
    detail = page_for(app, "narrow", f"/a/sales/deal/{secret_deal}")
    assert ">Secret Holdings</a>" not in detail and f"#{secret_id}" in detail
    assert ">Secret Holdings</a>" in page_for(app, "manager", "/a/sales/deal")


def test_a_hidden_title_field_is_not_shown_through_links(app, world):
    listing = page_for(app, "no_titles", "/a/sales/deal")
    assert ">Open Co</a>" not in listing and ">Secret Holdings</a>" not in listing
    assert f"#{world['Open Co'][0]}" in listing
