import pytest
from argon2 import PasswordHasher

from runtime.security.passwords import hash_password
from runtime.security.passwords import needs_rehash
from runtime.security.passwords import verify_password


def test_hash_verifies_and_rejects_other_passwords():
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horsE")
    assert not verify_password(stored, "")


def test_each_hash_has_its_own_salt():
    assert hash_password("same password") != hash_password("same password")


def test_unicode_password_round_trips():
    stored = hash_password("密码-пароль-🔑")
    assert verify_password(stored, "密码-пароль-🔑")


def test_malformed_hash_is_no_match_and_needs_rehash():
    assert not verify_password("not-a-hash", "anything")
    assert not verify_password("", "anything")
    assert needs_rehash("not-a-hash")


@pytest.mark.production_hashing
def test_needs_rehash_only_for_weaker_parameters():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("pw123456")
    assert needs_rehash(weak)
    assert verify_password(weak, "pw123456")
    assert not needs_rehash(hash_password("pw123456"))


@pytest.mark.production_hashing
def test_production_hashes_use_the_rfc_9106_parameters():
    """The suite hashes at argon2-cffi's test cost; the product never does."""
    assert "$m=65536,t=3,p=4$" in hash_password("correct horse")
