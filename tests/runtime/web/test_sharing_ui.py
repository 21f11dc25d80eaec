"""The record page's Sharing card: share with a person or department, unshare; CSRF and rights hold."""

import re

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runtime.storage.system import audit_log
from runtime.storage.system import record_shares
from runtime.storage.system import users
from tests.runtime.web import test_access_matrix as matrix
from tests.runtime.web.test_access_matrix import client_for
from tests.runtime.web.test_access_matrix import deal_titles

world = matrix.world  # rep_east, rep_east2 (East), rep_west (West), manager; one deal each


def page(client, deal_id) -> str:
    return client.get(f"/a/sales/deal/{deal_id}").get_data(as_text=True)


def share_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(record_shares)).scalar()


def test_a_shared_record_reaches_every_surface_until_unshared(app, engine, world):
    people, deals, _account = world
    east, west = client_for(app, "rep_east"), client_for(app, "rep_west")
    deal = deals["rep_east"]
    assert 'data-testid="share-form"' in page(east, deal)
    response = east.post(f"/a/sales/deal/{deal}/shares", data={"target": f"user:{people['rep_west']}",
                                                               "access": "read"})
    assert response.status_code == 302 and response.location.endswith(f"/a/sales/deal/{deal}#sharing")
    shown = east.get(response.location).get_data(as_text=True)
    assert "Shared." in shown and re.search(r'data-testid="share".*?rep_west.*?Can read', shown, re.DOTALL)
    assert "deal of rep_east" in deal_titles(west.get("/a/sales/deal").get_data(as_text=True))
    assert "deal of rep_east" in deal_titles(west.get("/search?q=deal").get_data(as_text=True))
    assert {o["title"] for o in west.get("/a/sales/deal/options?q=deal").get_json()["data"]} >= {"deal of rep_east"}
    assert west.get(f"/api/v1/sales/deal/{deal}").status_code == 200
    readers_page = page(west, deal)
    assert 'data-testid="sharing"' in readers_page and 'data-testid="share-form"' not in readers_page
    assert 'data-testid="unshare"' not in readers_page and 'data-testid="edit-record"' not in readers_page
    with engine.connect() as conn:
        share_id = conn.execute(select(record_shares.c.id)).scalar()
    assert east.post(f"/a/sales/deal/{deal}/shares/{share_id}/delete").status_code == 302
    assert west.get(f"/a/sales/deal/{deal}").status_code == 404
    assert west.get(f"/api/v1/sales/deal/{deal}").status_code == 404
    assert "deal of rep_east" not in deal_titles(west.get("/search?q=deal").get_data(as_text=True))
    with engine.connect() as conn:
        events = list(conn.execute(select(audit_log.c.event, audit_log.c.ip)
                                   .where(audit_log.c.event.like("record_%")).order_by(audit_log.c.id)))
    assert [e.event for e in events] == ["record_shared", "record_unshared"] and events[0].ip


def test_an_edit_share_to_a_department_lets_its_members_edit(app, world):
    _people, deals, _account = world
    manager, east2 = client_for(app, "manager"), client_for(app, "rep_east2")
    manager.post(f"/a/sales/deal/{deals['manager']}/shares", data={"target": "department:East", "access": "edit"})
    assert 'data-testid="edit-record"' in page(east2, deals["manager"])
    assert 'data-testid="share-form"' in page(east2, deals["manager"])  # who may change it may share it


def test_readers_may_not_share_and_strangers_get_404(app, engine, world):
    people, deals, _account = world
    east2 = client_for(app, "rep_east2")  # reads rep_east's deal (same department), may not change it
    assert 'data-testid="sharing"' not in page(east2, deals["rep_east"])
    target = {"target": f"user:{people['manager']}"}
    assert east2.post(f"/a/sales/deal/{deals['rep_east']}/shares", data=target).status_code == 403
    assert client_for(app, "rep_west").post(f"/a/sales/deal/{deals['rep_east']}/shares", data=target).status_code == 404
    client_for(app, "manager").post(f"/a/sales/deal/{deals['rep_east']}/shares",
                                    data={"target": f"user:{people['rep_west']}"})
    with engine.connect() as conn:
        share_id = conn.execute(select(record_shares.c.id)).scalar()
    assert east2.post(f"/a/sales/deal/{deals['rep_east']}/shares/{share_id}/delete").status_code == 403
    assert share_count(engine) == 1


def test_bad_choices_are_explained_and_change_nothing(app, engine, world):
    _people, deals, _account = world
    east = client_for(app, "rep_east")
    for data, message in (({"target": "department:Mars"}, "No user is in this department."),
                          ({"target": "user:x"}, "whole number"), ({}, "Give either a user or a department."),
                          ({"target": "department:East", "access": "own"}, "Use read or edit.")):
        shown = east.post(f"/a/sales/deal/{deals['rep_east']}/shares", data=data, follow_redirects=True)
        assert shown.status_code == 200 and "Not shared:" in shown.get_data(as_text=True)
        assert message in shown.get_data(as_text=True)
    assert share_count(engine) == 0


def test_sharing_needs_the_csrf_token(app, engine, world):
    people, deals, _account = world
    east = client_for(app, "rep_east")
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/a/sales/deal/{deals['rep_east']}/shares"
    assert east.post(url, data={"target": f"user:{people['rep_west']}"}).status_code == 400
    assert share_count(engine) == 0
    token = re.search(r'data-testid="share-form">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                      page(east, deals["rep_east"])).group(1)
    assert east.post(url, data={"target": f"user:{people['rep_west']}", "csrf_token": token}).status_code == 302
    assert share_count(engine) == 1


def test_names_are_escaped(app, engine, world):
    people, deals, _account = world
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == people["rep_west"])
                     .values(display_name="<b>Bold</b>", department="<i>R&D</i>"))
    manager = client_for(app, "manager")
    manager.post(f"/a/sales/deal/{deals['manager']}/shares", data={"target": "department:<i>R&D</i>"})
    shown = page(manager, deals["manager"])
    assert "<b>Bold</b>" not in shown and "&lt;b&gt;Bold&lt;/b&gt;" in shown
    assert "<i>R&D</i>" not in shown and "&lt;i&gt;R&amp;D&lt;/i&gt;" in shown
    assert share_count(engine) == 1
