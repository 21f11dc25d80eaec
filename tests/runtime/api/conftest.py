"""The sample_sales app published into the test database, a user and their tokens."""

from __future__ import annotations

import pytest

from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.security.tokens import create_token
from runtime.security.users import create_user
from tests.runtime.metadata.fixtures_meta import SAMPLE_APP


@pytest.fixture
def sales(engine):
    """Publish sample_sales (every field type); returns the engine."""
    publish(engine, load_package(str(SAMPLE_APP)).source)
    return engine


@pytest.fixture
def user_id(engine):
    """Ann administers the sample app: these tests are about the API's behaviour, and the sample
    app has roles (tests/runtime/security/test_permissions*.py cover what non-admins may do)."""
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", "s3cret-pass-12", display_name="Ann", is_admin=True)


@pytest.fixture
def write_token(engine, user_id):
    with engine.begin() as conn:
        return create_token(conn, user_id, "tests", "write")


@pytest.fixture
def read_token(engine, user_id):
    with engine.begin() as conn:
        return create_token(conn, user_id, "reader", "read")


class Api:
    """A test client that sends a Bearer token and JSON bodies."""

    def __init__(self, client, token):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __call__(self, method, path, json=None, headers=None, **kwargs):
        return self.client.open(path, method=method, json=json, headers={**self.headers, **(headers or {})},
                                **kwargs)

    def get(self, path, **kw):
        return self("GET", path, **kw)

    def post(self, path, data=None, **kw):
        return self("POST", path, json=None if data is None else {"data": data}, **kw)

    def patch(self, path, data, version=None, headers=None, **kw):
        headers = {**({"If-Match": f'"{version}"'} if version is not None else {}), **(headers or {})}
        return self("PATCH", path, json={"data": data}, headers=headers, **kw)

    def delete(self, path, **kw):
        return self("DELETE", path, **kw)


@pytest.fixture
def api(client, sales, write_token):
    return Api(client, write_token)


@pytest.fixture
def reader(client, sales, read_token):
    return Api(client, read_token)
