"""Refused requests are audited (who, from where, which route) and a flood of them is not:
forged CSRF tokens, bad or wrongly scoped API tokens, 413s, 429s and replayed 2FA codes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from apps.web import create_app
from runtime.security.refusals import PER_MINUTE
from runtime.security.tokens import create_token
from runtime.security.tokens import revoke_token
from runtime.security.users import create_user
from runtime.storage.system import audit_log
from tests.apps.test_two_factor_web import code_at
from tests.apps.test_two_factor_web import enroll

PASSWORD = "password-123"
ADDRESS = "198.51.100.23"


@pytest.fixture
def ann(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD, is_admin=True)


def client_of(app, address=ADDRESS):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def signed_in(app):
    """Ann signed in (CSRF is off for that, as in the other web tests) from ``ADDRESS``."""
    client = client_of(app)
    client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    return client


def rows(engine, event):
    with engine.connect() as conn:
        return conn.execute(select(audit_log).where(audit_log.c.event == event).order_by(audit_log.c.id)).all()


def test_a_form_without_its_csrf_token_is_audited(app, engine, ann):
    client = signed_in(app)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/logout").status_code == 400
    row = rows(engine, "csrf_refused")[-1]
    assert (row.user_id, row.email, row.ip) == (ann, "ann@example.com", ADDRESS)
    assert row.detail == {"method": "POST", "path": "/logout", "reason": "The CSRF token is missing."}


def test_a_session_api_write_without_its_csrf_header_is_audited(app, engine, ann):
    client = signed_in(app)
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/api/v1/me/tokens", json={"data": {"name": "x"}})
    assert refused.status_code == 403
    row = rows(engine, "csrf_refused")[-1]
    assert (row.user_id, row.ip, row.detail["path"]) == (ann, ADDRESS, "/api/v1/me/tokens")
    assert "CSRF" in row.detail["reason"] and "missing" in row.detail["reason"]


def test_bad_revoked_and_read_only_tokens_are_audited_with_their_owner(app, engine, ann):
    with engine.begin() as conn:
        revoked = create_token(conn, ann, "old", "write")
        revoke_token(conn, 1)
        reader = create_token(conn, ann, "reader", "read")
    client = client_of(app)
    for token in ("mcrm_nope", revoked):
        assert client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me/tokens", headers={"Authorization": "Basic abc"}).status_code == 401
    written = client.post("/api/v1/me/tokens", json={}, headers={"Authorization": f"Bearer {reader}"})
    assert written.status_code == 403
    assert [(r.user_id, r.ip, r.detail["reason"]) for r in rows(engine, "token_refused")] == [
        (None, ADDRESS, "unknown"), (ann, ADDRESS, "revoked"), (None, ADDRESS, "not_bearer"),
        (ann, ADDRESS, "scope")]
    assert revoked not in str(rows(engine, "token_refused"))  # never the secret


def test_a_body_over_the_limit_is_audited(app, engine, ann):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = signed_in(app)
    assert client.post("/api/v1/me/tokens", data="x" * 2000, content_type="application/json").status_code == 413
    row = rows(engine, "body_too_large")[-1]
    assert (row.user_id, row.ip, row.detail) == (ann, ADDRESS, {"method": "POST", "path": "/api/v1/me/tokens"})


def test_rate_limit_hits_are_audited_a_few_per_address_a_minute(settings_override, engine, ann):
    app = create_app(settings_override(login_rate_limit="1/minute"))
    app.config.update(WTF_CSRF_ENABLED=False)
    data = {"email": "ann@example.com", "password": "wrong-password-1"}
    flooding, other = client_of(app), client_of(app, "192.0.2.1")
    statuses = [flooding.post("/login", data=data).status_code for _ in range(PER_MINUTE + 4)]
    assert statuses == [200] + [429] * (PER_MINUTE + 3)
    assert [other.post("/login", data=data).status_code for _ in range(2)] == [200, 429]
    hits = rows(engine, "rate_limited")
    assert [r.ip for r in hits] == [ADDRESS] * PER_MINUTE + ["192.0.2.1"]
    assert hits[0].detail == {"method": "POST", "path": "/login", "limit": "1 per 1 minute"}


def test_a_replayed_2fa_code_is_audited_with_the_address(app, engine, ann, clock):
    client = signed_in(app)
    secret, _ = enroll(client, clock)
    client.post("/logout")
    clock.now += timedelta(minutes=1)
    code = code_at(secret, clock.now)
    first, second = client_of(app), client_of(app, "192.0.2.66")
    for each in (first, second):
        each.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert first.post("/login", data={"code": code}).status_code == 302
    assert second.post("/login", data={"code": code}).status_code == 200
    assert [(r.user_id, r.ip) for r in rows(engine, "2fa_replayed")] == [(ann, "192.0.2.66")]
    assert rows(engine, "login_failed")[-1].detail == {"reason": "2fa"}  # it still counts as a failure


def test_the_audit_page_filters_refusals_by_event(app, engine, ann):
    client = signed_in(app)
    client.get("/api/v1/me/tokens", headers={"Authorization": "Bearer mcrm_nope"})
    page = client.get("/admin/audit?event=token_refused").get_data(as_text=True)
    assert page.count('data-testid="audit-row"') == 1 and "token_refused" in page and ADDRESS in page
    assert '<option value="rate_limited"' in page and '<option value="2fa_replayed"' in page
