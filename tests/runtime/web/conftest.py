"""The shipped crm_customers template, published, and a signed-in test client."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.security.users import create_user

TEMPLATE = Path(__file__).resolve().parents[3] / "templates_store" / "crm_customers"
PASSWORD = "password-123"


@pytest.fixture
def crm(engine):
    publish(engine, load_package(TEMPLATE).source, author="test")
    return "crm_customers"


@pytest.fixture
def user_id(engine):
    with engine.begin() as conn:
        return create_user(conn, "ann@example.com", PASSWORD, display_name="Ann Lee")


@pytest.fixture
def web(client, crm, user_id):
    """A client signed in as Ann, with the CRM template installed."""
    response = client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 302
    return client
