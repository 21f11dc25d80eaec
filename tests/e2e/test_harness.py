"""The browser harness itself: a Chromium that dies is started again for the next test."""

import pytest


def test_a_closed_chromium_is_started_again(browser):
    browser.new_context().close()
    browser._chromium.close()  # what a crash leaves behind: a disconnected browser
    with pytest.warns(UserWarning, match="Chromium had exited"):
        context = browser.new_context()
    page = context.new_page()
    page.set_content("<p>alive</p>")
    assert page.text_content("p") == "alive"
    context.close()


def test_teardown_after_the_browser_died_does_not_error(browser):
    from types import SimpleNamespace

    from tests.e2e.conftest import _close_checked

    context = browser.new_context()
    page = context.new_page()
    browser._chromium.close()  # dies while the test's page is open
    _close_checked(context, SimpleNamespace(kind="desktop", console_errors=[], is_closed=page.is_closed))
