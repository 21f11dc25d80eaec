"""Who may call the API: sessions (with CSRF for writes) and Bearer tokens (read or write scope)."""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from runtime.security.tokens import revoke_token
from runtime.storage.system import api_tokens
from tests.runtime.api.conftest import Api

URL = "/api/v1/sample_sales/account"


def code(response) -> str:
    assert response.mimetype == "application/json"
    return response.get_json()["error"]["code"]


def test_no_credentials_is_a_json_401(client, sales):
    for method, path in [("GET", URL), ("POST", URL), ("GET", "/api/openapi.json"), ("GET", "/api/v1/me/tokens"),
                         ("GET", "/api/v1/meta/apps"), ("DELETE", f"{URL}/1")]:
        response = client.open(path, method=method)
        assert response.status_code == 401, path
        assert code(response) == "login_required"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_and_revoked_tokens_are_401_even_with_a_session(client, sales, write_token, user_id, engine):
    for header in ("Bearer mcrm_wrong", "Bearer ", "Basic abc", write_token):
        response = client.get(URL, headers={"Authorization": header})
        assert response.status_code == 401 and code(response) == "invalid_token", header
    assert Api(client, write_token).get(URL).status_code == 200
    with engine.begin() as conn:
        revoke_token(conn, conn.execute(select(api_tokens.c.id)).scalar(), user_id=user_id)
    assert Api(client, write_token).get(URL).status_code == 401


def test_read_token_reads_but_cannot_write(reader, api):
    assert reader.get(URL).status_code == 200
    assert reader.get("/api/openapi.json").status_code == 200
    for response in (reader.post(URL, {"name": "x"}), reader.delete(f"{URL}/1"),
                     reader.patch(f"{URL}/1", {"name": "x"}, version=1), reader.post("/api/v1/me/tokens", {"name": "x"})):
        assert response.status_code == 403 and code(response) == "access_denied"
    assert api.get(URL).get_json()["data"] == []


def test_token_use_updates_last_used(api, engine):
    with engine.connect() as conn:
        assert conn.execute(select(api_tokens.c.last_used_at)).scalar() is None
    api.get(URL)
    with engine.connect() as conn:
        assert conn.execute(select(api_tokens.c.last_used_at)).scalar() is not None


def _sign_in(client):
    response = client.post("/login", data={"email": "ann@example.com", "password": "s3cret-pass-12"})
    assert response.status_code == 302


def test_session_cookie_works_and_writes_need_the_csrf_header(app, client, sales, user_id):
    _sign_in(client)
    assert client.get(URL).status_code == 200
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post(URL, json={"data": {"name": "Acme"}})
    assert refused.status_code == 403 and code(refused) == "csrf_failed"
    raw = "a" * 40
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    accepted = client.post(URL, json={"data": {"name": "Acme"}}, headers={"X-CSRFToken": signed})
    assert accepted.status_code == 201
    assert client.get(URL).status_code == 200  # reads never need it


def test_bearer_calls_need_no_csrf_token(app, api):
    app.config["WTF_CSRF_ENABLED"] = True
    assert api.post(URL, {"name": "Acme"}).status_code == 201


def test_unknown_api_path_and_wrong_method_are_json(api):
    assert code(api.get("/api/v2/whatever")) == "not_found"
    wrong = api("PUT", URL)
    assert wrong.status_code == 405 and code(wrong) == "method_not_allowed" and "GET" in wrong.headers["Allow"]
