"""Saved views: specs checked like a list's parameters, upserted by name, personal unless shared."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.records.registry import SchemaRegistry
from runtime.records.saved_views import delete_view
from runtime.records.saved_views import get_view
from runtime.records.saved_views import list_views
from runtime.records.saved_views import save_view
from runtime.records.saved_views import validate_spec
from runtime.storage.system import saved_views
from runtime.storage.system import users

NOW = datetime(2026, 3, 14, 9, 30, 0)
ADMIN = 3


@pytest.fixture
def registry(published):
    with published.connect() as conn:
        return SchemaRegistry.from_connection(conn)


@pytest.fixture
def conn(published, registry):
    with published.begin() as connection:
        connection.execute(insert(users).values(id=ADMIN, email="admin@example.com", password_hash="x",
                                                display_name="Admin", is_admin=True, is_active=True,
                                                language="en", created_at=NOW))
        yield connection


def save(conn, registry, spec, user=1, name="Mine", shared=False, now=NOW):
    return save_view(conn, registry, user, "sales", "deal", name, spec, shared, now)


def stored_count(conn) -> int:
    return conn.execute(select(func.count()).select_from(saved_views)).scalar_one()


def test_a_view_is_saved_with_every_setting_normalised(conn, registry):
    view = save(conn, registry, {"columns": ["name", "amount", "account_city", "updated_at"],
                                 "where": " stage == 'won' and owner == $me ", "order": "-amount,name",
                                 "search": "  acme   corp "})
    assert view["spec"] == {"columns": ["name", "amount", "account_city", "updated_at"],
                            "where": "stage == 'won' and owner == $me", "order": "-amount,name",
                            "search": "acme corp", "mode": "table", "group_by": None, "date_field": None}
    assert (view["name"], view["owner_id"], view["owner_name"], view["own"], view["shared"]) == \
        ("Mine", 1, "u1@example.com", True, False)
    assert (view["app"], view["entity"], view["created_at"], view["updated_at"]) == ("sales", "deal", NOW, NOW)
    assert get_view(conn, 1, view["id"]) == view


def test_saving_under_the_same_name_replaces_the_view(conn, registry):
    first = save(conn, registry, {"order": "name"})
    later = NOW + timedelta(minutes=5)
    second = save(conn, registry, {"order": "-name"}, shared=True, now=later)
    assert second["id"] == first["id"]
    assert (second["spec"]["order"], second["shared"]) == ("-name", True)
    assert (second["created_at"], second["updated_at"]) == (NOW, later)
    assert stored_count(conn) == 1
    assert save(conn, registry, {}, name="  Other ")["name"] == "Other"
    assert stored_count(conn) == 2


def test_kanban_needs_a_select_field_and_calendar_a_date(conn, registry):
    kanban = save(conn, registry, {"mode": "kanban", "group_by": "stage"}, name="Board")
    assert (kanban["spec"]["mode"], kanban["spec"]["group_by"]) == ("kanban", "stage")
    calendar = save(conn, registry, {"mode": "calendar", "date_field": "opened"}, name="Cal")
    assert calendar["spec"]["date_field"] == "opened"
    assert save(conn, registry, {"mode": "calendar", "date_field": "created_at"}, name="Cal2")


@pytest.mark.parametrize("spec, key", [
    ({"where": "amount >"}, "where"),
    ({"where": "nosuch == 1"}, "where"),
    ({"where": "amount + 1"}, "where"),
    ({"order": "-nosuch"}, "order"),
    ({"order": "lines"}, "order"),
    ({"columns": ["name", "nosuch"]}, "columns"),
    ({"columns": ["lines"]}, "columns"),
    ({"columns": ["deleted_at"]}, "columns"),
    ({"columns": ["name", "name"]}, "columns"),
    ({"columns": "name"}, "columns"),
    ({"mode": "gallery"}, "mode"),
    ({"mode": "kanban"}, "group_by"),
    ({"mode": "kanban", "group_by": "name"}, "group_by"),
    ({"mode": "calendar", "date_field": "amount"}, "date_field"),
    ({"colour": "red"}, "colour"),
    ({"where": 5}, "where"),
])
def test_a_bad_spec_is_refused_naming_the_setting_and_nothing_is_written(conn, registry, spec, key):
    with pytest.raises(ValidationFailed) as caught:
        save(conn, registry, spec)
    assert key in caught.value.details
    assert stored_count(conn) == 0


def test_a_bad_where_says_where_and_at_which_position(conn, registry):
    with pytest.raises(ValidationFailed) as caught:
        save(conn, registry, {"where": "stage == "})
    assert caught.value.message.startswith("where: line 1, col")
    assert caught.value.details["where"]["col"] >= 1


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 101])
def test_a_view_needs_a_reasonable_name(conn, registry, name):
    with pytest.raises(ValidationFailed):
        save(conn, registry, {}, name=name)
    assert stored_count(conn) == 0


def test_too_long_a_search_and_unknown_entities_are_refused(conn, registry):
    with pytest.raises(BadInput):
        save(conn, registry, {"search": "x" * 300})
    with pytest.raises(NotFound):
        save_view(conn, registry, 1, "sales", "nosuch", "v", {}, False, NOW)
    with pytest.raises(BadInput):
        save_view(conn, registry, 1, "sales", "deal_line", "v", {}, False, NOW)
    assert stored_count(conn) == 0


def test_others_see_shared_views_but_not_personal_ones(conn, registry):
    personal = save(conn, registry, {}, name="Private")
    shared = save(conn, registry, {}, name="Team", shared=True)
    theirs = save(conn, registry, {}, user=2, name="B mine")
    assert [(v["name"], v["own"]) for v in list_views(conn, 2, "sales", "deal")] == \
        [("B mine", True), ("Team", False)]
    assert [v["name"] for v in list_views(conn, 1, "sales", "deal")] == ["Private", "Team"]
    assert list_views(conn, 2, "sales", "account") == []
    assert get_view(conn, 2, shared["id"])["own"] is False
    with pytest.raises(NotFound):
        get_view(conn, 2, personal["id"])
    with pytest.raises(NotFound):
        get_view(conn, 1, theirs["id"])


def test_a_user_may_use_a_name_another_user_took(conn, registry):
    save(conn, registry, {}, name="Won", shared=True)
    save(conn, registry, {}, user=2, name="Won")
    assert [(v["owner_id"], v["own"]) for v in list_views(conn, 2, "sales", "deal")] == [(2, True), (1, False)]


def test_only_the_owner_or_an_admin_deletes_a_view(conn, registry):
    shared = save(conn, registry, {}, name="Team", shared=True)
    personal = save(conn, registry, {}, name="Private")
    with pytest.raises(AccessDenied):
        delete_view(conn, 2, shared["id"])
    with pytest.raises(NotFound):
        delete_view(conn, 2, personal["id"])
    delete_view(conn, ADMIN, personal["id"])
    delete_view(conn, 1, shared["id"])
    assert stored_count(conn) == 0
    with pytest.raises(NotFound):
        delete_view(conn, 1, shared["id"])


def test_validate_spec_tells_whether_a_stored_view_still_fits(conn, registry):
    assert validate_spec(conn, registry, 1, "sales", "deal", {"where": "amount > 10"}, NOW)["where"] == "amount > 10"
    with pytest.raises(ValidationFailed):
        validate_spec(conn, registry, 1, "sales", "deal", {"columns": ["gone"]}, NOW)
