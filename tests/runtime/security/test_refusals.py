"""The refusal flood guard: a few rows per event and address a minute, written anyway when
the counting storage is down."""

import pytest
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select

from runtime.security.refusals import PER_MINUTE
from runtime.security.refusals import record_refusal
from runtime.storage.system import audit_log


def counter(uri="memory://"):
    return FixedWindowRateLimiter(storage_from_string(uri))


def audited(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [(r.event, r.ip) for r in conn.execute(select(audit_log).order_by(audit_log.c.id))]


def test_each_event_and_address_gets_a_few_rows_a_minute(engine):
    guard = counter()
    written = [record_refusal(engine, guard, "rate_limited", ip="192.0.2.1") for _ in range(PER_MINUTE + 3)]
    assert written == [True] * PER_MINUTE + [False] * 3
    assert record_refusal(engine, guard, "rate_limited", ip="192.0.2.2")  # another address
    assert record_refusal(engine, guard, "csrf_refused", ip="192.0.2.1")  # another event
    assert audited(engine) == [("rate_limited", "192.0.2.1")] * PER_MINUTE + [
        ("rate_limited", "192.0.2.2"), ("csrf_refused", "192.0.2.1")]


def test_rows_are_written_when_the_counter_is_unreachable(engine):
    down = counter("redis://127.0.0.1:1")  # nothing listens on port 1
    for _ in range(PER_MINUTE + 1):
        assert record_refusal(engine, down, "token_refused", ip="192.0.2.1", detail={"reason": "unknown"})
    assert len(audited(engine)) == PER_MINUTE + 1


def test_only_refusals_go_through_here(engine):
    with pytest.raises(ValueError):
        record_refusal(engine, counter(), "login_ok", ip="192.0.2.1")
