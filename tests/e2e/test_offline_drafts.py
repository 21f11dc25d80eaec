"""Forms that survive a dropped connection, in a real Chromium (static/js/offline-*.js).

The tests use their own small form (a contact with name, notes, stage and a
checkbox) on a test-only route, so they do not depend on the generated record
screens: any ``<form method="post" data-offline-draft="...">`` behaves the same.
The server counts every POST it receives, which is how "sent exactly once" and
"nothing reached the server" are checked. Offline is Playwright's network
emulation; the queue lives in the page, so it works with or without the
service worker (one test checks the worker's offline page on its own).
"""


import pytest
from flask import Blueprint
from flask import redirect
from flask import render_template_string
from flask import request
from flask_login import login_required

from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e

FORM_URL = "/test/contact/new"
FORM_PAGE = """{% extends "web/base.html" %}
{% block title %}New contact{% endblock %}
{% block content %}
<h1 class="h3">New contact</h1>
{% if error %}<div class="alert alert-danger" data-testid="server-error">{{ error }}</div>{% endif %}
<form method="post" data-offline-draft="test.contact.new" data-testid="contact-form" class="card card-body border-0 shadow-sm">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <label class="form-label" for="name">Name</label>
  <input class="form-control mb-3" id="name" name="name" value="{{ values.get('name', '') }}">
  <label class="form-label" for="notes">Notes</label>
  <textarea class="form-control mb-3" id="notes" name="notes">{{ values.get('notes', '') }}</textarea>
  <label class="form-label" for="stage">Stage</label>
  <select class="form-select mb-3" id="stage" name="stage">
    <option value="lead">Lead</option><option value="won">Won</option>
  </select>
  <div class="form-check mb-3">
    <input class="form-check-input" type="checkbox" id="vip" name="vip" value="yes">
    <label class="form-check-label" for="vip">VIP</label>
  </div>
  <div><button type="submit" class="btn btn-primary">Save</button></div>
</form>
{% endblock %}"""
SAVED_PAGE = """{% extends "web/base.html" %}
{% block content %}<h1 class="h3" data-testid="saved">Saved {{ name }}</h1>{% endblock %}"""


@pytest.fixture
def receipts(live_server):
    """Every POST the contact form's view receives (signed in, valid CSRF token); name "invalid" is refused with 422."""
    received = []
    bp = Blueprint("test_offline", __name__)

    @bp.route(FORM_URL, methods=["GET", "POST"])
    @login_required
    def contact_form():
        if request.method == "GET":
            return render_template_string(FORM_PAGE, values={}, error=None)
        received.append(request.form.to_dict())
        if request.form.get("name") == "invalid":
            page = render_template_string(FORM_PAGE, values=request.form, error="Name is not valid")
            return page, 422
        return redirect(f"/test/contact/{len(received)}")

    @bp.route("/test/contact/<int:number>")
    def contact(number):
        return render_template_string(SAVED_PAGE, name=received[number - 1]["name"])

    # No request has reached the live server yet, so Flask still accepts new routes.
    live_server.app.register_blueprint(bp)
    return received


def open_form(page, live_server):
    login(page, live_server)
    page.goto(FORM_URL)
    form = page.get_by_test_id("contact-form")
    expect(form).to_have_attribute("data-offline-ready", "")
    return form


def wait_for_draft_saved(page, since_ms):
    page.wait_for_function(
        "since => Date.parse(document.querySelector('[data-offline-draft]').dataset.draftSavedAt) >= since",
        arg=since_ms,
    )


def test_offline_submit_is_queued_then_sent_once_when_back_online(page, live_server, receipts):
    form = open_form(page, live_server)
    page.context.set_offline(True)
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Stage").select_option("won")
    page.get_by_role("button", name="Save").click()

    badge = page.get_by_test_id("sync-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("Pending sync")
    expect(badge.locator("[data-count]")).to_have_text("1")
    expect(form.locator("[data-offline-note=pending]")).to_contain_text("Pending sync")
    expect(page).to_have_url(live_server.url + FORM_URL)
    assert receipts == []
    screenshot(page, "offline-pending-sync")
    assert_healthy(page)

    page.context.set_offline(False)
    expect(badge).to_be_hidden()
    expect(form.locator("[data-offline-note=sent]")).to_be_visible()
    assert len(receipts) == 1
    assert receipts[0]["name"] == "Ada Lovelace" and receipts[0]["stage"] == "won"
    assert receipts[0]["csrf_token"]

    # More triggers (an online event, a reload) find an empty queue: nothing is sent twice.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    expect(form).to_have_attribute("data-offline-ready", "")
    expect(form.locator("[data-offline-note]")).to_have_count(0)  # the draft went with the queue
    expect(page.get_by_label("Name")).to_have_value("")
    assert len(receipts) == 1
    assert_healthy(page)


def test_draft_is_restored_after_reload_and_can_be_discarded(desktop_page, live_server, receipts):
    page = desktop_page
    form = open_form(page, live_server)
    page.get_by_label("Name").fill("Grace Hopper")
    page.get_by_label("Notes").fill("Met at the\nconference")
    started = page.evaluate("Date.now()")
    page.get_by_label("VIP").check()
    wait_for_draft_saved(page, started)

    page.reload()
    expect(form).to_have_attribute("data-offline-ready", "")
    note = form.locator("[data-offline-note=restored]")
    expect(note).to_contain_text("Draft restored")
    expect(page.get_by_label("Name")).to_have_value("Grace Hopper")
    expect(page.get_by_label("Notes")).to_have_value("Met at the\nconference")
    expect(page.get_by_label("VIP")).to_be_checked()
    screenshot(page, "offline-draft-restored")

    note.get_by_role("button", name="Close").click()
    expect(note).to_have_count(0)
    page.reload()
    note = form.locator("[data-offline-note=restored]")
    note.get_by_role("button", name="Discard draft").click()
    expect(page.get_by_label("Name")).to_have_value("")
    expect(page.get_by_label("VIP")).not_to_be_checked()
    page.reload()
    expect(form).to_have_attribute("data-offline-ready", "")
    expect(form.locator("[data-offline-note]")).to_have_count(0)
    assert receipts == []
    assert_healthy(page)


def test_online_submit_is_a_normal_post_and_clears_the_draft(desktop_page, live_server, receipts):
    page = desktop_page
    open_form(page, live_server)
    started = page.evaluate("Date.now()")
    page.get_by_label("Name").fill("Katherine Johnson")
    wait_for_draft_saved(page, started)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("saved")).to_have_text("Saved Katherine Johnson")
    assert len(receipts) == 1
    expect(page.locator("#pwa-status")).to_have_attribute("data-drafts-settled", "")

    page.goto(FORM_URL)
    form = page.get_by_test_id("contact-form")
    expect(form).to_have_attribute("data-offline-ready", "")
    expect(form.locator("[data-offline-note]")).to_have_count(0)
    expect(page.get_by_label("Name")).to_have_value("")
    expect(page.get_by_test_id("sync-badge")).to_be_hidden()
    assert_healthy(page)


def test_refused_replay_keeps_the_draft_marked_for_attention(page, live_server, receipts):
    form = open_form(page, live_server)
    page.context.set_offline(True)
    page.get_by_label("Name").fill("invalid")
    page.get_by_label("Notes").fill("keep me")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("sync-badge")).to_be_visible()

    page.context.set_offline(False)
    attention = page.get_by_test_id("sync-attention")
    expect(attention).to_be_visible()
    expect(attention).to_contain_text("Needs attention")
    expect(page.get_by_test_id("sync-badge")).to_be_hidden()
    expect(form.locator("[data-offline-note=attention]")).to_be_visible()
    assert len(receipts) == 1
    expect_console_error(page, r"status of 422")
    screenshot(page, "offline-needs-attention")

    # The badge links to the form, which brings the refused entry back.
    page.goto("/")
    attention.click()
    expect(page).to_have_url(live_server.url + FORM_URL)
    expect(form.locator("[data-offline-note=attention]")).to_contain_text("Needs attention")
    expect(page.get_by_label("Name")).to_have_value("invalid")
    expect(page.get_by_label("Notes")).to_have_value("keep me")

    page.get_by_label("Name").fill("Valid Name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("saved")).to_have_text("Saved Valid Name")
    expect(attention).to_be_hidden()  # the draft was cleared by the successful save
    assert len(receipts) == 2
    assert_healthy(page)


def test_service_worker_shows_cached_pages_and_the_offline_page(page, live_server, receipts):
    open_form(page, live_server)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # this visit goes through the worker, which keeps the page
    expect(page.get_by_test_id("contact-form")).to_have_attribute("data-offline-ready", "")

    page.context.set_offline(True)
    page.goto("/never-visited")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    screenshot(page, "offline-page")
    page.goto(FORM_URL)
    expect(page.get_by_test_id("contact-form")).to_have_attribute("data-offline-ready", "")
    page.context.set_offline(False)
    expect_console_error(page, r"ERR_INTERNET_DISCONNECTED")
    assert_healthy(page)


def test_replay_after_a_new_session_takes_a_fresh_csrf_token(desktop_page, live_server, receipts):
    page = desktop_page
    open_form(page, live_server)
    page.context.set_offline(True)
    page.get_by_label("Name").fill("Mary Jackson")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("sync-badge")).to_be_visible()

    # The session ends while offline: the queued csrf_token belongs to it, and replaying
    # without a session finds only the sign-in page, so the entry waits.
    page.context.clear_cookies()
    page.context.set_offline(False)
    expect_console_error(page, r"status of 400")  # the replay without a session: refused, kept
    login(page, live_server)
    # the replay runs once the signed-in page has loaded and fetched a fresh token: allow for a busy machine
    expect(page.get_by_test_id("sync-badge")).to_be_hidden(timeout=20_000)
    assert [r["name"] for r in receipts] == ["Mary Jackson"]
    assert_healthy(page)
