"""Running behind HTTPS and reverse proxies: cookie names and flags, trusted hosts, forwarded headers, caching."""

from __future__ import annotations

import pytest

from apps.config import Settings
from apps.web import create_app
from runtime.security.users import create_user

PASSWORD = "password-123"


@pytest.fixture
def ann(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD)


def client_for(settings_override, **changes):
    app = create_app(settings_override(**changes))
    app.config.update(WTF_CSRF_ENABLED=False)
    return app.test_client()


def login(client, **kwargs):
    return client.post("/login", data={"email": "ann@example.com", "password": PASSWORD, "remember": "y"}, **kwargs)


def cookie_names(response) -> set[str]:
    return {h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")}


def test_base_url_sets_https_from_the_environment():
    settings = Settings.from_env({"METACRM_BASE_URL": "https://crm.example.com/", "METACRM_PROXY_HOPS": "1",
                                  "METACRM_SECRET_KEY": "k", "METACRM_INSTANCE_DIR": "/tmp/none"})
    assert settings.base_url == "https://crm.example.com" and settings.https and settings.proxy_hops == 1


def test_https_cookies_carry_the_host_prefix_and_secure(settings_override, ann):
    client = client_for(settings_override, https=True)
    response = login(client, base_url="https://crm.example.com")
    assert cookie_names(response) == {"__Host-metacrm_session", "__Host-metacrm_remember"}
    for header in response.headers.getlist("Set-Cookie"):
        assert "Secure" in header and "Path=/" in header and "Domain=" not in header


def test_plain_http_keeps_unprefixed_cookies(settings_override, ann):
    # a browser drops __Host- cookies that are not Secure, so the prefix is only used over HTTPS
    response = login(client_for(settings_override))
    assert cookie_names(response) == {"metacrm_session", "metacrm_remember"}


def test_only_the_configured_host_is_answered(settings_override, ann):
    client = client_for(settings_override, base_url="https://crm.example.com", https=True)
    assert client.get("/login", base_url="https://crm.example.com").status_code == 200
    poisoned = client.post("/forgot", base_url="https://evil.example.net", data={"email": "ann@example.com"})
    assert poisoned.status_code == 400  # a reset link is never built from somebody else's Host header


def test_forwarded_headers_count_only_behind_a_configured_proxy(settings_override, ann):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = client_for(settings_override).get("/login", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers  # anyone can send the header
    proxied = client_for(settings_override, proxy_hops=1).get("/login", headers=forwarded)
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")


def test_signed_in_pages_are_not_cached_and_static_files_are(settings_override, ann):
    client = client_for(settings_override)
    assert "no-store" not in client.get("/forgot").headers.get("Cache-Control", "")
    login(client)
    assert client.get("/").headers["Cache-Control"] == "no-store"  # no records in the back button after sign-out
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/admin/users/3000000000/reset-2fa"),
    ("POST", "/admin/view-as/3000000000"),
    ("GET", "/builder/sales/versions/3000000000/rollback"),
    ("DELETE", "/api/v1/me/tokens/3000000000"),
    ("GET", "/a/sales/deal/99999999999999999999"),
])
def test_ids_bigger_than_their_column_are_not_found(settings_override, engine, path, method):
    """PostgreSQL refuses 3000000000 for an INTEGER column with an error (a 500): such ids match no route."""
    with engine.begin() as conn:
        create_user(conn, "root@example.com", PASSWORD, is_admin=True)
    client = client_for(settings_override)
    client.post("/login", data={"email": "root@example.com", "password": PASSWORD})
    assert client.open(path, method=method).status_code == 404
