"""The form layout designer's pages and its conditions route, through the test client."""

import json
import re
from html import unescape

import pytest

from builder.designer.editors.forms import default_layout
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

DEAL = make_entity("deal", [
    make_field("name", required=True),
    make_field("stage", "select", options=[{"value": "open"}, {"value": "won"}]),
    make_field("amount", "currency"),
    make_field("secret", hidden=True),
    make_field("lines", "table", target="deal_line", label={"en": "Lines"}),
], title_field="name")
LINE = make_entity("deal_line", [make_field("item")])




@pytest.fixture
def sales(engine):
    from builder.publish import publish

    publish(engine, make_app("sales", DEAL, LINE))


def state_of(page: str) -> dict:
    return json.loads(unescape(re.search(r'data-state="([^"]*)"', page).group(1)))


def test_default_layout_is_what_the_runtime_generates():
    from runtime.metadata.model import build_app
    from runtime.web.screens.layout import entity_layout

    app = build_app(make_app("sales", DEAL, LINE))
    generated = [(b.kind, b.label, b.columns, [s.field.name for s in b.slots])
                 for b in entity_layout(app, app.entity("deal"))]
    ours = [("tab" if "tab" in b else "section", b.get("tab", b.get("section")), b.get("columns", 1), b["fields"])
            for b in default_layout(DEAL)]
    assert ours == generated == [("section", {"en": "Deal"}, 2, ["name", "stage", "amount"]),
                                 ("tab", {"en": "Lines"}, 1, ["lines"])]


def test_entity_without_a_form_opens_on_the_default_layout(admin, sales):
    page = admin.get("/builder/sales/forms/deal")
    assert page.status_code == 200
    state = state_of(page.get_data(as_text=True))
    assert state["path"] == "forms/deal.json" and state["revision"] is None
    assert state["document"] == {"entity": "deal", "layout": default_layout(DEAL)}
    assert [f["name"] for f in state["fields"] if f["hidden"]] == ["secret"]
    assert "generated layout, not saved yet" in page.get_data(as_text=True)


def test_saved_form_is_listed_and_opened_with_its_revision(admin, sales):
    form = {"entity": "deal", "layout": [{"section": "Main", "fields": ["name"]}]}
    saved = admin.put("/builder/api/sales/documents/forms/deal.json", json={"document": form, "revision": None})
    assert saved.status_code == 200 and saved.get_json()["problems"] == []
    page = admin.get("/builder/sales/forms/deal").get_data(as_text=True)
    state = state_of(page)
    assert state["revision"] == 1 and state["document"] == form
    assert 'href="/builder/sales/forms/deal"' in page  # the sidebar lists the form document


def test_form_problems_of_this_file_come_with_the_page(admin, sales):
    form = {"entity": "deal", "layout": [{"section": "Main", "fields": [{"field": "name", "visible_when": "stage +"}]}]}
    admin.put("/builder/api/sales/documents/forms/deal.json", json={"document": form, "revision": None})
    problems = state_of(admin.get("/builder/sales/forms/deal").get_data(as_text=True))["problems"]
    assert problems and all(p["file"] == "forms/deal.json" for p in problems)
    assert problems[0]["pointer"].startswith("/layout/0/fields/0")


def test_list_page_offers_every_entity(admin, sales):
    page = admin.get("/builder/sales/forms/").get_data(as_text=True)
    assert 'href="/builder/sales/forms/deal"' in page and 'href="/builder/sales/forms/deal_line"' in page
    assert "Design form" in page
    # The sidebar's "+" of Forms leads here.
    assert 'href="/builder/sales/forms/"' in admin.get("/builder/sales").get_data(as_text=True)


def test_unknown_entity_is_404(admin, sales):
    assert admin.get("/builder/sales/forms/nothing").status_code == 404


def test_conditions_route_gives_browser_trees(admin, sales):
    body = {"entity": "deal", "expressions": ["stage == 'won'", "stage +", "secret == 'x'"]}
    trees = admin.post("/builder/sales/forms/deal/conditions", json=body).get_json()["trees"]
    assert trees["stage == 'won'"]["op"] == "==" and trees["stage == 'won'"]["t"] == "BOOLEAN"
    assert trees["stage +"] is None  # does not parse: the real form leaves it to the server too
    assert trees["secret == 'x'"] is None  # a hidden field has no input on the form


def test_only_admins_get_in(app, member, sales):
    assert app.test_client().get("/builder/sales/forms/deal").status_code in (302, 401)
    assert member.get("/builder/sales/forms/").status_code == 403
    assert member.get("/builder/sales/forms/deal").status_code == 403
    assert member.post("/builder/sales/forms/deal/conditions", json={"expressions": []}).status_code == 403
