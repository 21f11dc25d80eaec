"""The builder's pages and JSON API through the test client: admins only, drafts, publish."""

import pytest

from tests.builder.conftest import edit_draft
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field


@pytest.fixture
def shop(engine):
    from builder.publish import publish

    publish(engine, make_app("shop", make_entity("item", [make_field("name"), make_field("qty", "integer")],
                                                 title_field="name")))


def test_only_admins_get_in(app, member, shop):
    assert app.test_client().get("/builder/").status_code in (302, 401)
    assert member.get("/builder/").status_code == 403
    assert member.put("/builder/api/shop/documents/app.json", json={"document": {}}).status_code == 403


def test_index_lists_apps_and_creates_a_new_one(admin, shop):
    assert "shop" in admin.get("/builder/").get_data(as_text=True)
    response = admin.post("/builder/apps", data={"name": "projects", "label_en": "Projects", "label_zh": "项目"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/builder/projects")
    page = admin.get("/builder/projects").get_data(as_text=True)
    assert "Projects" in page and "Not published yet" in page
    bad = admin.post("/builder/apps", data={"name": "Bad Name"}, follow_redirects=True)
    assert "starts with a letter" in bad.get_data(as_text=True)


def test_save_a_document_then_preview_and_publish(admin, shop):
    saved = edit_draft(admin, lambda doc: doc["fields"].append({"name": "price", "type": "currency"}))
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2 and saved.get_json()["problems"] == []
    preview = admin.get("/builder/shop/publish").get_data(as_text=True)
    assert "add field item.price" in preview and "disabled" not in preview.split('data-testid="confirm-publish"')[1][:20]
    import re
    draft_at = re.search(r'name="draft" value="([^"]+)"', preview).group(1)
    done = admin.post("/builder/shop/publish", data={"draft": draft_at}, follow_redirects=True)
    assert "Published shop version 2" in done.get_data(as_text=True)
    assert admin.get("/api/v1/meta/shop/item").status_code == 200
    fields = admin.get("/api/v1/meta/shop/item").get_json()
    assert "price" in str(fields)


def test_publish_refuses_a_draft_changed_after_the_preview(admin, shop):
    import re

    preview = admin.get("/builder/shop/publish").get_data(as_text=True)
    draft_at = re.search(r'name="draft" value="([^"]+)"', preview).group(1)
    edit_draft(admin, lambda doc: doc["fields"].append({"name": "sku", "type": "text"}))
    refused = admin.post("/builder/shop/publish", data={"draft": draft_at}, follow_redirects=True)
    assert "Nothing was published" in refused.get_data(as_text=True)


def test_second_admin_gets_a_conflict_with_both_versions(admin, shop):
    doc = admin.get("/builder/api/shop/draft").get_json()["documents"]["entities/item.json"]
    first = {**doc, "label": {"en": "First"}}
    second = {**doc, "label": {"en": "Second"}}
    assert admin.put("/builder/api/shop/documents/entities/item.json", json={"document": first, "revision": 1}).status_code == 200
    clash = admin.put("/builder/api/shop/documents/entities/item.json", json={"document": second, "revision": 1})
    body = clash.get_json()["error"]
    assert clash.status_code == 409 and body["details"]["theirs"]["label"] == {"en": "First"}
    assert body["details"]["yours"]["label"] == {"en": "Second"}


def test_json_view_errors_point_at_lines(admin, shop):
    broken = admin.put("/builder/api/shop/documents/entities/item.json",
                       json={"text": '{\n  "name": "item",\n  "fields": [\n    {"name": "a",}\n  ]\n}', "revision": 1})
    assert broken.status_code == 422 and broken.get_json()["error"]["details"]["line"] == 4
    dup = admin.put("/builder/api/shop/documents/entities/item.json",
                    json={"text": '{"name": "item",\n "name": "again", "fields": []}', "revision": 1})
    assert dup.status_code == 422 and "duplicate" in dup.get_json()["error"]["message"]
    text = '{\n  "name": "item",\n  "fields": [\n    {"name": "qty",\n     "type": "nmber"}\n  ]\n}'
    saved = admin.put("/builder/api/shop/documents/entities/item.json", json={"text": text, "revision": 1})
    problems = [p for p in saved.get_json()["problems"] if p["file"] == "entities/item.json"]
    assert saved.status_code == 200 and problems and problems[0]["line"] == 5


def test_formula_check_gives_position_completions_and_preview(admin, shop):
    ok = admin.post("/builder/api/shop/formula", json={"entity": "item", "expression": "qty * 2",
                                                       "sample": {"qty": "21"}}).get_json()
    assert ok["ok"] and ok["type"] == "INTEGER" and ok["preview"] == {"value": 42}
    assert {"qty", "name", "$today", "IF("} <= {c["text"] for c in ok["completions"]}
    bad = admin.post("/builder/api/shop/formula", json={"entity": "item", "expression": "qty + nope"}).get_json()
    assert not bad["ok"] and bad["error"]["col"] == 7 and "nope" in bad["error"]["message"]


def test_field_type_palette(admin):
    types = {t["name"]: t for t in admin.get("/builder/api/fieldtypes").get_json()["data"]}
    assert {"text", "select", "formula", "link", "table"} <= set(types)
    assert types["formula"]["computed"] and "expression" in types["formula"]["schema"]["properties"]
