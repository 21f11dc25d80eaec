"""Set up two-step verification in a real Chromium by reading the key off the page, then
sign in with password and code; at desktop and phone (390 px) size."""

import time

import pyotp
import pytest

from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


def test_enroll_then_sign_in_with_a_code(page, live_server):
    login(page, live_server)
    page.goto("/me/two-factor")
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "two-factor-enrollment")
    assert_healthy(page)

    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_test_id("enroll-code").fill(totp.now())
    with page.expect_navigation():
        page.get_by_test_id("enroll-confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)
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
