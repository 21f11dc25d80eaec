"""Shared fixtures: every test gets a real database.

SQLite in a temp folder by default; with ``METACRM_TEST_DATABASE_URL`` set, a
fresh PostgreSQL schema per test (dropped afterwards), so tests never share
state and run against the real server.
"""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

import runtime.security.passwords as passwords
from apps.config import Settings
from runtime.storage.engine import make_engine
from runtime.storage.system import upgrade
from tests.pg_scratch import scratch_schema_url

PG_URL = os.environ.get("METACRM_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("METACRM_TEST_REDIS_URL")


@pytest.fixture(autouse=True)
def cheap_password_hashing(request, monkeypatch):
    """Real argon2id, at argon2-cffi's test cost: at production cost every hash and every
    sign-in takes about 120 ms, which was a large part of the suite's time. Tests marked
    ``production_hashing`` (the parameter and rehash checks) keep the production cost."""
    if request.node.get_closest_marker("production_hashing") is None:
        monkeypatch.setattr(passwords, "_hasher", PasswordHasher.from_parameters(CHEAPEST))


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def database_url(request, tmp_path):
    """A URL to an empty database; parametrized over every backend available."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with scratch_schema_url(PG_URL) as url:
        yield url


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        instance_dir=tmp_path / "instance",
        secret_key="test-secret",
        redis_url=None,  # jobs inline; tests of the RQ path opt in with the `redis_url` fixture
        files_dir=tmp_path / "files",
        testing=True,
    )


@pytest.fixture
def redis_url():
    """The test Redis, or a skip when ``METACRM_TEST_REDIS_URL`` is not set."""
    if not REDIS_URL:
        pytest.skip("METACRM_TEST_REDIS_URL not set")
    return REDIS_URL


@pytest.fixture
def settings_override(settings):
    """Build a variant of the test settings: ``settings_override(redis_url=None)``."""
    return lambda **changes: replace(settings, **changes)


@pytest.fixture
def engine(settings):
    """An engine whose system tables are at the newest migration."""
    eng = make_engine(settings.database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def app(settings, engine):
    from apps.web import create_app

    flask_app = create_app(settings)
    flask_app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
