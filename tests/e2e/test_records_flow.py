"""An end user's round trip in a real Chromium, at desktop and phone size: create through a form
whose second section appears for one select value, add and remove child rows, edit (and meet a
stale-edit conflict), delete, restore. Phone pages are checked for sideways scrolling as they go."""

from pathlib import Path

import pytest
from sqlalchemy import select

from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

TEMPLATE = Path(__file__).resolve().parents[2] / "templates_store" / "crm_customers"


@pytest.fixture
def crm(live_server):
    publish(live_server.engine, load_package(TEMPLATE).source, author="e2e")
    return live_server


def test_create_edit_delete_restore(page, crm):
    login(page, crm)
    page.goto("/a/crm_customers/account")
    expect(page.get_by_test_id("empty-list")).to_be_visible()
    screenshot(page, "account-list-empty")
    page.get_by_test_id("new-record").click()

    plan = page.locator("section[data-visible-when]")
    expect(plan).to_be_hidden()
    page.fill("input[name=name]", "Kestrel Robotics <b>")
    page.select_option("select[name=tier]", "strategic")
    expect(plan).to_be_visible()
    expect(page.locator('[data-field="notes"] .mc-required')).to_be_visible()
    page.fill("textarea[name=notes]", "Second plant in Suzhou")
    page.select_option("select[name=tier]", "key")
    expect(plan).to_be_hidden()
    page.select_option("select[name=tier]", "strategic")

    page.get_by_role("tab", name="Interactions").click()
    page.get_by_test_id("add-row-interactions").click()
    row = page.locator("[data-rows=interactions] [data-row]").first
    row.locator("input[name$=summary]").fill("Kick-off visit")
    row.locator("select[name$=channel]").select_option("visit")
    screenshot(page, "account-form-filled")
    assert_healthy(page)
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("record-title")).to_have_text("Kestrel Robotics <b>")
    expect(page.get_by_test_id("child-interactions")).to_contain_text("Kick-off visit")
    screenshot(page, "account-detail")
    assert_healthy(page)

    page.get_by_test_id("edit-record").click()
    assert_healthy(page)
    page.fill("input[name=name]", "Kestrel Robotics Pte Ltd")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Kestrel Robotics Pte Ltd")
    expect(page.get_by_test_id("history")).to_contain_text("Kestrel Robotics <b>")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("delete-record").click()
    expect(page.get_by_test_id("empty-list")).to_be_visible()
    page.get_by_test_id("bin-link").click()
    expect(page.get_by_test_id("bin-list")).to_contain_text("Kestrel Robotics Pte Ltd")
    screenshot(page, "account-bin")
    assert_healthy(page)
    page.locator("[data-testid^=restore-]").first.click()
    expect(page.get_by_test_id("record-title")).to_have_text("Kestrel Robotics Pte Ltd")
    assert_healthy(page)


def test_required_error_shows_at_the_field(page, crm):
    login(page, crm)
    page.goto("/a/crm_customers/account/new")
    page.select_option("select[name=tier]", "strategic")
    page.fill("input[name=name]", "No plan yet")
    page.get_by_test_id("save").click()
    expect(page.locator('[data-error-for="notes"]')).to_be_visible()
    expect_console_error(page, "status of 422")
    screenshot(page, "account-form-error")
    assert_healthy(page)


def test_link_picker_searches_titles(page, crm):
    login(page, crm)
    for name in ("Acme Shanghai", "Blue Harbor"):
        page.goto("/a/crm_customers/account/new")
        page.fill("input[name=name]", name)
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("record-title")).to_have_text(name)
    page.goto("/a/crm_customers/contact/new")
    page.fill("input[name=full_name]", "Li Na")
    picker = page.locator(".link-picker input[type=search]")
    picker.fill("harbor")
    page.locator(".link-options .dropdown-item", has_text="Blue Harbor").click()
    screenshot(page, "contact-form-picker")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Li Na")
    expect(page.locator('[data-field="account"]')).to_contain_text("Blue Harbor")
    assert_healthy(page)


def test_filters_and_sort_in_the_list(page, crm):
    login(page, crm)
    for name, city in (("Acme", "Shanghai"), ("Beta", "Beijing")):
        page.goto("/a/crm_customers/account/new")
        page.fill("input[name=name]", name)
        page.fill("input[name=city]", city)
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("record-title")).to_have_text(name)
    page.goto("/a/crm_customers/account")
    page.get_by_test_id("toggle-filters").click()
    row = page.locator("[data-filter-row]").first
    row.locator("select[name=f]").select_option("city")
    row.locator("select[name=op]").select_option("contains")
    row.locator("input[name=v]").fill("shang")
    page.get_by_test_id("apply-filters").click()
    listing = page.get_by_test_id("record-table")
    expect(listing).to_contain_text("Acme")
    expect(listing).not_to_contain_text("Beta")
    screenshot(page, "account-list-filtered")
    assert_healthy(page)


def _summaries(server) -> list[str]:
    """Every stored interaction's summary (child rows of all accounts)."""
    with server.engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("crm_customers", "interaction")
        return sorted(conn.execute(select(table.c.summary)).scalars())


def test_a_child_row_removed_in_the_form_is_not_saved(page, crm):
    login(page, crm)
    page.goto("/a/crm_customers/account/new")
    page.fill("input[name=name]", "Two visits")
    page.get_by_role("tab", name="Interactions").click()
    rows = page.locator("[data-rows=interactions] [data-row]")
    for summary in ("Keep me", "Drop me"):
        page.get_by_test_id("add-row-interactions").click()
        rows.last.locator("input[name$=summary]").fill(summary)
        rows.last.locator("select[name$=channel]").select_option("visit")
    rows.nth(1).locator("[data-remove-row]").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator("input[name$=summary]")).to_have_value("Keep me")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Two visits")
    assert _summaries(crm) == ["Keep me"]


def test_a_stale_edit_shows_the_conflict_and_keeps_the_users_changes(page, crm):
    with crm.engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        record = service.create(conn, "crm_customers", "account", {"name": "Heron Labs"}, None)
    login(page, crm)
    page.goto(f"/a/crm_customers/account/{record['id']}/edit")
    page.fill("input[name=city]", "Xiamen")
    with crm.engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        service.update(conn, "crm_customers", "account", record["id"], {"city": "Fuzhou"}, None, 1)
    expect_console_error(page, "status of 409")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("conflict")).to_contain_text("Fuzhou")
    expect(page.locator("input[name=city]")).to_have_value("Xiamen")
    screenshot(page, "account-edit-conflict")
    assert_healthy(page)


def test_the_phone_list_has_44px_tap_targets(phone_page, crm):
    page = phone_page
    with crm.engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        for name in ("Acme Shanghai", "Blue Harbor Retail and Wholesale Trading Company"):
            service.create(conn, "crm_customers", "account", {"name": name, "city": "Ningbo"}, None)
    login(page, crm)
    page.goto("/a/crm_customers/account")
    boxes = page.locator("[data-testid=record-table] input[name=ids]")
    expect(boxes).to_have_count(2)
    boxes.first.tap()
    expect(boxes.first).to_be_checked()
    expect(page.locator("[data-bulk-bar]")).to_be_visible()
    targets = [boxes.first, page.get_by_test_id("bulk-edit"), page.locator(".bottom-nav-item").first]
    for target in targets:
        box = target.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (target, box)
    screenshot(page, "account-list-selected")
    assert_healthy(page)
