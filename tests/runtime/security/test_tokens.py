"""API tokens: shown once, stored hashed, scoped, revocable, with a throttled last-used time."""

import hashlib
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.security.tokens import authenticate_token
from runtime.security.tokens import create_token
from runtime.security.tokens import list_tokens
from runtime.security.tokens import revoke_token
from runtime.security.users import create_user
from runtime.storage.system import api_tokens
from runtime.storage.system import users

T0 = datetime(2026, 3, 14, 9, 0, 0)


def test_token_is_stored_as_its_hash_only(conn, ann):
    token = create_token(conn, ann, "script", "write", now=T0)
    assert token.startswith("mcrm_") and len(token) > 40
    row = conn.execute(select(api_tokens)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(v) for v in row}
    assert row.prefix == token[:12] and row.scope == "write" and row.name == "script"


def test_authenticate_returns_user_and_scope(conn, ann):
    token = create_token(conn, ann, "ro", "read", now=T0)
    user, scope = authenticate_token(conn, token, now=T0)
    assert user.id == ann and user.email == "ann@example.com" and scope == "read"


@pytest.mark.parametrize("bad", ["", "mcrm_nope", "Bearer x", "x" * 500])
def test_unknown_tokens_are_refused(conn, ann, bad):
    create_token(conn, ann, "t", now=T0)
    assert authenticate_token(conn, bad, now=T0) is None


def test_last_used_is_written_at_most_once_a_minute(conn, ann):
    token = create_token(conn, ann, "t", now=T0)

    def last_used():
        return conn.execute(select(api_tokens.c.last_used_at)).scalar()

    assert last_used() is None
    authenticate_token(conn, token, now=T0)
    assert last_used() == T0
    authenticate_token(conn, token, now=T0 + timedelta(seconds=30))
    assert last_used() == T0
    authenticate_token(conn, token, now=T0 + timedelta(seconds=61))
    assert last_used() == T0 + timedelta(seconds=61)


def test_revoked_expired_and_inactive_tokens_stop_working(conn, ann):
    revoked = create_token(conn, ann, "a", now=T0)
    expired = create_token(conn, ann, "b", now=T0, expires_at=T0 + timedelta(hours=1))
    ids = {t["name"]: t["id"] for t in list_tokens(conn, ann)}
    revoke_token(conn, ids["a"], user_id=ann, now=T0)
    assert authenticate_token(conn, revoked, now=T0) is None
    assert authenticate_token(conn, expired, now=T0) is not None
    assert authenticate_token(conn, expired, now=T0 + timedelta(hours=2)) is None
    live = create_token(conn, ann, "c", now=T0)
    conn.execute(update(users).where(users.c.id == ann).values(is_active=False))
    assert authenticate_token(conn, live, now=T0) is None


def test_list_never_shows_the_secret(conn, ann):
    token = create_token(conn, ann, "first", now=T0)
    create_token(conn, ann, "second", "write", now=T0)
    listed = list_tokens(conn, ann)
    assert [t["name"] for t in listed] == ["second", "first"]
    assert all("token_hash" not in t and "token" not in t for t in listed)
    assert listed[1]["prefix"] == token[:12] and listed[1]["revoked_at"] is None


def test_a_user_revokes_only_their_own_tokens(conn, ann):
    bob = create_user(conn, "bob@example.com", "s3cret-pass-12")
    token = create_token(conn, ann, "mine", now=T0)
    token_id = list_tokens(conn, ann)[0]["id"]
    with pytest.raises(NotFound):
        revoke_token(conn, token_id, user_id=bob)
    assert authenticate_token(conn, token, now=T0) is not None
    assert list_tokens(conn, bob) == []


@pytest.mark.parametrize("name, scope, field", [("", "read", "name"), ("x" * 101, "read", "name"),
                                                  ("ok", "admin", "scope"), (None, "read", "name")])
def test_bad_name_or_scope_is_a_422_naming_the_field(conn, ann, name, scope, field):
    with pytest.raises(ValidationFailed) as excinfo:
        create_token(conn, ann, name, scope)
    assert field in excinfo.value.details
    assert conn.execute(select(api_tokens)).first() is None
