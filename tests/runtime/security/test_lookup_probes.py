"""A lookup (or a ``where=``/``order=`` path through a link) shows a linked record's field only to
those who may read that record and that field: computed as NULL for everyone else, in SQL, so
record pages, lists, filters, sorts, boards and exports all agree and none can probe it."""

import copy
import csv
import io
from urllib.parse import quote

import pytest

from builder.publish import publish
from runtime.errors import ValidationFailed
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from tests.factories import make_entity
from tests.factories import make_field as f
from tests.runtime.security.permissions_app import install
from tests.runtime.security.permissions_app import sales_source
from tests.runtime.web.test_access_matrix import client_for

SECRET = "test-secret"
#: Visits, in id order, and the deal each is about (the deals' owners: rep_east2, rep_east, rep_west).
VISITS = {"to east2": "rep_east2", "to east": "rep_east", "to west": "rep_west"}
#: Filters that would tell rep_west something about deals (or fields) they may not read.
PROBES = ("deal_title == 'deal of rep_east'", "deal.title == 'deal of rep_east'", "deal_cost > 0",
          "deal_city == 'Pune'", "deal.account.city == 'Pune'", "deal.account_city == 'Pune'")


def with_visits() -> dict:
    """The permissions app plus ``visit``: a link to a deal and lookups through it (reps may read every visit)."""
    source = copy.deepcopy(sales_source())
    source["entities/visit.json"] = make_entity("visit", [
        f("subject", required=True), f("stage", "select", options=[{"value": "plan"}, {"value": "done"}]),
        f("visit_day", "date"), f("deal", "link", target="deal", on_delete="restrict"),
        f("deal_title", "lookup", source="deal", field="title"),
        f("deal_cost", "lookup", source="deal", field="cost"),  # hidden from reps on the deal
        f("deal_city", "lookup", source="deal", field="account_city"),  # a lookup of a hidden field's lookup
    ], title_field="subject")
    for role in ("rep", "manager"):
        source[f"roles/{role}.json"]["entities"]["visit"] = {"read": True, "create": True, "update": True,
                                                              "delete": True}
    source["app.json"]["version"] = "1.0.1"
    return source


@pytest.fixture
def world(engine):
    people = install(engine)
    publish(engine, with_visits())
    deals, visits = {}, {}
    with engine.begin() as conn:
        admin = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        account = admin.create(conn, "sales", "account", {"name": "Acme", "city": "Pune"}, people["admin"])
        for who in ("rep_east", "rep_east2", "rep_west", "manager"):
            deals[who] = admin.create(conn, "sales", "deal", {
                "title": f"deal of {who}", "cost": "987654", "account": account["id"], "owner": people[who]},
                people["admin"])["id"]
        for subject, owner in VISITS.items():
            visits[subject] = admin.create(conn, "sales", "visit", {
                "subject": subject, "stage": "plan", "visit_day": "2026-11-10", "deal": deals[owner]}, people["admin"])["id"]
    return people, deals, visits


def listed(conn, who, people, **kw) -> list[dict]:
    service = records_for(conn, SchemaRegistry.from_connection(conn), people[who])
    return service.list(conn, "sales", "visit", secret=SECRET, user_id=people[who], **kw).data


def test_a_lookup_is_empty_where_the_linked_record_or_field_is_not_readable(engine, world):
    people, _deals, _visits = world
    with engine.connect() as conn:
        rows = {r["subject"]: r for r in listed(conn, "rep_west", people, order="id")}
        managed = {r["subject"]: r for r in listed(conn, "manager", people, order="id")}
    assert {s: r["deal_title"] for s, r in rows.items()} == {"to east2": None, "to east": None,
                                                             "to west": "deal of rep_west"}
    assert all(r["deal_cost"] is None and r["deal_city"] is None for r in rows.values())
    assert managed["to east"]["deal_title"] == "deal of rep_east" and managed["to east"]["deal_city"] == "Pune"
    assert managed["to east"]["deal_cost"] == "987654.00"


def test_filters_and_sorts_cannot_probe_what_a_lookup_hides(engine, world):
    people, _deals, _visits = world
    with engine.connect() as conn:
        for probe in PROBES:
            assert listed(conn, "rep_west", people, where=probe) == [], probe
            assert listed(conn, "manager", people, where=probe), probe
        # sorted by the hidden titles, the unreadable two would swap places; NULLs keep id order
        order = [r["subject"] for r in listed(conn, "rep_west", people, order="deal_title")]
        paged, cursor = [], None
        while True:  # keyset pages over NULL and non-NULL keys give every record once
            page = records_for(conn, SchemaRegistry.from_connection(conn), people["rep_west"]).list(
                conn, "sales", "visit", secret=SECRET, user_id=people["rep_west"], order="-deal_title", limit=1,
                cursor=cursor)
            paged += [r["subject"] for r in page.data]
            if not (cursor := page.next_cursor):
                break
    assert order.index("to east2") < order.index("to east") and sorted(paged) == sorted(VISITS)


def test_record_reads_writes_and_the_bin_show_the_same(engine, world):
    people, deals, visits = world
    with engine.begin() as conn:
        rep = records_for(conn, SchemaRegistry.from_connection(conn), people["rep_west"])
        assert rep.get(conn, "sales", "visit", visits["to east"], user_id=people["rep_west"])["deal_title"] is None
        with pytest.raises(ValidationFailed):  # linking a deal one may not read: refused as if it did not exist
            rep.create(conn, "sales", "visit", {"subject": "probe", "deal": deals["rep_east"]}, people["rep_west"])
        made = rep.create(conn, "sales", "visit", {"subject": "mine", "deal": deals["rep_west"]}, people["rep_west"])
        assert made["deal_title"] == "deal of rep_west" and made["deal_cost"] is None
        with pytest.raises(ValidationFailed):
            rep.update(conn, "sales", "visit", made["id"], {"deal": deals["manager"]}, people["rep_west"], 1)
        changed = rep.update(conn, "sales", "visit", visits["to east"], {"subject": "to east, noted",
                             "deal": deals["rep_east"]}, people["rep_west"], 1)  # a form sends back a link
        # someone else made: it stays, still unreadable, and does not block the save
        assert changed["deal_title"] is None and changed["deal"] == deals["rep_east"]
        rep.delete(conn, "sales", "visit", visits["to east"], people["rep_west"])
        assert [r["deal_title"] for r in rep.list_deleted(conn, "sales", "visit")] == [None]


def test_hidden_fields_cannot_be_filtered_or_sorted_in_exports_either(engine, world):
    from runtime.records.exporting import export_csv
    from runtime.records.exporting import user_rights

    people, _deals, _visits = world
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        for options in ({"where": "cost > 0"}, {"order": "-cost"}):
            with pytest.raises(ValidationFailed):
                b"".join(export_csv(conn, registry, "sales", "deal", user_id=people["rep_east"], **options,
                                    **user_rights(conn, registry, "sales", "deal", people["rep_east"])))


@pytest.mark.parametrize("who", ["rep_west", "manager"])
def test_screens_boards_api_and_exports_agree(app, world, who):
    client = client_for(app, who)
    sees_east = who == "manager"
    probe = quote(PROBES[0])
    api = client.get(f"/api/v1/sales/visit?where={probe}").get_json()["data"]
    assert [r["subject"] for r in api] == (["to east"] if sees_east else [])
    for mode in ("table", "kanban", "calendar&month=2026-11"):
        html = client.get(f"/a/sales/visit?mode={mode}&where={probe}").get_data(as_text=True)
        assert ("to east<" in html or ">to east" in html) == sees_east, mode
    for mode in ("table", "kanban"):  # calendar entries show only their title
        full = client.get(f"/a/sales/visit?mode={mode}&cols=subject,deal_title").get_data(as_text=True)
        assert ("deal of rep_east<" in full) == sees_east and "deal of rep_west<" in full, mode
    job = client.post("/api/v1/sales/visit/export", json={"format": "csv"}).get_json()["data"]
    exported = client.get(f"/api/v1/jobs/{job['id']}/download").get_data().decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(exported))
    titles = {r[header.index("subject")]: r[header.index("deal_title")] for r in rows}
    assert titles == {"to east2": "deal of rep_east2" if sees_east else "",
                      "to east": "deal of rep_east" if sees_east else "", "to west": "deal of rep_west"}
    assert ("987654" in exported) == sees_east
    job = client.post("/api/v1/sales/visit/export", json={"format": "csv", "where": PROBES[0]}).get_json()["data"]
    exported = client.get(f"/api/v1/jobs/{job['id']}/download").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(exported)))) == (2 if sees_east else 1)
