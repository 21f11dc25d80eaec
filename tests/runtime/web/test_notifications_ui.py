"""The bell's unread badge and the /notifications page: listing, links, mark all read (own only)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from runtime.automation.notifications import notify
from runtime.clock import utcnow
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import create_user
from runtime.storage.system import notifications
from tests.runtime.web.conftest import PASSWORD

APP, ENTITY = "crm_customers", "account"


@pytest.fixture
def bob(engine):
    with engine.begin() as conn:
        return create_user(conn, "bob@example.com", PASSWORD, display_name="Bob <Stone>")


def make_account(engine, user_id, name="Acme Ltd") -> int:
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        return service.create(conn, APP, ENTITY, {"name": name}, user_id=user_id)["id"]


def notify_many(engine, user_id, record_id, actor, count):
    with engine.begin() as conn:
        for _ in range(count):
            notify(conn, user_id, "mention", APP, ENTITY, record_id, actor, utcnow())


def badge(html: str) -> str | None:
    found = re.search(r'data-testid="bell-badge">([^<]*)<', html)
    return found.group(1) if found else None


def test_badge_counts_unread_and_caps_at_99_plus(web, engine, user_id, bob):
    record_id = make_account(engine, user_id)
    assert badge(web.get("/").get_data(as_text=True)) is None
    notify_many(engine, user_id, record_id, bob, 3)
    assert badge(web.get("/").get_data(as_text=True)) == "3"
    notify_many(engine, user_id, record_id, bob, 100)
    html = web.get("/").get_data(as_text=True)
    assert badge(html) == "99+"
    assert 'data-testid="menu-notifications"' in html  # the phone's "Me" menu links there too


def test_page_lists_a_mention_with_record_link_excerpt_and_unread_mark(web, engine, user_id, bob):
    record_id = make_account(engine, user_id, "Acme <Holdings>")
    web.post("/logout")
    web.post("/login", data={"email": "bob@example.com", "password": PASSWORD})
    web.post(f"/a/{APP}/{ENTITY}/{record_id}/comments", data={"body": 'Hey @"Ann Lee" look <b>here</b>'})
    web.post("/logout")
    web.post("/login", data={"email": "ann@example.com", "password": PASSWORD})

    html = web.get("/notifications").get_data(as_text=True)
    assert "Bob &lt;Stone&gt;" in html and "mentioned you on" in html
    assert f'href="/a/{APP}/{ENTITY}/{record_id}#comments">Acme &lt;Holdings&gt;</a>' in html
    assert "look &lt;b&gt;here&lt;/b&gt;" in html
    assert 'class="notification unread"' in html
    # Opening the page does not mark anything read.
    assert badge(web.get("/notifications").get_data(as_text=True)) == "1"


def test_notifications_of_deleted_records_are_hidden(web, engine, user_id, bob):
    kept, gone = make_account(engine, user_id, "Kept Co"), make_account(engine, user_id, "Gone Co")
    notify_many(engine, user_id, kept, bob, 1)
    notify_many(engine, user_id, gone, bob, 1)
    with engine.begin() as conn:
        RecordService(SchemaRegistry.from_connection(conn), language="en").delete(
            conn, APP, ENTITY, gone, user_id=user_id)
    html = web.get("/notifications").get_data(as_text=True)
    assert "Kept Co" in html and "Gone Co" not in html


def test_an_unread_notification_about_a_deleted_record_can_still_be_cleared(web, engine, user_id, bob):
    gone = make_account(engine, user_id, "Gone Co")
    notify_many(engine, user_id, gone, bob, 1)
    with engine.begin() as conn:
        RecordService(SchemaRegistry.from_connection(conn), language="en").delete(
            conn, APP, ENTITY, gone, user_id=user_id)
    html = web.get("/notifications").get_data(as_text=True)
    assert badge(html) == "1" and 'data-testid="mark-all-read"' in html
    web.post("/notifications/read")
    assert badge(web.get("/notifications").get_data(as_text=True)) is None


def test_mark_all_read_marks_only_own(web, engine, user_id, bob):
    record_id = make_account(engine, user_id)
    notify_many(engine, user_id, record_id, bob, 2)
    notify_many(engine, bob, record_id, user_id, 2)
    response = web.post("/notifications/read")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    with engine.connect() as conn:
        rows = conn.execute(select(notifications.c.user_id, notifications.c.read_at)).all()
    assert all(read is not None for uid, read in rows if uid == user_id)
    assert all(read is None for uid, read in rows if uid == bob)
    html = web.get("/notifications").get_data(as_text=True)
    assert badge(html) is None and 'data-testid="mark-all-read"' not in html


def test_empty_page_and_sign_in_required(client, web):
    assert "all caught up" in web.get("/notifications").get_data(as_text=True)
    web.post("/logout")
    assert web.get("/notifications").status_code == 302
    assert web.post("/notifications/read").status_code == 302
