"""Comments on the record page: add, mention, escape, delete own only, 404s and errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import create_user
from runtime.storage.system import comments
from runtime.storage.system import notifications
from tests.runtime.web.conftest import PASSWORD

APP, ENTITY = "crm_customers", "account"


def make_account(engine, user_id, name="Acme Ltd") -> int:
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        return service.create(conn, APP, ENTITY, {"name": name}, user_id=user_id)["id"]


def record_url(record_id: int) -> str:
    return f"/a/{APP}/{ENTITY}/{record_id}"


@pytest.fixture
def bob(engine):
    with engine.begin() as conn:
        return create_user(conn, "bob@example.com", PASSWORD, display_name="Bob Stone")


def sign_in(client, email):
    client.post("/logout")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def test_add_comment_shows_on_the_record_page(web, engine, user_id):
    record_id = make_account(engine, user_id)
    page = web.get(record_url(record_id)).get_data(as_text=True)
    assert 'data-testid="comment-form"' in page and "No comments yet" in page

    response = web.post(record_url(record_id) + "/comments", data={"body": "First line\nsecond line"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(record_url(record_id) + "#comments")
    html = web.get(record_url(record_id)).get_data(as_text=True)
    assert "First line\nsecond line" in html  # newlines kept (pre-wrap)
    assert "Ann Lee" in html and 'data-testid="comment"' in html


def test_comments_are_oldest_first(web, engine, user_id):
    record_id = make_account(engine, user_id)
    for body in ("one-first", "two-second", "three-third"):
        web.post(record_url(record_id) + "/comments", data={"body": body})
    html = web.get(record_url(record_id)).get_data(as_text=True)
    assert html.index("one-first") < html.index("two-second") < html.index("three-third")


def test_mention_notifies_the_other_user_and_renders_a_chip(web, engine, user_id, bob):
    record_id = make_account(engine, user_id)
    web.post(record_url(record_id) + "/comments", data={"body": 'Hi @"Bob Stone", and @ann@example.com'})
    with engine.connect() as conn:
        rows = conn.execute(select(notifications.c.user_id, notifications.c.kind)).all()
    assert rows == [(bob, "mention")]  # the author is never notified
    html = web.get(record_url(record_id)).get_data(as_text=True)
    assert '<span class="mention" title="bob@example.com">@Bob Stone</span>' in html


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_hostile_comment_is_rendered_escaped(web, engine, user_id, payload):
    record_id = make_account(engine, user_id)
    web.post(record_url(record_id) + "/comments", data={"body": f"look {payload} @Nobody"})
    html = web.get(record_url(record_id)).get_data(as_text=True)
    assert payload not in html
    escaped = payload.replace("<", "&lt;").replace(">", "&gt;")
    assert f"look {escaped} @Nobody" in html


def test_empty_comment_gets_a_clear_error_and_stores_nothing(web, engine, user_id):
    record_id = make_account(engine, user_id)
    response = web.post(record_url(record_id) + "/comments", data={"body": "   \n "}, follow_redirects=True)
    assert response.status_code == 200
    assert "Write something to comment." in response.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.execute(select(comments.c.id)).first() is None


def test_comment_on_a_missing_or_deleted_record_is_404(web, engine, user_id):
    assert web.post(record_url(999) + "/comments", data={"body": "hello"}).status_code == 404
    record_id = make_account(engine, user_id)
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        service.delete(conn, APP, ENTITY, record_id, user_id=user_id)
    assert web.post(record_url(record_id) + "/comments", data={"body": "hello"}).status_code == 404
    assert web.post(f"/a/{APP}/nope/1/comments", data={"body": "hello"}).status_code == 404
    with engine.connect() as conn:
        assert conn.execute(select(comments.c.id)).first() is None


def test_only_the_author_may_delete(web, engine, user_id, bob):
    record_id = make_account(engine, user_id)
    web.post(record_url(record_id) + "/comments", data={"body": "Ann's note"})
    with engine.connect() as conn:
        comment_id = conn.execute(select(comments.c.id)).scalar_one()

    sign_in(web, "bob@example.com")
    html = web.get(record_url(record_id)).get_data(as_text=True)
    assert "Ann&#39;s note" in html and 'data-testid="delete-comment"' not in html
    response = web.post(f"{record_url(record_id)}/comments/{comment_id}/delete", follow_redirects=True)
    assert "You can only delete your own comments." in response.get_data(as_text=True)
    with engine.connect() as conn:
        assert conn.execute(select(comments.c.deleted_at)).scalar_one() is None

    sign_in(web, "ann@example.com")
    assert 'data-testid="delete-comment"' in web.get(record_url(record_id)).get_data(as_text=True)
    web.post(f"{record_url(record_id)}/comments/{comment_id}/delete")
    assert "Ann&#39;s note" not in web.get(record_url(record_id)).get_data(as_text=True)


def test_deleting_a_comment_of_another_record_is_404(web, engine, user_id):
    first, second = make_account(engine, user_id, "One"), make_account(engine, user_id, "Two")
    web.post(record_url(first) + "/comments", data={"body": "on one"})
    with engine.connect() as conn:
        comment_id = conn.execute(select(comments.c.id)).scalar_one()
    assert web.post(f"{record_url(second)}/comments/{comment_id}/delete").status_code == 404


def test_comment_routes_need_sign_in(client, crm, engine, user_id):
    record_id = make_account(engine, user_id)
    response = client.post(record_url(record_id) + "/comments", data={"body": "hi"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_people_lists_other_active_users_with_their_mention_text(web, engine, user_id, bob):
    with engine.begin() as conn:
        create_user(conn, "bob2@example.com", PASSWORD, display_name="bob stone")
        create_user(conn, "cleo@example.com", PASSWORD, display_name="Cleo")
    data = web.get("/people?q=o").get_json()["data"]
    by_email = {p["email"]: p for p in data}
    assert "ann@example.com" not in by_email  # not yourself
    assert by_email["cleo@example.com"]["mention"] == '@"Cleo"'
    assert by_email["bob@example.com"]["mention"] == "@bob@example.com"  # the name is shared
    assert web.get("/people?q=%25").get_json()["data"] == []  # LIKE wildcards match themselves


def test_comment_times_read_as_relative_times(app):
    from datetime import timedelta

    from runtime.clock import utcnow
    from runtime.web.social import ago

    now = utcnow()
    with app.test_request_context():
        assert ago(now) == "just now"
        assert ago(now - timedelta(minutes=5, seconds=10)) == "5 min ago"
        assert ago(now - timedelta(hours=3)) == "3 h ago"
        assert ago(now - timedelta(days=2)) == "2 d ago"
        assert ago(now - timedelta(days=30)) == (now - timedelta(days=30)).strftime("%Y-%m-%d")
