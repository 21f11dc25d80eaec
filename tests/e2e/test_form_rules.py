"""form-rules.js on a static fixture form: sections and fields appear, disappear and turn required live.

The fixture's rules are filled in with ``to_tree`` output, exactly as a form
template emits them; the page is served from a routed origin, not the app.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

import pytest

from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.expressions import DATE
from runtime.metadata.expressions import INTEGER
from runtime.metadata.expressions import TEXT
from runtime.metadata.expressions import StaticScope
from runtime.metadata.expressions import decimal_type
from runtime.metadata.expressions import list_type
from runtime.metadata.expressions.tree import to_tree
from tests.e2e.test_expr_parity import ORIGIN
from tests.e2e.test_expr_parity import serve_static

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "fixtures" / "form_rules.html"
SCOPE = StaticScope(
    {
        ("stage",): TEXT,
        ("amount",): decimal_type(2),
        ("discount",): INTEGER,
        ("reason",): TEXT,
        ("urgent",): BOOLEAN,
        ("note",): TEXT,
        ("region",): TEXT,
        ("vat",): TEXT,
        ("close_date",): DATE,
        ("late_reason",): TEXT,
        ("tags",): list_type(TEXT),
        ("tag_note",): TEXT,
    }
)
RULES = {
    "terms_visible": "stage != 'qualify'",
    "amount_required": "stage == 'won'",
    "discount_visible": "amount > 1000.00",
    "reason_required": "discount > 10",
    "note_visible": "urgent",
    "vat_visible": "region in ['emea']",
    "late_visible": "DAYS_BETWEEN(close_date, TODAY()) > 0",
    "tag_note_visible": "tags != null",
}


def _attribute(value) -> str:
    return html.escape(json.dumps(value), quote=True)


def _fixture() -> str:
    trees = {name: _attribute(to_tree(source, SCOPE)) for name, source in RULES.items()}
    return Template(FIXTURE.read_text()).substitute(trees, vars=_attribute({"today": "2026-01-31"}))


@pytest.fixture
def form_page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.route(f"{ORIGIN}/static/**", serve_static)
    page.route(
        f"{ORIGIN}/form", lambda route: route.fulfill(body=_fixture(), content_type="text/html")
    )
    page.goto(f"{ORIGIN}/form")
    yield page
    context.close()
    assert not errors, errors


def _submitted(page) -> list[str]:
    return page.evaluate("[...new FormData(document.querySelector('form')).keys()]")


def test_a_select_reveals_a_section_and_makes_a_field_required(form_page):
    page = form_page
    terms, amount = page.get_by_test_id("terms"), page.locator("#amount")
    marker = page.locator("[data-field=amount] .mc-required")
    expect(terms).to_be_hidden()
    expect(page.locator("#discount")).to_be_disabled()
    expect(amount).not_to_have_attribute("required", "")
    expect(marker).to_be_hidden()

    page.select_option("#stage", "won")
    expect(terms).to_be_visible()
    expect(amount).to_have_attribute("required", "")
    expect(marker).to_be_visible()
    expect(page.locator("[data-field=discount]")).to_be_hidden()  # amount is still null

    page.select_option("#stage", "lost")
    expect(terms).to_be_visible()
    expect(marker).to_be_hidden()


def test_hidden_fields_read_as_null_and_are_not_submitted(form_page):
    page = form_page
    page.select_option("#stage", "won")
    page.fill("#amount", "1000.01")
    expect(page.locator("#discount")).to_be_enabled()
    page.fill("#discount", "20")
    reason = page.locator("#reason")
    expect(reason).to_have_attribute("required", "")
    expect(page.locator("[data-field=reason] .mc-required")).to_be_visible()
    assert "discount" in _submitted(page)

    page.fill("#amount", "1000.00")  # exact: not more than 1000
    expect(page.locator("[data-field=discount]")).to_be_hidden()
    expect(reason).not_to_have_attribute("required", "")

    page.fill("#amount", "5000")
    expect(reason).to_have_attribute("required", "")
    page.select_option("#stage", "qualify")  # the section hides: its values are gone
    expect(page.locator("#discount")).to_be_disabled()
    expect(reason).to_be_disabled()
    assert not {"discount", "reason"} & set(_submitted(page))


def test_a_multiple_select_with_nothing_chosen_is_null(form_page):
    page = form_page
    note = page.locator("[data-field=tag_note]")
    expect(note).to_be_hidden()
    page.select_option("#tags", ["hot", "vip"])
    expect(note).to_be_visible()
    page.select_option("#tags", [])
    expect(note).to_be_hidden()


def test_checkbox_radio_and_date_inputs(form_page):
    page = form_page
    note, vat, late = (
        page.locator(f"[data-field={name}]") for name in ("note", "vat", "late_reason")
    )
    expect(note).to_be_hidden()
    page.check("input[name=urgent]")
    expect(note).to_be_visible()
    page.uncheck("input[name=urgent]")
    expect(note).to_be_hidden()

    expect(vat).to_be_hidden()
    page.check("input[value=emea]")
    expect(vat).to_be_visible()
    page.check("input[value=amer]")
    expect(vat).to_be_hidden()

    expect(late).to_be_hidden()  # no date: null, so no
    page.fill("#close_date", "2026-01-30")  # the day before $today
    expect(late).to_be_visible()
    page.fill("#close_date", "2026-01-31")
    expect(late).to_be_hidden()
