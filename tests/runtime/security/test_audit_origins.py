"""Where audited changes came from: the web requester's address (and user), or ``cli``."""

import re

import pytest
from sqlalchemy import select

from builder.publish import publish
from runtime.security.tokens import create_token
from runtime.security.users import create_user
from runtime.storage.system import audit_log
from tests.builder.conftest import edit_draft
from tests.factories import evolve
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field

PASSWORD = "password-123"
ADDRESS = "203.0.113.9"
SHOP = make_app("shop", make_entity("item", [make_field("name")], title_field="name"))


def events(engine, event: str) -> list:
    with engine.connect() as conn:
        return conn.execute(select(audit_log).where(audit_log.c.event == event).order_by(audit_log.c.id)).all()


@pytest.fixture
def root(engine, app):
    """A signed-in administrator whose requests come from ``ADDRESS``: ``(client, user id)``."""
    with engine.begin() as conn:
        user_id = create_user(conn, "root@example.com", PASSWORD, is_admin=True)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    client.post("/login", data={"email": "root@example.com", "password": PASSWORD})
    return client, user_id


def test_a_command_line_publish_says_cli(engine):
    publish(engine, SHOP, author="ops@example.com")
    row = events(engine, "app_published")[-1]
    assert (row.user_id, row.email, row.ip) == (None, "ops@example.com", "cli")


def test_a_web_publish_records_the_admin_and_their_address(engine, root):
    client, user_id = root
    publish(engine, SHOP)
    edit_draft(client, lambda doc: doc["fields"].append({"name": "qty", "type": "integer"}))
    draft_at = re.search(r'name="draft" value="([^"]+)"', client.get("/builder/shop/publish").get_data(as_text=True))
    assert client.post("/builder/shop/publish", data={"draft": draft_at.group(1)}).status_code == 302
    row = events(engine, "app_published")[-1]
    assert (row.user_id, row.email, row.ip, row.detail["number"]) == (user_id, "root@example.com", ADDRESS, 2)


def test_a_web_rollback_records_the_admin_and_their_address(engine, root):
    client, user_id = root
    publish(engine, SHOP)
    publish(engine, evolve(SHOP, "item", [make_field("name"), make_field("qty", "integer")], version="1.1.0"))
    assert client.post("/builder/shop/versions/1/rollback", data={"current": "2"}).status_code == 302
    row = events(engine, "app_published")[-1]
    assert (row.user_id, row.ip, row.detail["number"]) == (user_id, ADDRESS, 3)


def test_token_creation_records_the_address_or_cli(engine, root):
    client, user_id = root
    with engine.begin() as conn:
        create_token(conn, user_id, "from the shell")
    made = client.post("/api/v1/me/tokens", json={"data": {"name": "script"}},
                       headers={"X-CSRFToken": "unused: CSRF is off in tests"})
    assert made.status_code == 201
    assert [(r.detail["name"], r.ip) for r in events(engine, "token_created")] == [
        ("from the shell", "cli"), ("script", ADDRESS)]


def test_an_api_export_job_records_the_address(engine, root):
    client, user_id = root
    publish(engine, SHOP)
    started = client.post("/api/v1/shop/item/export", json={"format": "csv"})
    assert started.status_code == 202
    row = events(engine, "records_exported")[-1]
    assert (row.user_id, row.ip, row.detail["entity"]) == (user_id, ADDRESS, "item")
