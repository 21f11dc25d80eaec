"""Saved list views: a named set of columns, filter, sort, search and display mode.

A spec is checked against the entity when saved, with the very parsers a
list uses (``where`` through :func:`compile_where`, ``order`` through
:func:`parse_order`), so a saved view never holds a filter the list would
refuse. A later publish may still remove a field a view names; the list then
reports that as it would for a typed filter.

Views are personal unless ``shared``; a shared view is visible to every user
(row permissions still decide which records its list shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.records.computed import SqlColumns
from runtime.records.computed import session_variables
from runtime.records.ordering import parse_order
from runtime.records.queries import compile_where
from runtime.records.search import search_words
from runtime.records.search import storable_text
from runtime.security.users import get_user
from runtime.storage.system import saved_views
from runtime.storage.system import users

__all__ = ["MODES", "delete_view", "get_view", "list_views", "save_view", "validate_spec"]

MODES = ("table", "kanban", "calendar")
MAX_COLUMNS = 50
MAX_NAME = 100
MAX_TEXT = 2000  # where/order: longer is not a filter anyone typed
_SPEC_KEYS = ("columns", "where", "order", "search", "mode", "group_by", "date_field")
_SYSTEM_DATES = ("created_at", "updated_at")


# -- writes -------------------------------------------------------------------

def save_view(conn: Connection, registry, user_id: int, app: str, entity: str, name: str,
              spec: Mapping[str, Any], shared: bool, now: datetime) -> dict:
    """Create or replace ``user_id``'s view called ``name`` on ``app.entity``; returns it as :func:`get_view`.

    Raises ValidationFailed naming the part of the spec that is wrong
    (``details`` keyed by ``name``/``columns``/``where``/``order``/...); nothing is written then.
    """
    name = _check_name(name)
    if not isinstance(shared, bool):
        raise ValidationFailed("shared must be true or false", details={"shared": "not a boolean"})
    clean = validate_spec(conn, registry, user_id, app, entity, spec, now)
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(saved_views).values(
        app=app, entity=entity, name=name, owner_id=user_id, shared=shared, spec=clean,
        created_at=now, updated_at=now)
    view_id = conn.execute(statement.on_conflict_do_update(
        index_elements=[saved_views.c.app, saved_views.c.entity, saved_views.c.owner_id, saved_views.c.name],
        set_={"spec": clean, "shared": shared, "updated_at": now},
    ).returning(saved_views.c.id)).scalar_one()
    return get_view(conn, user_id, view_id)


def delete_view(conn: Connection, user_id: int, view_id: int) -> None:
    """Delete a view: its owner or an administrator may. NotFound for a view the user cannot see."""
    admin = _is_admin(conn, user_id)
    view = _visible(conn, user_id, view_id, admin=admin)
    if not view["own"] and not admin:
        raise AccessDenied("only the owner or an administrator can delete a shared view")
    conn.execute(delete(saved_views).where(saved_views.c.id == view_id))


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("Give the view a name.", details={"name": "required"})
    name = name.strip()
    if len(name) > MAX_NAME or not storable_text(name):
        raise ValidationFailed(f"A view name has at most {MAX_NAME} ordinary characters.",
                               details={"name": "too long or not storable text"})
    return name


def _is_admin(conn: Connection, user_id: int) -> bool:
    user = get_user(conn, user_id)
    return user is not None and bool(user.is_admin)


# -- the spec -----------------------------------------------------------------

def validate_spec(conn: Connection, registry, user_id: int, app: str, entity: str,
                  spec: Mapping[str, Any], now: datetime) -> dict:
    """The spec with every key present (defaults filled), or ValidationFailed naming the bad key.

    Also for a screen that wants to know whether a stored view still fits the
    published entity. ``$me`` in ``where`` means ``user_id``.
    """
    ent = registry.entity(app, entity)
    if ent.parent:
        raise BadInput(f"{entity} rows are listed through their parent's '{ent.parent[1]}' field")
    if not isinstance(spec, Mapping):
        raise ValidationFailed("A view spec is a JSON object.", details={"spec": "not an object"})
    unknown = sorted(str(k) for k in spec if k not in _SPEC_KEYS)
    if unknown:
        raise ValidationFailed(f"unknown view setting {unknown[0]!r}; use {', '.join(_SPEC_KEYS)}",
                               details={k: "unknown setting" for k in unknown})
    table = registry.table(app, entity)
    columns = SqlColumns(registry, ent, table, session_variables(user_id, now), conn.dialect.name)
    mode = spec.get("mode") or "table"
    if mode not in MODES:
        raise ValidationFailed(f"mode must be one of {', '.join(MODES)}", details={"mode": str(mode)[:40]})
    return {
        "columns": _columns(ent, spec.get("columns") or []),
        "where": _where(registry, ent, columns, _text(spec, "where")),
        "order": _order(registry, ent, table, columns, _text(spec, "order")),
        "search": " ".join(search_words(_text(spec, "search"))),
        "mode": mode,
        "group_by": _field_of(ent, spec, "group_by", ("select",), (), required=mode == "kanban"),
        "date_field": _field_of(ent, spec, "date_field", ("date", "datetime"), _SYSTEM_DATES,
                                required=mode == "calendar"),
    }


def _text(spec: Mapping, key: str) -> str:
    value = spec.get(key) or ""
    if not isinstance(value, str) or len(value) > MAX_TEXT or not storable_text(value):
        raise ValidationFailed(f"{key} must be text of at most {MAX_TEXT} characters", details={key: "not text"})
    return value.strip()


def _columns(ent, names: Any) -> list[str]:
    """Stored or computed fields and system columns; child tables and ``deleted_at`` have no list column."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValidationFailed("columns must be a list of field names", details={"columns": "not a list of names"})
    if len(names) > MAX_COLUMNS:
        raise ValidationFailed(f"a view shows at most {MAX_COLUMNS} columns", details={"columns": "too many"})
    for name in names:
        known = ent.has_field(name) and ent.field(name).type != "table"
        if (not known and name not in SYSTEM_COLUMNS) or name == "deleted_at":
            raise ValidationFailed(f"columns: '{ent.name}' has no column {name[:60]!r}",
                                   details={"columns": name[:60]})
    if len(set(names)) != len(names):
        raise ValidationFailed("columns: a column is listed twice", details={"columns": "duplicate"})
    return list(names)


def _where(registry, ent, columns: SqlColumns, where: str) -> str:
    if where:
        try:
            compile_where(registry, ent, columns, where)
        except ValidationFailed as exc:
            raise ValidationFailed(f"where: {exc.message}", details={"where": exc.details}) from None
    return where


def _order(registry, ent, table, columns: SqlColumns, order: str) -> str:
    if order:
        parse_order(order, registry, ent, table, columns)  # InvalidOrder: "order: col N: ..."
    return order


def _field_of(ent, spec: Mapping, key: str, types: tuple[str, ...], system: tuple[str, ...],
              required: bool) -> str | None:
    """``group_by``/``date_field``: a field of one of ``types`` (or a system column in ``system``)."""
    name = spec.get(key)
    if name is None or name == "":
        if required:
            raise ValidationFailed(f"{key} is required in {spec.get('mode')} mode", details={key: "required"})
        return None
    fits = isinstance(name, str) and (name in system or ent.has_field(name) and ent.field(name).type in types)
    if not fits:
        raise ValidationFailed(f"{key}: {str(name)[:60]!r} is not a {' or '.join(types)} field of "
                               f"'{ent.name}'", details={key: str(name)[:60]})
    return name


# -- reads --------------------------------------------------------------------

def list_views(conn: Connection, user_id: int, app: str, entity: str) -> list[dict]:
    """The user's own views of ``app.entity`` (by name), then others' shared ones (by name)."""
    rows = conn.execute(_view_select(user_id).where(
        saved_views.c.app == app, saved_views.c.entity == entity,
        or_(saved_views.c.owner_id == user_id, saved_views.c.shared.is_(True)),
    ).order_by((saved_views.c.owner_id != user_id), saved_views.c.name, saved_views.c.id)).mappings()
    return [_view(row) for row in rows]


def get_view(conn: Connection, user_id: int, view_id: int) -> dict:
    """One view the user owns or that is shared; NotFound otherwise.

    ``{id, app, entity, name, owner_id, owner_name, shared, own, spec, created_at,
    updated_at}``; ``spec`` has every key of :func:`validate_spec`'s result.
    """
    return _visible(conn, user_id, view_id, admin=False)


def _visible(conn: Connection, user_id: int, view_id: int, admin: bool) -> dict:
    query = _view_select(user_id).where(saved_views.c.id == view_id)
    if not admin:
        query = query.where(or_(saved_views.c.owner_id == user_id, saved_views.c.shared.is_(True)))
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no saved view {view_id}")
    return _view(row)


def _view_select(user_id: int):
    return select(
        saved_views, func.coalesce(users.c.display_name, users.c.email).label("owner_name"),
        (saved_views.c.owner_id == user_id).label("own"),
    ).select_from(saved_views.join(users, users.c.id == saved_views.c.owner_id))


def _view(row: Mapping) -> dict:
    return {**row, "own": bool(row["own"])}
