"""The entity designer in a real Chromium: build an entity from nothing (palette, choices, link,
formula with a marked error, a preview and completions), reorder by drag, save; a save conflict
with both versions side by side; and a type change that would lose data, shown at its field."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import text

from builder.publish import publish
from tests.e2e.designer_steps import add_field
from tests.e2e.designer_steps import add_select
from tests.e2e.designer_steps import create_entity
from tests.e2e.designer_steps import save_entity
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def sales(live_server):
    """A published app with an account entity to link to."""
    publish(live_server.engine, make_app("sales", make_entity("account", [make_field("name"), make_field("city")],
                                                              title_field="name")))
    return live_server


def open_designer(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-designer-ready", "1")


def names(page) -> list[str]:
    return page.locator("[data-testid=field-row]").evaluate_all("rows => rows.map(r => r.dataset.name)")


def draft_document(page, path: str) -> tuple[dict, int]:
    body = page.request.get("/builder/api/sales/draft").json()
    return body["documents"][path], body["revisions"][path]


def test_build_an_entity_from_nothing(desktop_page, sales):
    page = desktop_page
    login(page, sales)
    page.goto("/builder/sales/entities/new")
    page.fill("#entity-name", "Deal")
    page.click("[data-testid=create-entity]")
    expect(page.get_by_test_id("new-entity-error")).to_contain_text("must be lowercase")
    expect_console_error(page, "status of 422")  # the refusal itself
    create_entity(page, "deal", "Deal")
    assert names(page) == ["name"]

    add_field(page, "text", "code", "Code")
    page.fill("[data-testid=prop-name]", "name")
    expect(page.get_by_test_id("name-error")).to_have_text("Another field already has this name.")
    page.fill("[data-testid=prop-name]", "code")
    expect(page.get_by_test_id("name-error")).to_be_hidden()

    add_select(page, "stage", "Stage", [("new", "New"), ("won", "Won")])

    add_field(page, "currency", "amount", "Amount")
    add_field(page, "date", "close_date", "Close date")
    add_field(page, "link", "account", "Account")
    page.select_option("[data-testid=prop-target]", "account")
    page.select_option("[data-testid=prop-on_delete]", "set_null")

    add_field(page, "formula", "weighted", "Weighted")
    formula = page.get_by_test_id("formula-input")
    formula.fill("amount * ")
    expect(page.get_by_test_id("formula-status")).to_contain_text("Line 1, column 10")
    expect(page.get_by_test_id("formula-error-mark")).to_be_visible()
    formula.fill("amount * probability")
    expect(page.get_by_test_id("formula-status")).to_contain_text("unknown field 'probability'")
    expect(page.get_by_test_id("formula-error-mark")).to_have_text("probability")
    screenshot(page, "entity-designer-formula-error")

    formula.fill("")
    formula.press_sequentially("amo")
    expect(page.get_by_test_id("formula-completions")).to_contain_text("amount")
    formula.press("Enter")
    formula.press_sequentially(" * 2")
    expect(formula).to_have_value("amount * 2")
    expect(page.get_by_test_id("formula-status")).to_contain_text("Valid")
    page.fill("[data-testid=sample-amount]", "21.25")
    expect(page.get_by_test_id("formula-result")).to_have_text("42.50")
    expect(page.get_by_test_id("formula-error-mark")).to_have_count(0)
    screenshot(page, "entity-designer-formula")

    assert names(page) == ["name", "code", "stage", "amount", "close_date", "account", "weighted"]
    amount = page.locator("[data-testid=field-row][data-name=amount]")
    amount.drag_to(page.locator("[data-testid=field-row][data-name=code]"), target_position={"x": 40, "y": 4})
    assert names(page) == ["name", "amount", "code", "stage", "close_date", "account", "weighted"]
    page.locator("[data-testid=field-row][data-name=weighted] [data-action=up]").click()
    assert names(page)[-2:] == ["weighted", "account"]
    page.locator("[data-testid=field-row][data-name=code] [data-select]").press("Alt+ArrowDown")  # keyboard move
    assert names(page)[2:4] == ["stage", "code"]
    expect(page.locator("[data-testid=field-row][data-name=code] [data-select]")).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")

    expect(page.get_by_test_id("unsaved")).to_be_visible()
    save_entity(page)
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "entity-designer")

    doc, revision = draft_document(page, "entities/deal.json")
    assert revision == 2 and doc["label"] == {"en": "Deal"} and doc["title_field"] == "name"
    fields = {f["name"]: f for f in doc["fields"]}
    assert [f["name"] for f in doc["fields"]] == ["name", "amount", "code", "stage", "close_date", "weighted", "account"]
    assert fields["stage"]["options"][0]["value"] == "new" and fields["stage"]["options"][1]["label"] == {"en": "Won"}
    assert fields["amount"] == {"name": "amount", "type": "currency", "label": {"en": "Amount"}}
    assert fields["account"] == {"name": "account", "type": "link", "label": {"en": "Account"}, "target": "account",
                                 "on_delete": "set_null"}
    assert fields["weighted"]["expression"] == "amount * 2" and fields["weighted"]["result"] == "decimal"
    problems = page.request.get("/builder/api/sales/draft").json()["problems"]
    assert not [p for p in problems if p["file"] == "entities/deal.json"]


def test_a_conflicting_save_shows_both_versions(desktop_page, sales):
    page = desktop_page
    login(page, sales)
    open_designer(page, "/builder/sales/entities/account")
    # Another admin saves the same document at the revision this page loaded.
    theirs = {"name": "account", "label": {"en": "Client"}, "title_field": "name",
              "fields": [{"name": "name", "type": "text"}, {"name": "city", "type": "text"}, {"name": "sku", "type": "text"}]}
    status = page.evaluate("""async (doc) => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/builder/api/sales/documents/entities/account.json', {method: 'PUT',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify({document: doc, revision: 1})});
        return r.status; }""", theirs)
    assert status == 200

    add_field(page, "email", "email", "Email")
    page.click("[data-testid=save-entity]")
    dialog = page.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("conflict-theirs")).to_contain_text("Client")
    expect(page.get_by_test_id("conflict-theirs")).to_contain_text("sku")
    expect(page.get_by_test_id("conflict-yours")).to_contain_text("Email")
    screenshot(page, "entity-designer-conflict")

    page.click("[data-testid=take-theirs]")
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-testid=field-row][data-name=sku]")).to_be_visible()
    assert names(page) == ["name", "city", "sku"]

    page.evaluate("""async () => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        const doc = {name: 'account', fields: [{name: 'name', type: 'text'}]};
        await fetch('/builder/api/sales/documents/entities/account.json', {method: 'PUT',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify({document: doc, revision: 2})}); }""")
    add_field(page, "phone", "phone_no", "Phone")
    page.click("[data-testid=save-entity]")
    expect(dialog).to_be_visible()
    page.click("[data-testid=keep-mine]")
    expect(page.locator("[data-status]")).to_have_text("Saved")
    doc, revision = draft_document(page, "entities/account.json")
    assert revision == 4 and [f["name"] for f in doc["fields"]] == ["name", "city", "sku", "phone_no"]
    expect_console_error(page, "status of 409")  # each refused save


def test_child_table_rollup_rules_and_server_problems(desktop_page, sales):
    page = desktop_page
    login(page, sales)
    page.on("dialog", lambda dialog: dialog.accept())
    open_designer(page, "/builder/sales/entities/account")

    add_field(page, "table", "contacts", "Contacts")
    page.fill("[data-testid=child-name]", "account_contact")
    page.click("[data-testid=create-child]")
    expect(page.get_by_test_id("prop-target")).to_have_value("account_contact")
    expect(page.get_by_role("link", name="Open the child entity")).to_be_visible()
    add_field(page, "rollup", "contact_count", "Contacts (count)")
    page.select_option("[data-testid=prop-source]", "contacts")
    page.select_option("[data-testid=prop-function]", "count")
    page.get_by_test_id("palette-email").drag_to(page.locator("[data-testid=field-row][data-name=city]"),
                                                 target_position={"x": 40, "y": 4})
    assert names(page) == ["name", "field_5", "city", "contacts", "contact_count"]
    page.locator("[data-testid=field-row][data-name=field_5] [data-action=delete]").click()  # confirm() is accepted
    assert names(page) == ["name", "city", "contacts", "contact_count"]

    add_field(page, "text", "select", "Category")  # fine for the pattern, but a reserved word
    expect(page.get_by_test_id("name-error")).to_be_hidden()
    page.click("[data-testid=save-entity]")
    expect(page.get_by_test_id("entity-problems")).to_contain_text("'select' is a reserved word in SQL")
    expect(page.locator("[data-testid=field-row][data-name=select] [data-testid=field-problem]")).to_be_visible()
    expect(page.get_by_test_id("prop-problem")).to_contain_text("reserved word")
    screenshot(page, "entity-designer-problems")

    page.click("[data-testid=entity-settings]")
    page.click("[data-testid=add-rule]")
    rule = page.get_by_test_id("rule-0-input")
    rule.fill("city ==")
    expect(page.get_by_test_id("rule-0-status")).to_contain_text("Line 1, column")
    rule.fill("city == 'Atlantis'")
    expect(page.get_by_test_id("rule-0-status")).to_contain_text("Valid")
    page.fill("[data-testid=rule-0-message-en]", "We do not serve Atlantis")
    page.locator("[data-testid=field-row][data-name=select] [data-select]").click()
    page.fill("[data-testid=prop-name]", "category")
    page.click("[data-testid=save-entity]")
    expect(page.locator("[data-status]")).to_have_text("Saved")
    expect(page.get_by_test_id("entity-problems")).to_be_hidden()

    doc, _ = draft_document(page, "entities/account.json")
    child, revision = draft_document(page, "entities/account_contact.json")
    fields = {f["name"]: f for f in doc["fields"]}
    assert fields["contacts"]["target"] == "account_contact" and revision == 1 and child["fields"][0]["name"] == "name"
    assert fields["contact_count"] == {"name": "contact_count", "type": "rollup", "label": {"en": "Contacts (count)"},
                                       "source": "contacts", "function": "count"}
    assert "category" in fields and doc["rules"] == [{"when": "city == 'Atlantis'", "message": {"en": "We do not serve Atlantis"}}]


def test_a_lossy_type_change_shows_at_the_field_until_a_conversion_is_given(desktop_page, sales):
    with sales.engine.begin() as conn:
        for name, city in (("Acme", "Paris"), ("Bolt", "75")):
            conn.execute(text("INSERT INTO sales__account (version, created_at, updated_at, name, city)"
                              " VALUES (1, :now, :now, :name, :city)"),
                         {"now": datetime.now(UTC), "name": name, "city": city})
    page = desktop_page
    login(page, sales)
    open_designer(page, "/builder/sales/entities/account")
    row = page.locator("[data-testid=field-row][data-name=city]")
    row.locator("[data-select]").click()
    expect(page.get_by_test_id("prop-convert")).to_have_count(0)
    page.select_option("[data-testid=prop-type]", "integer")
    expect(row).to_contain_text("Whole number")
    page.click("[data-testid=save-entity]")
    expect(page.locator("[data-status]")).to_have_text("Saved, with problems to fix")
    expect(row.get_by_test_id("field-problem")).to_be_visible()
    expect(page.locator("[data-prop=convert] [data-testid=prop-problem]")).to_contain_text(
        "1 of 2 row(s) have city values that are not valid integer")
    screenshot(page, "entity-designer-lossy-type-change")
    page.goto("/builder/sales/publish")
    expect(page.get_by_test_id("confirm-publish")).to_be_disabled()

    open_designer(page, "/builder/sales/entities/account")
    row.locator("[data-select]").click()
    page.select_option("[data-testid=prop-convert]", "null_invalid")
    save_entity(page)
    expect(row.get_by_test_id("field-problem")).to_have_count(0)
    expect(page.get_by_test_id("prop-problem")).to_have_count(0)
    doc, _ = draft_document(page, "entities/account.json")
    assert doc["fields"][1] == {"name": "city", "type": "integer", "convert": "null_invalid"}
    page.goto("/builder/sales/publish")
    expect(page.get_by_test_id("confirm-publish")).to_be_enabled()
