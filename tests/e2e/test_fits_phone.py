"""The phone width check that every phone page gets at teardown (``assert_fits_phone``)."""

import pytest

from tests.e2e.harness import assert_fits_phone

VIEWPORT = '<meta name="viewport" content="width=device-width">'


def _serve(page, path: str, body: str) -> None:
    page.route(f"**{path}", lambda route: route.fulfill(body=VIEWPORT + body, content_type="text/html"))
    page.goto(path)


def test_a_page_wider_than_the_phone_fails(phone_page):
    _serve(phone_page, "/wide", '<div style="width: 600px">too wide</div>')
    with pytest.raises(AssertionError, match="horizontal scroll at 390px"):
        assert_fits_phone(phone_page)
    _serve(phone_page, "/narrow", "<p>fits</p>")
    assert_fits_phone(phone_page)


def test_blank_and_closed_pages_are_not_checked(phone_page):
    assert phone_page.url == "about:blank"
    assert_fits_phone(phone_page)
    phone_page.close()
    assert_fits_phone(phone_page)
