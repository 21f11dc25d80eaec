"""``/d/<app>/<dashboard>`` and the launcher: widgets as the reader may see them, every label escaped."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.reports import readable_dashboards
from runtime.security.guarded import records_for
from runtime.security.users import create_user
from runtime.storage.system import users
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f
from tests.runtime.reports.report_app import PASSWORD
from tests.runtime.web.payload_app import escaped
from tests.runtime.web.payload_app import payload
from tests.runtime.web.test_payload_escaping import assert_safe
from tests.runtime.web.test_payload_escaping import strings


def sign_in(client, who: str):
    response = client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_the_dashboard_shows_each_widget_kind(app, shop):
    html = html_of(sign_in(app.test_client(), "admin"), "/d/shop/overview")
    widgets = re.findall(r'data-report="([a-z_]+)" data-chart-type="([a-z]+)"', html)
    assert widgets == [("total", "number"), ("by_stage", "bar"), ("cost_by_stage", "pie")]
    assert f'<div class="report-figure fw-semibold">{len(shop["deals"])}</div>' in html
    assert html.count('data-testid="chart"') == 2
    assert "js/dashboard.js" in html and "vendor/echarts/echarts.min.js" in html
    audit = assert_safe(html)
    assert [spec["type"] for spec in audit.islands] == ["bar", "pie"]


def test_a_widget_the_reader_may_not_run_is_left_out_and_said_so(app, shop):
    html = html_of(sign_in(app.test_client(), "rep_a"), "/d/shop/overview")
    assert re.findall(r'data-report="([a-z_]+)"', html) == ["total", "by_stage"]
    assert 'data-testid="left-out"' in html
    mine = sum(1 for d in shop["deals"] if d["owner"] == shop["users"]["rep_a"])
    assert f'<div class="report-figure fw-semibold">{mine}</div>' in html


@pytest.mark.parametrize(("who", "url"), [("nobody", "/d/shop/overview"), ("admin", "/d/shop/nope"),
                                          ("admin", "/d/nope/overview")])
def test_unknown_or_closed_dashboards_are_404(app, shop, who, url):
    html_of(sign_in(app.test_client(), who), url, 404)


def test_the_dashboard_needs_sign_in(client, shop):
    assert client.get("/d/shop/overview").status_code == 302


@pytest.mark.parametrize(("who", "shown"), [("admin", True), ("boss", True), ("rep_a", True), ("nobody", False)])
def test_the_launcher_lists_dashboards_only_for_readers(app, shop, who, shown):
    html = html_of(sign_in(app.test_client(), who), "/")
    assert ('href="/d/shop/overview"' in html) is shown


def test_the_launcher_hides_a_dashboard_whose_every_report_is_closed(app, engine, shop):
    with engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        assert [d.name for d in readable_dashboards(records_for(conn, registry, shop["users"]["rep_a"]), "shop")] == [
            "overview"]
    only_cost = {"name": "costs", "label": "Costs", "widgets": [{"report": "cost_by_stage"}]}
    app_source = dict(registry.app("shop").source)
    app_source["dashboards/costs.json"] = only_cost
    app_source["app.json"] = {**app_source["app.json"], "version": "1.0.1"}
    publish(engine, app_source)
    rep = html_of(sign_in(app.test_client(), "rep_a"), "/")
    boss = html_of(sign_in(app.test_client(), "boss"), "/")
    assert 'href="/d/shop/costs"' not in rep and 'href="/d/shop/costs"' in boss


def test_zh_readers_get_chinese_labels(app, engine, shop):
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == shop["users"]["admin"]).values(language="zh"))
    html = html_of(sign_in(app.test_client(), "admin"), "/d/shop/overview")
    assert "概览" in html and "按阶段" in html and "数量" in html


# -- hostile labels and values ----------------------------------------------------------------------

HOSTILE = "xss"


@pytest.fixture
def hostile(app, engine):
    thing = make_entity("thing", [
        f("name", label={"en": payload("name label")}),
        f("kind", "select", label={"en": payload("kind label")},
          options=[{"value": "a", "label": {"en": payload("option a")}}, {"value": "b"}]),
        f("size", "integer")], title_field="name")
    source = make_app(HOSTILE, thing, label={"en": payload("app label")})
    reports = {
        "by_name": {"chart": {"type": "bar"}, "group_by": [{"field": "name"}]},
        "by_kind": {"chart": {"type": "pie"}, "group_by": [{"field": "kind", "label": {"en": payload("group")}}]},
        "grid_table": {"chart": {"type": "table"}, "group_by": [{"field": "name"}, {"field": "kind"}]},
        "name_by_kind": {"chart": {"type": "pivot"}, "group_by": [{"field": "name"}, {"field": "kind"}]},
        "figure": {"chart": {"type": "number"}, "label": {"en": payload("figure label")}},
        "none_match": {"chart": {"type": "bar"}, "group_by": [{"field": "kind"}], "where": "size > 1000"},
    }
    for name, doc in reports.items():
        source[f"reports/{name}.json"] = {"name": name, "entity": "thing", "measures": [
            {"fn": "count", "label": {"en": payload("measure")}}, {"fn": "sum", "field": "size"}], **doc}
    source["dashboards/board.json"] = {"name": "board", "label": {"en": payload("board label")}, "widgets": [
        {"report": name, "width": 6, **({"title": {"en": payload("title")}} if name == "by_name" else {})}
        for name in reports]}
    publish(engine, source)
    with engine.begin() as conn:
        admin = create_user(conn, "admin@example.com", PASSWORD, display_name="Admin", is_admin=True)
        service = records_for(conn, SchemaRegistry.from_connection(conn), admin)
        for i, kind in enumerate(["a", "b", "a", None]):
            service.create(conn, HOSTILE, "thing", {"name": payload(f"value {i % 2}"), "kind": kind, "size": i},
                           admin)
    return sign_in(app.test_client(), "admin")


def test_script_payloads_in_labels_and_values_come_out_escaped(hostile):
    html = html_of(hostile, f"/d/{HOSTILE}/board")
    audit = assert_safe(html)
    for text in (payload("board label"), payload("title"), payload("figure label"), payload("value 0"),
                 payload("option a"), payload("group"), payload("measure")):
        assert escaped(text) in html, text
    in_islands = set().union(*(set(strings(island)) for island in audit.islands))
    assert payload("value 1") in in_islands and payload("option a") in in_islands
    assert html.count('data-testid="widget-empty"') == 1
    launcher = html_of(hostile, "/")
    assert_safe(launcher)
    assert escaped(payload("board label")) in launcher


def test_a_widget_title_opens_its_report_page(app, shop):
    client = sign_in(app.test_client(), "admin")
    assert 'href="/d/shop/reports/by_stage"' in html_of(client, "/d/shop/overview")
    html = html_of(client, "/d/shop/reports/by_stage")
    audit = assert_safe(html)
    assert [spec["type"] for spec in audit.islands] == ["bar"]
    assert '<details class="report-data small mt-2" open>' in html
    assert 'href="/api/v1/reports/shop/by_stage"' in html


@pytest.mark.parametrize(("who", "url", "status"), [
    ("nobody", "/d/shop/reports/total", 404), ("admin", "/d/shop/reports/nope", 404),
    ("rep_a", "/d/shop/reports/cost_by_stage", 403), ("rep_a", "/d/shop/reports/total", 200)])
def test_the_report_page_follows_the_readers_rights(app, shop, who, url, status):
    html_of(sign_in(app.test_client(), who), url, status)


@pytest.mark.parametrize("name", ["grid_table", "name_by_kind", "by_kind"])
def test_each_report_page_escapes_its_payloads(hostile, name):
    html = html_of(hostile, f"/d/{HOSTILE}/reports/{name}")
    assert_safe(html)
    assert escaped(payload("measure")) in html
