"""Fixtures shared by the security tests."""

import pytest

from tests.runtime.security import vault_app


@pytest.fixture
def vault(engine, settings):
    """The ``vault`` app published, with its users and Ann: ``(user ids, Ann's id)``."""
    return vault_app.install(engine, settings)
