"""The password policy (ASVS 2.1): 12 to 128 characters, any characters, no composition rules,
and refused when a breach list, dictionary or pattern makes it easy to guess."""

import pytest

from runtime.errors import ValidationFailed
from runtime.security.passwords import TOO_GUESSABLE
from runtime.security.passwords import password_problems
from runtime.security.users import create_user
from runtime.security.users import set_password

LENGTH = "Use at least 12 characters."
PERSONAL = "Do not use your email address or name as your password."


@pytest.mark.parametrize("password, problems", [
    ("", [LENGTH]),
    ("Ab1!", [LENGTH]),
    ("Tr0ub4dour&", [LENGTH]),  # 11: strong-looking is not long enough
    ("abcdefghijkl", [TOO_GUESSABLE]),  # a sequence
    ("Password1234", [TOO_GUESSABLE]),  # breach-list favourite with the usual decorations
    ("qwertyuiop12", [TOO_GUESSABLE]),  # a keyboard walk
    ("hunter2hunter2", [TOO_GUESSABLE]),  # a repeat
    ("annlee-2024x", [PERSONAL]),
    ("ann@example.com", [PERSONAL]),
    ("x" * 129, ["Use at most 128 characters."]),
    ("y" * 128 + "", [TOO_GUESSABLE]),  # the longest allowed length is judged, not refused for length
    ("correct horse battery", []),  # a passphrase: no capitals, digits or symbols needed
    ("plumbers tangerine", []),
    ("Tr0ub4dour&3", []),
    ("密码很长的一句话-2024", []),  # any Unicode
    ("пароль для входа", []),
])
def test_each_broken_rule_is_named(password, problems):
    assert password_problems(password, email="ann@example.com", name="Ann Lee") == problems


def test_the_name_counts_even_when_it_is_not_most_of_the_password():
    # zxcvbn is told the account's email and name: they count as the first words guessed
    assert password_problems("annlee annlee 1", email="ann@example.com", name="Ann Lee") == [TOO_GUESSABLE]


def test_a_short_email_part_inside_a_long_password_is_fine():
    assert password_problems("bob-password-1", email="bob@example.com") == []


def test_create_and_change_apply_the_policy(engine):
    with engine.begin() as conn:
        with pytest.raises(ValidationFailed) as excinfo:
            create_user(conn, "ann@example.com", "password1234")
        assert excinfo.value.details == {"password": TOO_GUESSABLE}
        user_id = create_user(conn, "ann@example.com", "long enough secret", display_name="Ann Lee")
        with pytest.raises(ValidationFailed) as excinfo:
            set_password(conn, user_id, "annlee202412")
        assert excinfo.value.details == {"password": PERSONAL}
