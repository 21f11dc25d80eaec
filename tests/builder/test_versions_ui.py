"""Version history, compare, rollback and the JSON view pages through the test client (admins only)."""

import html
import json
import re

import pytest
from sqlalchemy import select

from builder.drafts import load_draft
from builder.publish import publish
from runtime.storage.system import apps
from tests.builder.conftest import edit_draft
from tests.factories import evolve
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

V1 = make_app("shop", make_entity("item", [make_field("name"), make_field("price", "text")], title_field="name"))
V2 = evolve(V1, "item", [make_field("name"), make_field("price", "integer"), make_field("qty", "integer")],
            version="1.1.0")




@pytest.fixture
def shop(engine):
    """Two published versions: 2 made price an integer and added qty."""
    publish(engine, V1, author="first@example.com")
    publish(engine, V2, author="second@example.com")


def current_version(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(apps.c.current_version).where(apps.c.name == "shop"))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_history_lists_versions_newest_first_without_starting_a_draft(admin, engine, shop):
    page = text(admin.get("/builder/shop/versions"))
    assert page.index('data-testid="version-2"') < page.index('data-testid="version-1"')
    assert "second@example.com" in page and "v1.1.0" in page and "In force" in page
    assert "add field item.qty (integer)" in page and "create table for entity item" in page
    assert 'href="/builder/shop/versions/1/rollback"' in page and "/versions/2/rollback" not in page
    with engine.connect() as conn:
        assert load_draft(conn, "shop") is None


def test_diff_names_fields_values_and_table_changes(admin, shop):
    page = text(admin.get("/builder/shop/versions/diff?old=1&new=2"))
    assert re.search(r"Field <span[^>]*>price</span></strong>:", page)
    assert re.search(r'diff-old">text</code>.*diff-new">integer</code>', page, re.DOTALL)
    assert "Field <span class=\"font-monospace\">qty</span></strong>" in page and ">added<" in page
    assert "change field item.price: convert" in page and "add field item.qty (integer)" in page
    assert admin.get("/builder/shop/versions/diff?old=1").status_code == 400
    assert admin.get("/builder/shop/versions/diff?old=1&new=9").status_code == 404


def test_diff_escapes_document_values(admin, engine, shop):
    hostile = evolve(V2, "item", version="1.2.0")
    hostile["entities/item.json"]["label"] = {"en": "<script>alert(1)</script>"}
    publish(engine, hostile)
    page = text(admin.get("/builder/shop/versions/diff?old=2&new=3"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_rollback_previews_then_publishes_the_old_version(admin, engine, shop):
    preview = text(admin.get("/builder/shop/versions/1/rollback"))
    assert "archive field item.qty" in preview and "Existing values are converted" in preview
    assert "disabled" not in preview.split('data-testid="confirm-rollback"')[1][:20]
    stale = admin.post("/builder/shop/versions/1/rollback", data={"current": "1"}, follow_redirects=True)
    assert "Nothing was rolled back" in text(stale) and current_version(engine) == 2
    done = admin.post("/builder/shop/versions/1/rollback", data={"current": "2"}, follow_redirects=True)
    assert "Rolled back shop to version 1: it is now version 3" in text(done) and current_version(engine) == 3
    fields = admin.get("/api/v1/meta/shop/item").get_json()
    assert "qty" not in str(fields)


def test_lossy_rollback_is_refused_and_its_button_disabled(admin, engine, shop):
    created = admin.post("/api/v1/shop/item", json={"data": {"name": "a", "price": 7, "qty": 3}})
    assert created.status_code == 201
    lossy = evolve(V2, "item", [make_field("name"), make_field("price", "integer"), make_field("qty", "text")],
                   version="1.2.0")
    publish(engine, lossy)  # qty becomes text; rolling back to 2 makes it an integer again
    admin.patch(f"/api/v1/shop/item/{created.get_json()['data']['id']}", json={"data": {"qty": "many"}},
                headers={"If-Match": "1"})
    page = text(admin.get("/builder/shop/versions/2/rollback"))
    assert "would lose data, so it is refused" in page and "qty" in page
    assert "disabled" in page.split('data-testid="confirm-rollback"')[1][:20]
    refused = admin.post("/builder/shop/versions/2/rollback", data={"current": "3"}, follow_redirects=True)
    assert "Nothing was rolled back" in text(refused) and current_version(engine) == 3


def test_rollback_warns_about_a_changed_draft_and_offers_to_discard_it(admin, engine, shop):
    assert "rollback-draft-warning" not in text(admin.get("/builder/shop/versions/1/rollback"))
    doc = admin.get("/builder/api/shop/draft").get_json()["documents"]["entities/item.json"]
    admin.put("/builder/api/shop/documents/entities/item.json",
              json={"document": {**doc, "label": {"en": "Changed"}}, "revision": 1})
    page = text(admin.get("/builder/shop/versions/1/rollback"))
    assert 'data-testid="rollback-draft-warning"' in page and "does not touch the draft" in page
    discarded = admin.post("/builder/shop/versions/1/discard-draft")
    assert discarded.headers["Location"].endswith("/builder/shop/versions/1/rollback")
    with engine.connect() as conn:
        assert load_draft(conn, "shop") is None


def test_rollback_drops_a_draft_that_only_copied_the_replaced_version(admin, engine, shop):
    admin.get("/builder/shop")  # opening the builder starts a draft: a copy of version 2
    admin.post("/builder/shop/versions/1/rollback", data={"current": "2"})
    with engine.connect() as conn:
        assert current_version(engine) == 3 and load_draft(conn, "shop") is None


def test_json_view_shows_the_document_its_problems_and_lines(admin, shop):
    edit_draft(admin, lambda doc: doc["fields"][1].update(type="nmber"))
    page = text(admin.get("/builder/shop/json/entities/item.json?pointer=/fields/2"))
    assert 'data-revision="2"' in page and 'data-exists="true"' in page
    lines = html.unescape(re.search(r"<textarea[^>]*>(.*)</textarea>", page, re.DOTALL).group(1)).split("\n")
    assert '"type": "nmber"' in "\n".join(lines) and "<textarea" not in "\n".join(lines)
    problems = json.loads(html.unescape(re.search(r"data-problems='([^']*)'", page).group(1)))
    assert [p["pointer"] for p in problems] == ["/fields/1/type"]
    assert '"nmber"' in lines[problems[0]["line"] - 1]
    jump = int(re.search(r'data-jump="(\d+)"', page).group(1))
    assert '"qty"' in "".join(lines[jump - 1:jump + 2])  # /fields/2 is the qty field
    assert 'href="/builder/shop/json/app.json"' in page  # the sidebar's JSON list


def test_json_view_opens_a_new_document_checked_by_the_path_rules(admin, shop):
    opened = admin.get("/builder/shop/json?path=roles/sales_rep.json")
    assert opened.headers["Location"].endswith("/builder/shop/json/roles/sales_rep.json")
    page = text(admin.get("/builder/shop/json/roles/sales_rep.json"))
    assert "New document" in page and 'data-exists="false"' in page and "sales_rep" in page
    refused = admin.get("/builder/shop/json?path=secrets/x.json&from=app.json", follow_redirects=True)
    assert "is not a document path" in text(refused)
    assert admin.get("/builder/shop/json/../app.json.bak").status_code in (400, 404)


def test_publish_page_links_problems_and_says_why_it_is_off(admin, shop):
    edit_draft(admin, lambda doc: doc["fields"][1].update(type="nmber"))
    page = text(admin.get("/builder/shop/publish"))
    assert 'data-testid="problem-link"' in page and "/builder/shop/json/entities/item.json?pointer=" in page
    assert "Publishing is off until the problems above are fixed." in page
    assert "disabled" in page.split('data-testid="confirm-publish"')[1][:20]


def test_publish_page_groups_changes_by_entity_with_warnings(admin, shop):
    edit_draft(admin, lambda doc: doc.update(fields=[f for f in doc["fields"] if f["name"] != "qty"]))
    page = text(admin.get("/builder/shop/publish"))
    assert "change-archive" in page and "change-warned" in page and "it is kept and can be restored" in page
    assert ">0 rows<" in page and "Check the highlighted changes before you publish." in page


@pytest.mark.parametrize("url", ["/builder/shop/versions", "/builder/shop/versions/diff?old=1&new=2",
                                 "/builder/shop/versions/1/rollback", "/builder/shop/json/app.json"])
def test_non_admins_are_refused(member, engine, shop, url):
    assert member.get(url).status_code == 403
    assert member.post("/builder/shop/versions/1/rollback", data={"current": "2"}).status_code == 403
    assert current_version(engine) == 2
