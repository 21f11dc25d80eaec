"""Sharing a record: who may, with whom, what the share then allows, and the audit rows it leaves."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.security.role_grants import Actor
from runtime.security.shares import add_share
from runtime.security.shares import list_shares
from runtime.security.shares import may_share
from runtime.security.shares import remove_share
from runtime.security.shares import share_targets
from runtime.storage.system import audit_log
from runtime.storage.system import record_shares
from tests.runtime.security import test_permissions as rules
from tests.runtime.security.test_permissions import service
from tests.runtime.security.test_permissions import titles

people, deals = rules.people, rules.deals  # the same fixtures: three roles, departments East/West/HQ


def share(conn, people, who, record_id, data):
    return add_share(conn, service(conn, people[who]), "sales", "deal", record_id, data, Actor(people[who]))


def audit_rows(engine):
    with engine.connect() as conn:
        return [(r.event, r.user_id, r.detail) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))
                if r.event.startswith("record_")]


def test_owner_shares_with_a_user_who_then_reads_and_edits(engine, people, deals):
    with engine.begin() as conn:
        made, outcome = share(conn, people, "rep_east", deals["rep_east"],
                              {"user_id": people["rep_west"], "access": "edit"})
    assert outcome == "created" and made["user_name"] == "rep_west" and made["access"] == "edit"
    with engine.begin() as conn:
        assert titles(conn, people["rep_west"]) == ["deal of rep_east", "deal of rep_west"]
        service(conn, people["rep_west"]).update(conn, "sales", "deal", deals["rep_east"], {"title": "joint"},
                                                 people["rep_west"], 1)
        assert may_share(conn, service(conn, people["rep_west"]), "sales", "deal", deals["rep_east"])
    assert audit_rows(engine) == [("record_shared", people["rep_east"], {
        "record": f"sales.deal/{deals['rep_east']}", "user": "rep_west@example.com", "access": "edit"})]


def test_department_share_reads_only_and_unshare_takes_it_back(engine, people, deals):
    with engine.begin() as conn:
        made, _ = share(conn, people, "rep_west", deals["rep_west"], {"department": " East "})
    assert made["department"] == "East" and made["access"] == "read" and made["user_id"] is None
    with engine.begin() as conn:
        assert "deal of rep_west" in titles(conn, people["rep_east2"])
        with pytest.raises(AccessDenied):
            service(conn, people["rep_east2"]).update(conn, "sales", "deal", deals["rep_west"], {"title": "x"},
                                                      people["rep_east2"], 1)
        remove_share(conn, service(conn, people["rep_west"]), "sales", "deal", deals["rep_west"], made["id"],
                     Actor(people["rep_west"], "rep_west@example.com", "10.0.0.1"))
    with engine.connect() as conn:
        assert "deal of rep_west" not in titles(conn, people["rep_east2"])
    assert audit_rows(engine)[-1] == ("record_unshared", people["rep_west"], {
        "record": f"sales.deal/{deals['rep_west']}", "department": "East", "access": "read"})


def test_only_those_who_may_update_the_record_or_admins_share(engine, people, deals):
    with engine.begin() as conn:
        with pytest.raises(AccessDenied):  # readable (same department), not theirs to change
            share(conn, people, "rep_east2", deals["rep_east"], {"user_id": people["manager"]})
        with pytest.raises(NotFound):  # not even readable
            share(conn, people, "rep_west", deals["rep_east"], {"user_id": people["manager"]})
        with pytest.raises(NotFound):
            list_shares(conn, service(conn, people["rep_west"]), "sales", "deal", deals["rep_east"])
        made, _ = share(conn, people, "admin", deals["rep_east"], {"user_id": people["rep_west"]})
        share(conn, people, "manager", deals["rep_east"], {"department": "HQ"})
        with pytest.raises(AccessDenied):  # a read share does not let its user reshare
            share(conn, people, "rep_west", deals["rep_east"], {"user_id": people["rep_east2"]})
        with pytest.raises(AccessDenied):
            remove_share(conn, service(conn, people["rep_east2"]), "sales", "deal", deals["rep_east"], made["id"],
                         Actor(people["rep_east2"]))
        readers_view = list_shares(conn, service(conn, people["rep_east2"]), "sales", "deal", deals["rep_east"])
    assert [(s["user_name"], s["department"]) for s in readers_view] == [("rep_west", None), (None, "HQ")]


def test_missing_records_and_foreign_shares_are_not_found(engine, people, deals):
    with engine.begin() as conn:
        with pytest.raises(NotFound):
            share(conn, people, "admin", 999999, {"user_id": people["rep_west"]})
        service(conn, people["admin"]).delete(conn, "sales", "deal", deals["rep_west"], people["admin"])
        with pytest.raises(NotFound):  # in the recycle bin
            share(conn, people, "admin", deals["rep_west"], {"user_id": people["rep_east"]})
        made, _ = share(conn, people, "admin", deals["manager"], {"user_id": people["rep_west"]})
        with pytest.raises(NotFound):  # a share of another record
            remove_share(conn, service(conn, people["admin"]), "sales", "deal", deals["rep_east"], made["id"],
                         Actor(people["admin"]))


@pytest.mark.parametrize(("data", "field"), [
    ({}, "user_id"),
    ({"user_id": 1, "department": "East"}, "user_id"),
    ({"user_id": "2"}, "user_id"),
    ({"user_id": True}, "user_id"),
    ({"user_id": 999999}, "user_id"),
    ({"department": "Mars"}, "department"),
    ({"department": "   "}, "department"),
    ({"department": ["East"]}, "department"),
    ({"department": "East", "access": "own"}, "access"),
    ({"department": "East", "owner": 1}, "owner"),
])
def test_bad_targets_are_refused_and_change_nothing(engine, people, deals, data, field):
    with engine.begin() as conn, pytest.raises(ValidationFailed) as caught:
        share(conn, people, "manager", deals["manager"], data)
    assert field in caught.value.details
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(record_shares)).scalar() == 0
    assert audit_rows(engine) == []


def test_self_inactive_and_roleless_users_are_refused(engine, people, deals):
    from sqlalchemy import update

    from runtime.storage.system import users

    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == people["rep_east2"]).values(is_active=False))
    for target, problem in (("manager", "yourself"), ("rep_east2", "No active user"), ("viewer", "no access")):
        with engine.begin() as conn, pytest.raises(ValidationFailed) as caught:
            share(conn, people, "manager", deals["manager"], {"user_id": people[target]})
        assert problem in caught.value.details["user_id"]


def test_sharing_again_changes_the_level_or_nothing(engine, people, deals):
    with engine.begin() as conn:
        first, _ = share(conn, people, "manager", deals["manager"], {"user_id": people["rep_west"]})
        again, outcome = share(conn, people, "manager", deals["manager"], {"user_id": people["rep_west"]})
        assert again == first and outcome == "unchanged"
        raised, outcome = share(conn, people, "manager", deals["manager"],
                                {"user_id": people["rep_west"], "access": "edit"})
        assert outcome == "changed" and raised["id"] == first["id"] and raised["access"] == "edit"
        assert len(list_shares(conn, service(conn, people["manager"]), "sales", "deal", deals["manager"])) == 1
    assert [(event, detail.get("was")) for event, _user, detail in audit_rows(engine)] == [
        ("record_shared", None), ("record_shared", "read")]


def test_share_targets_leave_out_the_caller_and_inactive_users(engine, people):
    from sqlalchemy import update

    from runtime.storage.system import users

    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == people["nobody"]).values(is_active=False))
        who, departments = share_targets(conn, service(conn, people["rep_east"]))
    names = [name for _id, name in who]
    assert "rep_east" not in names and "nobody" not in names and "rep_west" in names
    assert departments == ["East", "HQ", "West"]


def test_purging_a_record_ends_its_shares(engine, people, deals):
    """SQLite may give the next record the purged one's id: its shares must not pass on to it."""
    with engine.begin() as conn:
        share(conn, people, "manager", deals["manager"], {"user_id": people["rep_west"]})
        admin = service(conn, people["admin"])
        admin.delete(conn, "sales", "deal", deals["manager"], people["admin"])
        admin.purge(conn, "sales", "deal", deals["manager"], people["admin"], is_admin=True)
        admin.create(conn, "sales", "deal", {"title": "new deal", "owner": people["manager"]}, people["admin"])
    with engine.connect() as conn:
        assert titles(conn, people["rep_west"]) == ["deal of rep_west"]
        assert conn.execute(select(func.count()).select_from(record_shares)).scalar() == 0
