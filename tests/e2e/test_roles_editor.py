"""An admin writes a role in the roles editor in a real Chromium: creates it, lets it read only its
own deals (the condition typed into the shared formula editor and checked live), hides a field,
saves; a bad condition first comes back as a problem on the deal's card. The draft API and the JSON
view then hold exactly the role JSON the schema defines."""

import pytest

from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.e2e.sales_deal import publish_deal
from tests.factories import make_field

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect


@pytest.fixture
def sales(live_server):
    return publish_deal(live_server, make_field("cost", "currency"), make_field("phone", "phone", sensitive=True))


def test_create_a_role_that_reads_its_own_deals_and_hides_a_field(desktop_page, sales):
    page = desktop_page
    login(page, sales)
    page.goto("/builder/sales/roles/")
    page.get_by_test_id("new-role").click()
    page.fill("#role-name", "Sales Rep")
    page.get_by_test_id("create-role").click()
    expect(page.get_by_test_id("new-role-error")).to_be_visible()  # names are validated like others
    expect_console_error(page, "status of 422")
    page.fill("#role-name", "sales_rep")
    page.fill("#role-label-en", "Sales rep")
    page.get_by_test_id("create-role").click()
    expect(page).to_have_url(f"{sales.url}/builder/sales/roles/sales_rep")

    card = page.get_by_test_id("role-entity-deal")
    card.get_by_test_id("rule-deal-read").select_option("only_when")
    condition = page.get_by_test_id("cond-deal-read")
    status = page.get_by_test_id("cond-deal-read-status")
    condition.fill("amont > 0")
    expect(status).to_contain_text("amont")
    card.get_by_test_id("rule-deal-create").select_option("allowed")
    page.get_by_test_id("save-role").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    expect(card.get_by_test_id("entity-problem")).to_contain_text("amont")  # pinned to its entity
    expect(page.get_by_test_id("role-problems")).to_be_hidden()

    page.get_by_test_id("cond-deal-read").fill("owner == $me")
    expect(page.get_by_test_id("cond-deal-read-status")).to_contain_text("A valid condition")
    card.get_by_test_id("fields-toggle-deal").click()
    card.get_by_test_id("level-deal-cost").select_option("hidden")
    card.get_by_test_id("level-deal-amount").select_option("read")
    card.get_by_test_id("reveal-deal-phone").check()
    expect(page.get_by_test_id("unsaved")).to_be_visible()
    page.get_by_test_id("save-role").click()
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    expect(card.get_by_test_id("entity-problem")).to_have_count(0)
    screenshot(page, "roles-editor")

    draft = page.request.get("/builder/api/sales/draft").json()
    role = {"name": "sales_rep", "label": {"en": "Sales rep"}, "entities": {"deal": {
        "read": "owner == $me", "create": True, "fields": {"cost": "hidden", "amount": "read"}, "reveal": ["phone"]}}}
    assert draft["documents"]["roles/sales_rep.json"] == role
    assert draft["revisions"]["roles/sales_rep.json"] == 3
    assert not [p for p in draft["problems"] if p["file"] == "roles/sales_rep.json"]

    page.get_by_test_id("role-json").click()
    expect(page.locator("body")).to_contain_text("owner == $me")
    page.go_back()
    expect(page.get_by_test_id("rule-deal-read")).to_have_value("only_when")  # reopened from the draft
    expect(page.get_by_test_id("level-deal-cost")).to_have_value("hidden")
    assert_healthy(page)


def test_a_second_admin_saving_first_opens_the_conflict_dialog(desktop_page, sales):
    from builder.drafts import save_document

    page = desktop_page
    page.emulate_media(reduced_motion="reduce")  # the dialog without its fade
    with sales.engine.begin() as conn:
        save_document(conn, "sales", "roles/viewer.json", {"name": "viewer", "entities": {"deal": {"read": True}}}, None, None)
    login(page, sales)
    page.goto("/builder/sales/roles/viewer")
    expect(page.get_by_test_id("rule-deal-read")).to_have_value("allowed")
    theirs = {"name": "viewer", "entities": {"deal": {"read": True, "update": True}}}
    with sales.engine.begin() as conn:  # another admin saves in between
        save_document(conn, "sales", "roles/viewer.json", theirs, 1, None)
    page.get_by_test_id("rule-deal-delete").select_option("allowed")
    expect_console_error(page, "status of 409")
    page.get_by_test_id("save-role").click()
    dialog = page.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("conflict-theirs")).to_contain_text('update=true')
    expect(page.get_by_test_id("conflict-yours")).to_contain_text('delete=true')
    page.get_by_test_id("take-theirs").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("rule-deal-update")).to_have_value("allowed")
    expect(page.get_by_test_id("rule-deal-delete")).to_have_value("not_allowed")
    expect(page.get_by_test_id("unsaved")).to_be_hidden()
    draft = page.request.get("/builder/api/sales/draft").json()
    assert draft["documents"]["roles/viewer.json"] == theirs
    assert_healthy(page)
