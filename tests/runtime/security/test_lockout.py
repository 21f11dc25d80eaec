"""Five wrong passwords lock an account for 15 minutes; every failure is audited."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from runtime.security.users import authenticate
from runtime.security.users import create_user
from runtime.security.users import get_user
from runtime.storage.system import audit_log

T0 = datetime(2026, 1, 5, 9, 0, 0)
PASSWORD = "long enough secret"


@pytest.fixture
def user_id(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD)


def attempt(engine, password, now, email="ann@example.com"):
    with engine.begin() as conn:
        return authenticate(conn, email, password, now=now, ip="10.0.0.1")


def events(engine):
    with engine.connect() as conn:
        return [r.event for r in conn.execute(select(audit_log.c.event).order_by(audit_log.c.id))]


def test_five_failures_lock_even_the_right_password_out(engine, user_id):
    for i in range(4):
        assert attempt(engine, "wrong password!", T0 + timedelta(seconds=i)) is None
    assert attempt(engine, PASSWORD, T0 + timedelta(seconds=5)) is not None  # a success resets
    for i in range(5):
        assert attempt(engine, "wrong password!", T0 + timedelta(seconds=10 + i)) is None
    assert attempt(engine, PASSWORD, T0 + timedelta(minutes=14)) is None
    assert attempt(engine, PASSWORD, T0 + timedelta(minutes=15, seconds=15)) is not None
    with engine.connect() as conn:
        row = get_user(conn, user_id)
    assert row.failed_logins == 0 and row.locked_until is None
    assert events(engine).count("locked") == 1
    assert events(engine).count("login_failed") == 10


def test_unknown_email_is_audited_without_a_user(engine, user_id):
    assert attempt(engine, PASSWORD, T0, email="nobody@example.com") is None
    with engine.connect() as conn:
        row = conn.execute(select(audit_log)).one()
    assert (row.event, row.user_id, row.email, row.ip) == ("login_failed", None, "nobody@example.com",
                                                           "10.0.0.1")
    assert row.detail == {"reason": "unknown"}
