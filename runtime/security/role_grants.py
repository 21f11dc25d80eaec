"""Granting roles, setting departments and the per-role 2FA requirement: shared by
``metacrm user`` and ``/admin/roles``.

Each change writes its audit row in the caller's transaction, so the log
shows exactly the changes that happened. A role is ``<app>.<role>`` and must
be one an installed app declares in ``roles/*.json``.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.metadata.model import label_of
from runtime.metadata.model import pick_label
from runtime.security import audit
from runtime.security.twofactor import ADMINS
from runtime.storage.catalog import current_apps
from runtime.storage.system import role_policy
from runtime.storage.system import user_roles
from runtime.storage.system import users

__all__ = [
    "Actor",
    "grant_role",
    "installed_roles",
    "revoke_role",
    "role_holders",
    "roles_of",
    "roles_requiring_2fa",
    "set_department",
    "set_role_requires_2fa",
]

MAX_DEPARTMENT = 100


class Actor:
    """Who makes a change, for the audit row (None for the command line)."""

    def __init__(self, user_id: int | None = None, email: str | None = None, ip: str | None = None):
        self.user_id, self.email, self.ip = user_id, email, ip


def installed_roles(conn: Connection, language: str = "en") -> dict[str, str]:
    """Every role of every installed app, ``"app.role" -> label``, sorted by name."""
    found = {}
    for _number, app in current_apps(conn).values():
        for doc in app.documents("roles").values():
            found[f"{app.name}.{doc['name']}"] = pick_label(label_of(doc.get("label"), doc["name"]), language)
    return dict(sorted(found.items()))


def roles_of(conn: Connection, user_id: int) -> list[str]:
    return list(conn.execute(select(user_roles.c.role).where(user_roles.c.user_id == user_id)
                             .order_by(user_roles.c.role)).scalars())


def grant_role(conn: Connection, user_id: int, role: str, actor: Actor) -> bool:
    """Grant ``role``; False when the user already had it (nothing recorded)."""
    email = _target_email(conn, user_id)
    _check_installed(conn, role)
    if role in roles_of(conn, user_id):
        return False
    conn.execute(insert(user_roles).values(user_id=user_id, role=role))
    _audit(conn, "role_granted", actor, {"user": email, "role": role})
    return True


def revoke_role(conn: Connection, user_id: int, role: str, actor: Actor) -> bool:
    """Revoke ``role`` (installed or not: a role of an uninstalled app can still be cleaned up)."""
    email = _target_email(conn, user_id)
    gone = conn.execute(delete(user_roles).where(user_roles.c.user_id == user_id, user_roles.c.role == role))
    if gone.rowcount:
        _audit(conn, "role_revoked", actor, {"user": email, "role": role})
    return bool(gone.rowcount)


def set_department(conn: Connection, user_id: int, department: str | None, actor: Actor) -> bool:
    """Set (or clear, with an empty value) the user's department; False when unchanged."""
    department = (department or "").strip() or None
    if department and len(department) > MAX_DEPARTMENT:
        raise ValidationFailed("The department is too long.",
                               details={"department": f"Use at most {MAX_DEPARTMENT} characters."})
    row = conn.execute(select(users.c.email, users.c.department).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user {user_id}")
    if row.department == department:
        return False
    conn.execute(update(users).where(users.c.id == user_id).values(department=department))
    _audit(conn, "department_changed", actor, {"user": row.email, "from": row.department, "to": department})
    return True


def roles_requiring_2fa(conn: Connection) -> set[str]:
    return set(conn.execute(select(role_policy.c.role).where(role_policy.c.require_2fa)).scalars())


def set_role_requires_2fa(conn: Connection, role: str, required: bool, actor: Actor) -> bool:
    """Require (or stop requiring) 2FA of everyone holding ``role``; False when unchanged.

    Only an installed role (or ``twofactor.ADMINS``: every administrator) can be made to
    require it; any role can be released, so a leftover of an uninstalled app can still be cleaned up.
    """
    if required and role != ADMINS:
        _check_installed(conn, role)
    current = conn.execute(select(role_policy.c.require_2fa).where(role_policy.c.role == role)).first()
    if bool(current and current.require_2fa) == required:
        return False
    if current is None:
        conn.execute(insert(role_policy).values(role=role, require_2fa=required))
    else:
        conn.execute(update(role_policy).where(role_policy.c.role == role).values(require_2fa=required))
    _audit(conn, "2fa_requirement_changed", actor, {"role": role, "required": required})
    return True


def role_holders(conn: Connection) -> dict[str, tuple[int, int]]:
    """``role -> (users holding it, of whom without 2FA)``, counted in SQL."""
    without = func.sum(case((users.c.totp_enabled_at.is_(None), 1), else_=0))
    rows = conn.execute(select(user_roles.c.role, func.count(), without)
                        .join(users, users.c.id == user_roles.c.user_id).group_by(user_roles.c.role))
    return {role: (held, int(missing or 0)) for role, held, missing in rows}


def _check_installed(conn: Connection, role: str) -> None:
    if role not in installed_roles(conn):
        raise ValidationFailed(f"unknown role {role!r}", details={"role": "No installed app declares this role."})


def _target_email(conn: Connection, user_id: int) -> str:
    email = conn.execute(select(users.c.email).where(users.c.id == user_id)).scalar()
    if email is None:
        raise NotFound(f"no user {user_id}")
    return email


def _audit(conn: Connection, event: str, actor: Actor, detail: dict) -> None:
    audit.record(conn, event, actor.user_id, actor.email, actor.ip, detail)
