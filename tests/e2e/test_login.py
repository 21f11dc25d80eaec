"""Sign in, look at the launcher and sign out in a real Chromium, at desktop and phone size."""

import pytest

from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.factories import install_app

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


def test_login_page_looks_right(page):
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to metacrm")).to_be_visible()
    screenshot(page, "login")
    assert_healthy(page)


def test_sign_in_lands_on_the_empty_launcher(page, live_server):
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login?next=/")
    login(page, live_server)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No apps installed yet")
    bottom_nav = page.get_by_role("navigation", name="Bottom navigation")
    if page.kind == "phone":
        expect(bottom_nav).to_be_visible()
    else:
        expect(bottom_nav).to_be_hidden()
    screenshot(page, "launcher-empty")
    assert_healthy(page)


def test_launcher_shows_apps_as_cards(page, live_server):
    install_app(
        live_server.engine,
        "crm_sales",
        {"en": "Sales", "zh": "销售管理"},
        [
            ("opportunity", {"en": "Opportunity", "zh": "商机"}),
            ("quote", {"en": "Quote", "zh": "报价"}),
            ("product", {"en": "Product", "zh": "产品"}),
        ],
    )
    install_app(
        live_server.engine,
        "crm_service",
        {"en": "Customer service with a rather long application name"},
        [("ticket", {"en": "Ticket"}), ("knowledge_article", {"en": "Knowledge base article"})],
    )
    install_app(live_server.engine, "crm_customers", "Customers", [("account", "Account")])
    login(page, live_server)
    cards = page.locator(".app-card")
    expect(cards).to_have_count(3)
    sales = page.locator("[data-app=crm_sales]")
    expect(sales.get_by_role("heading")).to_have_text("Sales")
    expect(sales.get_by_role("link", name="Opportunity")).to_have_attribute(
        "href", "/a/crm_sales/opportunity"
    )
    screenshot(page, "launcher")
    assert_healthy(page)


def test_wrong_password_shows_one_clear_error(page, live_server):
    login(page, live_server, password="not-the-password")
    expect(page.get_by_test_id("login-error")).to_have_text("Incorrect email or password.")
    expect(page.locator("input[name=email]")).to_have_value(live_server.email)
    expect(page.locator("input[name=password]")).to_have_value("")
    screenshot(page, "login-error")
    assert_healthy(page)


def test_sign_out_from_the_user_menu(page, live_server):
    login(page, live_server)
    if page.kind == "phone":
        menu = page.get_by_role("navigation", name="Bottom navigation")
        menu.get_by_role("button", name="Me").click()
    else:
        menu = page.get_by_role("navigation", name="Main")
        menu.get_by_role("button", name="Account menu").click()
    sign_out = menu.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    screenshot(page, "user-menu")
    with page.expect_navigation():
        sign_out.click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_role("alert")).to_contain_text("You have been signed out.")
    assert_healthy(page)
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login?next=/")
