"""Comments on records, with @mentions that notify the people named.

A mention is ``@`` then an email (``@wang.fang@example.com``), a quoted
display name (``@"Emma Clark"``) or a one-word display name (``@Emma``),
matched case-insensitively against active users. Bodies are stored as typed;
mentions are resolved again when shown, and a screen renders a body from
:func:`render_body`'s parts, so no template ever needs ``|safe``.

The caller checks that the record exists and that the user may read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from runtime.automation.notifications import notify
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.records.search import storable_text
from runtime.storage.system import comments
from runtime.storage.system import notifications
from runtime.storage.system import users

__all__ = [
    "MAX_BODY",
    "add_comment",
    "delete_comment",
    "edit_comment",
    "list_comments",
    "render_body",
    "resolve_mentions",
]

MAX_BODY = 10_000
_CHUNK = 400  # names per look-up query, well under every backend's bound-parameter limit
_MENTION = re.compile(
    r'(?<![\w@])@(?:(?P<email>[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)|"(?P<quoted>[^"\r\n]{1,200})"|(?P<word>\w+))'
)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str  # "email" or "name"
    text: str

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.text.lower()


def _tokens(body: str) -> list[_Token]:
    found = []
    for m in _MENTION.finditer(body):
        kind = "email" if m["email"] else "name"
        found.append(_Token(m.start(), m.end(), kind, m["email"] or m["quoted"] or m["word"]))
    return found


# -- writes -------------------------------------------------------------------

def add_comment(conn: Connection, app: str, entity: str, record_id: int, author_id: int, body: str,
                now: datetime) -> dict:
    """Store a comment and notify each distinct mentioned user except the author, in this transaction.

    Returns the comment as :func:`list_comments` shows it, plus ``mentions``
    (every distinct user resolved, in order of appearance: ``{id, email,
    display_name, name}``) and ``notified`` (the user ids that got a notification).
    Raises ValidationFailed (details ``{"body": ...}``) for an empty, too long
    or unstorable body.
    """
    _check_body(body)
    resolved = resolve_mentions(conn, [body])
    comment_id = conn.execute(insert(comments).values(
        app=app, entity=entity, record_id=record_id, author_id=author_id, body=body, created_at=now,
    )).inserted_primary_key[0]
    return _after_write(conn, comment_id, body, resolved, author_id, now, already=set())


def edit_comment(conn: Connection, app: str, entity: str, record_id: int, comment_id: int, user_id: int,
                 body: str, now: datetime) -> dict:
    """Replace the text of one's own comment (sets ``edited_at``); returns it as :func:`add_comment` does.

    Only users newly mentioned are notified; nobody is notified twice for one
    comment. Only the author may edit (AccessDenied), an administrator included.
    """
    author_id = _live_author(conn, app, entity, record_id, comment_id)
    if author_id != user_id:
        raise AccessDenied("only the author can edit a comment")
    _check_body(body)
    resolved = resolve_mentions(conn, [body])
    conn.execute(update(comments).where(comments.c.id == comment_id).values(body=body, edited_at=now))
    already = set(conn.execute(select(notifications.c.user_id).where(
        notifications.c.comment_id == comment_id, notifications.c.kind == "mention")).scalars())
    return _after_write(conn, comment_id, body, resolved, author_id, now, already)


def _after_write(conn: Connection, comment_id: int, body: str, resolved: Mapping, author_id: int,
                 now: datetime, already: set[int]) -> dict:
    """Notify the mentioned users not yet notified, then read the comment back for the caller."""
    row = conn.execute(_comment_select().where(comments.c.id == comment_id)).mappings().one()
    mentions = _mentioned(body, resolved)
    notified = [u["id"] for u in mentions if u["id"] != author_id and u["id"] not in already]
    for user_id in notified:
        notify(conn, user_id, "mention", row["app"], row["entity"], row["record_id"], author_id, now,
               comment_id=comment_id)
    return {**_comment(row, resolved), "mentions": mentions, "notified": notified}


def delete_comment(conn: Connection, app: str, entity: str, record_id: int, comment_id: int, user_id: int,
                   now: datetime) -> None:
    """Hide a comment of this record (``deleted_at``) and withdraw its mention notifications.

    Only its author or an administrator may; others get AccessDenied. NotFound
    when the comment is not a live comment of this very record.
    """
    author_id = _live_author(conn, app, entity, record_id, comment_id)
    if author_id != user_id and not _is_admin(conn, user_id):
        raise AccessDenied("only the author or an administrator can delete a comment")
    conn.execute(update(comments).where(comments.c.id == comment_id).values(deleted_at=now))
    conn.execute(delete(notifications).where(notifications.c.comment_id == comment_id))


def _live_author(conn: Connection, app: str, entity: str, record_id: int, comment_id: int) -> int:
    """The author of a live comment of this very record; NotFound for any other comment id."""
    author_id = conn.execute(select(comments.c.author_id).where(
        comments.c.id == comment_id, comments.c.app == app, comments.c.entity == entity,
        comments.c.record_id == record_id, comments.c.deleted_at.is_(None),
    )).scalar_one_or_none()
    if author_id is None:
        raise NotFound(f"no comment {comment_id} on {entity} {record_id}")
    return author_id


def _check_body(body: Any) -> None:
    if not isinstance(body, str) or not body.strip():
        raise ValidationFailed("Write something to comment.", details={"body": "required"})
    if len(body) > MAX_BODY:
        raise ValidationFailed(f"A comment may have at most {MAX_BODY:,} characters.",
                               details={"body": f"longer than {MAX_BODY} characters"})
    if not storable_text(body):
        raise ValidationFailed("A comment may not contain NUL or unpaired surrogate characters.",
                               details={"body": "not storable text"})


def _is_admin(conn: Connection, user_id: int) -> bool:
    return bool(conn.execute(select(users.c.is_admin).where(users.c.id == user_id)).scalar_one_or_none())


# -- reads --------------------------------------------------------------------

def list_comments(conn: Connection, app: str, entity: str, record_id: int) -> list[dict]:
    """The live comments of one record, oldest first.

    Each: ``{id, app, entity, record_id, author_id, author_name, author_email,
    body, created_at, edited_at, parts}``; ``author_name`` is the display name or
    the email, ``parts`` what :func:`render_body` gives. Times are naive UTC datetimes.
    """
    rows = conn.execute(_comment_select().where(
        comments.c.app == app, comments.c.entity == entity, comments.c.record_id == record_id,
        comments.c.deleted_at.is_(None),
    ).order_by(comments.c.id)).mappings().all()
    resolved = resolve_mentions(conn, [r["body"] for r in rows])
    return [_comment(row, resolved) for row in rows]


def _comment_select():
    return select(
        comments.c.id, comments.c.app, comments.c.entity, comments.c.record_id, comments.c.author_id,
        func.coalesce(users.c.display_name, users.c.email).label("author_name"),
        users.c.email.label("author_email"), comments.c.body, comments.c.created_at, comments.c.edited_at,
    ).select_from(comments.join(users, users.c.id == comments.c.author_id))


def _comment(row: Mapping, resolved: Mapping) -> dict:
    return {**row, "parts": render_body(row["body"], resolved)}


# -- mentions -------------------------------------------------------------------

def resolve_mentions(conn: Connection, bodies: Iterable[str]) -> dict[tuple[str, str], dict]:
    """The active users that the mentions in ``bodies`` name, for :func:`render_body`.

    A display name shared by several active users names nobody (mention them by email).
    """
    tokens = [t for body in bodies for t in _tokens(body)]
    emails = {t.text.lower() for t in tokens if t.kind == "email"}
    names = {t.text for t in tokens if t.kind == "name"}
    by_email, by_name = {}, {}
    for user in _candidates(conn, emails, names):
        by_email[user["email"]] = user
        by_name.setdefault((user["display_name"] or "").lower(), []).append(user)
    resolved = {("email", e): by_email[e] for e in emails if e in by_email}
    for name in names:
        matches = by_name.get(name.lower(), [])
        if len(matches) == 1:
            resolved["name", name.lower()] = matches[0]
    return resolved


def _candidates(conn: Connection, emails: set[str], names: set[str]) -> list[dict]:
    """Active users with one of ``emails`` or, case-insensitively, ``names``.

    Names go both as typed and lower-cased: SQLite's ``lower()`` only folds
    ASCII, so "Émile" must still find "Émile" there.
    """
    wanted = [("email", e) for e in emails] + [("name", n) for n in names | {n.lower() for n in names}]
    found: dict[int, dict] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        match = or_(users.c.email.in_([v for k, v in chunk if k == "email"]),
                    func.lower(users.c.display_name).in_([v for k, v in chunk if k == "name"]))
        rows = conn.execute(select(users.c.id, users.c.email, users.c.display_name)
                            .where(users.c.is_active.is_(True), match)).mappings()
        found.update({r["id"]: {**r, "name": r["display_name"] or r["email"]} for r in rows})
    return list(found.values())


def _mentioned(body: str, resolved: Mapping) -> list[dict]:
    """Distinct users mentioned in ``body``, in order of first mention."""
    users_by_id: dict[int, dict] = {}
    for token in _tokens(body):
        user = resolved.get(token.key)
        if user is not None:
            users_by_id.setdefault(user["id"], user)
    return list(users_by_id.values())


def render_body(body: str, resolved: Mapping) -> list[tuple[str, Any]]:
    """``body`` as display parts: ``("text", str)`` and ``("mention", user)`` in order.

    ``resolved`` comes from :func:`resolve_mentions`; an ``@`` that names no
    user stays text. A template escapes each text part and links each user.
    """
    parts: list[tuple[str, Any]] = []
    pos = 0
    for token in _tokens(body):
        user = resolved.get(token.key)
        if user is None:
            continue
        if token.start > pos:
            parts.append(("text", body[pos:token.start]))
        parts.append(("mention", user))
        pos = token.end
    if pos < len(body):
        parts.append(("text", body[pos:]))
    return parts
