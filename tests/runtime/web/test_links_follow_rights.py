"""Links follow the reader's rights: a linked record's title shows only to those who may read that
record (and its title field), and one may only link records one may read — otherwise linking any id
would read any record's title."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy import select

from builder.publish import publish
from runtime.errors import ValidationFailed
from runtime.records.importing import import_file
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from runtime.storage.system import users
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


def test_one_cannot_link_a_record_one_may_not_read(engine, world):
    """Linking an id would otherwise confirm it exists and show its title and lookups."""
    (secret_id, _), (open_id, _) = world["Secret Holdings"], world["Open Co"]
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        narrow = records_for(conn, registry, _user(conn, "narrow"))
        with pytest.raises(ValidationFailed) as refused:
            narrow.create(conn, "sales", "deal", {"title": "probe", "account": secret_id}, None)
        assert refused.value.details == {"account": f"no record {secret_id} to link to"}  # as if it did not exist
        assert narrow.create(conn, "sales", "deal", {"title": "fine", "account": open_id}, None)["account"] == open_id


def test_imports_cannot_link_records_the_importer_may_not_read(engine, world, tmp_path):
    secret_id, open_id = world["Secret Holdings"][0], world["Open Co"][0]
    sheet = tmp_path / "deals.csv"
    sheet.write_text(f"title,account\nok,{open_id}\nprobe,{secret_id}\n")
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        who = _user(conn, "narrow")
        report = import_file(conn, registry, "sales", "deal", sheet, user_id=who, mode="skip_bad_rows",
                             guard=records_for(conn, registry, who))
    assert report["created"] == 1
    assert report["errors"][0]["row"] == 3 and "no record" in report["errors"][0]["message"]


def _user(conn, email_name: str) -> int:
    return conn.execute(select(users.c.id).where(users.c.email == f"{email_name}@example.com")).scalar_one()
