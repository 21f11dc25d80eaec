"""The password policy: each broken rule has its own message, on create and on change."""

import pytest

from runtime.errors import ValidationFailed
from runtime.security.passwords import password_problems
from runtime.security.users import create_user
from runtime.security.users import set_password

LENGTH = "Use at least 10 characters."
CLASSES = "Mix at least two of: lower-case letters, capitals, digits, symbols."
PERSONAL = "Do not use your email address or name as your password."
COMMON = "This password is too common; choose another."


@pytest.mark.parametrize("password, problems", [
    ("", [LENGTH]),
    ("Ab1!", [LENGTH]),
    ("abcdefghijkl", [CLASSES]),
    ("ABCDEFGHIJKL", [CLASSES]),
    ("31415926535", [CLASSES]),
    ("Password123", [COMMON]),
    ("qwertyuiop", [CLASSES, COMMON]),
    ("annlee-2024", [PERSONAL]),
    ("ann@example.com", [PERSONAL]),
    ("x" * 1025, ["Use at most 1024 characters."]),
    ("correct horse battery", []),
    ("Tr0ub4dour&3", []),
    ("密码很长的一句话-2024", []),
])
def test_each_broken_rule_is_named(password, problems):
    assert password_problems(password, email="ann@example.com", name="Ann Lee") == problems


def test_a_short_email_part_inside_a_long_password_is_fine():
    assert password_problems("bob-password-1", email="bob@example.com") == []


def test_create_and_change_apply_the_policy(engine):
    with engine.begin() as conn:
        with pytest.raises(ValidationFailed) as excinfo:
            create_user(conn, "ann@example.com", "password123")
        assert excinfo.value.details == {"password": COMMON}
        user_id = create_user(conn, "ann@example.com", "long enough secret", display_name="Ann Lee")
        with pytest.raises(ValidationFailed) as excinfo:
            set_password(conn, user_id, "annlee2024")
        assert excinfo.value.details == {"password": PERSONAL}
