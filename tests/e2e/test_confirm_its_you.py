"""Step-up re-authentication in a real Chromium (desktop): an admin whose sign-in is older
than 15 minutes presses "View as" on /admin/roles, lands on "Confirm it's you", gets a wrong
password refused, confirms, comes back to the roles page (the press is not replayed) and
presses again."""

from datetime import timedelta

import pytest

from runtime.clock import utcnow
from runtime.security.users import create_user
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


def test_a_stale_admin_confirms_before_viewing_as_someone(desktop_page, live_server):
    page = desktop_page
    with live_server.engine.begin() as conn:
        create_user(conn, "bob@example.com", live_server.password, display_name="Bob Stone")
    login(page, live_server)
    live_server.app.extensions["metacrm"]["clock"] = lambda: utcnow() + timedelta(minutes=16)
    page.goto("/admin/roles")
    view_as = page.get_by_role("button", name="View as Bob Stone")
    with page.expect_navigation():
        view_as.click()
    expect(page).to_have_url(f"{live_server.url}/me/confirm?next=/admin/roles")
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    expect(page.get_by_text("Signed in as ann@example.com")).to_be_visible()

    expect_console_error(page, r"422")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("That did not work")
    screenshot(page, "confirm-its-you")
    assert_healthy(page)

    page.get_by_label("Password").fill(live_server.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}/admin/roles")
    expect(page.get_by_test_id("view-as-banner")).to_have_count(0)  # the first press was not replayed
    with page.expect_navigation():
        page.get_by_role("button", name="View as Bob Stone").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("view-as-banner")).to_contain_text("Viewing as Bob Stone")
    assert_healthy(page)
