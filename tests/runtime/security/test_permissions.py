"""Roles on the record service: row rules in SQL, field access, 404 for what may not be read."""

import pytest

from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from tests.runtime.security.permissions_app import install

SECRET = "test-secret"


@pytest.fixture
def people(engine):
    return install(engine)


def service(conn, user_id):
    return records_for(conn, SchemaRegistry.from_connection(conn), user_id)


@pytest.fixture
def deals(engine, people):
    """Each rep and the manager own one deal, on one account."""
    made = {}
    with engine.begin() as conn:
        account = service(conn, people["manager"]).create(conn, "sales", "account", {"name": "Acme", "city": "Pune"},
                                                          people["manager"])
        admin = service(conn, people["admin"])
        for who in ("rep_east", "rep_east2", "rep_west", "manager"):
            deal = admin.create(conn, "sales", "deal", {"title": f"deal of {who}", "amount": "100", "cost": "60",
                                                        "account": account["id"], "owner": people[who]},
                                people["admin"])
            made[who] = deal["id"]
    made["account"] = account["id"]
    return made


def titles(conn, user_id, **kw):
    page = service(conn, user_id).list(conn, "sales", "deal", secret=SECRET, user_id=user_id, order="id", **kw)
    return [r["title"] for r in page.data]


def test_lists_show_exactly_the_rows_each_role_may_read(engine, people, deals):
    with engine.connect() as conn:
        assert titles(conn, people["rep_east"]) == ["deal of rep_east", "deal of rep_east2"]
        assert titles(conn, people["rep_west"]) == ["deal of rep_west"]
        assert len(titles(conn, people["manager"])) == 4 and len(titles(conn, people["admin"])) == 4
        for who in ("viewer", "nobody"):
            with pytest.raises(NotFound):
                titles(conn, people[who])


def test_counts_and_search_follow_the_rules(engine, people, deals):
    with engine.connect() as conn:
        page = service(conn, people["rep_west"]).list(conn, "sales", "deal", secret=SECRET,
                                                      user_id=people["rep_west"], count=True, search="deal")
        assert page.total == 1


def test_a_record_one_may_not_read_is_not_found(engine, people, deals):
    with engine.connect() as conn:
        with pytest.raises(NotFound):
            service(conn, people["rep_west"]).get(conn, "sales", "deal", deals["rep_east"])
        with pytest.raises(NotFound):
            service(conn, people["rep_west"]).history(conn, "sales", "deal", deals["rep_east"])
        assert service(conn, people["rep_east2"]).get(conn, "sales", "deal", deals["rep_east"])["title"]


def test_hidden_fields_are_never_returned_filtered_sorted_or_searched(engine, people, deals):
    with engine.connect() as conn:
        rep = service(conn, people["rep_east"])
        record = rep.get(conn, "sales", "deal", deals["rep_east"])
        assert "cost" not in record and record["amount"] == "100.00"
        assert all("cost" not in r for r in rep.list(conn, "sales", "deal", secret=SECRET, user_id=people["rep_east"]).data)
        for kw in ({"where": "cost > 10"}, {"order": "-cost"}):
            with pytest.raises(ValidationFailed):
                rep.list(conn, "sales", "deal", secret=SECRET, user_id=people["rep_east"], **kw)
        history = rep.history(conn, "sales", "deal", deals["rep_east"])
        assert all("cost" not in entry["changes"] for entry in history)
        assert "cost" in service(conn, people["manager"]).get(conn, "sales", "deal", deals["rep_east"])


def test_updates_follow_the_update_rule_and_field_access(engine, people, deals):
    with engine.begin() as conn:
        rep = service(conn, people["rep_east"])
        assert rep.update(conn, "sales", "deal", deals["rep_east"], {"title": "mine"}, people["rep_east"], 1)["title"] == "mine"
        with pytest.raises(AccessDenied):  # readable (same department) but not theirs
            rep.update(conn, "sales", "deal", deals["rep_east2"], {"title": "x"}, people["rep_east"], 1)
        with pytest.raises(NotFound):  # not even readable
            rep.update(conn, "sales", "deal", deals["rep_west"], {"title": "x"}, people["rep_east"], 1)
        with pytest.raises(AccessDenied) as caught:
            rep.update(conn, "sales", "deal", deals["rep_east"], {"probability": "50", "cost": "1"}, people["rep_east"], 2)
        assert set(caught.value.details) == {"probability", "cost"}


def test_delete_and_create_rights(engine, people, deals):
    with engine.begin() as conn:
        with pytest.raises(AccessDenied):
            service(conn, people["rep_east"]).delete(conn, "sales", "deal", deals["rep_east"], people["rep_east"])
        service(conn, people["manager"]).delete(conn, "sales", "deal", deals["rep_west"], people["manager"])
        with pytest.raises(NotFound):
            service(conn, people["viewer"]).create(conn, "sales", "deal", {"title": "x"}, people["viewer"])
        with pytest.raises(AccessDenied):
            service(conn, people["viewer"]).create(conn, "sales", "account", {"name": "x"}, people["viewer"])


def test_recycle_bin_shows_only_readable_records(engine, people, deals):
    with engine.begin() as conn:
        manager = service(conn, people["manager"])
        for who in ("rep_east", "rep_west"):
            manager.delete(conn, "sales", "deal", deals[who], people["manager"])
    with engine.connect() as conn:
        binned = service(conn, people["rep_west"]).list_deleted(conn, "sales", "deal")
        assert [r["title"] for r in binned] == ["deal of rep_west"]


def test_records_shared_with_a_user_or_department(engine, people, deals):
    from sqlalchemy import insert

    from runtime.clock import utcnow
    from runtime.storage.system import record_shares

    with engine.begin() as conn:
        conn.execute(insert(record_shares), [
            {"app": "sales", "entity": "deal", "record_id": deals["manager"], "user_id": people["rep_west"],
             "department": None, "access": "edit", "created_at": utcnow()},
            {"app": "sales", "entity": "deal", "record_id": deals["rep_west"], "user_id": None,
             "department": "East", "access": "read", "created_at": utcnow()}])
    with engine.begin() as conn:
        assert titles(conn, people["rep_west"]) == ["deal of rep_west", "deal of manager"]
        assert "deal of rep_west" in titles(conn, people["rep_east"])
        service(conn, people["rep_west"]).update(conn, "sales", "deal", deals["manager"], {"title": "shared"},
                                                 people["rep_west"], 1)
        with pytest.raises(AccessDenied):
            service(conn, people["rep_east"]).update(conn, "sales", "deal", deals["rep_west"], {"title": "x"},
                                                     people["rep_east"], 1)


def test_viewer_sees_accounts_without_hidden_notes(engine, people, deals):
    with engine.connect() as conn:
        viewer = service(conn, people["viewer"])
        account = viewer.get(conn, "sales", "account", deals["account"])
        assert account["name"] == "Acme" and "notes" not in account


def test_apps_without_roles_are_open_to_signed_in_users(engine, people):
    from builder.publish import publish
    from tests.factories import make_app
    from tests.factories import make_entity

    publish(engine, make_app("notes", make_entity("note")))
    with engine.begin() as conn:
        created = service(conn, people["nobody"]).create(conn, "notes", "note", {"name": "hello"}, people["nobody"])
        assert service(conn, people["nobody"]).get(conn, "notes", "note", created["id"])["name"] == "hello"


def test_lookups_do_not_reveal_what_the_linked_record_hides(engine, people, deals):
    with engine.connect() as conn:
        rep_view = service(conn, people["rep_east"]).get(conn, "sales", "deal", deals["rep_east"])
        manager_view = service(conn, people["manager"]).get(conn, "sales", "deal", deals["rep_east"])
        listed = service(conn, people["rep_east"]).list(conn, "sales", "deal", secret=SECRET, user_id=people["rep_east"])
    assert rep_view["account_city"] is None and manager_view["account_city"] == "Pune"
    assert all(r["account_city"] is None for r in listed.data)
