"""2FA required per role, through the test client: admins mark a role on /admin/roles (admin
only, CSRF, audited); its holders can reach nothing but enrollment until enrolled, then sign
in with a code; their API tokens count only if made after enrollment; /admin/users shows
who is required but not enrolled; an admin reset sends them back to enrollment."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from apps.web import create_app
from runtime.security.tokens import create_token
from runtime.storage.system import audit_log
from runtime.storage.system import role_policy
from tests.apps.pinned_clock import T0
from tests.apps.test_two_factor_web import code_at
from tests.apps.test_two_factor_web import enroll
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install

LOCKED_OUT_PAGES = ["/", "/a/sales/deal", "/a/sales/account/new", "/me", "/me/security",
                    "/search?q=acme", "/notifications", "/people", "/builder/", "/admin/roles"]


@pytest.fixture
def people(engine):
    return install(engine)


def login(app, who):
    client = app.test_client()
    response = client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD})
    return client, response


def require_role(app, role="sales.rep", require="1"):
    admin, _ = login(app, "admin")
    return admin.post("/admin/roles/two-factor", data={"role": role, "require": require})


def events(engine, name):
    with engine.connect() as conn:
        return [(r.email, r.detail) for r in conn.execute(
            select(audit_log).where(audit_log.c.event == name).order_by(audit_log.c.id))]


def accounts_seen_by_admin(app):
    admin, _ = login(app, "admin")
    return [row["name"] for row in admin.get("/api/v1/sales/account").get_json()["data"]]


def test_holders_of_a_marked_role_can_only_enroll_until_they_have(app, engine, people, clock):
    assert require_role(app).status_code == 302
    assert events(engine, "2fa_requirement_changed") == [
        ("admin@example.com", {"role": "sales.rep", "required": True})]
    rep, first = login(app, "rep_east")
    assert first.location == "/me/two-factor"
    for path in LOCKED_OUT_PAGES:
        assert rep.get(path).location == "/me/two-factor", path
    refused = rep.post("/a/sales/account/new", data={"name": "Sneaky"})
    assert refused.status_code == 302 and refused.location == "/me/two-factor"
    api_read = rep.get("/api/v1/sales/account")
    api_write = rep.post("/api/v1/sales/account", json={"data": {"name": "Sneaky"}})
    assert (api_read.status_code, api_write.status_code) == (403, 403)
    assert api_write.get_json()["error"]["code"] == "2fa_required"
    assert accounts_seen_by_admin(app) == []  # nothing was written
    assert 'data-testid="must-enroll"' in rep.get("/me/two-factor").get_data(as_text=True)

    _, manager_login = login(app, "manager")  # a role that is not marked: password alone
    assert manager_login.location == "/"

    secret, codes = enroll(rep, clock)
    assert len(codes) == 10
    assert rep.get("/a/sales/deal").status_code == 200
    rep.post("/logout")
    clock.now += timedelta(minutes=1)
    step = rep.post("/login", data={"email": "rep_east@example.com", "password": PASSWORD})
    assert step.status_code == 200 and 'name="code"' in step.get_data(as_text=True)
    done = rep.post("/login", data={"code": code_at(secret, clock.now)})
    assert done.status_code == 302 and done.location == "/"
    assert rep.get("/a/sales/deal").status_code == 200


def test_a_user_required_by_a_role_cannot_turn_2fa_off(app, engine, people, clock):
    require_role(app)
    rep, _ = login(app, "rep_east")
    enroll(rep, clock)
    rep.post("/me/two-factor/disable", data={"current_password": PASSWORD})
    assert "Turn off" in rep.get("/me/security").get_data(as_text=True)  # still on
    assert events(engine, "2fa_disabled") == []


def test_unmarking_the_role_lets_its_holders_in_again(app, engine, people):
    require_role(app)
    assert require_role(app).status_code == 302  # unchanged: recorded once
    require_role(app, require="0")
    assert events(engine, "2fa_requirement_changed") == [
        ("admin@example.com", {"role": "sales.rep", "required": True}),
        ("admin@example.com", {"role": "sales.rep", "required": False})]
    _, response = login(app, "rep_east")
    assert response.location == "/"


def test_only_installed_roles_can_be_marked(app, engine, people):
    admin, _ = login(app, "admin")
    refused = admin.post("/admin/roles/two-factor", data={"role": "sales.<b>x", "require": "1"},
                         follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert "unknown role" in page and "<b>x" not in page
    with engine.connect() as conn:
        assert conn.execute(select(role_policy)).all() == []
    assert events(engine, "2fa_requirement_changed") == []


def test_marking_needs_an_admin_and_a_csrf_token(settings, engine, people):
    app = create_app(settings)  # CSRF on, as in production
    clients = {}
    for who in ("admin", "rep_east"):
        client = clients[who] = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD,
                                    "csrf_token": csrf_token(page)})
    admin_page = clients["admin"].get("/admin/roles").get_data(as_text=True)
    assert 'data-testid="role-2fa-sales.rep"' in admin_page
    token = csrf_token(admin_page)
    rep_token = csrf_token(clients["rep_east"].get("/").get_data(as_text=True))
    form = {"role": "sales.rep", "require": "1"}
    assert clients["rep_east"].post("/admin/roles/two-factor", data={**form, "csrf_token": rep_token}
                                    ).status_code == 403
    assert clients["admin"].post("/admin/roles/two-factor", data=form).status_code == 400
    assert events(engine, "2fa_requirement_changed") == []
    assert clients["admin"].post("/admin/roles/two-factor", data={**form, "csrf_token": token}
                                 ).status_code == 302
    assert len(events(engine, "2fa_requirement_changed")) == 1


def csrf_token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_the_roles_page_counts_holders_without_2fa(app, people, clock):
    require_role(app)
    rep, _ = login(app, "rep_east")
    enroll(rep, clock)
    admin, _ = login(app, "admin")
    page = admin.get("/admin/roles").get_data(as_text=True)
    row = re.search(r'data-testid="role-2fa-sales.rep">(.*?)</tr>', page, re.DOTALL).group(1)
    assert "3 users" in row and "2 not set up yet" in row and "Stop requiring" in row
    manager_row = re.search(r'data-testid="role-2fa-sales.manager">(.*?)</tr>', page, re.DOTALL).group(1)
    assert "Optional" in manager_row and 'value="1"' in manager_row


def test_the_users_page_shows_who_is_required_but_not_enrolled(app, engine, people, clock):
    require_role(app)
    admin, _ = login(app, "admin")
    assert admin.post(f"/admin/users/{people['nobody']}/require-2fa", data={"require": "1"}).status_code == 302
    assert events(engine, "2fa_requirement_changed")[-1] == (
        None, {"user": "nobody@example.com", "required": True})
    rep, _ = login(app, "rep_east")
    enroll(rep, clock)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "3 users must set up two-step verification" in page
    flagged = {who for who, user_id in people.items()
               if re.search(rf'data-testid="admin-user-{user_id}">(?:(?!</tr>).)*required-not-enrolled',
                            page, re.DOTALL)}
    assert flagged == {"rep_east2", "rep_west", "nobody"}
    assert page.count("Required by role: sales.rep") == 3  # the reps, enrolled or not


def test_tokens_count_only_if_made_after_enrollment(app, engine, people, clock):
    with engine.begin() as conn:
        old = create_token(conn, people["rep_east"], "before", now=T0 - timedelta(days=1))
        managers = create_token(conn, people["manager"], "manager", now=T0 - timedelta(days=1))

    def status(token):
        return app.test_client().get("/api/v1/sales/account",
                                     headers={"Authorization": f"Bearer {token}"}).status_code

    assert (status(old), status(managers)) == (200, 200)
    require_role(app)
    assert (status(old), status(managers)) == (401, 200)  # required, not enrolled: refused
    rep, _ = login(app, "rep_east")
    enroll(rep, clock)
    with engine.begin() as conn:
        new = create_token(conn, people["rep_east"], "after", now=clock.now + timedelta(minutes=1))
    assert (status(old), status(new)) == (401, 200)  # made with the password alone: never again


def test_an_admin_reset_ends_the_session_and_asks_for_enrollment_again(app, engine, people, clock):
    require_role(app)
    rep, _ = login(app, "rep_east")
    enroll(rep, clock)
    admin, _ = login(app, "admin")
    assert admin.post(f"/admin/users/{people['rep_east']}/reset-2fa").status_code == 302
    assert events(engine, "2fa_reset")[-1][1] == {"by": people["admin"]}
    assert rep.get("/").location.startswith("/login")  # the old session is over
    _, again = login(app, "rep_east")
    assert again.location == "/me/two-factor"
