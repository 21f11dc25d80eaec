"""Issue #6 in a real Chromium: pages full of stored script payloads run none of them.

The record, list and edit pages of tests/runtime/web/payload_app.py (a
payload in every field type, label and option) show the payloads as text, with
no element carrying a handler, no console error (Chromium logs an inline
script the Content-Security-Policy blocked as one) and no dialog (what
``alert`` opens, were the policy ever loosened).
"""

from __future__ import annotations

import pytest

from runtime.security.tokens import create_token
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.runtime.web import payload_app as hostile
from tests.runtime.web.payload_app import APP
from tests.runtime.web.payload_app import payload

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def payloads(live_server):
    """The hostile app with its payload records, written through the REST API with Vera's token."""
    vera, evil = hostile.install(live_server.engine)
    with live_server.engine.begin() as conn:
        token = create_token(conn, vera, "seed", "write")
    client = live_server.app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return hostile.seed(client, live_server.engine, vera, evil)


def test_payload_record_list_and_form_run_no_script(desktop_page, live_server, payloads):
    page = desktop_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, live_server, hostile.VIEWER, hostile.PASSWORD)
    record = f"/a/{APP}/thing/{payloads.thing['id']}"
    columns = ",".join(f["name"] for f in hostile.THING_FIELDS if f["type"] != "table")
    page.goto(record)
    expect(page.get_by_test_id("record-title")).to_have_text(payload("name"))
    expect(page.get_by_test_id("comments")).to_contain_text(payload("comment"))
    page.goto(f"/a/{APP}/thing?cols={columns}")
    expect(page.get_by_test_id("record-table")).to_contain_text(payload("other"))
    page.goto(record + "/edit")
    expect(page.locator("input[name=name]")).to_have_value(payload("name"))
    expect(page.locator("textarea[name=notes]")).to_have_value(payload("notes"))
    for url in (record, f"/a/{APP}/thing?cols={columns}", record + "/edit"):
        page.goto(url)
        assert page.locator("img[onerror], svg[onload], script:not([src])").count() == 0
        assert_healthy(page)
    assert dialogs == []
