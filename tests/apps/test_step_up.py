"""Step-up re-authentication through the test client: each sensitive action needs a sign-in
from the last 15 minutes; otherwise it changes nothing and sends the user to "Confirm it's
you" (password, plus the code with 2FA), which brings them back without replaying a post.
JSON calls get 401 ``reauth_required``; an API token never creates tokens.

The app's clock is pinned and moved by hand; nothing sleeps.
"""

from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func
from sqlalchemy import select

from runtime.security.tokens import create_token
from runtime.storage.system import api_tokens
from runtime.storage.system import audit_log
from runtime.storage.system import user_roles
from tests.apps.test_two_factor_web import code_at
from tests.apps.test_two_factor_web import enroll
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install

STALE = timedelta(minutes=16)  # past the 15 fresh minutes, well within the 30 idle ones

#: (method, path, form, status when fresh, audit event it writes)
ADMIN_ACTIONS = [
    ("GET", "/me/two-factor", None, 200, None),
    ("POST", "/me/sessions/revoke", {}, 302, "logout_all"),
    ("POST", "/admin/roles/{rep}/grant", {"role": "sales.manager"}, 302, "role_granted"),
    ("POST", "/admin/roles/{rep}/department", {"department": "North"}, 302, "department_changed"),
    ("POST", "/admin/roles/two-factor", {"role": "sales.rep", "require": "1"}, 302, "2fa_requirement_changed"),
    ("POST", "/admin/users/{rep}/reset-2fa", {}, 302, "2fa_reset"),
    ("POST", "/admin/users/{rep}/require-2fa", {"require": "1"}, 302, "2fa_requirement_changed"),
    ("POST", "/admin/view-as/{rep}", {}, 302, "view_as_started"),
    ("GET", "/builder/sales/publish", None, 200, None),
    ("GET", "/builder/sales/versions/1/rollback", None, 200, None),
    ("GET", "/builder/sales/import-sheet/no-such-upload", None, 404, None),
    ("POST", "/builder/sales/import-sheet/no-such-upload/retry", {}, 404, None),
]
ENROLLED_ACTIONS = [
    ("POST", "/me/two-factor/disable", {"current_password": PASSWORD}, 302, "2fa_disabled"),
    ("POST", "/me/two-factor/recovery-codes", {"current_password": PASSWORD}, 200, "recovery_codes_regenerated"),
]


@pytest.fixture
def people(engine):
    return install(engine)


def sign_in(app, who="admin", code=None):
    client = app.test_client()
    client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD})
    if code:
        client.post("/login", data={"code": code})
    return client


def events(engine, name) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log).where(audit_log.c.event == name)).scalar()


def confirm_location(response) -> str | None:
    """The ``next`` of a redirect to the confirm page, else None."""
    where = urlsplit(response.headers.get("Location", ""))
    return parse_qs(where.query)["next"][0] if where.path == "/me/confirm" else None


def act(client, method, path, form, people):
    return client.open(path.format(rep=people["rep_east"]), method=method, data=form)


@pytest.fixture
def enrolled(app, engine, people, clock):
    """rep_east with 2FA on, signed in with password and code; returns (client, secret)."""
    client = sign_in(app, "rep_east")
    secret, _codes = enroll(client, clock)
    clock.now += timedelta(minutes=1)
    client = sign_in(app, "rep_east", code_at(secret, clock.now))
    return client, secret


@pytest.mark.parametrize(("method", "path", "form", "status", "event"), ADMIN_ACTIONS)
def test_a_stale_admin_changes_nothing_and_is_asked_to_confirm(app, engine, people, clock, method, path,
                                                              form, status, event):
    admin = sign_in(app)
    clock.now += STALE
    before = event and events(engine, event)
    response = act(admin, method, path, form, people)
    assert response.status_code == 302 and confirm_location(response) is not None
    assert not event or events(engine, event) == before


@pytest.mark.parametrize(("method", "path", "form", "status", "event"), ADMIN_ACTIONS)
def test_after_confirming_the_admin_action_works(app, engine, people, clock, method, path, form, status, event):
    admin = sign_in(app)
    clock.now += STALE
    done = admin.post("/me/confirm", data={"password": PASSWORD, "next": "/admin/roles"})
    assert done.status_code == 302 and done.location == "/admin/roles"
    before = event and events(engine, event)
    response = act(admin, method, path, form, people)
    assert response.status_code == status and confirm_location(response) is None
    assert not event or events(engine, event) == before + 1


@pytest.mark.parametrize(("method", "path", "form", "status", "event"), ENROLLED_ACTIONS)
def test_2fa_changes_need_the_password_and_a_code_again(app, engine, people, enrolled, clock, method, path,
                                                        form, status, event):
    client, secret = enrolled
    clock.now += STALE
    assert confirm_location(act(client, method, path, form, people)) is not None
    page = client.get("/me/confirm?next=/me/security").get_data(as_text=True)
    assert 'name="code"' in page
    no_code = client.post("/me/confirm", data={"password": PASSWORD, "next": "/me/security"})
    assert no_code.status_code == 422 and "That did not work" in no_code.get_data(as_text=True)
    assert confirm_location(act(client, method, path, form, people)) is not None  # still not confirmed
    done = client.post("/me/confirm", data={"password": PASSWORD, "code": code_at(secret, clock.now),
                                            "next": "/me/security"})
    assert done.status_code == 302 and done.location == "/me/security"
    before = events(engine, event)
    assert act(client, method, path, form, people).status_code == status
    assert events(engine, event) == before + 1


def test_a_wrong_password_is_refused_and_counted(app, engine, people, clock):
    admin = sign_in(app)
    clock.now += STALE
    page = admin.get("/me/confirm?next=/admin/roles").get_data(as_text=True)
    assert "Confirm it&#39;s you" in page and 'name="password"' in page and 'name="code"' not in page
    wrong = admin.post("/me/confirm", data={"password": "not-my-password", "next": "/admin/roles"})
    assert wrong.status_code == 422 and "That did not work" in wrong.get_data(as_text=True)
    with engine.connect() as conn:
        failed = conn.execute(select(audit_log.c.detail).where(audit_log.c.event == "login_failed")).scalar_one()
    assert failed == {"reason": "password"}
    assert confirm_location(admin.post(f"/admin/view-as/{people['rep_east']}")) is not None
    assert events(engine, "reauthenticated") == 0


def test_confirming_goes_back_only_to_this_site(app, people, clock):
    admin = sign_in(app)
    clock.now += STALE
    done = admin.post("/me/confirm", data={"password": PASSWORD, "next": "//evil.example.com/x"})
    assert done.status_code == 302 and done.location == "/"


def test_a_stale_post_returns_to_its_page_and_is_not_replayed(app, engine, people, clock):
    admin = sign_in(app)
    clock.now += STALE
    rep = people["rep_east"]
    stale = admin.post(f"/admin/roles/{rep}/grant", data={"role": "sales.manager"},
                       headers={"Referer": "http://localhost/admin/roles?q=rep"})
    assert confirm_location(stale) == "/admin/roles?q=rep"
    done = admin.post("/me/confirm", data={"password": PASSWORD, "next": confirm_location(stale)})
    assert done.location == "/admin/roles?q=rep"
    with engine.connect() as conn:
        roles = set(conn.execute(select(user_roles.c.role).where(user_roles.c.user_id == rep)).scalars())
    assert roles == {"sales.rep"}  # the grant waits for the admin to press the button again
    foreign = admin.post(f"/admin/roles/{rep}/grant", data={"role": "sales.manager"},
                         headers={"Referer": "http://evil.example.com/admin/roles"})
    assert foreign.status_code == 302 and confirm_location(foreign) is None  # fresh now: it ran


def test_a_stale_post_without_a_page_of_its_own_returns_to_the_start(app, people, clock):
    admin = sign_in(app)
    clock.now += STALE
    assert confirm_location(admin.post("/me/sessions/revoke")) == "/"
    assert confirm_location(admin.post("/builder/sales/publish", data={})) == "/builder/sales/publish"


def test_token_creation_over_a_session_needs_a_recent_sign_in(app, engine, people, clock):
    admin = sign_in(app)
    clock.now += STALE
    stale = admin.post("/api/v1/me/tokens", json={"data": {"name": "etl"}})
    assert stale.status_code == 401 and stale.get_json()["error"]["code"] == "reauth_required"
    admin.post("/me/confirm", data={"password": PASSWORD})
    made = admin.post("/api/v1/me/tokens", json={"data": {"name": "etl"}})
    assert made.status_code == 201 and made.get_json()["data"]["token"].startswith("mcrm_")


def test_a_token_cannot_create_tokens(app, engine, people, clock):
    with engine.begin() as conn:
        token = create_token(conn, people["admin"], "script", "write")
    client = sign_in(app)  # a fresh session cookie alongside does not help: the header decides
    refused = client.post("/api/v1/me/tokens", json={"data": {"name": "copy", "scope": "write"}},
                          headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "access_denied"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(api_tokens)).scalar() == 1


def test_an_enrolling_user_can_confirm_then_enroll(app, engine, people, clock):
    """Enrollment needs a recent sign-in too, and "Confirm it's you" stays open to someone
    who must enroll (no redirect loop between the two)."""
    admin = sign_in(app)
    admin.post("/admin/roles/two-factor", data={"role": "sales.rep", "require": "1"})
    rep = sign_in(app, "rep_east")
    clock.now += STALE
    assert rep.get("/").location == "/me/two-factor"
    sent = rep.get("/me/two-factor")
    assert confirm_location(sent) == "/me/two-factor"
    assert rep.get(sent.location).status_code == 200
    done = rep.post("/me/confirm", data={"password": PASSWORD, "next": "/me/two-factor"})
    assert done.location == "/me/two-factor" and "<svg" in rep.get("/me/two-factor").get_data(as_text=True)


def test_confirming_is_rate_limited_like_signing_in(settings_override, engine, people):
    from apps.web import create_app

    app = create_app(settings_override(login_rate_limit="2/minute"))
    app.config.update(WTF_CSRF_ENABLED=False)
    client = sign_in(app)
    statuses = [client.post("/me/confirm", data={"password": "not-the-password", "next": "/"}).status_code
                for _ in range(3)]
    assert statuses == [422, 422, 429]
