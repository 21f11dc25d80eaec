""""Require two-step verification for administrators" on /admin/roles: off by default, a
reserved policy row no real role can be named, audited, and once on every admin without 2FA
can only enroll (their older API tokens stop) while other users carry on."""

import re

import pytest
from sqlalchemy import select

from runtime.metadata.names import NAME_PATTERN
from runtime.security.tokens import create_token
from runtime.security.twofactor import ADMINS
from runtime.storage.system import audit_log
from runtime.storage.system import role_policy
from runtime.storage.system import user_roles
from tests.apps.pinned_clock import Clock
from tests.apps.test_two_factor_web import enroll
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install


@pytest.fixture
def people(engine):
    return install(engine)


def sign_in(app, who="admin"):
    client = app.test_client()
    response = client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client


def switch(admin, on: bool):
    return admin.post("/admin/roles/two-factor", data={"role": ADMINS, "require": "1" if on else "0"})


def test_off_by_default_so_an_admin_signs_in_with_the_password_alone(app, people):
    admin = sign_in(app)
    assert admin.get("/").status_code == 200
    page = admin.get("/admin/roles").get_data(as_text=True)
    card = page.split('data-testid="admins-2fa"')[1].split("</form>")[0]
    assert "Require two-step verification for administrators" in card and "Optional" in card
    assert f'value="{ADMINS}"' in card and 'name="require" value="1"' in card
    assert f'data-testid="role-2fa-{ADMINS}"' not in page  # not listed as a role


def test_switching_it_on_sends_admins_to_enrollment_and_is_audited(app, engine, people):
    with engine.begin() as conn:
        admin_token = create_token(conn, people["admin"], "script", "read")
        rep_token = create_token(conn, people["rep_east"], "script", "read")
    rep = sign_in(app, "rep_east")
    admin = sign_in(app)
    assert switch(admin, True).status_code == 302
    assert admin.get("/").location == "/me/two-factor"
    assert admin.get("/api/v1/sales/account").status_code == 403  # 2fa_required
    assert rep.get("/").status_code == 200  # not an admin: not affected
    for token, status in ((admin_token, 401), (rep_token, 200)):
        listed = app.test_client().get("/api/v1/sales/account", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == status
    with engine.connect() as conn:
        audited = conn.execute(select(audit_log.c.email, audit_log.c.user_id, audit_log.c.detail)
                               .where(audit_log.c.event == "2fa_requirement_changed")).one()
        policy = conn.execute(select(role_policy.c.require_2fa).where(role_policy.c.role == ADMINS)).scalar_one()
    assert audited == ("admin@example.com", people["admin"], {"role": ADMINS, "required": True})
    assert policy is True
    users_page = sign_in(app).get("/me/two-factor")
    assert users_page.status_code == 200 and "<svg" in users_page.get_data(as_text=True)


def test_an_enrolled_admin_switches_it_off_again(app, engine, people):
    app.extensions["metacrm"]["clock"] = clock = Clock()
    admin = sign_in(app)
    switch(admin, True)
    enroll(admin, clock)  # the one thing left to do; then the admin pages open again
    assert admin.get("/admin/roles").status_code == 200
    assert switch(admin, False).status_code == 302
    with engine.connect() as conn:
        details = [r.detail for r in conn.execute(select(audit_log).where(
            audit_log.c.event == "2fa_requirement_changed").order_by(audit_log.c.id))]
    assert details == [{"role": ADMINS, "required": True}, {"role": ADMINS, "required": False}]
    assert "Optional" in admin.get("/admin/roles").get_data(as_text=True).split('data-testid="admins-2fa"')[1]


def test_the_reserved_name_is_no_role(app, engine, people):
    assert not re.match(NAME_PATTERN, ADMINS)  # app and role names can never be spelled like it
    admin = sign_in(app)
    refused = admin.post(f"/admin/roles/{people['rep_east']}/grant", data={"role": ADMINS},
                         follow_redirects=True)
    assert "Not saved" in refused.get_data(as_text=True)
    with engine.connect() as conn:
        assert ADMINS not in set(conn.execute(select(user_roles.c.role)).scalars())


def test_only_admins_flip_the_switch(app, engine, people):
    rep = sign_in(app, "rep_east")
    assert switch(rep, True).status_code == 403
    with engine.connect() as conn:
        assert conn.execute(select(role_policy).where(role_policy.c.role == ADMINS)).first() is None
