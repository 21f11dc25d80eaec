"""The entity designer's pages through the test client: the designer frame, new entities, the
formula check on an unsaved entity, and admins only."""

import pytest

from tests.builder import test_designer_pages as pages

shop = pages.shop  # the published "shop" app, shared with the builder pages' tests


def new(client, name, en="", zh=""):
    return client.post("/builder/shop/entities/new", data={"name": name, "label_en": en, "label_zh": zh})


def test_the_designer_page_carries_its_api_urls(admin, shop):
    page = admin.get("/builder/shop/entities/item")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="entity-designer"' in html
    for url in ("/builder/api/shop/draft", "/builder/api/fieldtypes", "/builder/api/shop/documents/__path__",
                "/builder/api/shop/entities/item/formula", "js/builder/entity-designer.js", "css/builder-entity.css"):
        assert url in html
    assert admin.get("/builder/shop/entities/nothing").status_code == 404


def test_the_frame_lists_entities_with_a_new_link(admin, shop):
    html = admin.get("/builder/shop").get_data(as_text=True)
    assert "/builder/shop/entities/item" in html and "/builder/shop/entities/new" in html


def test_new_entity_starts_with_a_required_name_as_title(admin, shop):
    assert 'data-testid="new-entity-form"' in admin.get("/builder/shop/entities/new").get_data(as_text=True)
    created = new(admin, "customer", "Customer", "客户")
    assert created.status_code == 302 and created.headers["Location"].endswith("/builder/shop/entities/customer")
    draft = admin.get("/builder/api/shop/draft").get_json()
    doc = draft["documents"]["entities/customer.json"]
    assert doc["label"] == {"en": "Customer", "zh": "客户"} and doc["title_field"] == "name"
    assert doc["fields"] == [{"name": "name", "type": "text", "label": {"en": "Name", "zh": "名称"}, "required": True}]
    assert draft["revisions"]["entities/customer.json"] == 1
    assert not [p for p in draft["problems"] if p["file"] == "entities/customer.json"]


@pytest.mark.parametrize(("name", "message"), [
    ("", "the name is empty"),
    ("Customer", "must be lowercase"),
    ("customer name", "use '_' between words"),
    ("order", "reserved word in SQL"),
    ("2nd", "must start with a letter"),
    ("item", "already has an entity named 'item'"),
    ("客户", "non-ASCII"),
])
def test_new_entity_names_are_refused_with_a_reason(admin, shop, name, message):
    refused = new(admin, name)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="new-entity-error"' in html and message in html.replace("&#39;", "'")
    assert 'is-invalid' in html
    documents = admin.get("/builder/api/shop/draft").get_json()["documents"]
    assert set(documents) == {"app.json", "entities/item.json"}


def test_formula_check_sees_unsaved_fields(admin, shop):
    doc = admin.get("/builder/api/shop/draft").get_json()["documents"]["entities/item.json"]
    doc["fields"].append({"name": "price", "type": "currency"})
    body = {"document": doc, "expression": "qty * price", "sample": {"qty": "3", "price": "2.50"}}
    checked = admin.post("/builder/api/shop/entities/item/formula", json=body).get_json()
    assert checked["ok"] and checked["preview"] == {"value": "7.50"} and "price" in {c["text"] for c in checked["completions"]}
    saved_only = admin.post("/builder/api/shop/formula", json={"entity": "item", "expression": "qty * price"}).get_json()
    assert not saved_only["ok"]
    bad = admin.post("/builder/api/shop/entities/item/formula", json={**body, "expression": "qty *\n nope"}).get_json()
    assert bad["error"] == {"line": 2, "col": 2, "message": "unknown field 'nope'"}


def test_only_admins(app, member, shop):
    assert app.test_client().get("/builder/shop/entities/item").status_code in (302, 401)
    assert member.get("/builder/shop/entities/item").status_code == 403
    assert member.post("/builder/shop/entities/new", data={"name": "sneaky"}).status_code == 403
    assert member.post("/builder/api/shop/entities/item/formula", json={"expression": "1"}).status_code == 403
