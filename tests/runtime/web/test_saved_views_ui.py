"""Saved views on the list screen: save the current list, apply it, override it, share it, delete it."""

from __future__ import annotations

import re

import pytest

from runtime.records.registry import SchemaRegistry
from runtime.records.saved_views import list_views
from runtime.records.service import RecordService
from runtime.security.users import create_user
from tests.runtime.web.conftest import PASSWORD

ACCOUNTS = "/a/crm_customers/account"


@pytest.fixture
def accounts(engine, user_id):
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        for name, tier, city in [("Acme", "key", "Shanghai"), ("Bolt", "key", "Beijing"),
                                 ("Coda", "standard", "Shanghai")]:
            service.create(conn, "crm_customers", "account", {"name": name, "tier": tier, "city": city}, user_id)


@pytest.fixture
def bob(app, engine):
    """A second signed-in user."""
    with engine.begin() as conn:
        create_user(conn, "bob@example.com", PASSWORD, display_name="Bob Chen")
    client = app.test_client()
    assert client.post("/login", data={"email": "bob@example.com", "password": PASSWORD}).status_code == 302
    return client


def views(engine, user_id) -> list[dict]:
    with engine.connect() as conn:
        return list_views(conn, user_id, "crm_customers", "account")


def save(web, name, shared=False, **state):
    data = {"name": name, **state}
    if shared:
        data["shared"] = "1"
    return web.post(ACCOUNTS + "/views", data=data)


def names_listed(html: str) -> list[str]:
    """The titles in the desktop table, in order."""
    return re.findall(r'<a class="fw-semibold record-link" href="[^"]+">([^<]+)</a>', html)


def test_save_the_current_list_as_a_view(web, engine, user_id, accounts):
    response = save(web, "Key accounts", where="tier == 'key'", order="name", q="", cols="name,city",
                    f="city", op="eq", v="Shanghai", mode="")
    assert response.status_code == 302
    [view] = views(engine, user_id)
    assert response.headers["Location"].endswith(f"{ACCOUNTS}?view={view['id']}")
    assert re.fullmatch(r"\(+city == 'Shanghai'\)+ and \(tier == 'key'\)", view["spec"]["where"])
    assert (view["spec"]["order"], view["spec"]["columns"], view["shared"]) == ("name", ["name", "city"], False)
    html = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved the view Key accounts." in html


def test_a_board_view_keeps_the_field_it_shows(web, engine, user_id):
    save(web, "By tier", mode="kanban")
    save(web, "Calendar", mode="calendar")
    specs = {v["name"]: v["spec"] for v in views(engine, user_id)}
    assert (specs["By tier"]["mode"], specs["By tier"]["group_by"]) == ("kanban", "industry")
    assert specs["Calendar"]["date_field"] == "since"


def test_applying_a_view_fills_the_list(web, engine, user_id, accounts):
    save(web, "Key by name", where="tier == 'key'", order="-name", cols="name,tier")
    [view] = views(engine, user_id)
    html = web.get(f"{ACCOUNTS}?view={view['id']}").get_data(as_text=True)
    assert names_listed(html) == ["Bolt", "Acme"]
    assert 'value="tier == &#39;key&#39;"' in html  # the view's filter is shown in the filter bar
    assert '<span class="fw-semibold">Key by name</span>' in html


def test_explicit_url_parameters_win_over_the_view(web, engine, user_id, accounts):
    save(web, "Key by name", where="tier == 'key'", order="-name")
    save(web, "Board", mode="kanban", group="tier")
    ids = {v["name"]: v["id"] for v in views(engine, user_id)}
    html = web.get(f"{ACCOUNTS}?view={ids['Key by name']}&order=name").get_data(as_text=True)
    assert names_listed(html) == ["Acme", "Bolt"]
    cleared = web.get(f"{ACCOUNTS}?view={ids['Key by name']}&where=&order=name").get_data(as_text=True)
    assert names_listed(cleared) == ["Acme", "Bolt", "Coda"]
    board = web.get(f"{ACCOUNTS}?view={ids['Board']}").get_data(as_text=True)
    assert 'data-testid="kanban"' in board and 'data-field="tier"' in board
    table = web.get(f"{ACCOUNTS}?view={ids['Board']}&mode=table").get_data(as_text=True)
    assert 'data-testid="record-table"' in table
    # the switch back to the table keeps saying so, or the view's kanban would win again
    assert re.search(r'href="[^"]*mode=table[^"]*" title="Table"', board)


def test_shared_views_are_visible_to_others_private_ones_are_not(web, bob, engine, user_id, accounts):
    save(web, "Team pipeline", shared=True, where="tier == 'key'")
    save(web, "My secret", where="city == 'Beijing'")
    ids = {v["name"]: v["id"] for v in views(engine, user_id)}
    html = bob.get(ACCOUNTS).get_data(as_text=True)
    assert "Team pipeline" in html and "· Ann Lee</small>" in html and "My secret" not in html
    applied = bob.get(f"{ACCOUNTS}?view={ids['Team pipeline']}").get_data(as_text=True)
    assert sorted(names_listed(applied)) == ["Acme", "Bolt"]
    private = bob.get(f"{ACCOUNTS}?view={ids['My secret']}").get_data(as_text=True)
    assert "no longer exists" in private and sorted(names_listed(private)) == ["Acme", "Bolt", "Coda"]


def test_only_the_owner_deletes_a_view(web, bob, engine, user_id):
    save(web, "Team pipeline", shared=True, where="tier == 'key'")
    [view] = views(engine, user_id)
    refused = bob.post(f"{ACCOUNTS}/views/{view['id']}/delete", follow_redirects=True)
    assert "Only the owner can delete a view." in refused.get_data(as_text=True)
    assert len(views(engine, user_id)) == 1
    assert 'data-testid="delete-view"' not in bob.get(ACCOUNTS).get_data(as_text=True)
    done = web.post(f"{ACCOUNTS}/views/{view['id']}/delete", follow_redirects=True)
    assert "Deleted the view Team pipeline." in done.get_data(as_text=True)
    assert views(engine, user_id) == []


def test_a_bad_view_is_refused_with_a_clear_error_and_nothing_is_saved(web, engine, user_id):
    bad_where = save(web, "Broken", where="nope == 1", q="acme")
    assert bad_where.status_code == 302 and "where=nope" in bad_where.headers["Location"]
    html = web.get(bad_where.headers["Location"]).get_data(as_text=True)
    assert "The view was not saved: where:" in html and "nope" in html
    no_name = web.post(ACCOUNTS + "/views", data={"name": "  "}, follow_redirects=True).get_data(as_text=True)
    assert "The view was not saved: Give the view a name." in no_name
    bad_order = save(web, "Sorted", order="nope")
    assert "The view was not saved: order" in web.get(bad_order.headers["Location"]).get_data(as_text=True)
    assert views(engine, user_id) == []


def test_view_names_are_escaped(web, engine, user_id):
    save(web, "<img src=x onerror=alert(1)>", shared=True)
    html = web.get(ACCOUNTS).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
