"""Global search (``/search?q=``) across every installed app, and the people picker for @mentions.

Each entity is searched through the record service's list path, the one the
list screens use, so row permissions added there hold here too. The number
of entities searched is capped, so one query never turns into hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from flask import jsonify
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from runtime.api import context
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.records.search import escape_like
from runtime.records.search import search_words
from runtime.storage.system import users
from runtime.web.i18n import translate
from runtime.web.labels import user_language
from runtime.web.screens.access import registry
from runtime.web.screens.access import screen
from runtime.web.screens.display import title_of

__all__ = ["MAX_ENTITIES", "PER_ENTITY", "register"]

MAX_ENTITIES = 30
PER_ENTITY = 5
PEOPLE_SHOWN = 8
_PEOPLE_QUERY = 100


@dataclass(frozen=True)
class Hits:
    """The first matches in one entity, and whether the entity's list has more."""

    app: App
    entity: Entity
    rows: list[tuple[int, str]]
    more: bool


def search_page():
    q = request.args.get("q", "").strip()
    if not q:
        return render_template("web/search.html", q="", hits=[], error=None, capped=False)
    try:
        search_words(q)  # a bad query is one message, not one per entity
    except BadInput as err:
        return render_template("web/search.html", q=q, hits=[], error=translate(err.message, user_language()),
                               capped=False), 400
    entities = _searchable_entities()
    hits = [h for h in (_search(app, entity, q) for app, entity in entities[:MAX_ENTITIES]) if h and h.rows]
    return render_template("web/search.html", q=q, hits=hits, error=None,
                           capped=len(entities) > MAX_ENTITIES, max_entities=MAX_ENTITIES)


def _searchable_entities() -> list[tuple[App, Entity]]:
    """Every top-level entity of every installed app, apps by name, entities in metadata order."""
    reg = registry(context.request_connection())
    return [(app, entity) for _name, app in sorted(reg.apps.items())
            for entity in app.entities if not entity.parent]


def _search(app: App, entity: Entity, q: str) -> Hits | None:
    """The first hits in one entity; None when the user may not read it at all."""
    try:
        s = screen(app.name, entity.name)
    except NotFound:
        return None
    page = s.service.list(s.conn, app.name, entity.name, secret=s.secret, user_id=s.user_id,
                          search=q, limit=PER_ENTITY)
    rows = [(row["id"], title_of(entity, row)) for row in page.data]
    return Hits(app, entity, rows, page.next_cursor is not None)


def people():
    """Active users whose name or email contains ``q`` (the signed-in user left out), as JSON."""
    q = request.args.get("q", "").strip()[:_PEOPLE_QUERY].lower()
    pattern = f"%{escape_like(q)}%"
    conn = context.request_connection()
    rows = conn.execute(
        select(users.c.email, users.c.display_name)
        .where(users.c.is_active.is_(True), users.c.id != current_user.id,
               or_(func.lower(users.c.display_name).like(pattern, escape="\\"),
                   func.lower(users.c.email).like(pattern, escape="\\")))
        .order_by(func.lower(func.coalesce(users.c.display_name, users.c.email)))
        .limit(PEOPLE_SHOWN)
    ).all()
    shared = _shared_names(conn, {row.display_name.lower() for row in rows if row.display_name})
    return jsonify({"data": [
        {"name": row.display_name or row.email, "email": row.email, "mention": _mention(row, shared)}
        for row in rows
    ]})


def _shared_names(conn, names: set[str]) -> set[str]:
    """Lower-cased display names that more than one active user has (a mention by name would miss)."""
    if not names:
        return set()
    name = func.lower(users.c.display_name)
    found = conn.execute(select(name).where(users.c.is_active.is_(True), name.in_(sorted(names)))
                         .group_by(name).having(func.count() > 1))
    return set(found.scalars())


def _mention(row, shared: set[str]) -> str:
    """What to insert: ``@"Name"`` when that name finds only this user, else ``@email``."""
    name = row.display_name
    if name and '"' not in name and "\n" not in name and name.lower() not in shared:
        return f'@"{name}"'
    return f"@{row.email}"


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/search", "search", login_required(search_page))
    bp.add_url_rule("/people", "people", login_required(people))
