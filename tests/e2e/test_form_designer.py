"""An admin arranges a form in the form designer in a real Chromium: a second section shown only
for won deals (its condition typed and checked live), a field dragged across and made required
for won deals (typed with completion, a bad condition's error marked), saved to the draft, then
tried in the phone-size preview, where flipping the stage shows the section."""

import pytest

from builder.drafts import save_document
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.e2e.sales_deal import publish_deal
from tests.factories import make_entity
from tests.factories import make_field

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect


@pytest.fixture
def sales(live_server):
    line = make_entity("deal_line", [make_field("item"), make_field("qty", "integer")])
    return publish_deal(live_server, make_field("notes", "textarea"),
                        make_field("lines", "table", target="deal_line", label={"en": "Lines"}), entities=(line,))


def test_design_a_conditional_section_and_preview_it_on_a_phone(desktop_page, sales):
    page = desktop_page
    login(page, sales)
    page.goto("/builder/sales/forms/")
    screenshot(page, "form-list")
    page.get_by_test_id("design-form-deal").click()
    blocks = page.locator(".fd-canvas > [data-testid=canvas-block]")
    expect(blocks).to_have_count(2)  # the generated layout: every field in one section, the table on a tab
    expect(page.get_by_test_id("save-form")).to_be_enabled()  # a generated form can be saved as it is

    page.get_by_test_id("add-section").click()
    expect(blocks).to_have_count(3)
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    blocks.nth(2).get_by_role("button", name="Move up").click()  # sections before tabs, as users see them
    page.get_by_test_id("block-label-en").fill("Won details")
    page.get_by_test_id("block-label-zh").fill("赢单详情")
    expect(blocks.nth(1).get_by_test_id("block-label")).to_have_text("Won details")

    condition = page.get_by_test_id("block-visible-when")
    status = page.get_by_test_id("block-visible-when-status")
    condition.fill("stage ==")
    expect(status).to_contain_text("Line 1, column")
    expect(page.get_by_test_id("block-visible-when-error-mark")).to_be_visible()
    condition.fill("stage")
    expect(status).to_contain_text("must be true or false")
    condition.fill("stage == 'won'")
    expect(status).to_contain_text("A valid condition")

    second = blocks.nth(1).get_by_test_id("drop-grid")
    page.get_by_test_id("field-won_reason").drag_to(second)
    expect(second.get_by_test_id("field-won_reason")).to_be_visible()
    page.get_by_test_id("field-amount").drag_to(second.get_by_test_id("field-won_reason"))
    expect(second.locator(".fd-field")).to_have_count(2)
    assert second.locator(".fd-field").evaluate_all("els => els.map(e => e.dataset.field)") == ["amount", "won_reason"]

    second.get_by_test_id("field-won_reason").click()  # a field's conditions: the same formula editor
    required = page.get_by_test_id("field-required-when")
    required_status = page.get_by_test_id("field-required-when-status")
    required.press_sequentially("sta")
    expect(page.get_by_test_id("field-required-when-completions")).to_contain_text("stage")
    required.press("Enter")
    expect(required).to_have_value("stage")
    required.press_sequentially(" == 'won' or amont > 0")
    expect(required_status).to_contain_text("Line 1, column 19: unknown field 'amont'")
    expect(page.get_by_test_id("field-required-when-error-mark")).to_have_text("amont")
    screenshot(page, "form-designer-field-condition")
    required.fill("amount")
    expect(required_status).to_contain_text("must be true or false")
    expect(page.get_by_test_id("field-required-when-error-mark")).to_have_count(0)
    required.fill("stage == 'won'")
    expect(required_status).to_contain_text("A valid condition")
    blocks.nth(1).locator(".fd-block-head").drag_to(blocks.first.locator(".fd-block-head"))  # blocks reorder too
    expect(blocks.first.get_by_test_id("block-label")).to_have_text("Won details")
    blocks.first.get_by_role("button", name="Move down").click()
    expect(blocks.nth(1).get_by_test_id("block-label")).to_have_text("Won details")
    blocks.nth(1).get_by_test_id("block-label").click()  # the drop selected the field; back to the section
    page.get_by_test_id("columns-1").click()
    page.get_by_test_id("field-notes").drag_to(page.get_by_test_id("palette"))  # off the form ...
    expect(page.get_by_test_id("palette-notes")).to_be_visible()
    screenshot(page, "form-designer")
    page.get_by_test_id("palette-notes").drag_to(blocks.first.get_by_test_id("drop-grid"))  # ... and back
    expect(page.get_by_test_id("palette-notes")).to_have_count(0)

    page.get_by_test_id("save-form").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    draft = page.request.get("/builder/api/sales/draft").json()
    assert draft["revisions"]["forms/deal.json"] == 1
    layout = draft["documents"]["forms/deal.json"]["layout"]
    assert layout[0]["fields"] == ["name", "stage", "close_date", "notes"]
    assert layout[1] == {"section": {"en": "Won details", "zh": "赢单详情"}, "columns": 1,
                         "visible_when": "stage == 'won'",
                         "fields": ["amount", {"field": "won_reason", "required_when": "stage == 'won'"}]}
    assert layout[2] == {"tab": {"en": "Lines"}, "fields": ["lines"]}
    assert not [p for p in draft["problems"] if p["file"] == "forms/deal.json"]

    page.get_by_test_id("view-desktop").click()
    frame = page.get_by_test_id("preview-frame")
    expect(frame.locator("[data-testid=preview-section]:visible")).to_have_count(1)  # Won details waits for stage == 'won'
    screenshot(page, "form-designer-preview")
    page.get_by_test_id("view-phone").click()
    assert frame.bounding_box()["width"] == 390
    won = frame.get_by_test_id("preview-section").filter(has_text="Won details")
    expect(won).to_be_hidden()
    frame.get_by_test_id("preview-input-stage").select_option("won")
    expect(won).to_be_visible()
    expect(won.locator('[data-field="won_reason"] textarea')).to_be_enabled()
    expect(frame.get_by_role("tab", name="Lines")).to_be_visible()
    screenshot(page, "form-designer-phone-preview")
    frame.get_by_test_id("preview-input-stage").select_option("lost")
    expect(won).to_be_hidden()
    assert_healthy(page)


def test_problems_sit_on_their_block_and_a_conflict_shows_both_versions(desktop_page, sales):
    page = desktop_page
    page.emulate_media(reduced_motion="reduce")  # the dialog's screenshot without its fade
    login(page, sales)
    page.goto("/builder/sales/forms/deal")
    page.get_by_test_id("save-form").click()  # the generated layout becomes forms/deal.json, revision 1
    expect(page.get_by_test_id("save-form")).to_be_disabled()

    block = page.get_by_test_id("canvas-block").first
    block.get_by_test_id("block-label").click()
    page.get_by_test_id("block-visible-when").fill("stag == 'won'")
    expect(page.get_by_test_id("block-visible-when-status")).to_contain_text("stag")
    page.get_by_test_id("save-form").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    expect(block.get_by_test_id("block-problem")).to_contain_text("stag")
    expect(page.get_by_test_id("form-problems")).to_be_hidden()  # pinned to its block, not listed apart

    theirs = {"entity": "deal", "layout": [{"section": "Theirs", "fields": ["name"]}]}
    with sales.engine.begin() as conn:  # another admin saves in between
        save_document(conn, "sales", "forms/deal.json", theirs, 2, None)
    page.get_by_test_id("block-visible-when").fill("stage == 'won'")
    page.get_by_test_id("save-form").click()
    dialog = page.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect_console_error(page, "status of 409")
    expect(dialog.get_by_test_id("conflict-theirs")).to_contain_text("Theirs")
    expect(dialog.get_by_test_id("conflict-yours")).to_contain_text("stage == 'won'")
    screenshot(page, "form-designer-conflict")
    page.get_by_test_id("keep-mine").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    expect(block.get_by_test_id("block-problem")).to_have_count(0)
    saved = page.request.get("/builder/api/sales/draft").json()
    assert saved["revisions"]["forms/deal.json"] == 4
    assert saved["documents"]["forms/deal.json"]["layout"][0]["visible_when"] == "stage == 'won'"
    assert_healthy(page)

    page.get_by_test_id("field-stage").click()  # reorder without dragging
    page.get_by_test_id("move-earlier").click()
    expect(block.locator(".fd-field").first).to_have_attribute("data-field", "stage")
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)  # leaving with unsaved edits asks first
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # and stays
