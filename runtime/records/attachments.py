"""Files attached to a record ("Notes & Attachments"), beside its fields.

They reuse the file fields' storage and checks (``files.py``: sniffed type, no
executables, a size limit, content-addressed blobs) and follow the record's
rights: whoever may read the record lists and downloads them; a record the
caller may not read is "not found", so ids cannot be probed. Adding and
removing need the right to update the record. Removing only marks the row,
and both are entries in the record's history ("attach" and "detach").
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Connection
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.records.files import DEFAULT_MAX_MB
from runtime.records.files import blob_path
from runtime.records.files import clean_name
from runtime.records.files import refuse_executable
from runtime.records.files import store_blob
from runtime.records.history import ATTACHMENTS
from runtime.records.history import record_change
from runtime.security.guarded import GuardedRecords
from runtime.storage.system import attachments
from runtime.storage.system import users

__all__ = [
    "FORM_FIELD",
    "MAX_BYTES",
    "add_attachment",
    "attachment_overview",
    "list_attachments",
    "may_attach",
    "open_attachment",
    "remove_attachment",
]

#: A file field's default limit, within the app's request limit.
MAX_BYTES = DEFAULT_MAX_MB * 1024 * 1024
FORM_FIELD = "file"  # the multipart field the upload comes in, named in error details
MAX_ID = 2**63 - 1  # larger ids name nothing (and SQLite cannot bind them)


def list_attachments(
    conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int
) -> list[dict]:
    """The record's live attachments, newest first: ``{id, name, size, content_type, created_by,
    created_by_name, created_at}``; NotFound if the caller may not read the record."""
    _require_readable(conn, records, app, entity, record_id)
    return _rows(conn, app, entity, record_id)


def attachment_overview(
    conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int
) -> tuple[list[dict], bool]:
    """What the record page's card needs, with the record's readability checked once:
    ``(list_attachments, may_attach)``."""
    _require_readable(conn, records, app, entity, record_id)
    return _rows(conn, app, entity, record_id), may_attach(conn, records, app, entity, record_id)


def may_attach(
    conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int
) -> bool:
    """Whether the caller may add and remove the record's attachments (for showing the form)."""
    return records.allowed(conn, app, entity, "update", record_id)


def add_attachment(
    conn: Connection,
    records: GuardedRecords,
    files_dir: str | Path,
    app: str,
    entity: str,
    record_id: int,
    content: bytes | BinaryIO,
    filename: str | None,
    user_id: int,
    now: datetime,
) -> dict:
    """Check, store and attach one upload; returns it as :func:`list_attachments` does.

    BadInput (nothing stored) for an empty, oversized or executable file.
    """
    _require_updater(conn, records, app, entity, record_id)
    digest, size, kind = store_blob(
        files_dir, content, MAX_BYTES, FORM_FIELD, lambda kind: refuse_executable(FORM_FIELD, kind)
    )
    name = clean_name(filename)
    attachment_id = conn.execute(
        insert(attachments).values(
            app=app,
            entity=entity,
            record_id=record_id,
            name=name,
            content_type=kind,
            size=size,
            sha256=digest,
            created_by=user_id,
            created_at=now,
        )
    ).inserted_primary_key[0]
    record_change(conn, app, entity, record_id, "attach", user_id, now, {ATTACHMENTS: [None, name]})
    return dict(conn.execute(_select().where(attachments.c.id == attachment_id)).mappings().one())


def remove_attachment(
    conn: Connection,
    records: GuardedRecords,
    app: str,
    entity: str,
    record_id: int,
    attachment_id: int,
    user_id: int,
    now: datetime,
) -> None:
    """Mark one of the record's attachments removed (the row and the file stay) and note it in
    the record's history; NotFound for an id that is not a live attachment of this record."""
    _require_updater(conn, records, app, entity, record_id)
    row = _live(conn, app, entity, record_id, attachment_id)
    conn.execute(
        update(attachments)
        .where(attachments.c.id == row["id"])
        .values(deleted_at=now, deleted_by=user_id)
    )
    record_change(
        conn, app, entity, record_id, "detach", user_id, now, {ATTACHMENTS: [row["name"], None]}
    )


def open_attachment(
    conn: Connection,
    records: GuardedRecords,
    files_dir: str | Path,
    app: str,
    entity: str,
    record_id: int,
    attachment_id: int,
) -> tuple[Path, dict]:
    """``(path on disk, attachment)`` for a download; NotFound unless the caller may read the record
    and it is a live attachment of it whose file is on disk."""
    _require_readable(conn, records, app, entity, record_id)
    row = _live(conn, app, entity, record_id, attachment_id)
    path = blob_path(Path(files_dir), row["sha256"])
    if not path.is_file():
        raise NotFound(f"the file of attachment {attachment_id} is missing")
    return path, {k: row[k] for k in ("id", "name", "size", "content_type")}


# -- checks and queries -------------------------------------------------------------


def _require_readable(
    conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int
) -> None:
    """A live, top-level record the caller may read, else NotFound. ``allowed`` proves the
    right (admins have it for every id), the query that the row exists and is not in the bin."""
    ent, table = records.readable(app, entity)
    missing = NotFound(f"no {entity} {record_id}")
    if ent.parent or not 0 < record_id <= MAX_ID:
        raise missing
    live = conn.execute(
        select(table.c.id).where(table.c.id == record_id, table.c.deleted_at.is_(None))
    )
    if live.first() is None or not records.allowed(conn, app, entity, "read", record_id):
        raise missing


def _require_updater(
    conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int
) -> None:
    _require_readable(conn, records, app, entity, record_id)
    if not may_attach(conn, records, app, entity, record_id):
        raise AccessDenied(
            "Only someone who may change this record can add or remove its attachments."
        )


def _live(conn: Connection, app: str, entity: str, record_id: int, attachment_id: int) -> dict:
    if not 0 < attachment_id <= MAX_ID:
        raise NotFound(f"no attachment {attachment_id}")
    row = (
        conn.execute(
            select(attachments).where(
                attachments.c.id == attachment_id, *_of_record(app, entity, record_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no attachment {attachment_id} on {entity} {record_id}")
    return dict(row)


def _rows(conn: Connection, app: str, entity: str, record_id: int) -> list[dict]:
    rows = conn.execute(
        _select().where(*_of_record(app, entity, record_id)).order_by(attachments.c.id.desc())
    ).mappings()
    return [dict(row) for row in rows]


def _of_record(app: str, entity: str, record_id: int) -> tuple:
    return (
        attachments.c.app == app,
        attachments.c.entity == entity,
        attachments.c.record_id == record_id,
        attachments.c.deleted_at.is_(None),
    )


def _select():
    return select(
        attachments.c.id,
        attachments.c.name,
        attachments.c.size,
        attachments.c.content_type,
        attachments.c.created_by,
        func.coalesce(users.c.display_name, users.c.email).label("created_by_name"),
        attachments.c.created_at,
    ).select_from(attachments.outerjoin(users, users.c.id == attachments.c.created_by))
