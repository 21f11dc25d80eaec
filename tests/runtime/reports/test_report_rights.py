"""A report shows each reader only what their lists show: row rules in SQL, hidden fields refused."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import insert

from builder.publish import publish
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.records.registry import SchemaRegistry
from runtime.reports import find_report
from runtime.reports import report_readable
from runtime.reports import run_report
from runtime.security.guarded import records_for
from runtime.security.sensitive import field_key
from runtime.security.sensitive import install_key
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from tests.runtime.reports.report_app import PASSWORD
from tests.runtime.reports.report_app import shop_source


def run(engine, who: int, name: str):
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        return run_report(conn, records_for(conn, registry, who), find_report(registry, "shop", name),
                          language="en", user_id=who)


def readable(engine, who: int, name: str) -> bool:
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        return report_readable(records_for(conn, registry, who), find_report(registry, "shop", name))


@pytest.mark.parametrize("who", ["rep_a", "rep_b"])
def test_a_rep_who_reads_only_own_deals_sees_only_their_totals(engine, shop, who):
    me = shop["users"][who]
    mine = [d for d in shop["deals"] if d["owner"] == me]
    [row] = run(engine, me, "total").data
    assert row["count"] == len(mine) and row["sum_amount"] == sum(d["amount"] for d in mine)
    by_stage = {r["stage"]: r["count"] for r in run(engine, me, "by_stage").data}
    assert by_stage == dict(Counter(d["stage"] for d in mine))


def test_the_boss_sees_every_live_deal(engine, shop):
    [row] = run(engine, shop["users"]["boss"], "total").data
    assert row["count"] == len(shop["deals"])


def test_a_report_on_a_field_hidden_from_the_reader_is_refused(engine, shop):
    rep = shop["users"]["rep_a"]
    with pytest.raises(AccessDenied, match="'cost', a field hidden from you"):
        run(engine, rep, "cost_by_stage")
    assert not readable(engine, rep, "cost_by_stage")
    assert readable(engine, rep, "by_stage")
    assert run(engine, shop["users"]["boss"], "cost_by_stage").data


def test_a_reader_without_the_entity_gets_not_found(engine, shop):
    nobody = shop["users"]["nobody"]
    with pytest.raises(NotFound, match="no report shop.total"):
        run(engine, nobody, "total")
    assert not readable(engine, nobody, "total")


def test_an_unknown_report_is_not_found(engine, shop):
    with engine.connect() as conn, pytest.raises(NotFound):
        find_report(SchemaRegistry.from_connection(conn), "shop", "nope")


def test_a_link_whose_title_is_sensitive_shows_its_title_to_admins_only(engine, settings):
    """Report groups follow the lists' title rule (``GuardedRecords.title_scope``): before, a
    report showed a sensitive account name that every list masks."""
    source = shop_source()
    for field in source["entities/account.json"]["fields"]:
        if field["name"] == "name":
            field["sensitive"] = True
    publish(engine, source)
    install_key(engine, field_key(None, settings.secret_key))  # as the app's engine has
    with engine.begin() as conn:
        admin = create_user(conn, "admin@example.com", PASSWORD, is_admin=True)
        boss = create_user(conn, "boss@example.com", PASSWORD)
        conn.execute(insert(user_roles).values(user_id=boss, role="shop.boss"))
        service = records_for(conn, SchemaRegistry.from_connection(conn), admin)
        account = service.create(conn, "shop", "account", {"name": "Acme Secret"}, admin)
        service.create(conn, "shop", "deal", {"title": "D", "account": account["id"]}, admin)
    assert run(engine, admin, "by_account").chart["categories"] == ["Acme Secret"]
    assert run(engine, boss, "by_account").chart["categories"] == [f"#{account['id']}"]
