"""Sample data: checked whole before anything is written, then created through the record service."""

import json
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from builder.publish import publish
from builder.sample_load import install_sample_data
from runtime.clock import utcnow
from runtime.errors import MetadataInvalid
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import create_user
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

SHOP = make_app(
    "shop",
    make_entity("customer", [
        f("name", required=True),
        f("code", "autonumber", format="C-{###}"),
        f("email", "email", unique=True),
        f("tier", "select", default="basic", options=[{"value": "basic"}, {"value": "vip"}]),
        f("since", "date"),
        f("owner", "user", default="$me"),
        f("referrer", "link", target="customer"),
        f("visits", "table", target="visit"),
        f("visit_count", "rollup", source="visits", function="count"),
    ], rules=[{"when": "tier == 'vip' and email == null", "message": {"en": "A VIP needs an email"}}]),
    make_entity("visit", [f("visited_on", "date", required=True), f("note")]),
    make_entity("purchase", [f("title", required=True), f("customer", "link", target="customer"),
                          f("total", "currency")]),
)


def files(**docs) -> dict[str, bytes]:
    """``files(customer=[...])`` -> ``{"data/customer.json": b"[...]"}``; str values are CSV text."""
    out = {}
    for name, doc in docs.items():
        if isinstance(doc, str):
            out[f"data/{name}.csv"] = doc.encode()
        else:
            out[f"data/{name}.json"] = json.dumps(doc, ensure_ascii=False).encode()
    return out


@pytest.fixture
def shop(engine):
    publish(engine, SHOP)
    with engine.begin() as conn:
        admin = create_user(conn, "admin@example.com", "Sample-data-pass-1")
        emma = create_user(conn, "emma@example.com", "Sample-data-pass-1")
    return engine, admin, emma


def count(engine, entity: str) -> int:
    with engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("shop", entity)
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def read(engine, entity: str) -> list[dict]:
    with engine.connect() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        return service.list(conn, "shop", entity, secret="s", order="id").data


def problems_of(excinfo) -> list[str]:
    return excinfo.value.details


def test_records_go_through_the_record_service(shop):
    engine, admin, emma = shop
    data = files(
        purchase=[{"title": "First order", "customer": {"$ref": "ann"}, "total": "12.50"}],
        customer=[
            {"$key": "ann", "name": "Ann", "email": "ann@x.com", "owner": "emma@example.com",
             "visits": [{"visited_on": "$today-3", "note": "call"}, {"visited_on": "2026-01-05"}]},
            {"$key": "bob", "name": "Bob", "referrer": {"$ref": "ann"}, "since": "$today"},
        ],
    )
    result = install_sample_data(engine, "shop", data, admin)
    assert result.created == {"customer": 2, "purchase": 1}
    ann, bob = read(engine, "customer")
    assert [ann["code"], bob["code"]] == ["C-001", "C-002"]
    assert ann["visit_count"] == 2 and ann["tier"] == "basic"
    assert ann["owner"] == emma and bob["owner"] == admin
    assert bob["referrer"] == ann["id"]
    today = utcnow().date()
    assert date.fromisoformat(str(bob["since"])) == today
    (order,) = read(engine, "purchase")
    assert order["customer"] == ann["id"]
    with engine.connect() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        visits = service.get(conn, "shop", "customer", ann["id"])["visits"]
        history = service.history(conn, "shop", "customer", ann["id"])
    assert date.fromisoformat(str(visits[0]["visited_on"])) == today - timedelta(days=3)
    assert [h["action"] for h in history] == ["create"]


def test_links_are_created_in_dependency_order(shop):
    engine, admin, _emma = shop
    data = files(customer=[
        {"$key": "c", "name": "Cy", "referrer": {"$ref": "b"}},
        {"$key": "b", "name": "Bo", "referrer": {"$ref": "a"}},
        {"$key": "a", "name": "Al"},
    ])
    install_sample_data(engine, "shop", data, admin)
    rows = {r["name"]: r for r in read(engine, "customer")}
    assert [rows[n]["code"] for n in ("Al", "Bo", "Cy")] == ["C-001", "C-002", "C-003"]
    assert rows["Cy"]["referrer"] == rows["Bo"]["id"]


def test_unknown_email_falls_back_to_the_installing_user(shop):
    engine, admin, _emma = shop
    install_sample_data(engine, "shop", files(customer=[{"name": "A", "owner": "nobody@example.com"}]), admin)
    assert read(engine, "customer")[0]["owner"] == admin


def test_csv_for_flat_entities(shop):
    engine, admin, _emma = shop
    data = files(customer=[{"$key": "ann", "name": "Ann"}],
                 purchase="$key,title,customer,total\no1,Boots,ann,99.90\no2,Hat,,\n")
    assert install_sample_data(engine, "shop", data, admin).created == {"customer": 1, "purchase": 2}
    boots, hat = read(engine, "purchase")
    assert boots["customer"] == read(engine, "customer")[0]["id"] and hat["customer"] is None


def test_second_install_skips_and_says_why(shop):
    engine, admin, _emma = shop
    data = files(customer=[{"name": "Ann"}])
    install_sample_data(engine, "shop", data, admin)
    again = install_sample_data(engine, "shop", data, admin)
    assert again.skipped == "customer already has records" and again.created == {}
    assert "skipped" in again.describe()
    assert count(engine, "customer") == 1


def test_every_problem_is_listed_by_file_and_pointer_and_nothing_is_written(shop):
    engine, admin, _emma = shop
    data = files(
        customer=[
            {"$key": "a", "name": "A", "colour": "red"},
            {"$key": "a", "name": "B", "referrer": {"$ref": "zz"}},
            {"name": "C", "code": "C-9", "tier": "gold", "visits": [{"note": "x", "mood": "ok"}]},
            {"name": "D", "referrer": 3, "owner": 7, "$id": 1},
            {"tier": "basic", "since": "$today-x"},
        ],
        purchase=[{"title": "o", "customer": {"$ref": "a"}}],
        visit=[{"visited_on": "2026-01-01"}],
        ghost=[{"name": "x"}],
    )
    with pytest.raises(MetadataInvalid) as excinfo:
        install_sample_data(engine, "shop", data, admin)
    found = problems_of(excinfo)
    assert "sample data of shop has" in excinfo.value.message
    expected = [
        "data/customer.json: /0/colour: unknown field of customer",
        "data/customer.json: /1/$key: duplicate $key 'a' (also at /0)",
        'data/customer.json: /1/referrer: no customer with "$key": "zz"',
        "data/customer.json: /2/code: autonumber fields are computed and cannot be set",
        "data/customer.json: /2/tier:",
        "data/customer.json: /2/visits/0/mood: unknown field of visit",
        "data/customer.json: /2/visits/0/visited_on: required",
        'data/customer.json: /3/referrer: a link takes {"$ref"',
        'data/customer.json: /3/owner: a user is "$me" or an email',
        "data/customer.json: /3/$id: unknown special key",
        "data/customer.json: /4/name: required",
        'data/customer.json: /4/since: a relative date looks like "$today"',
        "data/ghost.json: no entity 'ghost' in app shop",
        "data/visit.json: visit rows belong inline under customer's 'visits' field",
    ]
    for line in expected:
        assert any(p.startswith(line) for p in found), (line, found)
    assert count(engine, "customer") == 0


def test_bad_json_and_duplicate_unique_values(shop):
    engine, admin, _emma = shop
    data = {"data/purchase.json": b'{"title": "not a list"}',
            **files(customer=[{"name": "A", "email": "a@x.com"}, {"name": "B", "email": "a@x.com"}])}
    with pytest.raises(MetadataInvalid) as excinfo:
        install_sample_data(engine, "shop", data, admin)
    found = problems_of(excinfo)
    assert "data/purchase.json: must be a JSON list of records" in found
    assert "data/customer.json: /1/email: same value as /0; the field is unique" in found


def test_csv_problems_name_the_line(shop):
    engine, admin, _emma = shop
    data = files(purchase="title,customer,total\nBoots,nope,1\n,,\n\nHat,,1,extra\n\"open quote,,\n")
    with pytest.raises(MetadataInvalid) as excinfo:
        install_sample_data(engine, "shop", data, admin)
    assert problems_of(excinfo) == [
        'data/purchase.csv: line 2: column customer: no customer with "$key": "nope"',
        "data/purchase.csv: line 3: column title: required",
        "data/purchase.csv: line 5: 4 cells for 3 columns",
        "data/purchase.csv: line 6: is not readable CSV (unexpected end of data)",
    ]


def test_cycles_are_refused(shop):
    engine, admin, _emma = shop
    data = files(customer=[{"$key": "a", "name": "A", "referrer": {"$ref": "b"}},
                           {"$key": "b", "name": "B", "referrer": {"$ref": "a"}},
                           {"$key": "c", "name": "C", "referrer": {"$ref": "c"}}])
    with pytest.raises(MetadataInvalid) as excinfo:
        install_sample_data(engine, "shop", data, admin)
    assert [p.split(": ")[1] for p in problems_of(excinfo)] == ["/0", "/1", "/2"]
    assert all("cycle" in p for p in problems_of(excinfo))


def test_a_record_the_service_refuses_rolls_back_everything(shop):
    engine, admin, _emma = shop
    data = files(customer=[{"$key": "ok", "name": "Fine"},
                           {"$key": "vip", "name": "V", "tier": "vip"},
                           {"name": "Referred by V", "referrer": {"$ref": "vip"}}],
                 purchase=[{"title": "o", "customer": {"$ref": "ok"}}])
    with pytest.raises(MetadataInvalid) as excinfo:
        install_sample_data(engine, "shop", data, admin)
    assert problems_of(excinfo) == ["data/customer.json: /1: A VIP needs an email"]
    assert "nothing was loaded" in excinfo.value.message
    assert count(engine, "customer") == 0 and count(engine, "purchase") == 0
