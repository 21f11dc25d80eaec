"""Password reset tokens: single use, one hour, unknown tokens refused, the policy applies."""

from datetime import datetime
from datetime import timedelta

import pytest

from runtime.errors import ValidationFailed
from runtime.security.reset import complete_reset
from runtime.security.reset import request_reset
from runtime.security.users import authenticate
from runtime.security.users import create_user
from runtime.security.users import get_user

T0 = datetime(2026, 1, 5, 9, 0, 0)
NEW = "brand new secret"


def test_unknown_email_gets_no_token(conn, ann):
    assert request_reset(conn, "nobody@example.com", T0) is None


def test_a_token_works_once_and_ends_sessions(conn, ann):
    _, token = request_reset(conn, "ANN@example.com", T0)
    generation = get_user(conn, ann).session_generation
    assert complete_reset(conn, token, NEW, T0 + timedelta(minutes=5))
    assert authenticate(conn, "ann@example.com", NEW, now=T0) is not None
    assert get_user(conn, ann).session_generation == generation + 1
    assert not complete_reset(conn, token, "another secret 2", T0 + timedelta(minutes=6))


def test_a_token_expires_after_an_hour(conn, ann):
    _, token = request_reset(conn, "ann@example.com", T0)
    assert not complete_reset(conn, token, NEW, T0 + timedelta(hours=1))


def test_wrong_or_superseded_tokens_are_refused(conn, ann):
    _, first = request_reset(conn, "ann@example.com", T0)
    _, second = request_reset(conn, "ann@example.com", T0)
    assert not complete_reset(conn, "not-a-token", NEW, T0)
    assert not complete_reset(conn, first, NEW, T0)
    assert complete_reset(conn, second, NEW, T0)


def test_the_policy_applies_to_the_new_password(engine):
    with engine.begin() as conn:
        create_user(conn, "ann@example.com", "long enough secret")
        _, token = request_reset(conn, "ann@example.com", T0)
    with pytest.raises(ValidationFailed), engine.begin() as conn:
        complete_reset(conn, token, "short", T0)
    with engine.begin() as conn:  # the failed attempt rolled back: the token still works
        assert complete_reset(conn, token, NEW, T0)
