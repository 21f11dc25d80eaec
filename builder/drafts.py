"""Drafts: what admins edit in the builder, invisible to users until published.

A draft holds an app's documents (``app.json``, ``entities/x.json``, ...) one
row each, every row with its own revision. Saving a document names the
revision it was based on; if another admin saved that document meanwhile the
save is refused with both versions (DraftConflict), so nothing is silently
lost, while edits to different documents never collide.

A draft starts as a copy of the version in force (or a bare ``app.json`` for
a new app) and is removed once published.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.errors import Conflict
from runtime.errors import NotFound
from runtime.metadata.docschema import FOLDER_KINDS
from runtime.metadata.names import NAME_PATTERN
from runtime.storage.catalog import current_metadata
from runtime.storage.system import draft_documents
from runtime.storage.system import drafts

__all__ = ["Draft", "DraftConflict", "create_app_draft", "discard_draft", "document_path", "draft_source",
           "load_draft", "open_draft", "save_document"]

NAME = re.compile(NAME_PATTERN)


class DraftConflict(Conflict):
    """Someone else saved this document since it was opened; ``details`` carries both versions."""

    code = "draft_conflict"


@dataclass
class Draft:
    app: str
    base_version: int | None
    documents: dict[str, Any]  # path -> document (removed documents left out)
    revisions: dict[str, int]  # path -> revision (removed documents included, so re-adding is checked too)
    updated_at: datetime

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.documents)

    @property
    def fingerprint(self) -> str:
        """Changes whenever any document is saved: "publish what I previewed" compares it."""
        return ",".join(f"{path}:{rev}" for path, rev in sorted(self.revisions.items()))


def document_path(path: str) -> str:
    """``app.json`` or ``<folder>/<name>.json`` for a known folder; anything else is refused."""
    if path == "app.json":
        return path
    folder, _, file = path.partition("/")
    name = file[:-5] if file.endswith(".json") else ""
    if folder not in FOLDER_KINDS or not NAME.match(name):
        raise BadInput(f"{path!r} is not a document path like entities/account.json")
    return path


def open_draft(conn: Connection, app: str, user_id: int | None, now: datetime | None = None) -> Draft:
    """The app's draft, started from the version in force when there is none yet."""
    found = load_draft(conn, app)
    if found is not None:
        return found
    current = current_metadata(conn, app)
    if current is None:
        raise NotFound(f"no app {app!r}")
    number, metadata = current
    _insert_draft(conn, app, number, metadata, user_id, now or utcnow())
    return load_draft(conn, app)


def create_app_draft(conn: Connection, name: str, label: dict, user_id: int | None,
                     now: datetime | None = None) -> Draft:
    """A draft for a brand-new app holding just its ``app.json``."""
    if not NAME.match(name or ""):
        raise BadInput("An app name starts with a letter and has only a-z, 0-9 and _ (at most 40).",
                       details={"name": "invalid"})
    if load_draft(conn, name) is not None or current_metadata(conn, name) is not None:
        raise Conflict(f"an app named {name!r} already exists", details={"name": "taken"})
    manifest = {"name": name, "label": label, "version": "0.1.0", "platform": ">=0.1"}
    _insert_draft(conn, name, None, {"app.json": manifest}, user_id, now or utcnow())
    return load_draft(conn, name)


def load_draft(conn: Connection, app: str) -> Draft | None:
    head = conn.execute(select(drafts).where(drafts.c.app == app)).first()
    if head is None:
        return None
    rows = conn.execute(select(draft_documents).where(draft_documents.c.app == app)
                        .order_by(draft_documents.c.path)).all()
    return Draft(app, head.base_version, {r.path: r.document for r in rows if r.document is not None},
                 {r.path: r.revision for r in rows}, head.updated_at)


def save_document(conn: Connection, app: str, path: str, document: Any, revision: int | None,
                  user_id: int | None, now: datetime | None = None) -> int:
    """Store one document (``None`` removes it) if ``revision`` is still current; returns the new revision.

    ``revision`` is None for a document that did not exist when the editor opened it.
    """
    path = document_path(path)
    now = now or utcnow()
    if path == "app.json" and (document is None or document.get("name") != app):
        raise BadInput("app.json must stay, and its name must stay the app's name", details={"name": app})
    draft = open_draft(conn, app, user_id, now)
    current = draft.revisions.get(path)
    if current != revision:
        raise DraftConflict(
            f"{path} was changed by someone else since you opened it; both versions are shown",
            details={"path": path, "theirs": draft.documents.get(path), "theirs_revision": current,
                     "yours": document})
    new_revision = (current or 0) + 1
    values = {"document": copy.deepcopy(document), "revision": new_revision, "updated_by": user_id, "updated_at": now}
    if current is None:
        conn.execute(insert(draft_documents).values(app=app, path=path, **values))
    else:
        changed = conn.execute(update(draft_documents)
                               .where(draft_documents.c.app == app, draft_documents.c.path == path,
                                      draft_documents.c.revision == current).values(**values)).rowcount
        if changed != 1:  # a concurrent save between our read and this write
            raise DraftConflict(f"{path} was changed by someone else just now", details={"path": path})
    conn.execute(update(drafts).where(drafts.c.app == app).values(updated_at=now))
    return new_revision


def draft_source(conn: Connection, app: str) -> dict[str, Any]:
    draft = load_draft(conn, app)
    if draft is None:
        raise NotFound(f"no draft for {app!r}")
    return draft.source


def discard_draft(conn: Connection, app: str) -> None:
    conn.execute(delete(draft_documents).where(draft_documents.c.app == app))
    conn.execute(delete(drafts).where(drafts.c.app == app))


def _insert_draft(conn: Connection, app: str, base_version: int | None, documents: dict, user_id, now) -> None:
    conn.execute(insert(drafts).values(app=app, base_version=base_version, created_by=user_id,
                                       created_at=now, updated_at=now))
    rows = [{"app": app, "path": path, "document": copy.deepcopy(doc), "revision": 1, "updated_by": user_id,
             "updated_at": now} for path, doc in documents.items()]
    if rows:
        conn.execute(insert(draft_documents), rows)
