"""The roles editor: its pages, and that what it saves is the role JSON the schema defines, with
problems pinned to the entity they concern and a second admin's save detected as a conflict."""

import json
import re
from html import unescape

import pytest

from runtime.metadata.docschema import document_problems
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

DEAL = make_entity("deal", [
    make_field("name", required=True),
    make_field("amount", "currency"),
    make_field("cost", "currency"),
    make_field("phone", "phone", sensitive=True),
], title_field="name")


@pytest.fixture
def sales(engine):
    from builder.publish import publish

    publish(engine, make_app("sales", DEAL))


def state_of(page: str) -> dict:
    return json.loads(unescape(re.search(r'data-state="([^"]*)"', page).group(1)))


def create_role(client, name="sales_rep", **labels):
    token = client.get("/builder/sales/roles/new").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', token)
    data = {"name": name, **labels, **({"csrf_token": csrf.group(1)} if csrf else {})}
    return client.post("/builder/sales/roles/new", data=data)


def put_role(client, document, revision):
    return client.put(f"/builder/api/sales/documents/roles/{document['name']}.json",
                      json={"document": document, "revision": revision})


def test_create_role_validates_its_name_and_opens_the_editor(admin, sales):
    bad = create_role(admin, "Sales Rep")
    assert bad.status_code == 422 and 'data-testid="new-role-error"' in bad.get_data(as_text=True)
    made = create_role(admin, "sales_rep", label_en="Sales rep")
    assert made.status_code == 302 and made.headers["Location"].endswith("/builder/sales/roles/sales_rep")
    again = create_role(admin, "sales_rep")
    assert again.status_code == 422 and "already has a role" in again.get_data(as_text=True)
    draft = admin.get("/builder/api/sales/draft").get_json()
    assert draft["documents"]["roles/sales_rep.json"] == {"name": "sales_rep", "label": {"en": "Sales rep"}, "entities": {}}


def test_editor_page_renders_entities_fields_and_the_sidebar(admin, sales):
    create_role(admin, "sales_rep")
    page = admin.get("/builder/sales/roles/sales_rep")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    state = state_of(html)
    assert state["path"] == "roles/sales_rep.json" and state["revision"] == 1
    assert state["document"]["name"] == "sales_rep" and state["problems"] == []
    (deal,) = state["entities"]
    assert deal["name"] == "deal"
    assert [(f["name"], f["sensitive"]) for f in deal["fields"]] == [
        ("name", False), ("amount", False), ("cost", False), ("phone", True)]
    assert "js/builder/role-editor.js" in html and "<script>" not in html  # CSP: no inline scripts
    assert 'href="/builder/sales/roles/sales_rep"' in html  # the frame lists the role
    assert 'href="/builder/sales/roles/new"' in html
    listing = admin.get("/builder/sales/roles/").get_data(as_text=True)
    assert 'data-testid="edit-role-sales_rep"' in listing
    assert admin.get("/builder/sales/roles/nobody").status_code == 404


def test_saving_writes_schema_valid_role_json(admin, sales):
    create_role(admin, "sales_rep")
    role = {"name": "sales_rep", "entities": {"deal": {
        "create": True, "read": "owner == $me", "fields": {"cost": "hidden", "amount": "read"}, "reveal": ["phone"]}}}
    saved = put_role(admin, role, 1)
    assert saved.status_code == 200 and saved.get_json()["problems"] == []
    stored = admin.get("/builder/api/sales/draft").get_json()["documents"]["roles/sales_rep.json"]
    assert stored == role
    assert document_problems("roles/sales_rep.json", stored) == []
    state = state_of(admin.get("/builder/sales/roles/sales_rep").get_data(as_text=True))
    assert state["revision"] == 2 and state["document"] == role


def test_an_invalid_expression_is_a_problem_at_its_entity(admin, sales):
    create_role(admin, "sales_rep")
    saved = put_role(admin, {"name": "sales_rep", "entities": {"deal": {"read": "amount +"}}}, 1)
    problems = [p for p in saved.get_json()["problems"] if p["file"] == "roles/sales_rep.json"]
    assert problems and problems[0]["pointer"] == "/entities/deal/read"
    page_problems = state_of(admin.get("/builder/sales/roles/sales_rep").get_data(as_text=True))["problems"]
    assert [p["pointer"] for p in page_problems] == ["/entities/deal/read"]
    unknown = put_role(admin, {"name": "sales_rep", "entities": {"deal": {"read": True, "fields": {"nope": "hidden"}}}}, 2)
    assert [p["pointer"] for p in unknown.get_json()["problems"]] == ["/entities/deal/fields/nope"]


def test_a_second_admin_saving_the_same_role_gets_a_conflict(admin, sales):
    create_role(admin, "sales_rep")
    first = put_role(admin, {"name": "sales_rep", "entities": {"deal": {"read": True}}}, 1)
    assert first.status_code == 200 and first.get_json()["revision"] == 2
    late = put_role(admin, {"name": "sales_rep", "entities": {"deal": {"read": False}}}, 1)  # opened at revision 1
    assert late.status_code == 409
    details = late.get_json()["error"]["details"]
    assert details["theirs"] == {"name": "sales_rep", "entities": {"deal": {"read": True}}}
    assert details["theirs_revision"] == 2


def test_members_cannot_open_the_roles_editor(member, sales):
    assert member.get("/builder/sales/roles/").status_code in (302, 403, 404)
