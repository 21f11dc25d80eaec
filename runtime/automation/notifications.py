"""In-app notifications: "X mentioned you on deal 42", read from the bell menu.

Written on the caller's connection, so a notification commits or rolls back
with the change that caused it (a comment, an automation's ``notify``).
Every read and write is scoped to one user: nobody sees or marks another's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.storage.system import comments
from runtime.storage.system import notifications
from runtime.storage.system import users

__all__ = [
    "EXCERPT_LENGTH",
    "UNREAD_CAP",
    "excerpt",
    "list_notifications",
    "mark_read",
    "notify",
    "unread_count",
]

#: ``unread_count`` stops counting here (a badge shows "99+"), so it never scans a huge backlog.
UNREAD_CAP = 100
EXCERPT_LENGTH = 140
MAX_LIST = 200
MAX_IDS = 1000
_KIND_LENGTH = 20


def notify(conn: Connection, user_id: int, kind: str, app: str, entity: str, record_id: int,
           actor_id: int | None, now: datetime, comment_id: int | None = None) -> int:
    """Add one unread notification for ``user_id``; returns its id.

    ``kind`` is a short word the screen turns into a sentence ('mention', ...);
    ``actor_id`` is who caused it (None: the system).
    """
    if not isinstance(kind, str) or not 0 < len(kind) <= _KIND_LENGTH:
        raise BadInput(f"a notification kind is a word of at most {_KIND_LENGTH} characters",
                       details={"kind": str(kind)[:40]})
    return conn.execute(insert(notifications).values(
        user_id=user_id, kind=kind, app=app, entity=entity, record_id=record_id,
        actor_id=actor_id, comment_id=comment_id, created_at=now,
    )).inserted_primary_key[0]


def unread_count(conn: Connection, user_id: int) -> int:
    """Unread notifications of ``user_id``, at most ``UNREAD_CAP`` (which means "that many or more")."""
    unread = (select(notifications.c.id)
              .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None))
              .limit(UNREAD_CAP).subquery())
    return conn.execute(select(func.count()).select_from(unread)).scalar_one()


def list_notifications(conn: Connection, user_id: int, limit: int = 50) -> list[dict]:
    """The newest ``limit`` notifications of ``user_id``, read or not.

    Each: ``{id, kind, app, entity, record_id, actor_id, actor_name, comment_id,
    excerpt, created_at, read_at}``; ``actor_name`` is the display name or email
    (None for the system), ``excerpt`` the comment's first characters as plain text
    (None without a live comment). Times are naive UTC datetimes.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise BadInput(f"limit must be a whole number from 1 to {MAX_LIST}", details={"limit": str(limit)[:40]})
    n, actor, comment = notifications, users.alias("actor"), comments
    query = (
        select(n.c.id, n.c.kind, n.c.app, n.c.entity, n.c.record_id, n.c.actor_id,
               func.coalesce(actor.c.display_name, actor.c.email).label("actor_name"),
               n.c.comment_id, comment.c.body, comment.c.deleted_at, n.c.created_at, n.c.read_at)
        .select_from(n.outerjoin(actor, actor.c.id == n.c.actor_id)
                     .outerjoin(comment, comment.c.id == n.c.comment_id))
        .where(n.c.user_id == user_id)
        .order_by(n.c.id.desc())
        .limit(limit)
    )
    return [_entry(row) for row in conn.execute(query).mappings()]


def mark_read(conn: Connection, user_id: int, ids: Iterable[int] | None = None, *,
              now: datetime | None = None) -> int:
    """Mark ``user_id``'s notifications read: the ones in ``ids``, or all when None.

    Ids of other users' notifications are ignored, never marked. Returns how
    many changed from unread to read.
    """
    statement = (update(notifications)
                 .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None))
                 .values(read_at=now or utcnow()))
    if ids is not None:
        wanted = _ids(ids)
        if not wanted:
            return 0
        statement = statement.where(notifications.c.id.in_(wanted))
    return conn.execute(statement).rowcount


def _ids(ids: Iterable[int]) -> list[int]:
    """Notification ids as ints; anything else (text from a form, say) is the caller's 400."""
    if isinstance(ids, (str, bytes)):
        raise BadInput("ids must be a list of notification ids", details={"ids": "not a list"})
    wanted = list(ids)
    if any(isinstance(i, bool) or not isinstance(i, int) for i in wanted):
        raise BadInput("ids must be whole numbers", details={"ids": "not whole numbers"})
    if len(wanted) > MAX_IDS:
        raise BadInput(f"at most {MAX_IDS} ids at a time (omit ids to mark all)", details={"ids": "too many"})
    return sorted(set(wanted))


def _entry(row) -> dict:
    entry = {key: row[key] for key in ("id", "kind", "app", "entity", "record_id", "actor_id", "actor_name",
                                       "comment_id", "created_at", "read_at")}
    live = row["body"] is not None and row["deleted_at"] is None
    entry["excerpt"] = excerpt(row["body"]) if live else None
    return entry


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """The first ``length`` characters of ``body`` on one line, with "…" when cut."""
    flat = " ".join(body.split())
    return flat if len(flat) <= length else flat[:length - 1].rstrip() + "…"
