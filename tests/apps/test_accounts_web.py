"""Sign-in protection through the test client: lockout, rate limit, session rotation,
log out everywhere, remember-me, HTTPS cookies and HSTS, password change and reset."""

import logging
import re
import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select
from sqlalchemy import update

from apps.web import create_app
from runtime.security.users import create_user
from runtime.storage.system import audit_log
from runtime.storage.system import users
from tests.smtp_sink import smtp_sink

PASSWORD = "password-123"
T0 = datetime(2026, 1, 5, 9, 0, 0)


@pytest.fixture
def user_id(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD, display_name="Ann Lee")


def make_client(settings_override, **changes):
    app = create_app(settings_override(**changes))
    app.config.update(WTF_CSRF_ENABLED=False)
    return app.test_client()


def login(client, password=PASSWORD, **extra):
    return client.post("/login", data={"email": "ann@example.com", "password": password, **extra})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def set_cookie_headers(response, name):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


def test_login_page_offers_remember_me_and_forgot_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="remember"' in html and 'href="/forgot"' in html
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_five_failures_lock_the_account_with_the_same_message(client, user_id, engine):
    for _ in range(5):
        assert "Incorrect email or password." in login(client, "wrong-password-1").get_data(as_text=True)
    locked = login(client)  # the right password, but locked: the very same answer
    assert locked.status_code == 200 and "Incorrect email or password." in locked.get_data(as_text=True)
    assert not signed_in(client)
    with engine.begin() as conn:  # fifteen minutes later it opens again
        conn.execute(update(users).values(locked_until=datetime(2000, 1, 1)))
    assert login(client).status_code == 302


def test_sign_in_is_rate_limited_per_address(settings_override, engine, user_id):
    client = make_client(settings_override, login_rate_limit="3/minute")
    statuses = [login(client, "wrong-password-1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in login(client).get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only the POSTs count


def test_the_rate_limit_is_shared_through_redis(settings_override, engine, user_id, redis_url):
    """Two web processes (two apps) count against one limit; a fresh address keeps runs apart."""
    address = {"REMOTE_ADDR": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"}
    first, second = (make_client(settings_override, redis_url=redis_url, login_rate_limit="2/minute")
                     for _ in range(2))
    data = {"email": "ann@example.com", "password": "wrong-password-1"}
    assert first.post("/login", data=data, environ_base=address).status_code == 200
    assert second.post("/login", data=data, environ_base=address).status_code == 200
    assert first.post("/login", data=data, environ_base=address).status_code == 429


def test_the_session_is_replaced_at_sign_in(client, user_id):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    before = client.get_cookie("metacrm_session").value
    assert login(client).status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess
    assert client.get_cookie("metacrm_session").value != before


def test_log_out_everywhere_ends_the_other_sessions_only(app, user_id, engine):
    phone, laptop = app.test_client(), app.test_client()
    login(phone), login(laptop)
    assert signed_in(phone) and signed_in(laptop)
    assert laptop.post("/me/sessions/revoke").status_code == 302
    assert signed_in(laptop) and not signed_in(phone)
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.event).where(audit_log.c.event == "logout_all")).all()


def test_changing_the_password_ends_the_other_sessions(app, user_id):
    phone, laptop = app.test_client(), app.test_client()
    login(phone), login(laptop)
    weak = laptop.post("/me/password", data={"current_password": PASSWORD, "new_password": "annlee202412",
                                              "confirm_password": "annlee202412"})
    assert weak.status_code == 422
    assert "Do not use your email address or name as your password." in weak.get_data(as_text=True)
    wrong = laptop.post("/me/password", data={"current_password": "nope", "new_password": "x",
                                               "confirm_password": "x"})
    assert "Your current password is not correct." in wrong.get_data(as_text=True)
    ok = laptop.post("/me/password", data={"current_password": PASSWORD, "new_password": "new secret 42",
                                            "confirm_password": "new secret 42"})
    assert ok.status_code == 302
    assert signed_in(laptop) and not signed_in(phone)
    assert login(app.test_client(), "new secret 42").status_code == 302


def test_remember_me_sets_a_14_day_cookie(client, user_id):
    plain = login(client)
    assert not set_cookie_headers(plain, "metacrm_remember")
    session_cookie = set_cookie_headers(plain, "metacrm_session")[0]
    assert "Expires" not in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    client.post("/logout")
    remembered = login(client, remember="y")
    cookie = set_cookie_headers(remembered, "metacrm_remember")[0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)
    with client.session_transaction() as sess:
        sess.clear()  # the browser closed: the session cookie is gone, the remember cookie not
    assert signed_in(client)


def test_https_requests_get_secure_cookies_and_hsts(client, user_id):
    secure = client.post("/login", base_url="https://crm.example.com",
                         data={"email": "ann@example.com", "password": PASSWORD})
    assert "Secure" in set_cookie_headers(secure, "metacrm_session")[0]
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers


def test_https_setting_marks_every_cookie_secure(settings_override, engine, user_id):
    client = make_client(settings_override, https=True)
    response = login(client, remember="y")
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_forgot_password_answers_the_same_and_the_link_works_once(client, user_id, caplog):
    caplog.set_level(logging.INFO, logger="runtime.security.reset")
    unknown = client.post("/forgot", data={"email": "nobody@example.com"}).get_data(as_text=True)
    assert not caplog.records
    known = client.post("/forgot", data={"email": "ann@example.com"}).get_data(as_text=True)
    assert known == unknown and "If an account uses that email" in known
    link = re.search(r"(http://localhost/reset/\S+)", caplog.records[-1].getMessage()).group(1)
    path = link.removeprefix("http://localhost")
    assert client.get(path).status_code == 200
    short = client.post(path, data={"new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "Use at least 12 characters." in short.get_data(as_text=True)
    done = client.post(path, data={"new_password": "new secret 42", "confirm_password": "new secret 42"})
    assert done.status_code == 302 and done.location == "/login"
    assert client.get(path).status_code == 404
    assert login(client, "new secret 42").status_code == 302
    assert client.get("/reset/made-up-token").status_code == 404


def test_the_reset_link_is_mailed_through_smtp_when_configured(user_id):
    from runtime.security import reset

    with smtp_sink() as sink:
        reset.send_reset_link(sink.url("mailer:p%40ss@"), "ann@example.com", "http://x/reset/t")
    assert sink.logins == [("mailer", "p@ss")]
    message = sink.messages[0]
    assert message["From"] == "crm@example.com" and message["To"] == "ann@example.com"
    assert "http://x/reset/t" in message.get_content()


def test_the_reset_page_says_when_the_two_passwords_differ(client, user_id, caplog):
    caplog.set_level(logging.INFO, logger="runtime.security.reset")
    client.post("/forgot", data={"email": "ann@example.com"})
    path = re.search(r"http://localhost(/reset/\S+)", caplog.records[-1].getMessage()).group(1)
    differ = client.post(path, data={"new_password": "new secret 42", "confirm_password": "new secret 43"})
    assert differ.status_code == 422 and "The two new passwords do not match." in differ.get_data(as_text=True)
