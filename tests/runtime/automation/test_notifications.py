"""Notifications: newest first with who and what, counted unread, marked read only by their owner."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import insert

from runtime.automation.notifications import UNREAD_CAP
from runtime.automation.notifications import excerpt
from runtime.automation.notifications import list_notifications
from runtime.automation.notifications import mark_read
from runtime.automation.notifications import notify
from runtime.automation.notifications import unread_count
from runtime.errors import BadInput
from runtime.records.comments import add_comment
from runtime.storage.system import notifications
from runtime.storage.system import users

NOW = datetime(2026, 3, 14, 9, 30, 0)
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def conn(engine):
    with engine.begin() as connection:
        connection.execute(insert(users), [
            {"id": uid, "email": f"u{uid}@example.com", "password_hash": "x", "display_name": name,
             "is_admin": False, "is_active": True, "language": "en", "created_at": NOW}
            for uid, name in ((1, "Ann"), (2, None), (3, "Cy"))])
        yield connection


def test_notifications_are_listed_newest_first_with_the_actor(conn):
    first = notify(conn, 1, "assigned", "sales", "deal", 7, 3, NOW)
    second = notify(conn, 1, "approval", "sales", "deal", 8, 2, NOW)
    system = notify(conn, 1, "reminder", "sales", "deal", 9, None, NOW)
    notify(conn, 2, "assigned", "sales", "deal", 7, 3, NOW)
    listed = list_notifications(conn, 1)
    assert [n["id"] for n in listed] == [system, second, first]
    assert [n["actor_name"] for n in listed] == [None, "u2@example.com", "Cy"]
    assert listed[2] == {"id": first, "kind": "assigned", "app": "sales", "entity": "deal", "record_id": 7,
                         "actor_id": 3, "actor_name": "Cy", "comment_id": None, "excerpt": None,
                         "created_at": NOW, "read_at": None}
    assert [n["id"] for n in list_notifications(conn, 1, limit=2)] == [system, second]


def test_a_mention_carries_an_excerpt_of_its_comment(conn):
    add_comment(conn, "sales", "deal", 7, 3, "@Ann   see\nthis " + "long " * 60, NOW)
    [note] = list_notifications(conn, 1)
    assert note["excerpt"].startswith("@Ann see this long")
    assert note["excerpt"].endswith("…") and len(note["excerpt"]) <= 140


def test_unread_count_and_mark_read_of_some_or_all(conn):
    ids = [notify(conn, 1, "assigned", "sales", "deal", n, 3, NOW) for n in range(4)]
    assert unread_count(conn, 1) == 4
    assert mark_read(conn, 1, ids[:2], now=LATER) == 2
    assert mark_read(conn, 1, ids[:2], now=LATER) == 0
    assert unread_count(conn, 1) == 2
    assert [n["read_at"] for n in list_notifications(conn, 1)] == [None, None, LATER, LATER]
    assert mark_read(conn, 1, now=LATER) == 2
    assert unread_count(conn, 1) == 0


def test_nobody_can_mark_another_users_notifications_read(conn):
    theirs = notify(conn, 2, "assigned", "sales", "deal", 7, 3, NOW)
    mine = notify(conn, 1, "assigned", "sales", "deal", 7, 3, NOW)
    assert mark_read(conn, 1, [theirs, mine]) == 1
    assert mark_read(conn, 1) == 0
    assert unread_count(conn, 2) == 1
    assert list_notifications(conn, 2)[0]["read_at"] is None


def test_unread_count_stops_at_the_cap(conn):
    conn.execute(insert(notifications), [
        {"user_id": 1, "kind": "assigned", "app": "sales", "entity": "deal", "record_id": n, "created_at": NOW}
        for n in range(UNREAD_CAP + 5)])
    assert unread_count(conn, 1) == UNREAD_CAP


@pytest.mark.parametrize("ids", ["1,2", [1, "2"], [True], list(range(1001))])
def test_bad_ids_are_refused(conn, ids):
    with pytest.raises(BadInput):
        mark_read(conn, 1, ids)


def test_an_empty_id_list_marks_nothing(conn):
    notify(conn, 1, "assigned", "sales", "deal", 7, 3, NOW)
    assert mark_read(conn, 1, []) == 0
    assert unread_count(conn, 1) == 1


@pytest.mark.parametrize("kind", ["", "x" * 21, None])
def test_a_bad_kind_is_refused(conn, kind):
    with pytest.raises(BadInput):
        notify(conn, 1, kind, "sales", "deal", 7, 3, NOW)


@pytest.mark.parametrize("limit", [0, 201, "5", True])
def test_a_bad_limit_is_refused(conn, limit):
    with pytest.raises(BadInput):
        list_notifications(conn, 1, limit=limit)


def test_excerpt_keeps_short_text_whole():
    assert excerpt(" a\n b ") == "a b"
    assert excerpt("abcdef", length=4) == "abc…"
