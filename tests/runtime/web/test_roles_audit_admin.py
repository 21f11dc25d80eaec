"""``/admin/roles`` and ``/admin/audit``: admins only; role and department changes, publish,
exports and API tokens all leave audit rows that the viewer can filter."""

import re

import pytest
from sqlalchemy import select

from runtime.storage.system import audit_log
from runtime.storage.system import user_roles
from runtime.storage.system import users
from tests.runtime.security.permissions_app import install
from tests.runtime.web.test_access_matrix import client_for


@pytest.fixture
def people(engine):
    return install(engine)


def events(engine, name):
    with engine.connect() as conn:
        return [r.detail for r in conn.execute(select(audit_log).where(audit_log.c.event == name)
                                               .order_by(audit_log.c.id))]


def test_admin_pages_are_for_admins_only(app, people):
    rep = client_for(app, "rep_east")
    assert rep.get("/admin/roles").status_code == 403
    assert rep.get("/admin/audit").status_code == 403
    assert rep.post(f"/admin/roles/{people['rep_west']}/grant", data={"role": "sales.manager"}).status_code == 403
    assert app.test_client().get("/admin/roles").status_code == 302  # to sign-in


def test_roles_page_lists_users_and_every_role(app, people):
    page = client_for(app, "admin").get("/admin/roles").get_data(as_text=True)
    assert "rep_east@example.com" in page and "East" in page
    for role in ("sales.rep", "sales.manager", "sales.viewer"):
        assert f'<option value="{role}">' in page


def test_grant_revoke_and_department_are_saved_and_audited(app, engine, people):
    admin = client_for(app, "admin")
    who = people["nobody"]
    assert admin.post(f"/admin/roles/{who}/grant", data={"role": "sales.viewer"}).status_code == 302
    assert admin.post(f"/admin/roles/{who}/department", data={"department": "West"}).status_code == 302
    assert admin.post(f"/admin/roles/{who}/grant", data={"role": "sales.manager"}).status_code == 302
    assert admin.post(f"/admin/roles/{who}/revoke", data={"role": "sales.viewer"}).status_code == 302
    refused = admin.post(f"/admin/roles/{who}/grant", data={"role": "sales.<b>x"}, follow_redirects=True)
    assert "unknown role" in refused.get_data(as_text=True) and "<b>x" not in refused.get_data(as_text=True)
    assert admin.post("/admin/roles/99999/grant", data={"role": "sales.rep"}).status_code == 404
    with engine.connect() as conn:
        assert list(conn.execute(select(user_roles.c.role).where(user_roles.c.user_id == who)).scalars()) == [
            "sales.manager"]
        assert conn.execute(select(users.c.department).where(users.c.id == who)).scalar() == "West"
    assert events(engine, "role_granted") == [{"user": "nobody@example.com", "role": "sales.viewer"},
                                              {"user": "nobody@example.com", "role": "sales.manager"}]
    assert events(engine, "role_revoked") == [{"user": "nobody@example.com", "role": "sales.viewer"}]
    assert events(engine, "department_changed") == [{"user": "nobody@example.com", "from": "HQ", "to": "West"}]
    # the new grant is in force at once
    assert client_for(app, "nobody").get("/a/sales/deal").status_code == 200


def test_publish_export_and_token_events(app, engine, people):
    assert events(engine, "app_published")[0]["app"] == "sales"
    rep = client_for(app, "rep_east")
    made = rep.post("/api/v1/me/tokens", json={"data": {"name": "etl", "scope": "write"}})
    assert made.status_code == 201
    assert rep.delete(f"/api/v1/me/tokens/{made.get_json()['data']['id']}").status_code == 204
    assert rep.post("/api/v1/sales/account/export", json={"format": "csv"}).status_code == 202
    assert rep.post("/a/sales/account/bulk", data={"action": "export", "ids": ["1"]}).status_code == 200
    assert events(engine, "token_created") == [{"name": "etl", "scope": "write"}]
    assert events(engine, "token_revoked") == [{"name": "etl", "scope": "write"}]
    exported = events(engine, "records_exported")
    assert [(e["app"], e["entity"]) for e in exported] == [("sales", "account")] * 2
    for detail in events(engine, "token_created"):
        assert "mcrm_" not in str(detail)


def test_viewer_filters_escapes_and_pages(app, engine, people):
    admin = client_for(app, "admin")
    client_for(app, "rep_east")
    admin.post(f"/admin/roles/{people['viewer']}/department", data={"department": "<script>x</script>"})
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "login_ok" in page and "department_changed" in page
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    only = admin.get("/admin/audit?event=department_changed").get_data(as_text=True)
    assert only.count('data-testid="audit-row"') == 1
    mine = admin.get("/admin/audit?event=login_ok&user=rep_east").get_data(as_text=True)
    assert mine.count('data-testid="audit-row"') == 1 and "rep_east@example.com" in mine
    assert admin.get("/admin/audit?user=100%25_").get_data(as_text=True).count('data-testid="audit-row"') == 0
    assert admin.get("/admin/audit?until=2000-01-01").get_data(as_text=True).count('data-testid="audit-row"') == 0
    assert admin.get("/admin/audit?since=2000-01-01&ip=127.0.0.1").get_data(as_text=True).count(
        'data-testid="audit-row"') >= 2


def test_keyset_paging(app, engine, people):
    from runtime.security import audit

    with engine.begin() as conn:
        for n in range(60):
            audit.record(conn, "login_failed", None, f"p{n}@example.com", "10.0.0.1")
    admin = client_for(app, "admin")
    first = admin.get("/admin/audit?event=login_failed").get_data(as_text=True)
    assert first.count('data-testid="audit-row"') == 50 and "p59@example.com" in first
    older = re.search(r'href="([^"]+)" data-testid="audit-older"', first).group(1).replace("&amp;", "&")
    second = admin.get(older).get_data(as_text=True)
    assert second.count('data-testid="audit-row"') == 10 and "p0@example.com" in second
    assert "p59@example.com" not in second
