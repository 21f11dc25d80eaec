"""Sharing one record with a user or a department, beyond what the row rules allow.

``permissions.Access`` already reads ``metacrm_record_share``; this is how
shares are made and removed. A share gives ``read`` or ``edit``: it widens the
rows a user's roles reach, never the actions (an ``edit`` share lets its user
change the record only if a role lets them update such records at all).

Whoever may update the record (its row rule holds for them, or a share to
edit it) or an admin may share and unshare it; anyone who may read it sees its
shares; a record the caller may not read is "not found". Every change writes
its audit row in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.security import audit
from runtime.security.guarded import GuardedRecords
from runtime.security.permissions import load_access
from runtime.security.role_grants import MAX_DEPARTMENT
from runtime.security.role_grants import Actor
from runtime.storage.system import record_shares
from runtime.storage.system import users

__all__ = ["LEVELS", "add_share", "list_shares", "may_share", "remove_share", "share_targets"]

LEVELS = ("read", "edit")
MAX_ID = 2**63 - 1  # larger ids name nothing (and SQLite cannot bind them)
_KEYS = frozenset({"user_id", "department", "access"})


def list_shares(conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int) -> list[dict]:
    """The record's shares, users first (by name), then departments; NotFound if unreadable."""
    _require_readable(conn, records, app, entity, record_id)
    return [_share(row) for row in _rows(conn, app, entity, record_id)]


def may_share(conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int) -> bool:
    """Whether the caller may change the record's shares (for showing the form)."""
    return records.allowed(conn, app, entity, "update", record_id)


def add_share(conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int,
              data: dict, actor: Actor) -> tuple[dict, str]:
    """Share the record as ``data`` says (``user_id`` or ``department``, and ``access``).

    Returns the share and what happened: ``"created"``; ``"changed"`` (shared with that
    target before, at the other level); ``"unchanged"`` (already shared just so).
    """
    _require_sharer(conn, records, app, entity, record_id)
    user_id, department, access = _target(conn, records, app, entity, data)
    target = (record_shares.c.user_id == user_id) if user_id is not None else (
        record_shares.c.department == department)
    existing = conn.execute(select(record_shares.c.id, record_shares.c.access)
                            .where(*_of_record(app, entity, record_id), target)).first()
    if existing is not None and existing.access == access:
        return _share(_one(conn, app, entity, record_id, existing.id)), "unchanged"
    if existing is not None:
        conn.execute(update(record_shares).where(record_shares.c.id == existing.id).values(access=access))
        share_id = existing.id
    else:
        share_id = conn.execute(insert(record_shares).values(
            app=app, entity=entity, record_id=record_id, user_id=user_id, department=department,
            access=access, created_by=actor.user_id, created_at=utcnow())).inserted_primary_key[0]
    row = _one(conn, app, entity, record_id, share_id)
    detail = _detail(app, entity, record_id, row)
    if existing is not None:
        detail["was"] = existing.access
    audit.record(conn, "record_shared", actor.user_id, actor.email, actor.ip, detail)
    return _share(row), "created" if existing is None else "changed"


def remove_share(conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int,
                 share_id: int, actor: Actor) -> None:
    """Remove one share of the record; NotFound when it is not one of this record's."""
    _require_sharer(conn, records, app, entity, record_id)
    row = _one(conn, app, entity, record_id, share_id)
    conn.execute(delete(record_shares).where(record_shares.c.id == share_id))
    audit.record(conn, "record_unshared", actor.user_id, actor.email, actor.ip,
                 _detail(app, entity, record_id, row))


def share_targets(conn: Connection, records: GuardedRecords) -> tuple[list[tuple[int, str]], list[str]]:
    """Who the caller could share with: active users but themself, and every department in use."""
    people = conn.execute(select(users.c.id, users.c.display_name, users.c.email)
                          .where(users.c.is_active.is_(True), users.c.id != records.access.user_id)
                          .order_by(users.c.display_name, users.c.email)).all()
    departments = conn.execute(select(users.c.department).distinct()
                               .where(users.c.department.is_not(None)).order_by(users.c.department)).scalars()
    return [(row.id, row.display_name or row.email) for row in people], list(departments)


# -- checks ---------------------------------------------------------------------------


def _require_readable(conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int) -> None:
    """A live, top-level record the caller may read, else NotFound (an admin's rights alone
    do not prove the row exists, so the row is looked up either way)."""
    ent, table = records.readable(app, entity)
    if not 0 < record_id <= MAX_ID:
        raise NotFound(f"no {entity} {record_id}")
    query = select(table.c.id).where(table.c.id == record_id, table.c.deleted_at.is_(None))
    rule = records.row_filter(conn, app, entity, "read")
    if ent.parent or conn.execute(query if rule is None else query.where(rule)).first() is None:
        raise NotFound(f"no {entity} {record_id}")


def _require_sharer(conn: Connection, records: GuardedRecords, app: str, entity: str, record_id: int) -> None:
    _require_readable(conn, records, app, entity, record_id)
    if not may_share(conn, records, app, entity, record_id):
        raise AccessDenied("Only someone who may change this record can share it.")


def _target(conn: Connection, records: GuardedRecords, app: str, entity: str, data) -> tuple:
    """``(user_id, department, access)`` from ``data``, each problem named in the details."""
    if not isinstance(data, dict):
        raise ValidationFailed("Send the share as an object.", details={"data": "expected an object"})
    errors = {key: "unknown field" for key in data if key not in _KEYS}
    access = data.get("access", "read")
    if access not in LEVELS:
        errors["access"] = "Use read or edit."
    user_id, department = data.get("user_id"), data.get("department")
    if (user_id is None) == (department is None):
        errors["user_id"] = "Give either a user or a department."
    elif user_id is not None:
        problem = _user_problem(conn, records, app, entity, user_id)
        if problem:
            errors["user_id"] = problem
    else:
        department = department.strip() if isinstance(department, str) else department
        problem = _department_problem(conn, department)
        if problem:
            errors["department"] = problem
    if errors:
        raise ValidationFailed("The record could not be shared.", details=errors)
    return user_id, department, access


def _user_problem(conn: Connection, records: GuardedRecords, app: str, entity: str, user_id) -> str | None:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return "Give the user's id as a whole number."
    if user_id == records.access.user_id:
        return "You cannot share a record with yourself."
    active = conn.execute(select(users.c.is_active).where(users.c.id == user_id)).scalar()
    if not active:
        return "No active user with this id."
    if not load_access(conn, records.registry, user_id).can(records.registry.entity(app, entity), "read"):
        return "This user's roles give no access to these records, and a share cannot."
    return None


def _department_problem(conn: Connection, department) -> str | None:
    if not isinstance(department, str) or not department or len(department) > MAX_DEPARTMENT:
        return "Give a department's name."
    held = conn.execute(select(users.c.id).where(users.c.department == department).limit(1)).first()
    return None if held else "No user is in this department."


# -- rows -----------------------------------------------------------------------------


def _of_record(app: str, entity: str, record_id: int) -> tuple:
    return (record_shares.c.app == app, record_shares.c.entity == entity, record_shares.c.record_id == record_id)


def _rows(conn: Connection, app: str, entity: str, record_id: int, share_id: int | None = None) -> list:
    query = (select(record_shares.c.id, record_shares.c.user_id, users.c.display_name, users.c.email,
                    record_shares.c.department, record_shares.c.access, record_shares.c.created_by,
                    record_shares.c.created_at)
             .select_from(record_shares.outerjoin(users, users.c.id == record_shares.c.user_id))
             .where(*_of_record(app, entity, record_id))
             .order_by(record_shares.c.user_id.is_(None), users.c.display_name, users.c.email,
                       record_shares.c.department, record_shares.c.id))
    return conn.execute(query if share_id is None else query.where(record_shares.c.id == share_id)).all()


def _one(conn: Connection, app: str, entity: str, record_id: int, share_id: int):
    found = _rows(conn, app, entity, record_id, share_id) if 0 < share_id <= MAX_ID else []
    if not found:
        raise NotFound(f"no share {share_id} on this record")
    return found[0]


def _share(row) -> dict:
    name = (row.display_name or row.email) if row.user_id is not None else None
    return {"id": row.id, "user_id": row.user_id, "user_name": name, "department": row.department,
            "access": row.access, "created_by": row.created_by, "created_at": row.created_at}


def _detail(app: str, entity: str, record_id: int, row) -> dict:
    """The audit detail: which record, whose share (by email, as role changes are), what level."""
    target = {"user": row.email} if row.user_id is not None else {"department": row.department}
    return {"record": f"{app}.{entity}/{record_id}", **target, "access": row.access}
