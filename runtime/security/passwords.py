"""Password hashing with argon2id, and the password policy.

One module owns the hasher so parameters change in one place; hashes made with
older parameters are upgraded on the next successful login (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

__all__ = [
    "COMMON_PASSWORDS",
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
# Length first (NIST 800-63B), plus two cheap checks that stop the guesses attackers try
# first: a single character class, the account's own email or name, a well-known password.

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 copes, but a megabyte "password" is an attack

# Passwords of policy length that top the public breach lists (shorter ones fail on length).
_COMMON = """
1234567890 0123456789 12345678910 1234567891 0987654321 1111111111 123456789a 123456789q
qwertyuiop qwertyuiop1 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx3edc qazwsxedc123 asdfghjkl1 zxcvbnm123
password1! password12 password123 password1234 password2024 password2025 password2026
passw0rd123 p@ssw0rd123 p@ssword123 welcome123 welcome1234 welcome2024 welcome2025
iloveyou12 iloveyou123 sunshine12 sunshine123 football12 football123 baseball12 baseball123
princess12 princess123 dragon1234 monkey1234 letmein123 letmein1234 trustno123 superman12
superman123 starwars12 starwars123 computer12 computer123 changeme123 changeme1234
administrator admin12345 admin123456 admin@1234 admin@12345 abc1234567 abcd123456 abcdefghij
qwerty1234 qwerty12345 qwerty123456 q1w2e3r4t5 a1b2c3d4e5 michael123 jennifer12 charlie123
metacrm123 metacrm1234
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())

#: The character classes a password can draw on; symbols are everything else (spaces too).
_CLASSES = (str.islower, str.isupper, str.isdigit)


def password_problems(password: str | None, *, email: str = "", name: str = "") -> list[str]:
    """Each rule the password breaks, as a message for the user; empty means acceptable."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    problems = []
    if _class_count(password) < 2:
        problems.append("Mix at least two of: lower-case letters, capitals, digits, symbols.")
    if _is_personal(password.lower(), email.strip().lower(), (name or "").strip().lower()):
        problems.append("Do not use your email address or name as your password.")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("This password is too common; choose another.")
    return problems


def _class_count(password: str) -> int:
    found = {i for ch in password for i, test in enumerate(_CLASSES) if test(ch)}
    if any(not any(test(ch) for test in _CLASSES) for ch in password):
        found.add(len(_CLASSES))
    return len(found)


def _is_personal(password: str, email: str, name: str) -> bool:
    """The email, its local part or the name, alone or making up most of the password."""
    local = email.partition("@")[0]
    for part in (email, local, name, name.replace(" ", "")):
        if len(part) >= 3 and part in password and len(part) * 2 >= len(password):
            return True
    return False
