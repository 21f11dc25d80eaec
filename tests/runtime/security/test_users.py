import pytest
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runtime.errors import ValidationFailed
from runtime.security import users as users_module
from runtime.security.passwords import needs_rehash
from runtime.security.passwords import verify_password
from runtime.security.users import authenticate
from runtime.security.users import create_user
from runtime.security.users import get_user
from runtime.security.users import get_user_by_email
from runtime.security.users import set_password
from runtime.storage.system import users


def _details(excinfo) -> dict:
    return excinfo.value.details


def test_create_user_normalizes_email_and_sets_defaults(conn):
    user_id = create_user(conn, "  Ann.Lee@Example.COM ", "s3cret-pass-12", display_name="Ann Lee")
    row = get_user(conn, user_id)
    assert row.email == "ann.lee@example.com"
    assert row.display_name == "Ann Lee"
    assert row.is_admin is False and row.is_active is True
    assert row.language == "en"
    assert row.created_at is not None
    assert row.password_hash != "s3cret-pass-12"
    assert verify_password(row.password_hash, "s3cret-pass-12")


def test_create_admin_with_manager(conn):
    boss = create_user(conn, "boss@example.com", "password-one-1")
    user_id = create_user(
        conn, "rep@example.com", "password-two-2", is_admin=True, manager_email="BOSS@example.com"
    )
    row = get_user(conn, user_id)
    assert row.is_admin is True
    assert row.manager_id == boss


@pytest.mark.parametrize(
    "email, password, field",
    [
        ("", "long-enough", "email"),
        ("not-an-email", "long-enough", "email"),
        ("a@b", "long-enough", "email"),
        ("two@@example.com", "long-enough", "email"),
        ("x" * 250 + "@example.com", "long-enough", "email"),
        ("ok@example.com", "short", "password"),
        ("ok@example.com", "", "password"),
        ("ok@example.com", "x" * 5000, "password"),
    ],
)
def test_create_user_rejects_bad_input_naming_the_field(conn, email, password, field):
    with pytest.raises(ValidationFailed) as excinfo:
        create_user(conn, email, password)
    assert field in _details(excinfo)
    assert conn.execute(select(func.count()).select_from(users)).scalar() == 0


def test_duplicate_email_is_rejected_case_insensitively(conn):
    create_user(conn, "dup@example.com", "password-one-1")
    with pytest.raises(ValidationFailed) as excinfo:
        create_user(conn, "DUP@example.com", "password-two-2")
    assert "email" in _details(excinfo)


def test_unknown_manager_is_rejected(conn):
    with pytest.raises(ValidationFailed) as excinfo:
        create_user(conn, "rep@example.com", "password-one-1", manager_email="ghost@example.com")
    assert set(_details(excinfo)) == {"manager_email"}


def test_authenticate_accepts_the_right_password_only(conn):
    user_id = create_user(conn, "ann@example.com", "password-one-1")
    assert authenticate(conn, "ANN@example.com ", "password-one-1").id == user_id
    assert authenticate(conn, "ann@example.com", "password-two-2") is None
    assert authenticate(conn, "ann@example.com", "") is None
    assert authenticate(conn, "nobody@example.com", "password-one-1") is None


def test_authenticate_refuses_inactive_users(conn):
    user_id = create_user(conn, "gone@example.com", "password-one-1")
    conn.execute(update(users).where(users.c.id == user_id).values(is_active=False))
    assert authenticate(conn, "gone@example.com", "password-one-1") is None


def test_unknown_email_still_costs_a_hash_check(conn, monkeypatch):
    """Timing must not tell an attacker which emails exist."""
    calls = []
    real = users_module.verify_password
    monkeypatch.setattr(users_module, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    assert authenticate(conn, "nobody@example.com", "password-one-1") is None
    assert len(calls) == 1


@pytest.mark.production_hashing
def test_authenticate_upgrades_a_weak_hash(conn):
    user_id = create_user(conn, "old@example.com", "password-one-1")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("password-one-1")
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=weak))
    assert authenticate(conn, "old@example.com", "password-one-1") is not None
    stored = get_user(conn, user_id).password_hash
    assert stored != weak and not needs_rehash(stored)
    assert verify_password(stored, "password-one-1")


def test_get_user_returns_none_when_missing(conn):
    assert get_user(conn, 12345) is None
    assert get_user_by_email(conn, "missing@example.com") is None


def test_set_password_replaces_the_hash_and_checks_length(conn):
    user_id = create_user(conn, "ann@example.com", "password-one-1")
    set_password(conn, user_id, "password-two-2")
    assert authenticate(conn, "ann@example.com", "password-two-2") is not None
    assert authenticate(conn, "ann@example.com", "password-one-1") is None
    with pytest.raises(ValidationFailed) as excinfo:
        set_password(conn, user_id, "short")
    assert "password" in _details(excinfo)
