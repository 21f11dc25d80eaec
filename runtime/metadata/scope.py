"""What names mean inside an expression written on one entity.

The expression checker only asks "what type is ``account.city``?"; this
module answers from the metadata: a field's registry ``value_kind`` becomes an
``ExprType``, ``.`` follows links to their target entity (this app or an
installed one) and user fields to the user attributes below, lookups are
transparent, formulas have their declared result. ``explain`` says in words
why a path does not resolve, so validation errors are clearer than "unknown".
"""

from __future__ import annotations

from collections.abc import Mapping

from runtime.metadata.expressions.types import BOOLEAN
from runtime.metadata.expressions.types import DATE
from runtime.metadata.expressions.types import DATETIME
from runtime.metadata.expressions.types import INTEGER
from runtime.metadata.expressions.types import TEXT
from runtime.metadata.expressions.types import ExprType
from runtime.metadata.expressions.types import decimal_type
from runtime.metadata.expressions.types import list_type
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.model import split_target

#: What ``owner.<x>`` and ``$me.<x>`` may read about a user: the one list.
USER_ATTRIBUTES: dict[str, ExprType] = {
    "id": INTEGER,
    "email": TEXT,
    "display_name": TEXT,
    "department": TEXT,
}

#: Session variables (``$today`` etc.); ``$me`` alone is the user id.
VARIABLES: dict[str, ExprType] = {"me": INTEGER, "today": DATE, "now": DATETIME, "role": TEXT}

#: System columns every record has, as expressions see them (``owner`` is a user).
SYSTEM_TYPES: dict[str, tuple] = {
    "id": ("integer",),
    "version": ("integer",),
    "created_at": ("datetime",),
    "created_by": ("user",),
    "updated_at": ("datetime",),
    "updated_by": ("user",),
    "owner": ("user",),
    "deleted_at": ("datetime",),
}
assert set(SYSTEM_TYPES) == set(SYSTEM_COLUMNS)

_SIMPLE = {"text": TEXT, "integer": INTEGER, "boolean": BOOLEAN, "date": DATE, "datetime": DATETIME}


def kind_to_type(kind: tuple) -> ExprType | None:
    """A registry ``value_kind`` as an expression type; links and users read as their id."""
    if kind[0] in _SIMPLE:
        return _SIMPLE[kind[0]]
    if kind[0] == "decimal":
        return decimal_type(kind[1])
    if kind[0] in ("link", "user"):
        return INTEGER
    if kind[0] == "list":
        return list_type(TEXT)
    return None


class _Unresolved(Exception):
    """Why a path means nothing; becomes the message of ``explain``."""


class EntityScope:
    """The TypeScope of expressions written on ``entity`` of ``app``."""

    def __init__(self, app: App, entity: Entity | str, installed: Mapping[str, App] | None = None):
        self.app = app
        self.entity = app.entity(entity) if isinstance(entity, str) else entity
        self.installed = installed or {}

    # -- the TypeScope protocol -------------------------------------------------

    def field_type(self, path: tuple[str, ...]) -> ExprType | None:
        try:
            return self._resolve(tuple(path), frozenset())
        except _Unresolved:
            return None

    def variable_type(self, path: tuple[str, ...]) -> ExprType | None:
        if len(path) == 1:
            return VARIABLES.get(path[0])
        if len(path) == 2 and path[0] == "me":
            return USER_ATTRIBUTES.get(path[1])
        return None

    # -- explanations and navigation -------------------------------------------

    def explain(self, path: tuple[str, ...]) -> str | None:
        """Why ``path`` cannot be used in an expression, or None when it can."""
        try:
            self._resolve(tuple(path), frozenset())
        except _Unresolved as exc:
            return str(exc)
        return None

    def target_entity(self, target: str) -> tuple[App, Entity] | None:
        """The entity a link target names, in this app or an installed one."""
        app_name, name = split_target(target, self.app.name)
        app = self.app if app_name == self.app.name else self.installed.get(app_name)
        if app is None or not app.has_entity(name):
            return None
        return app, app.entity(name)

    def scope_for(self, target: str) -> EntityScope | None:
        found = self.target_entity(target)
        return EntityScope(found[0], found[1], self.installed) if found else None

    def _field(self, name: str) -> Field | None:
        if self.entity.has_field(name):
            return self.entity.field(name)
        if name in SYSTEM_TYPES:
            return Field(name, SYSTEM_TYPES[name][0], {"name": name, "type": SYSTEM_TYPES[name][0]})
        return None

    def _resolve(self, path: tuple[str, ...], seen: frozenset) -> ExprType:
        head, rest = path[0], path[1:]
        field = self._field(head)
        if field is None:
            raise _Unresolved(f"unknown field '{head}' on {self.entity.name!r}")
        key = (self.app.name, self.entity.name, head)
        if key in seen:
            raise _Unresolved(f"field '{head}' refers to itself through lookups")
        if field.type == "lookup":
            return self._lookup(field, rest, seen | {key})
        kind = field.kind.value_kind(field)
        if kind is None:
            raise _Unresolved(f"field '{head}' ({field.type}) cannot be used in an expression")
        if not rest:
            return kind_to_type(kind)
        if kind[0] == "link":
            return self._follow(field, rest, seen)
        if kind[0] == "user":
            return self._user_attribute(head, rest)
        raise _Unresolved(f"field '{head}' ({field.type}) is not a link; '.' cannot follow it")

    def _follow(self, field: Field, rest: tuple[str, ...], seen: frozenset) -> ExprType:
        target = self.scope_for(field.opt("target", ""))
        if target is None:
            raise _Unresolved(
                f"link '{field.name}' points to unknown entity {field.opt('target')!r}"
            )
        return target._resolve(rest, seen)

    def _lookup(self, field: Field, rest: tuple[str, ...], seen: frozenset) -> ExprType:
        source = self._field(field.opt("source", ""))
        if source is None or source.type != "link":
            raise _Unresolved(
                f"lookup '{field.name}' has no link field {field.opt('source')!r} to read through"
            )
        return self._follow(source, (field.opt("field", ""), *rest), seen)

    @staticmethod
    def _user_attribute(head: str, rest: tuple[str, ...]) -> ExprType:
        if len(rest) == 1 and rest[0] in USER_ATTRIBUTES:
            return USER_ATTRIBUTES[rest[0]]
        known = ", ".join(USER_ATTRIBUTES)
        raise _Unresolved(f"'{head}.{'.'.join(rest)}': a user has only {known}")
