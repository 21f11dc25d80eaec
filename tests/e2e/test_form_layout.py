"""A form that uses every layout property, in a real Chromium at desktop and phone size: a field
spanning both columns, a collapsed section opened by keyboard, a read-only field, and a tab shown
only for won deals, on the form (live) and on the record page (judged by the server)."""

import pytest

from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.e2e.sales_deal import publish_deal
from tests.factories import make_field

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

FORM = {"entity": "deal", "layout": [
    {"section": {"en": "Deal"}, "columns": 2, "fields": [
        {"field": "name", "span": 2}, "stage", "amount", {"field": "reference", "read_only": True}]},
    {"section": {"en": "Internal"}, "collapsed": True, "fields": ["note"]},
    {"tab": {"en": "Win story"}, "visible_when": "stage == 'won'", "fields": ["won_reason"]},
    {"tab": {"en": "Dates"}, "fields": ["close_date"]}]}


@pytest.fixture
def sales(live_server):
    return publish_deal(live_server, make_field("reference", default="REF-0", label={"en": "Reference"}),
                        make_field("note", label={"en": "Internal note"}), forms={"forms/deal.json": FORM})


def widths(page, *names: str) -> list[float]:
    return [page.locator(f"[data-field={name}]").bounding_box()["width"] for name in names]


def assert_span(page) -> None:
    """Span 2 of 2 columns: the whole row from md up; on a phone every field has the whole row."""
    name, stage = widths(page, "name", "stage")
    if page.kind == "desktop":
        assert name > 1.8 * stage, (name, stage)
    else:
        assert abs(name - stage) < 1, (name, stage)


def settled(page) -> None:
    """The open tab has faded in (Bootstrap's transition), so the screenshot shows it."""
    expect(page.locator(".tab-pane.active")).to_have_css("opacity", "1")


def test_span_collapsed_read_only_and_conditional_tab(page, sales):
    login(page, sales)
    page.goto("/a/sales/deal/new")
    assert_span(page)

    expect(page.locator("[name=reference]")).to_have_count(0)
    expect(page.locator("[data-field=reference] [data-read-only]")).to_have_text("REF-0")

    note = page.locator("input[name=note]")
    expect(note).to_be_hidden()
    toggle = page.get_by_test_id("section-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(note).to_be_visible()
    note.fill("Ask finance")

    story, dates = page.get_by_role("tab", name="Win story"), page.get_by_role("tab", name="Dates")
    expect(story).to_be_hidden()
    expect(dates).to_have_attribute("aria-selected", "true")  # the hidden first tab is not the open one
    page.fill("input[name=name]", "Kestrel fleet")
    page.select_option("select[name=stage]", "won")
    expect(story).to_be_visible()
    story.click()
    page.fill("textarea[name=won_reason]", "Best service terms")
    settled(page)
    screenshot(page, "form-layout-new")
    assert_healthy(page)
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("record-title")).to_have_text("Kestrel fleet")
    assert_span(page)
    expect(page.get_by_text("Ask finance")).to_be_hidden()  # collapsed on the record page too
    expect(page.get_by_role("tab", name="Win story")).to_be_visible()
    expect(page.locator("[data-field=reference]")).to_contain_text("REF-0")
    settled(page)
    screenshot(page, "form-layout-record")
    page.get_by_test_id("section-toggle").click()
    expect(page.get_by_text("Ask finance")).to_be_visible()
    assert_healthy(page)

    page.get_by_test_id("edit-record").click()
    page.select_option("select[name=stage]", "qualify")
    expect(page.get_by_role("tab", name="Win story")).to_be_hidden()
    expect(page.get_by_role("tab", name="Dates")).to_have_attribute("aria-selected", "true")
    settled(page)
    screenshot(page, "form-layout-edit")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Kestrel fleet")
    expect(page.get_by_role("tab")).to_have_count(1)  # the record page leaves the tab out for a lost deal
    expect(page.get_by_role("tab", name="Dates")).to_be_visible()
    assert_healthy(page)
