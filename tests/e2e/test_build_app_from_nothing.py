"""Issue 5's acceptance path in a real Chromium: an admin builds an app from nothing — entities
with text, select, currency, date, link and formula fields, a two-section form whose second
section depends on the stage — publishes it, and a record is created and found in the
generated screens."""

import pytest

from tests.e2e.designer_steps import add_field
from tests.e2e.designer_steps import add_select
from tests.e2e.designer_steps import create_entity
from tests.e2e.designer_steps import save_entity
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


def new_entity(page, name: str, label: str) -> None:
    page.goto("/builder/projects/entities/new")
    create_entity(page, name, label)


def test_build_publish_and_use_an_app(desktop_page, live_server):
    page = desktop_page
    login(page, live_server)
    page.goto("/builder/")
    page.fill("#app-name", "projects")
    page.fill("#app-label-en", "Projects")
    page.fill("#app-label-zh", "项目")
    page.get_by_test_id("create-app").click()
    expect(page).to_have_url(f"{live_server.url}/builder/projects")

    new_entity(page, "client", "Client")  # created in the draft with a "name" title field

    new_entity(page, "deal", "Deal")
    add_field(page, "text", "code", "Code")
    add_select(page, "stage", "Stage", [("qualify", "Qualify"), ("won", "Won")])
    add_field(page, "currency", "amount", "Amount")
    add_field(page, "date", "close_date", "Close date")
    add_field(page, "link", "client", "Client")
    page.select_option("[data-testid=prop-target]", "client")
    add_field(page, "formula", "doubled", "Doubled")
    page.get_by_test_id("formula-input").fill("amount * 2")
    expect(page.get_by_test_id("formula-status")).to_contain_text("Valid")
    save_entity(page)
    screenshot(page, "build-app-entity")

    page.goto("/builder/projects/forms/deal")
    blocks = page.locator(".fd-canvas > [data-testid=canvas-block]")
    expect(blocks).to_have_count(1)
    page.get_by_test_id("add-section").click()
    expect(blocks).to_have_count(2)
    page.get_by_test_id("block-label-en").fill("Won details")
    page.get_by_test_id("block-visible-when").fill("stage == 'won'")
    expect(page.get_by_test_id("block-visible-when-status")).to_contain_text("A valid condition")
    page.get_by_test_id("field-close_date").drag_to(blocks.nth(1).get_by_test_id("drop-grid"))
    expect(blocks.nth(1).get_by_test_id("field-close_date")).to_be_visible()
    page.get_by_test_id("save-form").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    screenshot(page, "build-app-form")

    page.goto("/builder/projects/publish")
    expect(page.get_by_test_id("publish-changes")).to_contain_text("create table for entity deal")
    screenshot(page, "build-app-publish")
    page.get_by_test_id("confirm-publish").click()
    expect(page.locator(".alert-success[role=alert]")).to_contain_text("Published projects version 1")

    page.goto("/a/projects/client/new")
    page.fill("input[name=name]", "Acme Robotics")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Acme Robotics")

    page.goto("/a/projects/deal/new")
    won = page.locator("section[data-visible-when]")
    page.fill("input[name=name]", "Big rollout")
    page.fill("input[name=amount]", "1250.50")
    expect(won).to_be_hidden()
    page.select_option("select[name=stage]", "won")
    expect(won).to_be_visible()
    page.fill("input[name=close_date]", "2026-12-01")
    page.locator(".link-picker input[type=search]").fill("acme")
    page.locator(".link-options .dropdown-item", has_text="Acme Robotics").click()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Big rollout")
    expect(page.locator('[data-field="doubled"]')).to_contain_text("2,501")
    expect(page.locator('[data-field="client"]')).to_contain_text("Acme Robotics")
    screenshot(page, "build-app-record")

    page.goto("/a/projects/deal")
    page.get_by_test_id("search").fill("rollout")
    page.get_by_test_id("apply-filters").click()
    expect(page.get_by_test_id("record-table")).to_contain_text("Big rollout")
    assert_healthy(page)
