"""Comments: mentions resolve to active users, notify once each, and render without |safe."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from runtime.automation.notifications import list_notifications
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.records.comments import MAX_BODY
from runtime.records.comments import add_comment
from runtime.records.comments import delete_comment
from runtime.records.comments import edit_comment
from runtime.records.comments import list_comments
from runtime.records.comments import render_body
from runtime.records.comments import resolve_mentions
from runtime.storage.system import comments
from runtime.storage.system import notifications
from runtime.storage.system import users

NOW = datetime(2026, 3, 14, 9, 30, 0)
PEOPLE = [  # id, email, display name, admin, active
    (1, "author@example.com", "Ann Author", False, True),
    (2, "wang.fang@example.com", "Wang Fang", False, True),
    (3, "emma@example.com", "Emma Clark", False, True),
    (4, "bob@example.com", "Bob", False, True),
    (5, "gone@example.com", "Gone", False, False),
    (6, "admin@example.com", "Admin", True, True),
    (7, "emile@example.com", "Émile", False, True),
]


@pytest.fixture
def conn(engine):
    with engine.begin() as connection:
        connection.execute(insert(users), [
            {"id": uid, "email": email, "password_hash": "x", "display_name": name, "is_admin": admin,
             "is_active": active, "language": "en", "created_at": NOW}
            for uid, email, name, admin, active in PEOPLE])
        yield connection


def comment(conn, body, author=1, record_id=42):
    return add_comment(conn, "sales", "deal", record_id, author, body, NOW)


def notified_users(conn):
    return sorted(conn.execute(select(notifications.c.user_id)).scalars())


def test_a_comment_is_stored_as_typed_and_listed_oldest_first_with_its_author(conn):
    first = comment(conn, "<b>hi</b> & welcome")
    second = comment(conn, "second", author=4)
    listed = list_comments(conn, "sales", "deal", 42)
    assert [c["id"] for c in listed] == [first["id"], second["id"]]
    assert listed[0]["body"] == "<b>hi</b> & welcome"
    assert listed[0]["parts"] == [("text", "<b>hi</b> & welcome")]
    assert (listed[0]["author_name"], listed[0]["author_email"]) == ("Ann Author", "author@example.com")
    assert listed[1]["created_at"] == NOW and listed[1]["edited_at"] is None
    assert list_comments(conn, "sales", "deal", 43) == []


def test_mentions_by_email_and_quoted_name_notify_and_render_as_parts(conn):
    made = comment(conn, 'Hi @wang.fang@example.com, ask @"emma clark".')
    assert [u["id"] for u in made["mentions"]] == [2, 3]
    assert made["notified"] == [2, 3]
    assert notified_users(conn) == [2, 3]
    assert made["parts"] == [
        ("text", "Hi "), ("mention", made["mentions"][0]), ("text", ", ask "),
        ("mention", made["mentions"][1]), ("text", "."),
    ]
    assert made["mentions"][1] == {"id": 3, "email": "emma@example.com", "display_name": "Emma Clark",
                                   "name": "Emma Clark"}


def test_a_one_word_display_name_matches_case_insensitively_even_outside_ascii(conn):
    made = comment(conn, "thanks @BOB and @Émile")
    assert [u["id"] for u in made["mentions"]] == [4, 7]


def test_unknown_inactive_and_email_like_text_are_not_mentions(conn):
    made = comment(conn, "@nobody @Gone mail bob@example.com or @home, @\"No One\"")
    assert made["mentions"] == [] and made["notified"] == []
    assert made["parts"] == [("text", made["body"])]
    assert notified_users(conn) == []


def test_self_mention_is_rendered_but_not_notified(conn):
    made = comment(conn, "note to @author@example.com and @Bob")
    assert [u["id"] for u in made["mentions"]] == [1, 4]
    assert made["notified"] == [4]
    assert notified_users(conn) == [4]


def test_a_user_mentioned_several_ways_is_notified_once(conn):
    made = comment(conn, '@Bob @bob @bob@example.com @"BOB"')
    assert [u["id"] for u in made["mentions"]] == [4]
    assert notified_users(conn) == [4]
    assert [kind for kind, _ in made["parts"]] == ["mention", "text", "mention", "text", "mention", "text",
                                                   "mention"]


def test_a_shared_display_name_mentions_nobody(conn):
    conn.execute(insert(users).values(id=8, email="bob2@example.com", password_hash="x", display_name="bob",
                                      is_admin=False, is_active=True, language="en", created_at=NOW))
    assert comment(conn, "@Bob")["mentions"] == []
    assert [u["id"] for u in comment(conn, "@bob2@example.com")["mentions"]] == [8]


def test_the_mention_notification_points_at_the_comment(conn):
    made = comment(conn, "@Bob please check")
    [note] = list_notifications(conn, 4)
    assert (note["kind"], note["app"], note["entity"], note["record_id"]) == ("mention", "sales", "deal", 42)
    assert (note["actor_id"], note["actor_name"], note["comment_id"]) == (1, "Ann Author", made["id"])
    assert note["excerpt"] == "@Bob please check"


@pytest.mark.parametrize("body, reason", [
    ("", "required"), ("   \n", "required"), (None, "required"),
    ("x" * (MAX_BODY + 1), f"longer than {MAX_BODY} characters"), ("a\x00b", "not storable text"),
])
def test_a_bad_body_is_refused_and_nothing_is_written(conn, body, reason):
    with pytest.raises(ValidationFailed) as caught:
        comment(conn, body)
    assert caught.value.details == {"body": reason}
    assert conn.execute(select(func.count()).select_from(comments)).scalar_one() == 0


def test_the_longest_body_is_accepted(conn):
    assert len(comment(conn, "y" * MAX_BODY)["body"]) == MAX_BODY


def test_the_author_deletes_a_comment_and_its_mentions_are_withdrawn(conn):
    made = comment(conn, "@Bob look")
    delete_comment(conn, "sales", "deal", 42, made["id"], 1, NOW)
    assert list_comments(conn, "sales", "deal", 42) == []
    assert notified_users(conn) == []
    with pytest.raises(NotFound):
        delete_comment(conn, "sales", "deal", 42, made["id"], 1, NOW)


def test_only_the_author_or_an_admin_may_delete(conn):
    made = comment(conn, "mine")
    with pytest.raises(AccessDenied):
        delete_comment(conn, "sales", "deal", 42, made["id"], 4, NOW)
    delete_comment(conn, "sales", "deal", 42, made["id"], 6, NOW)
    assert list_comments(conn, "sales", "deal", 42) == []


def test_a_comment_is_deleted_only_through_its_own_record(conn):
    made = comment(conn, "mine")
    with pytest.raises(NotFound):
        delete_comment(conn, "sales", "deal", 43, made["id"], 1, NOW)


def test_render_body_needs_no_database_once_mentions_are_resolved(conn):
    resolved = resolve_mentions(conn, ["@Bob", "@\"Emma Clark\""])
    assert render_body("hey @bob!", resolved) == [("text", "hey "), ("mention", resolved["name", "bob"]),
                                                 ("text", "!")]
    assert render_body("<script>@x</script>", resolved) == [("text", "<script>@x</script>")]


def test_an_edit_changes_the_text_and_notifies_only_the_newly_mentioned(conn):
    made = comment(conn, "@Bob first")
    later = NOW + timedelta(minutes=3)
    edited = edit_comment(conn, "sales", "deal", 42, made["id"], 1, '@Bob and @"Emma Clark" now', later)
    assert edited["notified"] == [3]
    assert [u["id"] for u in edited["mentions"]] == [4, 3]
    assert notified_users(conn) == [3, 4]
    [listed] = list_comments(conn, "sales", "deal", 42)
    assert (listed["body"], listed["created_at"], listed["edited_at"]) == ('@Bob and @"Emma Clark" now', NOW, later)


def test_only_the_author_edits_and_a_bad_edit_changes_nothing(conn):
    made = comment(conn, "mine")
    for user in (4, 6):
        with pytest.raises(AccessDenied):
            edit_comment(conn, "sales", "deal", 42, made["id"], user, "theirs", NOW)
    with pytest.raises(ValidationFailed):
        edit_comment(conn, "sales", "deal", 42, made["id"], 1, " ", NOW)
    with pytest.raises(NotFound):
        edit_comment(conn, "sales", "deal", 43, made["id"], 1, "elsewhere", NOW)
    assert list_comments(conn, "sales", "deal", 42)[0]["body"] == "mine"
