"""Password hashing with argon2id, and the password policy.

One module owns the hasher so parameters change in one place; hashes made with
older parameters are upgraded on the next successful login (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from zxcvbn import zxcvbn

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "hash_password",
    "needs_rehash",
    "password_problems",
    "verify_password",
]

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Return an argon2id hash string that embeds its salt and parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if ``password`` matches; a malformed stored hash counts as no match."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker or older parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# --- policy ---------------------------------------------------------------------------
# NIST 800-63B / ASVS 2.1: length (12 to 128), no composition rules, and a check against
# what attackers guess first. zxcvbn scores a password against ~30,000 passwords from
# public breaches, common words and names, keyboard patterns, sequences, repeats and dates,
# plus the account's own email and name; below "somewhat guessable" it is refused.

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 2  # zxcvbn: 0-1 fall to an online attack in under ~10^6 guesses
SCORED_PREFIX = 72  # zxcvbn's own limit (its matching grows with length); more characters only add strength
TOO_GUESSABLE = "This password is too easy to guess (a common password, word or pattern); add a few unusual words."


def password_problems(password: str | None, *, email: str = "", name: str = "") -> list[str]:
    """Each rule the password breaks, as a message for the user; empty means acceptable."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    if _is_personal(password.lower(), email.strip().lower(), (name or "").strip().lower()):
        return ["Do not use your email address or name as your password."]
    personal = [part for part in (email, email.partition("@")[0], name, name.replace(" ", "")) if part]
    if zxcvbn(password[:SCORED_PREFIX], user_inputs=personal)["score"] < MIN_SCORE:
        return [TOO_GUESSABLE]
    return []


def _is_personal(password: str, email: str, name: str) -> bool:
    """The email, its local part or the name, alone or making up most of the password."""
    local = email.partition("@")[0]
    for part in (email, local, name, name.replace(" ", "")):
        if len(part) >= 3 and part in password and len(part) * 2 >= len(password):
            return True
    return False
