"""What one API call costs the database, and that the savings keep it correct.

The Bearer token lookup carries the catalog key (every app's version in
force), so a list is two statements; a publish or a revocation by another
process is still seen by the very next request.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy import select

from builder.publish import publish
from runtime.security.tokens import revoke_token
from runtime.storage.engine import make_engine
from runtime.storage.system import api_tokens
from tests.factories import evolve
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field
from tests.runtime.api.conftest import Api

SHOP = make_app("shop", make_entity("item", [make_field("name")]))
URL = "/api/v1/shop/item"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def statements(app):
    """The SQL the app's engine runs inside the block (BEGIN/COMMIT are not statements here)."""
    seen: list[str] = []
    engine = app.extensions["metacrm"]["engine"]

    def note(_conn, _cursor, statement, *_args):
        if not statement.startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def shop_api(app, client, engine, write_token) -> Api:
    publish(engine, SHOP)
    api = Api(client, write_token)
    assert api.get(URL).status_code == 200  # first use: builds the registry, notes last_used_at
    return api


def test_a_token_list_call_is_two_statements(app, client, engine, write_token):
    api = shop_api(app, client, engine, write_token)
    with statements(app) as seen:
        assert api.get(URL).status_code == 200
    assert len(seen) == 2, seen
    assert "metacrm_api_token" in seen[0] and "metacrm_app" in seen[0]


def test_a_publish_by_another_process_is_seen_by_the_next_request(app, client, engine, write_token, settings):
    api = shop_api(app, client, engine, write_token)
    other = make_engine(settings.database_url)
    try:
        publish(other, evolve(SHOP, "item", [make_field("name"), make_field("colour")], version="1.1.0"))
    finally:
        other.dispose()
    created = api.post(URL, {"name": "pen", "colour": "blue"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["data"]["colour"] == "blue"


def test_a_revoked_token_stops_at_once(app, client, engine, write_token, user_id):
    api = shop_api(app, client, engine, write_token)
    with engine.begin() as conn:
        revoke_token(conn, conn.execute(select(api_tokens.c.id)).scalar_one(), user_id=user_id)
    assert api.get(URL).status_code == 401


def test_session_calls_still_check_the_catalog(app, client, engine, user_id):
    publish(engine, SHOP)
    assert client.post("/login", data={"email": "ann@example.com", "password": "s3cret-pass-12"}).status_code == 302
    assert client.get(URL).get_json()["data"] == []
    publish(engine, evolve(SHOP, "item", [make_field("name"), make_field("colour")], version="1.1.0"))
    created = client.post(URL, json={"data": {"name": "pen", "colour": "red"}})
    assert created.status_code == 201 and created.get_json()["data"]["colour"] == "red"
