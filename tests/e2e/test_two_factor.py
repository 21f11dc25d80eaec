"""Set up two-step verification in a real Chromium by reading the key off the page, then
sign in with password and code; at desktop and phone (390 px) size. A role that requires
2FA sends its holder to enrollment before anything else (desktop)."""

import time

import pyotp
import pytest

from builder.publish import publish
from runtime.security.role_grants import Actor
from runtime.security.role_grants import grant_role
from runtime.security.role_grants import set_role_requires_2fa
from runtime.security.users import create_user
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.runtime.security.permissions_app import sales_source

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


def enroll(page) -> pyotp.TOTP:
    """On the enrollment page: read the key off it, confirm with a code; the authenticator, once the codes show."""
    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_test_id("enroll-code").fill(totp.now())
    with page.expect_navigation():
        page.get_by_test_id("enroll-confirm").click()
    expect(page.get_by_test_id("recovery-codes").locator("code")).to_have_count(10)
    return totp


def test_enroll_then_sign_in_with_a_code(page, live_server):
    login(page, live_server)
    page.goto("/me/two-factor")
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "two-factor-enrollment")
    assert_healthy(page)

    totp = enroll(page)
    screenshot(page, "two-factor-recovery-codes")
    assert_healthy(page)

    page.context.clear_cookies()  # a new visit: signed out
    login(page, live_server)
    expect(page.get_by_test_id("login-code")).to_be_visible()
    # the enrollment code's time step is spent; the next one is inside the ±1 step window
    page.get_by_test_id("login-code").fill(totp.at(time.time() + 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert_healthy(page)


def test_a_role_that_requires_2fa_sends_its_holder_to_enrollment_first(desktop_page, live_server):
    page = desktop_page
    publish(live_server.engine, sales_source())
    with live_server.engine.begin() as conn:
        rep = create_user(conn, "rep@example.com", live_server.password, display_name="Rep One")
        grant_role(conn, rep, "sales.rep", Actor())
        set_role_requires_2fa(conn, "sales.rep", True, Actor())
    login(page, live_server, email="rep@example.com")
    expect(page).to_have_url(f"{live_server.url}/me/two-factor")
    expect(page.get_by_test_id("must-enroll")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.goto("/a/sales/deal")  # nothing else opens before enrollment
    expect(page).to_have_url(f"{live_server.url}/me/two-factor")
    screenshot(page, "two-factor-required-by-role")
    assert_healthy(page)

    enroll(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Done").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Sales").first).to_be_visible()
    assert_healthy(page)
