"""The sheet wizard through the test client: upload, preview, create; errors leave nothing behind."""

import io
import re
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.storage.catalog import current_metadata
from tests.builder.conftest import PASSWORD
from tests.builder.conftest import edit_draft
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

CSV = ("Name,Email,Stage,Amount,Signed on,金额\n"
       "Ann,ann@example.com,won,\"¥1,200.50\",2026/1/31,10\n"
       "Bob,bob@example.com,lost,$300,2026-02-01,20\n"
       "Cy,cy@example.com,won,45,2026/2/3,30\n"
       "Di,di@example.com,won,12.5,2026-02-04,40\n")




@pytest.fixture
def shop(engine):
    publish(engine, make_app("shop", make_entity("item", [make_field("name")], title_field="name")))


def upload(client, data: bytes, filename: str = "deals.csv"):
    return client.post("/builder/shop/import-sheet", data={"sheet": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def form_of(page: str) -> dict:
    """The preview form's current values, as a browser would send them."""
    data = dict(re.findall(r'<input class="form-control[^"]*"[^>]* name="([^"]+)" value="([^"]*)"', page))
    data.update(re.findall(r'name="(type_\d+)"[^>]*>.*?<option value="([^"]+)" selected', page, re.DOTALL))
    return data


def records(engine, entity: str) -> list:
    with engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("shop", entity)
        return conn.execute(select(table).order_by(table.c.id)).mappings().all()


def test_upload_preview_create(admin, engine, shop):
    assert "Import a sheet as an entity" in admin.get("/builder/shop").get_data(as_text=True)
    response = upload(admin, CSV.encode("utf-8-sig"))
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check the new entity" in page and "ann@example.com" in page and "1200.50" in page
    data = form_of(page)
    assert data["entity_name"] == "deals" and data["type_3"] == "currency" and data["type_4"] == "date"
    data.update(action="create", type_2="text")
    done = admin.post(response.headers["Location"], data=data)
    assert done.status_code == 302 and done.headers["Location"] == "/a/shop/deals"
    rows = records(engine, "deals")
    assert [r["name"] for r in rows] == ["Ann", "Bob", "Cy", "Di"]
    assert str(rows[0]["amount"]) == "1200.50" and rows[0]["signed_on"].isoformat() == "2026-01-31"
    assert rows[0]["field_6"] == 10
    with engine.connect() as conn:
        entity = current_metadata(conn, "shop")[1]["entities/deals.json"]
    assert {f["name"]: f["type"] for f in entity["fields"]}["stage"] == "text"
    assert entity["fields"][5]["label"] == {"zh": "金额"}
    assert "imported 4 records" in admin.get("/a/shop/deals").get_data(as_text=True)


def test_xlsx_upload_and_type_change_shows_bad_cells(admin, engine, shop):
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Due", "Score"])
    sheet.append(["a", datetime(2026, 3, 1), 1])
    sheet.append(["b", datetime(2026, 3, 2, 9, 30), 2])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(admin, buffer.getvalue(), "tasks.xlsx")
    url = response.headers["Location"]
    data = form_of(admin.get(url).get_data(as_text=True))
    assert data["type_1"] == "datetime" and data["type_2"] == "integer"
    data.update(type_0="integer", action="preview")
    page = admin.post(url, data=data).get_data(as_text=True)
    assert page.count('data-testid="sheet-bad-cell"') == 2 and "expected a number" in page
    data["action"] = "create"
    refused = admin.post(url, data=data).get_data(as_text=True)
    assert "2 of 2 rows cannot be imported" in refused and "Row 2" in refused
    with engine.connect() as conn:
        assert "entities/tasks.json" not in current_metadata(conn, "shop")[1]


def test_bad_files_are_refused_and_nothing_is_created(admin, engine, shop):
    wrong = upload(admin, b"hello", "notes.txt")
    assert wrong.status_code == 400 and ".txt files cannot be imported" in wrong.get_data(as_text=True)
    empty = upload(admin, b"", "empty.csv")
    assert empty.status_code == 400 and "no header row" in empty.get_data(as_text=True)
    broken = upload(admin, b"PK\x03\x04 not really a zip", "broken.xlsx")
    assert broken.status_code == 400 and "not a readable XLSX file" in broken.get_data(as_text=True)
    with engine.connect() as conn:
        assert current_metadata(conn, "shop")[0] == 1


def test_other_draft_changes_need_confirmation(admin, engine, shop):
    edit_draft(admin, lambda doc: doc["fields"].append({"name": "sku", "type": "text"}))
    url = upload(admin, CSV.encode()).headers["Location"]
    page = admin.get(url).get_data(as_text=True)
    assert "other unpublished changes" in page and "entities/item.json" in page
    data = {**form_of(page), "action": "create"}
    again = admin.post(url, data=data)
    assert again.status_code == 200 and len(records(engine, "item")) == 0
    with engine.connect() as conn:
        assert "entities/deals.json" not in current_metadata(conn, "shop")[1]
    fingerprint = re.search(r'name="confirm_pending" value="([^"]+)"', page).group(1)
    done = admin.post(url, data={**data, "confirm_pending": fingerprint})
    assert done.status_code == 302 and len(records(engine, "deals")) == 4
    with engine.connect() as conn:
        fields = current_metadata(conn, "shop")[1]["entities/item.json"]["fields"]
    assert "sku" in [f["name"] for f in fields]


def test_taken_and_invalid_names_are_explained(admin, shop):
    url = upload(admin, CSV.encode(), "item.csv").headers["Location"]
    data = form_of(admin.get(url).get_data(as_text=True))
    assert data["entity_name"] == "item_2"
    page = admin.post(url, data={**data, "entity_name": "item", "action": "create"}).get_data(as_text=True)
    assert "already has an entity named item" in page
    page = admin.post(url, data={**data, "name_0": "select", "action": "create"}).get_data(as_text=True)
    assert "reserved word" in page


def test_uploads_bigger_than_the_app_limit_are_accepted(admin, shop):
    row = "x" * 90 + ",1\n"
    big = ("Note,Count\n" + row * 130_000).encode()
    assert 10 * 1024 * 1024 < len(big) < 20 * 1024 * 1024
    assert upload(admin, big, "big.csv").status_code == 302
    too_big = upload(admin, big * 2, "bigger.csv")
    assert too_big.status_code == 413


def test_only_the_uploader_and_only_admins(admin, client, engine, shop):
    url = upload(admin, CSV.encode()).headers["Location"]
    admin.post("/logout")
    client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert client.get("/builder/shop/import-sheet").status_code == 403
    assert client.get(url).status_code == 403
    assert upload(client, CSV.encode()).status_code == 403
    assert client.get("/builder/shop/import-sheet/" + "0" * 32).status_code == 403


def test_an_import_that_fails_after_publish_can_be_retried(admin, engine, shop, monkeypatch):
    from builder.designer import sheet_pages
    from runtime.errors import ValidationFailed

    real = sheet_pages.import_rows

    def crashing(*args, **kwargs):  # stands in for a failure the row checks cannot foresee
        raise ValidationFailed("nothing was imported", details={"errors": [
            {"row": 3, "field": "name", "column": "Name", "message": "the database went away"}]})

    monkeypatch.setattr(sheet_pages, "import_rows", crashing)
    url = upload(admin, CSV.encode()).headers["Location"]
    failed = admin.post(url, data={**form_of(admin.get(url).get_data(as_text=True)), "action": "create"})
    page = failed.get_data(as_text=True)
    assert failed.status_code == 422 and "row 3: Name: the database went away" in page and "Retry the import" in page
    assert records(engine, "deals") == []
    monkeypatch.setattr(sheet_pages, "import_rows", real)
    done = admin.post(url + "/retry")
    assert done.status_code == 302 and len(records(engine, "deals")) == 4
    assert admin.get(url).status_code == 404


def test_problems_elsewhere_in_the_draft_block_create(admin, engine, shop):
    edit_draft(admin, lambda doc: doc["fields"].append({"name": "qty", "type": "nmber"}))
    url = upload(admin, CSV.encode()).headers["Location"]
    page = admin.get(url).get_data(as_text=True)
    assert "problems to fix before publishing" in page and "nmber" in page
    response = admin.post(url, data={**form_of(page), "action": "create"})
    assert response.status_code == 200
    with engine.connect() as conn:
        assert current_metadata(conn, "shop")[0] == 1
    assert "entities/deals.json" not in admin.get("/builder/api/shop/draft").get_json()["documents"]


def test_hostile_headers_and_cells_are_escaped(admin, shop):
    url = upload(admin, b'<img src=x onerror=alert(1)>,Note\n"<script>alert(2)</script>",x\n').headers["Location"]
    page = admin.get(url).get_data(as_text=True)
    assert "<script>alert(2)" not in page and "&lt;script&gt;alert(2)" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_excel_percent_cells_are_stored_as_percentages(admin, engine, shop):
    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Share"])
    for title, share in (("a", 0.45), ("b", 0.125)):
        sheet.append([title, share])
        sheet.cell(sheet.max_row, 2).number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    url = upload(admin, buffer.getvalue(), "shares.xlsx").headers["Location"]
    page = admin.get(url).get_data(as_text=True)
    assert "45.00" in page and "12.50" in page
    assert admin.post(url, data={**form_of(page), "action": "create"}).status_code == 302
    assert [str(r["share"]) for r in records(engine, "shares")] == ["45.00", "12.50"]
