"""The web shell through Flask's test client: sign-in, sign-out, launcher, errors."""

import re

import pytest
from flask_login import login_required
from sqlalchemy import update

from apps.web import create_app
from runtime.errors import ValidationFailed
from runtime.security.users import create_user
from runtime.security.users import set_password
from runtime.storage.system import users
from tests.factories import install_app

PASSWORD = "password-123"


@pytest.fixture
def user_id(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD, display_name="Ann Lee")


def login(client, email="ann@example.com", password=PASSWORD, next_=None):
    url = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(url, data={"email": email, "password": password})




# --- sign in -------------------------------------------------------------------------


def test_login_page_has_the_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html
    assert 'type="password"' in html


def test_login_success_lands_on_the_launcher(client, user_id):
    response = login(client)
    assert response.status_code == 302
    assert response.location == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Ann Lee" in page.get_data(as_text=True)


def test_email_is_case_insensitive(client, user_id):
    assert login(client, email="  ANN@Example.com").status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [("ann@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
)
def test_bad_login_says_the_same_thing_either_way(client, user_id, email, password):
    response = login(client, email=email, password=password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Incorrect email or password." in html
    assert f'value="{email}"' in html  # the email is kept, the password is not
    assert password not in html
    assert client.get("/").status_code == 302  # still signed out


def test_empty_fields_are_flagged(client, user_id):
    html = login(client, email="", password="").get_data(as_text=True)
    assert "Enter your email." in html and "Enter your password." in html


def test_next_is_followed_to_local_paths(client, user_id):
    assert login(client, next_="/a/crm_sales/opportunity?x=1").location == (
        "/a/crm_sales/opportunity?x=1"
    )


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "/%09/evil.example",
    ],
)
def test_next_never_leaves_the_site(client, user_id, target):
    assert login(client, next_=target).location == "/"


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get("/?tab=2")
    assert response.status_code == 302
    assert response.location == "/login?next=/?tab%3D2"


def test_signed_in_user_visiting_login_goes_home(client, user_id):
    login(client)
    assert client.get("/login").location == "/"


# --- sign out -------------------------------------------------------------------------


def test_logout_signs_out(client, user_id):
    login(client)
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/").status_code == 302
    assert "You have been signed out." in client.get("/login").get_data(as_text=True)


def test_logout_by_get_is_not_allowed(client, user_id):
    login(client)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_password_change_ends_existing_sessions(client, engine, user_id):
    login(client)
    with engine.begin() as conn:
        set_password(conn, user_id, "another-password")
    assert client.get("/").status_code == 302


def test_deactivated_user_is_signed_out(client, engine, user_id):
    login(client)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(is_active=False))
    assert client.get("/").status_code == 302


# --- CSRF --------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_login_requires_csrf(csrf_client, user_id):
    assert login(csrf_client).status_code == 400
    token = _token(csrf_client.get("/login").get_data(as_text=True))
    response = csrf_client.post(
        "/login", data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302 and response.location == "/"


def test_csrf_failure_renders_a_friendly_page(csrf_client, user_id):
    response = login(csrf_client)
    assert "This form has expired" in response.get_data(as_text=True)


def test_logout_requires_csrf(csrf_client, user_id):
    token = _token(csrf_client.get("/login").get_data(as_text=True))
    csrf_client.post(
        "/login", data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert csrf_client.post("/logout").status_code == 400
    launcher = csrf_client.get("/")
    assert launcher.status_code == 200  # still signed in
    response = csrf_client.post(
        "/logout", data={"csrf_token": _token(launcher.get_data(as_text=True))}
    )
    assert response.status_code == 302
    assert csrf_client.get("/").status_code == 302


# --- launcher ------------------------------------------------------------------------


def test_launcher_empty_state(client, user_id):
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "No apps installed yet" in html
    assert "metacrm app install" in html


def test_launcher_lists_apps_and_entities(client, engine, user_id):
    install_app(
        engine,
        "crm_sales",
        {"en": "Sales", "zh": "销售管理"},
        [("opportunity", {"en": "Opportunity", "zh": "商机"}), ("quote", "Quote")],
    )
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "Sales" in html and "v1.2.0" in html
    assert 'href="/a/crm_sales/opportunity"' in html and "Opportunity" in html
    assert 'href="/a/crm_sales/quote"' in html
    assert "No apps installed yet" not in html


def test_launcher_uses_the_users_language_with_english_fallback(client, engine, user_id):
    install_app(
        engine,
        "crm_sales",
        {"en": "Sales", "zh": "销售管理"},
        [("opportunity", {"en": "Opportunity", "zh": "商机"}), ("quote", {"en": "Quote"})],
    )
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(language="zh"))
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "销售管理" in html and "商机" in html
    assert "Quote" in html  # no zh label: English
    assert '<html lang="zh-CN">' in html


def test_launcher_escapes_labels(client, engine, user_id):
    install_app(
        engine,
        "evil",
        {"en": "<script>alert(1)</script>"},
        [("thing", {"en": "<img src=x onerror=alert(2)>"})],
    )
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


# --- errors, headers, composition root ----------------------------------------------


@pytest.fixture
def failing_app(settings, engine):
    app = create_app(settings)
    app.config.update(WTF_CSRF_ENABLED=False)

    def fail():
        raise ValidationFailed("Bad email.", details={"email": "Enter a valid email address."})

    app.add_url_rule("/api/v1/boom", "api_boom", fail)
    app.add_url_rule("/boom", "page_boom", fail)
    return app


def test_api_errors_are_json(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 422
    assert response.json == {
        "error": {
            "code": "validation_failed",
            "message": "Bad email.",
            "details": {"email": "Enter a valid email address."},
        }
    }


def test_api_not_found_is_json(client):
    response = client.get("/api/v1/nothing/here/at/all")  # matches no API route; auth precedes lookups
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_api_requires_login_as_json(app, client):
    app.add_url_rule("/api/v1/private", "private", login_required(lambda: "secret"))
    response = client.get("/api/v1/private")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "login_required"


def test_page_errors_are_html(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Bad email." in html and "Enter a valid email address." in html


def test_security_headers_and_cookie_flags(client, user_id):
    response = login(client)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_bootstrap_is_served(client):
    response = client.get("/static/vendor/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200
    assert b"Bootstrap" in response.data
    response.close()


def test_create_app_does_not_touch_the_database(tmp_path, settings_override):
    db = tmp_path / "never-created.db"
    app = create_app(settings_override(database_url=f"sqlite:///{db}"))
    assert app.extensions["metacrm"]["settings"].database_url.endswith("never-created.db")
    assert not db.exists()
