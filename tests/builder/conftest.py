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


@pytest.fixture
def member(client, engine):
    """The test client signed in as Ann, a user who is not an administrator."""
    with engine.begin() as conn:
        create_user(conn, "ann@example.com", PASSWORD)
    client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    return client


def edit_draft(client, edit, path: str = "entities/item.json", app: str = "shop"):
    """Save a draft document as the designer does: read it, apply ``edit`` (changes it in place), put it back."""
    draft = client.get(f"/builder/api/{app}/draft").get_json()
    doc = draft["documents"][path]
    edit(doc)
    return client.put(f"/builder/api/{app}/documents/{path}", json={"document": doc, "revision": draft["revisions"][path]})
