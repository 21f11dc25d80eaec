"""``/api/v1/<app>/<entity>/<id>/shares``: scopes, rights and stable error codes."""

import pytest
from openapi_spec_validator import validate

from runtime.security.tokens import create_token
from tests.runtime.api.conftest import Api
from tests.runtime.security import test_permissions as rules

people, deals = rules.people, rules.deals  # three roles, departments East/West/HQ, one deal each


@pytest.fixture
def as_user(client, engine, people):
    """``as_user("rep_east")`` -> an Api with a write token; ``scope="read"`` for a read-only one."""
    def make(who, scope="write"):
        with engine.begin() as conn:
            return Api(client, create_token(conn, people[who], "tests", scope))
    return make


def url(deal_id, share_id=None):
    return f"/api/v1/sales/deal/{deal_id}/shares" + (f"/{share_id}" if share_id else "")


def code(response):
    return response.get_json()["error"]["code"]


def test_share_list_and_unshare(as_user, people, deals):
    east, west = as_user("rep_east"), as_user("rep_west")
    deal = deals["rep_east"]
    assert east.get(url(deal)).get_json() == {"data": []}
    made = east.post(url(deal), {"user_id": people["rep_west"], "access": "edit"})
    assert made.status_code == 201
    share = made.get_json()["data"]
    assert share["user_name"] == "rep_west" and share["access"] == "edit" and share["created_at"].endswith("Z")
    assert east.post(url(deal), {"user_id": people["rep_west"], "access": "edit"}).status_code == 200
    assert west.get(f"/api/v1/sales/deal/{deal}").status_code == 200
    assert west.patch(f"/api/v1/sales/deal/{deal}", {"title": "joint"}, version=1).status_code == 200
    assert [s["id"] for s in west.get(url(deal)).get_json()["data"]] == [share["id"]]
    assert east.delete(url(deal, share["id"])).status_code == 204
    assert code(east.delete(url(deal, share["id"]))) == "not_found"
    assert west.get(f"/api/v1/sales/deal/{deal}").status_code == 404
    assert west.get(url(deal)).status_code == 404


def test_rights_and_scopes(as_user, people, deals):
    deal, target = deals["rep_east"], {"department": "West"}
    reader = as_user("rep_east", scope="read")
    assert reader.get(url(deal)).status_code == 200
    refused = reader.post(url(deal), target)
    assert refused.status_code == 403 and code(refused) == "access_denied"
    not_theirs = as_user("rep_east2").post(url(deal), target)  # may read it, may not change it
    assert not_theirs.status_code == 403 and code(not_theirs) == "access_denied"
    stranger = as_user("rep_west").post(url(deal), target)
    assert stranger.status_code == 404 and code(stranger) == "not_found"
    share_id = as_user("admin").post(url(deal), target).get_json()["data"]["id"]
    assert code(as_user("rep_east", scope="read").delete(url(deal, share_id))) == "access_denied"
    assert code(as_user("rep_east2").delete(url(deal, share_id))) == "access_denied"
    assert code(as_user("rep_east").get(url(10**20))) == "not_found"
    assert as_user("rep_east").delete(url(deal, share_id)).status_code == 204


@pytest.mark.parametrize(("body", "status", "error"), [
    (b"not json", 400, "bad_input"),
    (b'{"department": "West"}', 422, "validation_failed"),
    (b'{"data": {"department": "Mars"}}', 422, "validation_failed"),
    (b'{"data": {"user_id": 1, "department": "West"}}', 422, "validation_failed"),
    (b'{"data": {"department": "West", "access": "all"}}', 422, "validation_failed"),
])
def test_bad_bodies_get_stable_codes(as_user, deals, body, status, error):
    api = as_user("manager")
    response = api.client.post(url(deals["manager"]), data=body, content_type="application/json",
                               headers=api.headers)
    assert response.status_code == status and code(response) == error
    assert api.get(url(deals["manager"])).get_json() == {"data": []}


def test_session_calls_need_the_csrf_header(app, client, people, deals):
    from tests.runtime.security.permissions_app import PASSWORD

    client.post("/login", data={"email": "manager@example.com", "password": PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(url(deals["manager"]), json={"data": {"department": "East"}})
    assert response.status_code == 403 and code(response) == "csrf_failed"


def test_the_document_describes_the_share_routes(as_user):
    doc = as_user("admin").get("/api/openapi.json").get_json()
    validate(doc)
    assert set(doc["paths"]["/api/v1/sales/deal/{id}/shares"]) == {"parameters", "get", "post"}
    assert set(doc["paths"]["/api/v1/sales/deal/{id}/shares/{share_id}"]) == {"parameters", "delete"}
