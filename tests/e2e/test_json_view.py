"""The builder's JSON view and version history in a real browser, signed in as the admin Ann.

JSON view: a syntax error shows its line, a schema error is saved and shown at its line, a fix
clears it, a concurrent save shows both versions. Versions: compare 1 with 2, roll back to 1.
"""

from __future__ import annotations

import json

import pytest

from builder.drafts import save_document
from builder.publish import publish
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.factories import evolve
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

SOURCE = make_app("shop", make_entity("item", [make_field("name", required=True), make_field("price", "text")],
                                      title_field="name"))
FIELDS_AT_LINE_5 = """{
  "name": "item",
  "fields": [
    {"name": "name", "type": "text"},
    {"name": "price", "type": %s}
  ],
  "title_field": "name"
}"""


@pytest.fixture
def shop(live_server):
    publish(live_server.engine, SOURCE, author="ann@example.com")
    return live_server


def _editor(page, text: str) -> None:
    page.fill('[data-testid="json-text"]', text)
    page.click('[data-testid="json-save"]')


def test_json_view_syntax_error_schema_problem_fix_and_conflict(desktop_page, shop):
    page = desktop_page
    login(page, shop)
    page.goto("/builder/shop")
    page.click('[data-testid="builder-json-nav"]')
    page.click('a[href="/builder/shop/json/entities/item.json"]')
    expect(page.locator('[data-testid="json-no-problems"]')).to_be_visible()

    _editor(page, FIELDS_AT_LINE_5 % '"text",')  # trailing comma: a syntax error on line 5
    expect(page.locator('[data-testid="json-error"]')).to_contain_text("line 5")
    expect(page.locator(".json-gutter .json-bad")).to_have_text("5")
    expect_console_error(page, "status of 422")
    screenshot(page, "json-view-syntax-error")

    _editor(page, FIELDS_AT_LINE_5 % '"nmber"')  # valid JSON, bad field type: saved with a problem
    problem = page.locator(".json-problem").first
    expect(problem).to_contain_text("line 5")
    expect(problem).to_contain_text("nmber")
    expect(page.locator('[data-testid="json-error"]')).to_be_hidden()
    expect(page.locator(".json-gutter .json-bad")).to_have_text("5")
    expect(page.locator('[data-testid="json-revision"]')).to_have_text("revision 2")
    screenshot(page, "json-view-schema-problem")
    page.click('[data-testid="builder-publish-link"]')  # publish is off, and says where to fix what
    expect(page.locator('[data-testid="confirm-publish"]')).to_be_disabled()
    expect(page.locator('[data-testid="publish-reason"]')).to_contain_text("problems above are fixed")
    screenshot(page, "publish-with-problems")
    page.click('[data-testid="problem-json-link"]')  # the problem's link to its line in the JSON view
    expect(page.locator(".json-band")).to_be_visible()

    _editor(page, FIELDS_AT_LINE_5 % '"integer"')
    expect(page.locator('[data-testid="json-no-problems"]')).to_be_visible()
    expect(page.locator(".json-gutter .json-bad")).to_have_count(0)

    with shop.engine.begin() as conn:  # another admin saves the same document meanwhile
        save_document(conn, "shop", "entities/item.json", {**json.loads(FIELDS_AT_LINE_5 % '"integer"'),
                                                           "label": {"en": "Theirs"}}, 3, None)
    _editor(page, FIELDS_AT_LINE_5 % '"decimal"')
    conflict = page.locator('[data-testid="json-conflict"]')
    expect(conflict).to_contain_text("Theirs")
    expect(conflict).to_contain_text("decimal")
    expect_console_error(page, "status of 409")
    screenshot(page, "json-view-conflict")
    page.click('[data-testid="keep-mine"]')
    expect(conflict).to_be_hidden()
    expect(page.locator('[data-testid="json-revision"]')).to_have_text("revision 5")
    page.click('[data-testid="builder-publish-link"]')  # text -> decimal: converted, so highlighted
    expect(page.locator(".change-warned")).to_contain_text("Existing values are converted")
    expect(page.locator('[data-testid="confirm-publish"]')).to_be_enabled()
    screenshot(page, "publish-grouped-changes")

    page.goto("/builder/shop/json/app.json")  # a new document, by path
    page.fill("#json-new-path", "roles/sales_rep.json")
    page.click('[data-testid="json-new"] button[type=submit]')
    expect(page.locator("h1")).to_have_text("roles/sales_rep.json")
    page.click('[data-testid="json-save"]')
    expect(page.locator('[data-testid="json-revision"]')).to_have_text("revision 1")
    expect(page.locator('.builder-json-nav a[href="/builder/shop/json/roles/sales_rep.json"]')).to_have_count(1)
    assert_healthy(page)


def test_versions_compare_and_roll_back(desktop_page, shop):
    page = desktop_page
    later = evolve(SOURCE, "item", [make_field("name", required=True), make_field("price", "integer"),
                                    make_field("qty", "integer")], version="1.1.0")
    publish(shop.engine, later, author="ann@example.com")
    login(page, shop)
    page.goto("/builder/shop/versions")
    expect(page.locator('[data-testid="version-2"]')).to_contain_text("In force")
    expect(page.locator('[data-testid="version-2"]')).to_contain_text("add field item.qty")
    screenshot(page, "versions-history")

    page.click('[data-testid="compare"]')  # defaults: from 1 to 2
    expect(page.locator("h1")).to_have_text("Version 1 → version 2")
    documents = page.locator('[data-testid="diff-documents"]')
    expect(documents).to_contain_text("Field price: type text → integer")
    expect(documents).to_contain_text("Field qty added")
    expect(page.locator('[data-testid="diff-changes"]')).to_contain_text("add field item.qty (integer)")
    screenshot(page, "versions-diff")

    page.click("text=Roll back to version 1")
    expect(page.locator('[data-testid="rollback-changes"]')).to_contain_text("archive field item.qty")
    screenshot(page, "versions-rollback")
    page.click('[data-testid="confirm-rollback"]')
    expect(page.locator(".alert-success")).to_contain_text("Rolled back shop to version 1: it is now version 3")
    expect(page.locator('[data-testid="version-3"]')).to_contain_text("In force")
    assert_healthy(page)
