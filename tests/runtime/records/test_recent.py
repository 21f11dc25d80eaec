"""Recent records: one entry per record, newest visit first, at most KEEP per user."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from runtime.errors import BadInput
from runtime.records.recent import KEEP
from runtime.records.recent import recent_records
from runtime.records.recent import record_visit
from runtime.storage.system import recent_records as visits
from runtime.storage.system import users

NOW = datetime(2026, 3, 14, 9, 30, 0)


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


@pytest.fixture
def conn(engine):
    with engine.begin() as connection:
        connection.execute(insert(users), [
            {"id": uid, "email": f"u{uid}@example.com", "password_hash": "x", "is_admin": False,
             "is_active": True, "language": "en", "created_at": NOW} for uid in (1, 2)])
        yield connection


def keys(entries):
    return [(e["app"], e["entity"], e["record_id"]) for e in entries]


def test_visits_are_listed_newest_first(conn):
    record_visit(conn, 1, "sales", "deal", 1, at(0))
    record_visit(conn, 1, "sales", "account", 1, at(1))
    record_visit(conn, 1, "crm", "contact", 9, at(2))
    assert recent_records(conn, 1) == [
        {"app": "crm", "entity": "contact", "record_id": 9, "viewed_at": at(2)},
        {"app": "sales", "entity": "account", "record_id": 1, "viewed_at": at(1)},
        {"app": "sales", "entity": "deal", "record_id": 1, "viewed_at": at(0)},
    ]
    assert keys(recent_records(conn, 1, limit=1)) == [("crm", "contact", 9)]


def test_a_second_visit_moves_the_record_to_the_top_without_a_duplicate(conn):
    record_visit(conn, 1, "sales", "deal", 1, at(0))
    record_visit(conn, 1, "sales", "deal", 2, at(1))
    record_visit(conn, 1, "sales", "deal", 1, at(2))
    assert recent_records(conn, 1) == [
        {"app": "sales", "entity": "deal", "record_id": 1, "viewed_at": at(2)},
        {"app": "sales", "entity": "deal", "record_id": 2, "viewed_at": at(1)},
    ]


def test_each_user_has_their_own_list(conn):
    record_visit(conn, 1, "sales", "deal", 1, at(0))
    record_visit(conn, 2, "sales", "deal", 2, at(1))
    assert keys(recent_records(conn, 1)) == [("sales", "deal", 1)]
    assert keys(recent_records(conn, 2)) == [("sales", "deal", 2)]


def test_only_the_newest_visits_are_kept(conn):
    for n in range(KEEP + 5):
        record_visit(conn, 1, "sales", "deal", n, at(n))
    record_visit(conn, 2, "sales", "deal", 1, at(0))
    stored = conn.execute(select(func.count()).select_from(visits).where(visits.c.user_id == 1)).scalar_one()
    assert stored == KEEP
    newest = recent_records(conn, 1, limit=KEEP)
    assert [e["record_id"] for e in newest] == list(range(KEEP + 4, 4, -1))
    assert keys(recent_records(conn, 2)) == [("sales", "deal", 1)]


def test_revisiting_an_old_record_keeps_it_and_drops_the_oldest_other(conn):
    for n in range(KEEP):
        record_visit(conn, 1, "sales", "deal", n, at(n))
    record_visit(conn, 1, "sales", "deal", 0, at(KEEP))
    assert [e["record_id"] for e in recent_records(conn, 1, limit=KEEP)][:2] == [0, KEEP - 1]
    record_visit(conn, 1, "sales", "deal", KEEP, at(KEEP + 1))
    ids = [e["record_id"] for e in recent_records(conn, 1, limit=KEEP)]
    assert len(ids) == KEEP and 1 not in ids and 0 in ids


@pytest.mark.parametrize("limit", [0, KEEP + 1, "3", True])
def test_a_bad_limit_is_refused(conn, limit):
    with pytest.raises(BadInput):
        recent_records(conn, 1, limit=limit)
