"""The builder's page tests share one signed-in administrator (and a plain user, Ann, who is not)."""

import pytest

from runtime.security.users import create_user

PASSWORD = "password-123"


@pytest.fixture
def admin(client, engine):
    with engine.begin() as conn:
        create_user(conn, "root@example.com", PASSWORD, is_admin=True)
        create_user(conn, "ann@example.com", PASSWORD)
    client.post("/login", data={"email": "root@example.com", "password": PASSWORD})
    return client
