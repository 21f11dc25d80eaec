"""An admin imports a 500-row Excel sheet as a new entity through the real wizard in Chromium."""

from datetime import datetime
from datetime import timedelta

import pytest
from openpyxl import Workbook

from builder.publish import publish
from runtime.storage.catalog import current_metadata
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import expect_console_error
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

STAGES = ("won", "lost", "open", "qualify")
CITIES = ("北京", "上海", "深圳", "杭州", "成都")


@pytest.fixture
def sales(live_server):
    publish(live_server.engine, make_app("sales", make_entity("note", [make_field("title")], title_field="title")),
            author="e2e")
    return live_server


def customers_xlsx(path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Customer", "Seats", "Deal amount", "Signed on", "Stage", "Email", "城市"])
    start = datetime(2026, 1, 1)
    for i in range(1, 501):
        sheet.append([f"Customer {i:03d}", i % 40 + 1, round(i * 123.45, 2), start + timedelta(days=i % 300),
                      STAGES[i % 4], f"buyer{i}@example.com", CITIES[i % 5]])
    book.save(path)
    return path


def test_import_a_500_row_sheet_as_an_entity(desktop_page, sales, tmp_path):
    page = desktop_page
    login(page, sales)
    page.goto("/builder/sales")
    page.get_by_test_id("import-sheet-link").click()
    page.set_input_files("#sheet-file", str(customers_xlsx(tmp_path / "customers.xlsx")))
    page.get_by_test_id("sheet-upload").click()

    expect(page.get_by_role("heading", name="Check the new entity")).to_be_visible()
    fields = page.get_by_test_id("sheet-fields")
    for index, kind in enumerate(("text", "integer", "currency", "date", "select", "email", "select")):
        expect(fields.locator(f"select[name=type_{index}]")).to_have_value(kind)
    expect(fields.locator("input[name=name_6]")).to_have_value("field_7")
    expect(fields.locator("input[name=label_zh_6]")).to_have_value("城市")
    expect(page.locator("textarea[name=options_4]")).to_be_visible()

    page.select_option("select[name=type_5]", "phone")  # a wrong type: every preview cell says why
    page.get_by_test_id("sheet-refresh").click()
    expect(page.get_by_test_id("sheet-bad-cell")).to_have_count(10)
    expect(page.get_by_test_id("sheet-bad-cell").first).to_contain_text("not a valid phone number")
    screenshot(page, "sheet-import-bad-cells")

    page.select_option("select[name=type_5]", "email")
    page.select_option("select[name=type_1]", "decimal")  # seats as a decimal, to prove the choice sticks
    expect(page.locator("[data-sheet-stale]")).to_be_visible()
    page.fill("input[name=label_zh_0]", "客户")
    page.get_by_test_id("sheet-refresh").click()
    expect(fields.locator("select[name=type_1]")).to_have_value("decimal")
    preview = page.get_by_test_id("sheet-preview")
    expect(preview).to_contain_text("Customer 001")
    expect(preview).to_contain_text("2.00")  # seats, now stored with two decimals
    expect(preview).to_contain_text("buyer1@example.com")
    expect(page.get_by_test_id("sheet-bad-cell")).to_have_count(0)
    screenshot(page, "sheet-import-preview")
    assert_healthy(page)

    page.get_by_test_id("sheet-create").click()
    page.wait_for_url("**/a/sales/customers")
    expect(page.get_by_role("alert")).to_contain_text("imported 500 records")
    expect(page.get_by_test_id("list-count")).to_contain_text("50+")
    expect(page.get_by_test_id("record-table")).to_contain_text("Customer")
    screenshot(page, "sheet-import-list")
    with sales.engine.connect() as conn:
        entity = current_metadata(conn, "sales")[1]["entities/customers.json"]
    assert {f["name"]: f["type"] for f in entity["fields"]}["seats"] == "decimal"
    assert entity["fields"][0]["label"] == {"en": "Customer", "zh": "客户"}
    page.get_by_test_id("search").fill("Customer 321")
    page.get_by_test_id("search").press("Enter")
    table = page.get_by_test_id("record-table")
    expect(table).to_contain_text("Customer 321")
    expect(table.locator("tbody tr")).to_have_count(1)
    assert_healthy(page)


def test_a_bad_file_is_refused_with_a_clear_message(desktop_page, sales, tmp_path):
    page = desktop_page
    login(page, sales)
    page.goto("/builder/sales/import-sheet")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    page.set_input_files("#sheet-file", str(empty))
    page.get_by_test_id("sheet-upload").click()
    expect(page.get_by_test_id("sheet-error")).to_contain_text("no header row")
    screenshot(page, "sheet-import-upload-error")
    expect_console_error(page, "status of 400")


def test_the_preview_fits_a_phone(phone_page, sales, tmp_path):
    page = phone_page
    login(page, sales)
    page.goto("/builder/sales/import-sheet")
    sheet = tmp_path / "leads.csv"
    sheet.write_text("Name,Email,Stage,金额\nAnn,ann@example.com,won,100\nBob,bob@example.com,won,200\n", "utf-8")
    page.set_input_files("#sheet-file", str(sheet))
    page.get_by_test_id("sheet-upload").click()
    expect(page.get_by_test_id("sheet-preview")).to_contain_text("ann@example.com")
    screenshot(page, "sheet-import-preview")
    assert_healthy(page)
