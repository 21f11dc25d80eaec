"""A typed, read-only view of an app's metadata.

Built from the already-validated JSON documents (``{"app.json": {...},
"entities/opportunity.json": {...}, ...}``), which stay the canonical form:
``App.source`` is what gets stored, hashed, diffed and packed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Any
from typing import Mapping

from runtime.fieldtypes import FieldType
from runtime.fieldtypes import get_type

Label = Mapping[str, str]

#: Columns every generated table has; a field may not take these names,
#: except ``owner``, which an entity may declare as a ``user`` field to give
#: the built-in owner column its own label and default.
SYSTEM_COLUMNS = ("id", "version", "created_at", "created_by", "updated_at", "updated_by", "owner", "deleted_at")
CHILD_COLUMNS = ("parent_id", "row_order")


def label_of(value: Any, fallback: str) -> dict[str, str]:
    """Labels are ``{"en": ..., "zh": ...}``; a plain string counts for every language."""
    if isinstance(value, str):
        return {"*": value}
    if isinstance(value, Mapping) and value:
        return dict(value)
    return {"*": fallback}


def pick_label(label: Mapping[str, str], language: str = "en") -> str:
    """The label in ``language``, falling back to English, then any language."""
    for key in (language, "*", "en"):
        if key in label:
            return label[key]
    return next(iter(label.values()), "")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    raw: Mapping[str, Any] = dc_field(repr=False, compare=True, hash=False)

    @property
    def label(self) -> dict[str, str]:
        return label_of(self.raw.get("label"), self.name)

    @property
    def required(self) -> bool:
        return bool(self.raw.get("required", False))

    @property
    def unique(self) -> bool:
        return bool(self.raw.get("unique", False))

    @property
    def default(self) -> Any:
        return self.raw.get("default")

    @property
    def renamed_from(self) -> str | None:
        return self.raw.get("renamed_from")

    @property
    def convert(self) -> str | None:
        """Explicit conversion for a lossy change (``truncate``, ``null_invalid``)."""
        return self.raw.get("convert")

    def opt(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @cached_property
    def kind(self) -> FieldType:
        """The field type's registry entry (looked up once per field)."""
        return get_type(self.type)

    @property
    def stored(self) -> bool:
        """Whether the field has its own column."""
        return self.kind.stored


@dataclass(frozen=True)
class Rule:
    when: str
    message: dict[str, str]


@dataclass(frozen=True)
class Entity:
    app: str
    name: str
    raw: Mapping[str, Any] = dc_field(repr=False, compare=True, hash=False)
    fields: tuple[Field, ...] = ()
    parent: tuple[str, str] | None = None  # (parent entity, table field) for child entities

    @property
    def label(self) -> dict[str, str]:
        return label_of(self.raw.get("label"), self.name)

    @property
    def title_field(self) -> str | None:
        return self.raw.get("title_field")

    @property
    def renamed_from(self) -> str | None:
        return self.raw.get("renamed_from")

    @property
    def indexes(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(ix) for ix in self.raw.get("indexes", ()))

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(
            Rule(r["when"], label_of(r.get("message"), "Invalid record")) for r in self.raw.get("rules", ())
        )

    @property
    def qualified_name(self) -> str:
        return f"{self.app}.{self.name}"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.qualified_name} has no field {name!r}")

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.stored)


@dataclass(frozen=True)
class App:
    name: str
    source: Mapping[str, Any] = dc_field(repr=False)
    entities: tuple[Entity, ...] = ()

    @property
    def manifest(self) -> Mapping[str, Any]:
        return self.source["app.json"]

    @property
    def label(self) -> dict[str, str]:
        return label_of(self.manifest.get("label"), self.name)

    @property
    def version(self) -> str:
        return self.manifest.get("version", "0.0.0")

    @property
    def requires(self) -> Mapping[str, str]:
        return self.manifest.get("requires", {})

    def entity(self, name: str) -> Entity:
        for e in self.entities:
            if e.name == name:
                return e
        raise KeyError(f"app {self.name!r} has no entity {name!r}")

    def has_entity(self, name: str) -> bool:
        return any(e.name == name for e in self.entities)

    def documents(self, folder: str) -> dict[str, Any]:
        """The JSON documents under ``folder/`` (e.g. ``forms``), by path."""
        prefix = folder.rstrip("/") + "/"
        return {p: d for p, d in self.source.items() if p.startswith(prefix)}

    @property
    def checksum(self) -> str:
        return checksum(self.source)


def checksum(source: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON, so an identical publish is recognised as a no-op."""
    canonical = json.dumps(source, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_app(source: Mapping[str, Any]) -> App:
    """Turn validated documents into the typed model (no validation here)."""
    name = source["app.json"]["name"]
    docs = [d for p, d in sorted(source.items()) if p.startswith("entities/")]
    parents = {}
    for doc in docs:
        for f in doc.get("fields", ()):
            if f.get("type") == "table" and "." not in f.get("target", "."):
                parents[f["target"]] = (doc["name"], f["name"])
    entities = tuple(
        Entity(
            app=name,
            name=doc["name"],
            raw=doc,
            fields=tuple(Field(f["name"], f["type"], f) for f in doc.get("fields", ())),
            parent=parents.get(doc["name"]),
        )
        for doc in docs
    )
    return App(name=name, source=dict(source), entities=entities)


def split_target(target: str, app_name: str) -> tuple[str, str]:
    """``"crm_customers.account"`` -> ("crm_customers", "account"); bare names are local."""
    if "." in target:
        app, entity = target.split(".", 1)
        return app, entity
    return app_name, target
