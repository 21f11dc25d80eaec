""""View as <user>": an admin sees exactly what the other user sees, on screens and the session
API, cannot change anything meanwhile, and starting and stopping are audited."""

import pytest
from sqlalchemy import select

from runtime.storage.system import audit_log
from tests.runtime.security.permissions_app import install
from tests.runtime.web.test_access_matrix import ROLES
from tests.runtime.web.test_access_matrix import client_for
from tests.runtime.web.test_access_matrix import deal_titles
from tests.runtime.web.test_access_matrix import shows_cost
from tests.runtime.web.test_access_matrix import world  # noqa: F401  (fixture)


@pytest.mark.parametrize("who", sorted(ROLES))
def test_admin_sees_what_the_user_sees(app, world, who):  # noqa: F811
    people, deals, _account = world
    admin = client_for(app, "admin")
    assert len(deal_titles(admin.get("/a/sales/deal").get_data(as_text=True))) == 4
    assert admin.post(f"/admin/view-as/{people[who]}").status_code == 302
    page = admin.get("/a/sales/deal?cols=title,cost").get_data(as_text=True)
    assert deal_titles(page) == ROLES[who] and shows_cost(page) is (who == "manager")
    assert 'data-testid="view-as-banner"' in page and f"{who}" in page
    api = admin.get("/api/v1/sales/deal?limit=100").get_json()["data"]
    assert {d["title"] for d in api} == ROLES[who]
    for owner, deal_id in deals.items():
        expected = 200 if f"deal of {owner}" in ROLES[who] else 404
        assert admin.get(f"/a/sales/deal/{deal_id}").status_code == expected
        assert admin.get(f"/api/v1/sales/deal/{deal_id}").status_code == expected
    assert admin.post("/admin/view-as/stop").status_code == 302
    assert len(deal_titles(admin.get("/a/sales/deal").get_data(as_text=True))) == 4


def test_writes_are_refused_while_viewing_as(app, world):  # noqa: F811
    people, deals, _account = world
    admin = client_for(app, "admin")
    admin.post(f"/admin/view-as/{people['rep_east']}")
    answer = admin.post("/api/v1/sales/deal", json={"data": {"title": "new"}})
    assert answer.status_code == 403 and "changes are off" in answer.get_json()["error"]["message"]
    page = admin.post(f"/a/sales/deal/{deals['rep_east']}", data={"title": "changed"})
    assert page.status_code == 403 and "changes are off" in page.get_data(as_text=True)
    assert admin.post(f"/admin/roles/{people['viewer']}/grant", data={"role": "sales.rep"}).status_code == 403
    assert admin.delete(f"/api/v1/sales/deal/{deals['rep_east']}").status_code == 403
    assert admin.post("/admin/view-as/stop").status_code == 302
    assert admin.get(f"/api/v1/sales/deal/{deals['rep_east']}").get_json()["data"]["title"] == "deal of rep_east"


def test_only_admins_and_audited(app, engine, world):  # noqa: F811
    people, _deals, _account = world
    rep = client_for(app, "rep_east")
    assert rep.post(f"/admin/view-as/{people['manager']}").status_code == 403
    assert len(deal_titles(rep.get("/a/sales/deal").get_data(as_text=True))) == 2
    admin = client_for(app, "admin")
    assert admin.post("/admin/view-as/99999").status_code == 404
    admin.post(f"/admin/view-as/{people['rep_west']}")
    admin.post("/admin/view-as/stop")
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.event, audit_log.c.email, audit_log.c.detail)
                            .where(audit_log.c.event.like("view_as%")).order_by(audit_log.c.id)).all()
    assert [tuple(r) for r in rows] == [
        ("view_as_started", "admin@example.com", {"user": "rep_west@example.com"}),
        ("view_as_stopped", "admin@example.com", {"user": "rep_west@example.com"})]
