"""A small shop app with reports, two roles and seeded deals, for the report tests.

The deals are generated from a fixed seed and returned as plain dicts, so
each test computes the expected totals itself, independently of SQL.
"""

from __future__ import annotations

import random
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy import update

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from runtime.storage.system import users
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

PASSWORD = "Report-test-pass-1"
STAGES = ["lead", "won", "lost"]
INDUSTRIES = ["retail", "software"]

REP = {"name": "rep", "entities": {
    "deal": {"read": "owner == $me", "create": True, "update": "owner == $me", "fields": {"cost": "hidden"}},
    "account": {"read": True}}}
BOSS = {"name": "boss", "entities": {"deal": {"read": True}, "account": {"read": True}}}


def report(name: str, group_by=(), measures=({"fn": "count"},), chart="table", **extra) -> dict:
    return {"name": name, "entity": "deal", "group_by": list(group_by), "measures": list(measures),
            "chart": {"type": chart}, **extra}


REPORTS = [
    report("by_stage", [{"field": "stage"}], [{"fn": "count"}, {"fn": "sum", "field": "amount"},
                                               {"fn": "avg", "field": "amount"}, {"fn": "sum", "field": "qty"},
                                               {"fn": "avg", "field": "qty"}], chart="bar",
           label={"en": "Deals by stage", "zh": "按阶段"}),
    report("total", [], [{"fn": "count"}, {"fn": "sum", "field": "amount"}, {"fn": "min", "field": "closed_on"},
                         {"fn": "max", "field": "qty"}], chart="number"),
    report("won_by_month", [{"field": "closed_on", "bucket": "month"}], [{"fn": "sum", "field": "amount"}],
           chart="line", where="stage == 'won'"),
    report("cost_by_stage", [{"field": "stage"}], [{"fn": "sum", "field": "cost"}], chart="pie"),
    report("by_account", [{"field": "account"}], [{"fn": "count"}], chart="bar",
           order=[{"by": "count", "desc": True}]),
    report("by_industry", [{"field": "account_industry"}], [{"fn": "count"}], chart="pie"),
    report("stage_by_industry", [{"field": "stage"}, {"field": "account_industry"}], [{"fn": "count"}],
           chart="pivot"),
    report("by_owner", [{"field": "owner"}], [{"fn": "count"}], chart="bar"),
    report("visits_by_week", [{"field": "visited_on", "bucket": "week"}], [{"fn": "count"}], chart="bar",
           entity="visit"),
]


def shop_source() -> dict:
    visit = make_entity("visit", [f("visited_on", "date"), f("note")])
    account = make_entity("account", [
        f("name", required=True),
        f("industry", "select", options=[{"value": "retail", "label": {"en": "Retail", "zh": "零售"}},
                                         {"value": "software", "label": {"en": "Software", "zh": "软件"}}]),
        f("visits", "table", target="visit")], title_field="name")
    deal = make_entity("deal", [
        f("title", required=True),
        f("stage", "select", options=[{"value": "lead", "label": {"en": "Lead", "zh": "线索"}},
                                      {"value": "won", "label": {"en": "Won", "zh": "赢单"}},
                                      {"value": "lost", "label": {"en": "Lost", "zh": "输单"}}]),
        f("amount", "currency", precision=2), f("cost", "currency", precision=2), f("qty", "integer"),
        f("closed_on", "date"), f("closed_at", "datetime"), f("notes", "textarea"),
        f("account", "link", target="account", on_delete="restrict"),
        f("account_industry", "lookup", source="account", field="industry")], title_field="title")
    source = make_app("shop", account, visit, deal)
    for role in (REP, BOSS):
        source[f"roles/{role['name']}.json"] = role
    for doc in REPORTS:
        source[f"reports/{doc['name']}.json"] = doc
    source["dashboards/overview.json"] = {"name": "overview", "label": {"en": "Overview", "zh": "概览"},
                                          "widgets": [{"report": "total", "width": 4},
                                                      {"report": "by_stage", "width": 8},
                                                      {"report": "cost_by_stage", "width": 6}]}
    return source


def install(engine) -> dict:
    """Publish the shop; create admin, two reps and a boss; seed accounts, visits and deals."""
    publish(engine, shop_source())
    ids = {}
    with engine.begin() as conn:
        for name, role in (("admin", None), ("rep_a", "rep"), ("rep_b", "rep"), ("boss", "boss"),
                           ("nobody", None)):
            ids[name] = create_user(conn, f"{name}@example.com", PASSWORD, display_name=name.title(),
                                    is_admin=name == "admin")
            if role:
                conn.execute(insert(user_roles).values(user_id=ids[name], role=f"shop.{role}"))
        conn.execute(update(users).where(users.c.id == ids["rep_a"]).values(department="East"))
        return {"users": ids, **_seed(conn, ids)}


def _seed(conn, ids: dict) -> dict:
    rng = random.Random(7)
    service = records_for(conn, SchemaRegistry.from_connection(conn), ids["admin"])
    accounts, visits = [], []
    for i, industry in enumerate(["retail", "software", "retail", None]):
        on_days = [date(2026, 1, 1) + timedelta(days=rng.randrange(0, 120)) for _ in range(3)]
        record = service.create(conn, "shop", "account", {
            "name": f"Account {i}", "industry": industry,
            "visits": [{"visited_on": d.isoformat(), "note": "v"} for d in on_days]}, ids["admin"])
        accounts.append({"id": record["id"], "industry": industry, "name": f"Account {i}"})
        visits += on_days
    deals = []
    for i in range(40):
        account = rng.choice(accounts + [None])
        closed = date(2025, 11, 1) + timedelta(days=rng.randrange(0, 200))
        deal = {"title": f"Deal {i}", "stage": rng.choice(STAGES + [None]),
                "amount": Decimal(rng.randrange(0, 1_000_000)) / 100, "cost": Decimal(rng.randrange(0, 5000)),
                "qty": rng.choice([None, *range(20)]), "closed_on": closed,
                "closed_at": datetime(closed.year, closed.month, closed.day, rng.randrange(0, 24), 30),
                "account": account["id"] if account else None,
                "owner": ids[rng.choice(["rep_a", "rep_b", "boss"])]}
        created = service.create(conn, "shop", "deal", {
            **deal, "amount": str(deal["amount"]), "cost": str(deal["cost"]), "closed_on": closed.isoformat(),
            "closed_at": deal["closed_at"].isoformat()}, ids["admin"])
        deals.append({**deal, "id": created["id"],
                      "account_industry": account["industry"] if account else None})
    gone = deals.pop()  # deleted: in the recycle bin, never counted
    service.delete(conn, "shop", "deal", gone["id"], ids["admin"])
    return {"accounts": accounts, "deals": deals, "visits": visits}
