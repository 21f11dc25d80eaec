"""The record routes of DESIGN §4 over the sample_sales app, on every backend."""

from __future__ import annotations

BASE = "/api/v1/sample_sales"


def new_account(api, **data):
    response = api.post(f"{BASE}/account", {"name": "Acme", "city": "Lyon", **data})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert response.mimetype == "application/json"
    return body["error"]


def test_crud_round_trip(api):
    created = api.post(f"{BASE}/opportunity", {
        "name": "Big deal", "amount": "1234.50", "probability": 40, "account": new_account(api)["id"],
        "close_date": "2026-05-01", "closed_at": "2026-05-01T10:00:00+02:00", "tags": ["renewal", "hot"],
        "lines": [{"product": "Seat", "qty": 2, "subtotal": "10.25"}]})
    assert created.status_code == 201
    deal = created.get_json()["data"]
    assert created.headers["Location"] == f"{BASE}/opportunity/{deal['id']}"
    assert created.headers["ETag"] == '"1"'
    assert deal["amount"] == "1234.50" and deal["weighted"] == "493.80" and deal["total"] == "10.25"
    assert deal["account_city"] == "Lyon" and deal["tags"] == ["hot", "renewal"]
    assert deal["close_date"] == "2026-05-01" and deal["closed_at"] == "2026-05-01T08:00:00Z"
    assert deal["created_at"].endswith("Z") and deal["deleted_at"] is None
    got = api.get(f"{BASE}/opportunity/{deal['id']}")
    assert got.status_code == 200 and got.get_json()["data"] == deal and got.headers["ETag"] == '"1"'

    changed = api.patch(f"{BASE}/opportunity/{deal['id']}", {"amount": "99.999"}, version=1)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["data"]["amount"] == "100.00" and changed.headers["ETag"] == '"2"'

    assert api.delete(f"{BASE}/opportunity/{deal['id']}").status_code == 204
    assert error(api.get(f"{BASE}/opportunity/{deal['id']}"))["code"] == "not_found"
    restored = api.post(f"{BASE}/opportunity/{deal['id']}/restore")
    assert restored.status_code == 200 and restored.get_json()["data"]["deleted_at"] is None
    history = api.get(f"{BASE}/opportunity/{deal['id']}/history").get_json()["data"]
    assert [h["action"] for h in history] == ["create", "update", "delete", "restore"]
    assert history[1]["changes"]["amount"] == ["1234.50", "100.00"] and history[0]["at"].endswith("Z")


def test_unknown_things_are_json_404s(api):
    account = new_account(api)
    for path in ("/api/v1/nope/account", f"{BASE}/nope", f"{BASE}/account/999", f"{BASE}/account/999/history",
                 f"{BASE}/opportunity_line", f"{BASE}/opportunity_line/1", f"{BASE}/account/{2**70}",
                 "/api/v1/nothing/here/at/all"):
        response = api.get(path)
        assert response.status_code == 404, path
        error(response)
    assert api.post(f"{BASE}/account/{account['id']}/restore").status_code == 404  # not deleted
    assert api.patch(f"{BASE}/account/999", {"city": "x"}, version=1).status_code == 404
    assert api.delete(f"{BASE}/account/999").status_code == 404


def test_invalid_values_are_422_per_field_and_nothing_is_written(api):
    response = api.post(f"{BASE}/opportunity", {
        "name": "", "stage": "maybe", "amount": "lots", "account": 12345, "bogus": 1, "weighted": "1", "id": 7})
    assert response.status_code == 422
    details = error(response)["details"]
    assert set(details) >= {"name", "stage", "amount", "account", "bogus", "weighted", "id"}
    assert details["bogus"] == "unknown field"
    assert api.get(f"{BASE}/opportunity").get_json()["data"] == []


def test_body_must_be_a_json_object_with_data(api):
    url = f"{BASE}/account"
    assert error(api("POST", url, data="not json", content_type="application/json"))["code"] == "bad_input"
    assert api("POST", url, data="").status_code == 400
    assert api("POST", url, data="{\"data\": NaN}", content_type="application/json").status_code == 400
    for body in ([], {"name": "x"}, {"data": [1]}, {"data": {"name": "x"}, "extra": 1}):
        response = api("POST", url, json=body)
        assert response.status_code == 422, body
        assert error(response)["details"]
    nul = api.post(url, {"name": "a\x00b"})
    assert nul.status_code == 422 and "name" in error(nul)["details"]


def test_html_is_stored_and_returned_as_given(api):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    deal = api.post(f"{BASE}/opportunity", {"name": hostile, "notes": hostile, "body": hostile}).get_json()["data"]
    again = api.get(f"{BASE}/opportunity/{deal['id']}")
    assert again.mimetype == "application/json"
    assert again.get_json()["data"]["notes"] == hostile and again.get_json()["data"]["name"] == hostile


def test_a_huge_body_is_a_json_413(api):
    big = b'{"data": {"name": "' + b"x" * (50 * 1024 * 1024) + b'"}}'
    response = api("POST", f"{BASE}/account", data=big, content_type="application/json")
    assert response.status_code == 413
    error(response)


def test_patch_needs_if_match(api):
    account = new_account(api)
    missing = api.patch(f"{BASE}/account/{account['id']}", {"city": "Paris"})
    assert missing.status_code == 428 and error(missing)["code"] == "precondition_required"
    bad = api.patch(f"{BASE}/account/{account['id']}", {"city": "Paris"}, headers={"If-Match": "abc"})
    assert bad.status_code == 400
    assert api.patch(f"{BASE}/account/{account['id']}", {"city": "Paris"},
                     headers={"If-Match": "1"}).status_code == 200  # the bare number works too


def test_two_clients_one_wins_the_other_gets_412(api, client, write_token):
    from tests.runtime.api.conftest import Api

    other = Api(client.application.test_client(), write_token)
    account = new_account(api)
    url = f"{BASE}/account/{account['id']}"
    first = api.patch(url, {"city": "Paris"}, version=1)
    second = other.patch(url, {"city": "Berlin"}, version=1)
    assert first.status_code == 200 and second.status_code == 412
    err = error(second)
    assert err["code"] == "stale_version" and err["details"] == {"current_version": 2}
    assert api.get(url).get_json()["data"]["city"] == "Paris"
    assert api.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert api.delete(url, headers={"If-Match": '"2"'}).status_code == 204


def test_delete_of_a_referenced_record_is_409(api):
    account = new_account(api)
    api.post(f"{BASE}/opportunity", {"name": "d", "account": account["id"]})
    response = api.delete(f"{BASE}/account/{account['id']}")
    assert response.status_code == 409
    assert error(response)["code"] == "conflict"


def test_duplicate_unique_value_is_422_on_the_field(api):
    new_account(api)
    response = api.post(f"{BASE}/account", {"name": "Acme"})
    assert response.status_code == 422 and "name" in error(response)["details"]


def test_list_passes_where_order_limit_cursor_and_count(api):
    for i, city in enumerate(["Lyon", "Paris", "Lyon", "Nice", "Lyon"]):
        new_account(api, name=f"A{i}", city=city, revenue=str(i * 10))
    url = f"{BASE}/account?where=city == 'Lyon'&order=-revenue&limit=2&count=true"
    first = api.get(url).get_json()
    assert [a["name"] for a in first["data"]] == ["A4", "A2"] and first["total"] == 3
    assert first["next_cursor"]
    second = api.get(f"{url}&cursor={first['next_cursor']}").get_json()
    assert [a["name"] for a in second["data"]] == ["A0"] and second["next_cursor"] is None
    plain = api.get(f"{BASE}/account").get_json()
    assert len(plain["data"]) == 5 and "total" not in plain and plain["data"][0]["created_at"].endswith("Z")


def test_bad_list_parameters_are_4xx_with_details(api):
    bad_where = api.get(f"{BASE}/account?where=city ==")
    assert bad_where.status_code == 422
    assert error(bad_where)["details"]["col"] == 8 and error(bad_where)["details"]["line"] == 1
    assert api.get(f"{BASE}/account?order=nope").status_code == 422
    assert error(api.get(f"{BASE}/account?limit=0"))["details"] == {"limit": "expected a whole number from 1 to 500"}
    assert api.get(f"{BASE}/account?cursor=tampered").status_code in (400, 422)
    assert api.get(f"{BASE}/account?count=maybe").status_code == 422
    assert api.get(f"{BASE}/account?limit=¹").status_code == 422  # a digit to str.isdigit, not to int()
