"""Two-step sign-in through the test client: enrollment, the code step, replays, recovery
codes, admin reset (page and CLI) and required 2FA, with the app's clock pinned."""

import re
from datetime import datetime
from datetime import timedelta

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from apps.cli import main
from apps.web import create_app
from runtime.security.users import create_user
from runtime.storage.system import users
from tests.apps.pinned_clock import T0
from tests.apps.pinned_clock import Clock

PASSWORD = "password-123"


@pytest.fixture
def ids(engine):
    with engine.begin() as conn:
        return (create_user(conn, "ann@example.com", PASSWORD, display_name="Ann Lee"),
                create_user(conn, "root@example.com", PASSWORD, is_admin=True))


def code_at(secret, when):
    return pyotp.TOTP(secret).at(int((when - datetime(1970, 1, 1)).total_seconds()))


def login(client, email="ann@example.com", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def enroll(client, clock):
    """Sign in, open the enrollment page, read the key and confirm; returns (key, codes)."""
    page = client.get("/me/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page
    done = client.post("/me/two-factor", data={"code": code_at(secret, clock.now)})
    assert done.status_code == 200
    codes = re.findall(r"<code[^>]*>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def enrolled(client, ids, clock):
    login(client)
    secret, codes = enroll(client, clock)
    client.post("/logout")
    clock.now += timedelta(minutes=1)
    return secret, codes


def test_enrollment_needs_a_confirming_code(client, ids, clock):
    login(client)
    page = client.get("/me/two-factor")
    assert page.headers["Cache-Control"] == "no-store"
    wrong = client.post("/me/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "That code did not work" in wrong.get_data(as_text=True)
    _, codes = enroll(client, clock)
    assert len(codes) == 10
    assert "On" in client.get("/me/security").get_data(as_text=True)


def test_sign_in_asks_for_the_code_after_the_password(client, enrolled, clock):
    secret, _ = enrolled
    step = login(client)
    assert step.status_code == 200 and 'name="code"' in step.get_data(as_text=True)
    assert not signed_in(client)  # the password alone signs nobody in
    wrong = client.post("/login", data={"code": "123456"})
    assert "That code did not work" in wrong.get_data(as_text=True)
    done = client.post("/login", data={"code": code_at(secret, clock.now)})
    assert done.status_code == 302 and signed_in(client)


def test_a_replayed_code_is_refused(app, enrolled, clock):
    secret, _ = enrolled
    code = code_at(secret, clock.now)
    first, second = app.test_client(), app.test_client()
    login(first), login(second)
    assert first.post("/login", data={"code": code}).status_code == 302
    refused = second.post("/login", data={"code": code})
    assert refused.status_code == 200 and not signed_in(second)


def test_codes_one_step_off_work_and_two_steps_off_do_not(client, enrolled, clock):
    secret, _ = enrolled
    login(client)
    assert client.post("/login", data={"code": code_at(secret, clock.now + timedelta(seconds=60))}
                       ).status_code == 200
    assert client.post("/login", data={"code": code_at(secret, clock.now - timedelta(seconds=30))}
                       ).status_code == 302


def test_the_code_step_expires(client, enrolled, clock, monkeypatch):
    from runtime.web import auth

    secret, _ = enrolled
    login(client)
    monkeypatch.setattr(auth, "CODE_STEP_SECONDS", -1)  # no waiting: the deadline has passed
    login(client)
    expired = client.post("/login", data={"code": code_at(secret, clock.now)})
    assert expired.status_code == 302 and expired.location.startswith("/login")
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(app, enrolled):
    _, codes = enrolled
    client = app.test_client()
    login(client)
    assert client.post("/login", data={"code": codes[0].upper()}).status_code == 302
    again = app.test_client()
    login(again)
    assert again.post("/login", data={"code": codes[0]}).status_code == 200 and not signed_in(again)


def test_wrong_codes_count_towards_the_lockout(client, enrolled, clock):
    secret, _ = enrolled
    login(client)
    for _ in range(5):
        client.post("/login", data={"code": "000000"})
    locked = client.post("/login", data={"code": code_at(secret, clock.now)})
    assert "Incorrect email or password." in locked.get_data(as_text=True) and not signed_in(client)


def test_admin_resets_a_users_2fa_on_the_users_page(app, enrolled, ids):
    ann, _ = ids
    admin = app.test_client()
    login(admin, "root@example.com")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "ann@example.com" in page and f"/admin/users/{ann}/reset-2fa" in page
    assert admin.post(f"/admin/users/{ann}/reset-2fa").status_code == 302
    client = app.test_client()
    assert login(client).status_code == 302 and signed_in(client)  # password alone again


def test_only_admins_see_the_users_page(client, ids):
    _, root = ids
    login(client)
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{root}/reset-2fa").status_code == 403


def test_cli_resets_2fa(app, settings, enrolled, tmp_path):
    env = {"METACRM_DATABASE_URL": settings.database_url, "METACRM_INSTANCE_DIR": str(tmp_path / "cli")}

    def run(email):
        return CliRunner().invoke(main, ["user", "reset-2fa", "--email", email], env=env)

    result = run("ANN@example.com")
    assert result.exit_code == 0, result.output
    assert login(app.test_client()).status_code == 302
    missing = run("nobody@example.com")
    assert missing.exit_code == 2 and "no user nobody@example.com" in missing.output


def test_required_2fa_sends_the_user_to_enrollment_until_done(app, client, ids, clock, engine):
    ann, _ = ids
    admin = app.test_client()
    login(admin, "root@example.com")
    assert admin.post(f"/admin/users/{ann}/require-2fa", data={"require": "1"}).status_code == 302
    first = login(client)
    assert first.location == "/me/two-factor"
    assert client.get("/").location == "/me/two-factor"
    assert client.get("/me/security").location == "/me/two-factor"
    assert client.get("/api/v1/meta/apps").status_code == 403
    assert "Your administrator requires two-step verification" in client.get("/me/two-factor").get_data(as_text=True)
    enroll(client, clock)
    assert signed_in(client)
    refused = client.post("/me/two-factor/disable", data={"current_password": PASSWORD})
    assert refused.status_code == 302
    with engine.connect() as conn:
        row = conn.execute(users.select().where(users.c.id == ann)).one()
    assert row.totp_enabled_at is not None  # a required 2FA cannot be turned off by its user


def test_a_user_turns_2fa_off_with_their_password(client, enrolled, engine):
    secret, _ = enrolled
    with engine.begin() as conn:
        conn.execute(update(users).values(totp_last_counter=None))
    login(client)
    client.post("/login", data={"code": code_at(secret, T0 + timedelta(minutes=1))})
    client.post("/me/two-factor/disable", data={"current_password": "wrong"})
    assert "On" in client.get("/me/security").get_data(as_text=True)
    client.post("/me/two-factor/disable", data={"current_password": PASSWORD})
    assert "Set up two-step verification" in client.get("/me/security").get_data(as_text=True)


def test_the_whole_flow_works_with_csrf_on(settings, ids):
    app = create_app(settings)
    app.extensions["metacrm"]["clock"] = clock = Clock()
    client = app.test_client()

    def csrf(path_or_html):
        html = path_or_html if "<" in path_or_html else client.get(path_or_html).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    assert client.post("/login", data={"email": "ann@example.com", "password": PASSWORD}).status_code == 400
    client.post("/login", data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": csrf("/login")})
    page = client.get("/me/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    client.post("/me/two-factor", data={"code": code_at(secret, clock.now), "csrf_token": csrf(page)})
    client.post("/logout", data={"csrf_token": csrf(client.get("/").get_data(as_text=True))})
    clock.now += timedelta(minutes=1)
    step = client.post("/login", data={"email": "ann@example.com", "password": PASSWORD,
                                       "csrf_token": csrf("/login")}).get_data(as_text=True)
    done = client.post("/login", data={"code": code_at(secret, clock.now), "csrf_token": csrf(step)})
    assert done.status_code == 302 and signed_in(client)
