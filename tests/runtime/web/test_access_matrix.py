"""The access-control matrix: each surface, each role, exactly the rows and fields the rules allow.

Rep in East (reads East's deals, edits their own, never sees ``cost``), rep in West,
and a manager (everything) — through lists, record pages, the API, search,
exports, link pickers, related lists, comments, file fields and record attachments.
"""

import csv
import io
import re

import pytest

from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install

ROLES = {  # who -> the deals they must see
    "rep_east": {"deal of rep_east", "deal of rep_east2"},
    "rep_west": {"deal of rep_west"},
    "manager": {"deal of rep_east", "deal of rep_east2", "deal of rep_west", "deal of manager"},
}
SEES_COST = {"rep_east": False, "rep_west": False, "manager": True}


@pytest.fixture
def world(engine):
    people = install(engine)
    made = {}
    with engine.begin() as conn:
        admin = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        account = admin.create(conn, "sales", "account", {"name": "Acme", "city": "Pune"}, people["admin"])
        for who in ("rep_east", "rep_east2", "rep_west", "manager"):
            made[who] = admin.create(conn, "sales", "deal", {
                "title": f"deal of {who}", "amount": "100", "cost": "987654", "account": account["id"],
                "owner": people[who]}, people["admin"])["id"]
    return people, made, account["id"]


def client_for(app, who):
    client = app.test_client()
    response = client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client


def shows_cost(text: str) -> bool:
    return bool(re.search(r"987,?654", text))


def deal_titles(text: str) -> set[str]:
    return set(re.findall(r"deal of [a-z_0-9]+", text))


@pytest.mark.parametrize("who", sorted(ROLES))
def test_list_screen_and_api(app, world, who):
    client = client_for(app, who)
    page = client.get("/a/sales/deal").get_data(as_text=True)
    assert deal_titles(page) == ROLES[who]
    api = client.get("/api/v1/sales/deal?limit=100").get_json()["data"]
    assert {d["title"] for d in api} == ROLES[who]
    assert all(("cost" in d) == SEES_COST[who] for d in api)
    assert shows_cost(client.get("/a/sales/deal?cols=title,cost").get_data(as_text=True)) == SEES_COST[who]


@pytest.mark.parametrize("who", sorted(ROLES))
def test_record_pages_and_api_detail_are_404_when_not_readable(app, world, who):
    _people, deals, _account = world
    client = client_for(app, who)
    for owner, deal_id in deals.items():
        expected = 200 if f"deal of {owner}" in ROLES[who] else 404
        assert client.get(f"/a/sales/deal/{deal_id}").status_code == expected
        assert client.get(f"/api/v1/sales/deal/{deal_id}").status_code == expected
        assert client.get(f"/api/v1/sales/deal/{deal_id}/history").status_code == expected
        if expected == 200:
            assert shows_cost(client.get(f"/a/sales/deal/{deal_id}").get_data(as_text=True)) == SEES_COST[who]


@pytest.mark.parametrize("who", sorted(ROLES))
def test_search_and_filters(app, world, who):
    client = client_for(app, who)
    assert deal_titles(client.get("/search?q=deal").get_data(as_text=True)) == ROLES[who]
    assert deal_titles(client.get("/a/sales/deal?q=deal").get_data(as_text=True)) == ROLES[who]
    cost_filter = client.get("/a/sales/deal?where=cost+>+1")
    assert (cost_filter.status_code == 200) == SEES_COST[who]


@pytest.mark.parametrize("who", sorted(ROLES))
def test_exports(app, world, who):
    _people, deals, _account = world
    client = client_for(app, who)
    ids = [str(i) for i in deals.values()]
    exported = client.post("/a/sales/deal/bulk", data={"ids": ids, "action": "export"}).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert deal_titles(exported) == ROLES[who]
    assert ("cost" in rows[0]) == SEES_COST[who] and ("987654" in exported) == SEES_COST[who]
    job = client.post("/api/v1/sales/deal/export", json={"format": "csv"}).get_json()["data"]
    download = client.get(f"/api/v1/jobs/{job['id']}/download").get_data().decode("utf-8-sig")
    assert deal_titles(download) == ROLES[who] and ("987654" in download) == SEES_COST[who]


@pytest.mark.parametrize("who", sorted(ROLES))
def test_pickers_and_related_lists(app, world, who):
    _people, _deals, account = world
    client = client_for(app, who)
    options = client.get("/a/sales/deal/options?q=deal").get_json()["data"]
    assert {o["title"] for o in options} == ROLES[who]
    related = client.get(f"/a/sales/account/{account}").get_data(as_text=True)
    assert deal_titles(related) == ROLES[who]


@pytest.fixture
def contracts(engine, settings, world):
    """Each deal with its own uploaded contract (a file field added by a new version): ``{owner: file id}``."""
    from builder.publish import publish
    from runtime.records.files import store_upload
    from tests.factories import make_field
    from tests.runtime.security.permissions_app import sales_source

    people, deals, _account = world
    source = sales_source()
    source["entities/deal.json"]["fields"].append(make_field("contract", "file"))
    source["app.json"]["version"] = "1.0.1"
    publish(engine, source)
    found = {}
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        admin = records_for(conn, registry, people["admin"])
        for owner, deal_id in deals.items():
            upload = store_upload(conn, settings.files_dir, registry, "sales", "deal", "contract",
                                  f"contract of {owner}".encode(), f"{owner}.txt", user_id=people["admin"])
            admin.update(conn, "sales", "deal", deal_id, {"contract": [upload]}, people["admin"], 1)
            found[owner] = upload["id"]
    return found


@pytest.mark.parametrize("who", sorted(ROLES))
def test_attachments_download_only_from_readable_records(app, engine, world, contracts, who):
    from runtime.security.tokens import create_token

    people, deals, _account = world
    with engine.begin() as conn:
        bearer = {"Authorization": f"Bearer {create_token(conn, people[who], 'matrix')}"}
    client, api = client_for(app, who), app.test_client()
    for owner, file_id in contracts.items():
        readable = f"deal of {owner}" in ROLES[who]
        web = client.get(f"/api/v1/files/{file_id}")  # what the record page links to, on the session
        token = api.get(f"/api/v1/files/{file_id}", headers=bearer)
        for response in (web, token):
            assert response.status_code == (200 if readable else 404), (owner, response.status_code)
            assert (response.get_data() == f"contract of {owner}".encode()) == readable
        linked = f"/api/v1/files/{file_id}" in client.get(f"/a/sales/deal/{deals[owner]}").get_data(as_text=True)
        assert linked == readable


@pytest.fixture
def record_files(engine, settings, world):
    """Each deal with one file in its "Attachments" card: ``{owner: download path}``."""
    from datetime import datetime

    from runtime.records.attachments import add_attachment

    people, deals, _account = world
    found = {}
    with engine.begin() as conn:
        admin = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        for owner, deal_id in deals.items():
            added = add_attachment(conn, admin, settings.files_dir, "sales", "deal", deal_id,
                                   f"notes of {owner}".encode(), f"{owner}.txt", people["admin"],
                                   datetime(2026, 1, 1))
            found[owner] = f"/api/v1/sales/deal/{deal_id}/attachments/{added['id']}"
    return found


@pytest.mark.parametrize("who", sorted(ROLES))
def test_record_attachments_follow_read_and_update_rules(app, world, record_files, who):
    """Readers list and download (others get 404); only who may update the deal adds or removes
    (rep_east reads rep_east2's deal but gets 403 there)."""
    _people, deals, _account = world
    client = client_for(app, who)
    for owner, download in record_files.items():
        readable = f"deal of {owner}" in ROLES[who]
        may_update = who == "manager" or who == owner
        listing = f"/api/v1/sales/deal/{deals[owner]}/attachments"
        assert client.get(listing).status_code == (200 if readable else 404)
        fetched = client.get(download)
        assert fetched.status_code == (200 if readable else 404)
        assert (fetched.get_data() == f"notes of {owner}".encode()) == readable
        page = client.get(f"/a/sales/deal/{deals[owner]}").get_data(as_text=True)
        assert (download in page) == readable
        assert ('data-testid="attachment-form"' in page) == (readable and may_update)
        more = {"file": (io.BytesIO(b"more"), "more.txt")}
        added = client.post(f"/a/sales/deal/{deals[owner]}/attachments", data=more,
                            content_type="multipart/form-data")
        removed = client.delete(download)
        expected = 404 if not readable else 403 if not may_update else None
        if expected:
            assert (added.status_code, removed.status_code) == (expected, expected), owner
        else:
            assert (added.status_code, removed.status_code) == (302, 204), owner


@pytest.mark.parametrize("who", sorted(ROLES))
def test_comments_only_on_readable_records(app, world, who):
    _people, deals, _account = world
    client = client_for(app, who)
    for owner, deal_id in deals.items():
        readable = f"deal of {owner}" in ROLES[who]
        response = client.post(f"/a/sales/deal/{deal_id}/comments", data={"body": "hello"})
        assert (response.status_code != 404) == readable


def test_writes_follow_update_and_field_rules(app, world):
    _people, deals, _account = world
    east = client_for(app, "rep_east")

    def patch(owner: str, data: dict, version: int):
        return east.patch(f"/api/v1/sales/deal/{deals[owner]}", json={"data": data}, headers={"If-Match": str(version)})

    assert patch("rep_east", {"title": "renamed"}, 1).status_code == 200
    assert patch("rep_east2", {"title": "x"}, 1).status_code == 403  # not theirs
    assert patch("rep_east", {"cost": "1"}, 2).status_code == 403  # a hidden field
    assert patch("rep_west", {"title": "x"}, 1).status_code == 404  # another department's deal
    form = east.get(f"/a/sales/deal/{deals['rep_east']}/edit").get_data(as_text=True)
    assert 'name="title"' in form and 'name="cost"' not in form and 'name="probability"' not in form
    assert east.get(f"/a/sales/deal/{deals['rep_east2']}").get_data(as_text=True).count('data-testid="edit-record"') == 0
