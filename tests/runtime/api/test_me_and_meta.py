"""Token self-service and the metadata routes."""

from __future__ import annotations

from tests.runtime.api.conftest import Api


def sign_in(client) -> None:
    """Tokens are made over a signed-in session (a token never makes tokens: test_step_up)."""
    assert client.post("/login", data={"email": "ann@example.com", "password": "s3cret-pass-12"}).status_code == 302


def test_a_user_creates_lists_and_revokes_their_own_tokens(api, client, engine):
    sign_in(client)
    created = client.post("/api/v1/me/tokens", json={"data": {"name": "etl", "scope": "read"}})
    assert created.status_code == 201
    token = created.get_json()["data"]
    assert token["token"].startswith("mcrm_") and token["scope"] == "read" and token["name"] == "etl"
    listed = api.get("/api/v1/me/tokens").get_json()["data"]
    assert [t["name"] for t in listed] == ["etl", "tests"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert token["token"] not in str(listed)
    new = Api(client, token["token"])
    assert new.get("/api/v1/me/tokens").status_code == 200
    assert api.delete(f"/api/v1/me/tokens/{token['id']}").status_code == 204
    assert new.get("/api/v1/me/tokens").status_code == 401
    assert api.delete("/api/v1/me/tokens/999").status_code == 404


def test_tokens_of_other_users_are_invisible(api, client, engine):
    from runtime.security.tokens import create_token
    from runtime.security.tokens import list_tokens
    from runtime.security.users import create_user

    with engine.begin() as conn:
        bob = create_user(conn, "bob@example.com", "s3cret-pass-12")
        create_token(conn, bob, "bobs", "write")
        bob_token_id = list_tokens(conn, bob)[0]["id"]
    assert "bobs" not in str(api.get("/api/v1/me/tokens").get_json())
    assert api.delete(f"/api/v1/me/tokens/{bob_token_id}").status_code == 404


def test_bad_token_requests_are_422(api, client):
    sign_in(client)
    for data in ({"name": ""}, {"name": "x", "scope": "admin"}, {"name": "x", "owner": 2}):
        response = client.post("/api/v1/me/tokens", json={"data": data})
        assert response.status_code == 422, data


def test_meta_lists_apps_and_describes_fields(api):
    apps = api.get("/api/v1/meta/apps").get_json()["data"]
    assert [a["name"] for a in apps] == ["sample_sales"]
    assert {e["name"] for e in apps[0]["entities"]} == {"account", "opportunity"}
    meta = api.get("/api/v1/meta/sample_sales/opportunity").get_json()["data"]
    fields = {f["name"]: f for f in meta["fields"]}
    assert fields["stage"]["type"] == "select" and fields["stage"]["options"][0]["value"] == "qualify"
    assert fields["name"]["required"] is True and fields["name"]["label"]
    assert fields["account"]["target"] == "account"
    line = api.get("/api/v1/meta/sample_sales/opportunity_line").get_json()["data"]
    assert line["parent"] == {"entity": "opportunity", "field": "lines"}
    assert api.get("/api/v1/meta/sample_sales/nope").status_code == 404
