"""Who may do what: role metadata (DESIGN §3 Role) turned into rights and SQL row filters.

* Administrators may do everything.
* An entity no role mentions, in an app without roles, is open to every signed-in user
  (a new app works before anyone writes roles).
* Otherwise a user's rights are the union of the roles granted to them: a row
  is readable if any role's ``read`` rule holds for it, a field is as open as
  the most generous role makes it. No grant means the entity does not exist
  for that user (404, never 403, so nothing leaks).
* Records shared with the user or their department are readable (``read``) or
  also editable (``edit``) whatever the rules say.
* A grant's ``reveal`` lists sensitive fields its role sees in clear (unmasked:
  ``runtime.security.sensitive``); a user sees those of all their roles.

Row rules are expressions compiled into the query itself (``SqlColumns``), so
lists, counts, exports, searches and pickers all filter in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from runtime.metadata.model import Entity
from runtime.metadata.model import split_target
from runtime.records.computed import LinkGuard
from runtime.records.computed import SqlColumns
from runtime.storage.system import record_shares
from runtime.storage.system import user_roles
from runtime.storage.system import users

__all__ = ["ACTIONS", "Access", "EntityRights", "load_access"]

ACTIONS = ("read", "create", "update", "delete")
FIELD_LEVELS = {"hidden": 0, "read": 1, "write": 2}


@dataclass(frozen=True)
class EntityRights:
    """One user's rights on one entity: per action the rules (True, or expression sources, each with
    the role it came from), and each field's most generous access level."""

    rules: dict[str, list[tuple[str, bool | str]]]  # action -> [(role, rule)]
    fields: dict[str, str] = dc_field(default_factory=dict)  # field -> hidden | read | write
    revealed: frozenset[str] = frozenset()  # sensitive fields shown in clear

    def allows(self, action: str) -> bool:
        return any(rule is True or isinstance(rule, str) for _role, rule in self.rules.get(action, ()))

    def level(self, field: str) -> str:
        return self.fields.get(field, "write")

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(f for f, level in self.fields.items() if level == "hidden")

    @property
    def read_only(self) -> frozenset[str]:
        return frozenset(f for f, level in self.fields.items() if level == "read")


class Access:
    """What one user may do, for one request. Rights of ``None`` mean unrestricted.

    The user's row and roles are read only when an entity governed by roles is
    touched, so apps without roles cost no extra query.
    """

    def __init__(self, conn: Connection, registry, user_id: int):
        self.conn, self.registry, self.user_id = conn, registry, user_id
        self._user: dict | None = None
        self._rights: dict = {}

    @property
    def is_admin(self) -> bool:
        return self._load()["is_admin"]

    @property
    def department(self) -> str | None:
        return self._load()["attributes"].get("department")

    def rights(self, entity: Entity) -> EntityRights | None:
        key = entity.qualified_name
        if key not in self._rights:
            governed = _governed(self.registry, entity)
            if not governed or self.is_admin:
                self._rights[key] = None
            else:
                self._rights[key] = _rights_for(self.registry, governed, self._load()["roles"])
        return self._rights[key]

    def can(self, entity: Entity, action: str) -> bool:
        rights = self.rights(entity)
        return rights is None or rights.allows(action)

    def hidden_fields(self, entity: Entity) -> frozenset[str]:
        rights = self.rights(entity)
        return rights.hidden if rights else frozenset()

    def revealed_fields(self, entity: Entity) -> frozenset[str]:
        """Sensitive fields a role reveals to this user (administrators see all of them anyway)."""
        rights = self.rights(entity)
        return rights.revealed if rights else frozenset()

    def writable(self, entity: Entity, name: str) -> bool:
        rights = self.rights(entity)
        return rights is None or rights.level(name) == "write"

    def row_filter(self, entity: Entity, table, action: str, dialect: str, now: datetime) -> ColumnElement | None:
        """SQL true for the rows ``action`` may touch; None when unrestricted."""
        rights = self.rights(entity)
        if rights is None:
            return None
        clauses = []
        for role, rule in rights.rules.get(action, ()):
            if rule is True:
                return None
            if isinstance(rule, str):
                columns = SqlColumns(self.registry, entity, table, self.variables(now, role), dialect)
                clauses.append(columns.compile(rule))
        shared = self._shared(entity, table, action)
        return or_(*clauses, shared) if clauses else shared

    def link_guard(self, dialect: str, now: datetime) -> LinkGuard | None:
        """What a path through a link (a lookup, ``account.city`` in a filter) may show this user:
        the linked record's field where they may read both that record and that field, else NULL.
        None when nothing can be hidden: no app has roles, or the user is an administrator."""
        if not _has_roles(self.registry) or self.is_admin:
            return None

        def sees(entity: Entity, table, field: str) -> ColumnElement | None:
            rights = self.rights(entity)
            if rights is None:
                return None
            if not rights.allows("read") or field in rights.hidden:
                return false()
            return self.row_filter(entity, table, "read", dialect, now)

        return sees

    def variables(self, now: datetime, role: str | None = None):
        """``$me``, ``$me.<attribute>``, ``$today``, ``$now`` and ``$role`` (the rule's own role)."""
        values = {("me",): self.user_id, ("today",): now.date(), ("now",): now, ("role",): role}
        values.update({("me", k): v for k, v in self._load()["attributes"].items()})
        return lambda path: values.get(tuple(path))

    def _shared(self, entity: Entity, table, action: str) -> ColumnElement:
        if action not in ("read", "update"):
            return false()
        access_levels = ("read", "edit") if action == "read" else ("edit",)
        to_me = record_shares.c.user_id == self.user_id
        if self.department:
            to_me = or_(to_me, record_shares.c.department == self.department)
        shared_ids = select(record_shares.c.record_id).where(
            record_shares.c.app == entity.app, record_shares.c.entity == entity.name,
            record_shares.c.access.in_(access_levels), to_me)
        return table.c.id.in_(shared_ids)

    def _load(self) -> dict:
        """The user's row and roles, in one query, once."""
        if self._user is None:
            rows = self.conn.execute(
                select(users.c.is_admin, users.c.email, users.c.display_name, users.c.department, user_roles.c.role)
                .select_from(users.outerjoin(user_roles, user_roles.c.user_id == users.c.id))
                .where(users.c.id == self.user_id)).all()
            first = rows[0] if rows else None
            self._user = {
                "is_admin": bool(first and first.is_admin),
                "attributes": {"id": self.user_id, "email": first.email, "display_name": first.display_name,
                               "department": first.department} if first else {"id": self.user_id},
                "roles": frozenset(r.role for r in rows if r.role),
            }
        return self._user


def load_access(conn: Connection, registry, user_id: int) -> Access:
    return Access(conn, registry, user_id)


def _governed(registry, entity: Entity) -> Entity | None:
    """The entity whose grants apply (a child table follows its parent), if roles govern it."""
    target = registry.entity(entity.app, entity.parent[0]) if entity.parent else entity
    cache = registry.cache.setdefault("governed", {})
    if target.qualified_name not in cache:
        cache[target.qualified_name] = any(
            app.name == target.app or any(split_target(key, app.name) == (target.app, target.name)
                                          for key in (doc.get("entities") or {}))
            for app in registry.apps.values() for doc in app.documents("roles").values())
    return target if cache[target.qualified_name] else None


def _has_roles(registry) -> bool:
    """Whether any installed app has roles (checked without loading the user: apps without roles cost no query)."""
    if "has_roles" not in registry.cache:
        registry.cache["has_roles"] = any(app.documents("roles") for app in registry.apps.values())
    return registry.cache["has_roles"]


def _rights_for(registry, target: Entity, granted: frozenset[str]) -> EntityRights:
    """Merge the grants on ``target`` of the roles the user holds."""
    rules: dict[str, list] = {action: [] for action in ACTIONS}
    grants: list[dict] = []
    for app in registry.apps.values():
        for doc in app.documents("roles").values():
            if f"{app.name}.{doc['name']}" not in granted:
                continue
            for key, grant in (doc.get("entities") or {}).items():
                if split_target(key, app.name) != (target.app, target.name):
                    continue
                grants.append(grant)
                for action in ACTIONS:
                    if grant.get(action, False) is not False:
                        rules[action].append((doc["name"], grant[action]))
    revealed = frozenset(name for grant in grants for name in grant.get("reveal", ()))
    return EntityRights(rules, _field_levels(grants), revealed)


def _field_levels(grants: list[dict]) -> dict[str, str]:
    """Each field at the most generous level any granting role gives it (unmentioned = write)."""
    named = {name for grant in grants for name in (grant.get("fields") or {})}
    levels = {}
    for name in named:
        best = max(FIELD_LEVELS[(g.get("fields") or {}).get(name, "write")] for g in grants)
        levels[name] = next(level for level, rank in FIELD_LEVELS.items() if rank == best)
    return levels
