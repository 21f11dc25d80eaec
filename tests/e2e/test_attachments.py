"""Attaching a file on a record page in a real Chromium, desktop and phone (390 px)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

TEMPLATE = Path(__file__).resolve().parents[2] / "templates_store" / "crm_customers"
APP = "crm_customers"


@pytest.fixture
def account(live_server) -> int:
    engine = live_server.engine
    publish(engine, load_package(TEMPLATE).source, author="e2e")
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        return service.create(conn, APP, "account", {"name": "Acme Holdings"}, user_id=1)["id"]


def test_upload_a_file_and_see_it_listed(page, live_server, account, tmp_path):
    quote = tmp_path / "Quote for Acme, signed.pdf"
    quote.write_bytes(b"%PDF-1.7\n" + b"x" * 2048)
    login(page, live_server)
    page.goto(f"/a/{APP}/account/{account}")
    card = page.get_by_test_id("attachments")
    expect(card.get_by_test_id("no-attachments")).to_be_visible()
    card.locator("input[type=file]").set_input_files(str(quote))
    with page.expect_navigation():
        card.get_by_test_id("attachment-submit").click()

    item = page.get_by_test_id("attachment")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Quote for Acme, signed.pdf")
    expect(item).to_contain_text("2.1 kB")
    expect(item).to_contain_text("Ann Lee")
    link = item.get_by_test_id("attachment-link")
    expect(link).to_have_attribute("href", f"/api/v1/{APP}/account/{account}/attachments/1")
    page.evaluate("window.scrollTo(0, 0)")  # the redirect lands on #attachments; shoot from the top
    screenshot(page, "record-attachments")
    assert_healthy(page)
