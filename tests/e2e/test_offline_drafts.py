"""Forms that survive a dropped connection, in a real Chromium (static/js/offline-*.js).

Most tests use their own small form (a contact with name, notes, stage and a
checkbox) on a test-only route: any ``<form method="post" data-offline-draft="...">``
behaves the same. That server counts every POST it receives, which is how "sent
exactly once" and "nothing reached the server" are checked. The last tests use
the generated record form of the CRM template, whose child rows are added inline,
whose link fields are pickers and which can have file inputs; there the database
tells what arrived. Offline is Playwright's network emulation; the queue lives in
the page, so it works with or without the service worker (one test checks the
worker's offline page on its own).
"""


from pathlib import Path

import pytest
from flask import Blueprint
from flask import redirect
from flask import render_template_string
from flask import request
from flask_login import login_required
from sqlalchemy import select

from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
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


# --- the generated record form ------------------------------------------------------------

CRM = Path(__file__).resolve().parents[2] / "templates_store" / "crm_customers"
VISITS = [("Kick-off visit", "visit"), ("Follow-up call", "call")]


@pytest.fixture
def crm(live_server):
    """The CRM template of the record flow tests, with a photo on contacts so a form has a file input."""
    source = load_package(CRM).source
    source["entities/contact.json"]["fields"].append({"name": "photo", "type": "image"})
    publish(live_server.engine, source, author="e2e")
    return live_server


def stored(server, entity: str, column: str) -> list[str]:
    """The values of one column of every stored record of ``entity`` (child rows included), sorted."""
    with server.engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("crm_customers", entity)
        return sorted(conn.execute(select(table.c[column])).scalars())


def open_record_form(page, server, entity: str):
    login(page, server)
    page.goto(f"/a/crm_customers/{entity}/new")
    form = page.get_by_test_id("record-form")
    expect(form).to_have_attribute("data-offline-ready", "")
    return form


def interaction_rows(page):
    return page.locator("[data-rows=interactions] [data-row]")


def fill_account_with_visits(page, name: str) -> None:
    """The account's name, and VISITS as child rows added inline on its Interactions tab."""
    page.fill("input[name=name]", name)
    page.get_by_role("tab", name="Interactions").click()
    rows = interaction_rows(page)
    for summary, channel in VISITS:
        page.get_by_test_id("add-row-interactions").click()
        rows.last.locator("input[name$=summary]").fill(summary)
        rows.last.locator("select[name$=channel]").select_option(channel)


def expect_visit_rows(page) -> None:
    rows = interaction_rows(page)
    expect(rows).to_have_count(len(VISITS))
    for row, (summary, channel) in zip(rows.all(), VISITS):
        expect(row.locator("input[name$=summary]")).to_have_value(summary)
        expect(row.locator("select[name$=channel]")).to_have_value(channel)


def test_record_form_with_child_rows_submitted_offline_is_saved_when_back_online(page, crm):
    form = open_record_form(page, crm, "account")
    fill_account_with_visits(page, "Osprey Foods")
    page.context.set_offline(True)
    page.get_by_test_id("save").click()

    expect(form.locator("[data-offline-note=pending]")).to_contain_text("Pending sync")
    expect(page.get_by_test_id("sync-badge")).to_contain_text("Pending sync")
    assert stored(crm, "account", "name") == [] and stored(crm, "interaction", "summary") == []
    screenshot(page, "record-form-pending-sync")
    assert_healthy(page)

    page.context.set_offline(False)
    sent = form.locator("[data-offline-note=sent]")
    expect(sent).to_be_visible()
    expect(page.get_by_test_id("sync-badge")).to_be_hidden()
    assert stored(crm, "account", "name") == ["Osprey Foods"]
    sent.get_by_role("link", name="Open it").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Osprey Foods")
    for summary, _ in VISITS:
        expect(page.get_by_test_id("child-interactions")).to_contain_text(summary)
    assert stored(crm, "interaction", "summary") == sorted(dict(VISITS))
    assert_healthy(page)


def test_record_form_draft_brings_back_its_child_rows_after_reload(page, crm):
    form = open_record_form(page, crm, "account")
    fill_account_with_visits(page, "Osprey Foods")
    started = page.evaluate("Date.now()")
    page.fill("input[name=city]", "Ningbo")
    wait_for_draft_saved(page, started)

    page.reload()
    expect(form).to_have_attribute("data-offline-ready", "")
    note = form.locator("[data-offline-note=restored]")
    expect(note).to_contain_text("Draft restored")
    expect(note).not_to_contain_text("choose them again")  # no file was chosen
    expect(page.locator("input[name=name]")).to_have_value("Osprey Foods")
    expect(page.locator("input[name=city]")).to_have_value("Ningbo")
    page.get_by_role("tab", name="Interactions").click()
    expect_visit_rows(page)
    screenshot(page, "record-form-draft-restored")

    # They came back as real rows: one added now is numbered after them, and all three are saved.
    page.get_by_test_id("add-row-interactions").click()
    interaction_rows(page).last.locator("input[name$=summary]").fill("Contract signed")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Osprey Foods")
    assert stored(crm, "interaction", "summary") == sorted([*dict(VISITS), "Contract signed"])
    assert_healthy(page)


def test_record_form_draft_restores_a_picked_link_and_asks_for_files_again(desktop_page, crm):
    page = desktop_page
    with crm.engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        harbor = service.create(conn, "crm_customers", "account", {"name": "Blue Harbor"}, None)
    form = open_record_form(page, crm, "contact")
    page.fill("input[name=full_name]", "Li Na")
    picker = page.locator(".link-picker input[type=search]")
    picker.fill("harbor")
    page.locator(".link-options .dropdown-item", has_text="Blue Harbor").click()
    started = page.evaluate("Date.now()")
    photo = {"name": "li-na.png", "mimeType": "image/png", "buffer": b"png"}
    page.set_input_files("input[name=photo]", files=[photo])
    wait_for_draft_saved(page, started)

    page.reload()
    expect(form).to_have_attribute("data-offline-ready", "")
    note = form.locator("[data-offline-note=restored]")
    expect(note).to_contain_text("cannot be kept in a draft: choose them again")
    expect(picker).to_have_value("Blue Harbor")
    expect(page.locator("input[name=account]")).to_have_value(str(harbor["id"]))
    screenshot(page, "record-form-draft-restored-link")

    note.get_by_role("button", name="Discard draft").click()
    expect(page.locator("input[name=full_name]")).to_have_value("")
    expect(picker).to_have_value("")
    expect(page.locator("input[name=account]")).to_have_value("")
    assert_healthy(page)
