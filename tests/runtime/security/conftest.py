"""Fixtures shared by the security tests."""

import pytest

from runtime.security.users import create_user
from tests.runtime.security import vault_app


@pytest.fixture
def conn(engine):
    """One transaction for the test's reads and writes."""
    with engine.begin() as connection:
        yield connection


@pytest.fixture
def ann(conn):
    """Ann's user id: a plain user with a password that meets the policy."""
    return create_user(conn, "ann@example.com", "long enough secret")


@pytest.fixture
def vault(engine, settings):
    """The ``vault`` app published, with its users and Ann: ``(user ids, Ann's id)``."""
    return vault_app.install(engine, settings)
