"""Check and coerce record input before anything is written.

Every problem is collected (not just the first) into ``{field: message}`` so
a form or an API client can show them all at once; then one
``ValidationFailed`` (422) is raised and the transaction writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import select

from runtime.errors import ValidationFailed
from runtime.fieldtypes import COMPUTED_TYPES
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.records.computed import LinkGuard
from runtime.storage.system import users

#: System columns a caller may set; the others belong to the service.
WRITABLE_SYSTEM = frozenset({"owner"})


def check_keys(entity: Entity, data: Mapping[str, Any], errors: dict) -> None:
    """Unknown names, system columns and computed or read-only fields are refused, not ignored."""
    for name in data:
        if entity.has_field(name):
            field = entity.field(name)
            if field.type in COMPUTED_TYPES:
                errors[name] = f"{field.type} fields are computed and cannot be set"
            elif field.opt("read_only"):
                errors[name] = "this field is read-only"
        elif name in SYSTEM_COLUMNS and name not in WRITABLE_SYSTEM:
            errors[name] = "system field, set by the server"
        elif name not in WRITABLE_SYSTEM:
            errors[name] = "unknown field"


def coerce_values(entity: Entity, data: Mapping[str, Any], errors: dict) -> dict:
    """Each stored field's input as its stored Python value (type, length, range, options, format)."""
    values = {}
    for name, raw in data.items():
        if name in errors or name == "owner" and not entity.has_field(name):
            continue
        field = entity.field(name)
        if not field.stored:
            continue
        try:
            values[name] = field.kind.coerce(field, raw)
        except ValueError as exc:
            errors[name] = str(exc)
    if "owner" in data and not entity.has_field("owner") and "owner" not in errors:
        try:
            values["owner"] = _user_id(data["owner"])
        except ValueError as exc:
            errors["owner"] = str(exc)
    return values


def _user_id(value: Any) -> int | None:
    from runtime.fieldtypes import get_type

    return get_type("user").coerce(None, value)


def check_required(entity: Entity, record: Mapping[str, Any], errors: dict, only=None) -> None:
    """``record`` is the record as it will be stored; ``only`` limits the check to fields being set.

    An update checks only what it sets, so a field made required after
    records existed does not block unrelated edits of those records.
    """
    for field in entity.stored_fields:
        if only is not None and field.name not in only:
            continue
        if field.type in COMPUTED_TYPES:
            continue
        if field.required and field.name not in errors and record.get(field.name) in (None, "", []):
            errors[field.name] = "required"


def check_unique(conn: Connection, entity: Entity, table: Table, values: Mapping, errors: dict,
                 record_id: int | None = None) -> None:
    """A duplicate is a 422 on the field, found before the database's unique index would fail.

    Deleted records keep their values (they can be restored), so they count too.
    """
    for field in entity.stored_fields:
        value = values.get(field.name)
        if not field.unique or value is None or field.name in errors:
            continue
        query = select(table.c.id).where(table.c[field.name] == value)
        if record_id is not None:
            query = query.where(table.c.id != record_id)
        if conn.execute(query.limit(1)).first() is not None:
            errors[field.name] = "already used by another record"


def check_references(conn: Connection, registry, entity: Entity, values: Mapping, errors: dict,
                     acting_user: int | None, readable: LinkGuard | None = None) -> None:
    """Links must point at an existing record that is not in the recycle bin (and, with
    ``readable``, one the writer may read: linking an id must not reveal its record); users must exist."""
    for name, value in values.items():
        if value is None or name in errors:
            continue
        field = entity.field(name) if entity.has_field(name) else Field(name, "user", {})
        if field.type == "link":
            target_entity, target = registry.target(entity, field.opt("target"))
            found = select(target.c.id).where(target.c.id == value, target.c.deleted_at.is_(None))
            rule = readable(target_entity, target, "id") if readable else None
            if conn.execute(found if rule is None else found.where(rule)).first() is None:
                errors[name] = f"no record {value} to link to"
        elif field.type == "user" and value != acting_user and not _user_exists(conn, value):
            errors[name] = f"no user {value}"


def resolve_uploads(conn: Connection, entity: Entity, values: dict, errors: dict) -> None:
    """File and image values must name uploads made for this field; the stored descriptors
    (name, size, sniffed type) replace whatever the caller sent."""
    from runtime.records.files import UPLOAD_TYPES
    from runtime.records.files import stored_uploads

    for field in entity.stored_fields:
        wanted = values.get(field.name)
        if field.type not in UPLOAD_TYPES or not wanted or field.name in errors:
            continue
        found = stored_uploads(conn, entity.app, entity.name, field.name, [d["id"] for d in wanted])
        missing = [d["id"] for d in wanted if d["id"] not in found]
        if missing:
            errors[field.name] = f"no uploaded file {missing[0]}"
        else:
            values[field.name] = [found[d["id"]] for d in wanted]


def _user_exists(conn: Connection, user_id: int) -> bool:
    return conn.execute(select(users.c.id).where(users.c.id == user_id)).first() is not None


def raise_if(errors: Mapping[str, str], entity: Entity) -> None:
    if errors:
        names = ", ".join(sorted(errors))
        raise ValidationFailed(f"{entity.name}: invalid value(s) for {names}", details=dict(errors))
