"""The field-type protocol and its one registry.

Everything about a field type — its options schema, its column, its value
kind in expressions, how input is coerced — lives in one class in one module
of this package; the schema validator, table builder, migration planner and
record service all ask the registry instead of switching on type names.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from typing import Callable
from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.types import TypeEngine

#: Keys every field accepts, whatever its type.
#: The types a field may be ``"sensitive"`` on (encrypted at rest, masked: security/sensitive.py).
SENSITIVE_TYPES = frozenset({"text", "textarea", "email", "phone", "url"})

COMMON_PROPERTIES: dict[str, Any] = {
    "name": {"type": "string"},
    "type": {"type": "string"},
    "label": {"$ref": "#/$defs/label"},
    "description": {"$ref": "#/$defs/label"},
    "help": {"$ref": "#/$defs/label"},
    "required": {"type": "boolean"},
    "unique": {"type": "boolean"},
    "index": {"type": "boolean"},
    "read_only": {"type": "boolean"},
    "hidden": {"type": "boolean"},
    "sensitive": {"type": "boolean"},  # text-like types only: encrypted at rest, masked (security/sensitive.py)
    "renamed_from": {"type": "string"},
    "convert": {"enum": ["truncate", "null_invalid", "round"]},
}


class FieldType:
    """Base class; subclasses set ``name`` and override what differs."""

    name: ClassVar[str]
    #: JSON Schema ``properties`` for the keys this type adds to COMMON_PROPERTIES.
    options: ClassVar[dict[str, Any]] = {}
    #: Keys that must be present for this type.
    required_options: ClassVar[tuple[str, ...]] = ()
    #: Whether the field has its own column (formulas and lookups are computed in SQL).
    stored: ClassVar[bool] = True
    #: Whether the system computes the value (callers can never set it).
    computed: ClassVar[bool] = False
    #: Whether the schema allows ``unique``/``index`` on this type.
    indexable: ClassVar[bool] = True

    def options_schema(self) -> dict[str, Any]:
        """The complete JSON Schema of a field of this type."""
        props = dict(COMMON_PROPERTIES)
        props.update(self.options)
        props["type"] = {"const": self.name}
        if "default" not in props:
            props["default"] = self.default_schema()
        return {
            "type": "object",
            "required": ["name", "type", *self.required_options],
            "properties": props,
            "additionalProperties": False,
        }

    def default_schema(self) -> dict[str, Any]:
        """What a ``default`` may be; types without one (computed, uploads) refuse any."""
        return {"not": {}}

    def column_type(self, field) -> TypeEngine | None:
        """The SQLAlchemy type of the column (None when not stored)."""
        return None

    def storage(self, field) -> tuple:
        """A comparable description of the column: the migration planner compares these.

        ``("string", 200)``, ``("text",)``, ``("integer",)``, ``("decimal", 2)``, ...
        """
        return ()

    def value_kind(self, field) -> tuple[str, ...] | None:
        """How expressions see the value: ``("text",)``, ``("decimal", 2)``, ``("link", target)``..."""
        return None

    def coerce(self, field, value: Any) -> Any:
        """Turn input (JSON or form text) into the stored Python value; ValueError if impossible."""
        return value

    def coercer(self, field) -> Callable[[Any], Any]:
        """``coerce`` bound to one field; types on hot import paths read their options once here."""
        return partial(self.coerce, field)


class CodeStorage:
    """Mixin for short code-like values (select options, autonumbers): VARCHAR(64), text in expressions."""

    def column_type(self, field) -> TypeEngine:
        return String(64)

    def storage(self, field) -> tuple:
        return ("string", 64)

    def value_kind(self, field) -> tuple:
        return ("text",)


def default_value(token: Any, user_id: int | None, now: datetime) -> Any:
    """The value a field's ``default`` stands for at ``now`` for ``user_id`` ($me, $today, $now)."""
    if token == "$me":
        return user_id
    if token == "$today":
        return now.date()
    if token == "$now":
        return now
    return token


_REGISTRY: dict[str, FieldType] = {}


def register(cls: type[FieldType]) -> type[FieldType]:
    """Class decorator adding a field type to the registry."""
    _REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> FieldType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown field type {name!r}") from None


def type_names() -> list[str]:
    return sorted(_REGISTRY)
