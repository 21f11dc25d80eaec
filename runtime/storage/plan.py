"""Old app + new app -> a typed list of schema changes (pure; no database).

Like frappe's DBTable change lists and Alembic's autogenerate, but driven by
metadata: renames come from ``renamed_from``, removals become archives, and
a field re-added under an archived name (with the same storage) is restored
instead of created empty. ``assess.py`` then counts the rows each change
touches and refuses lossy ones; ``migrate.py`` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any
from typing import Iterable
from typing import Mapping

from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.security.sensitive import is_sensitive
from runtime.storage.names import archived_name
from runtime.storage.names import search_index_name
from runtime.storage.tables import entity_indexes
from runtime.storage.tables import entity_table_name


@dataclass
class Change:
    """One planned change; ``rows``/``problem`` are filled in by the assessment."""

    kind: str
    entity: str
    field: str | None = None
    old: Mapping[str, Any] | None = None  # old field/entity JSON (or archived definition)
    new: Mapping[str, Any] | None = None
    mode: str | None = None  # alter: widen, narrow, convert, rescale; required: fill_default
    table: str | None = None
    detail: dict = dc_field(default_factory=dict)
    rows: int | None = None
    problem: str | None = None

    def describe(self) -> str:
        where = f"{self.entity}.{self.field}" if self.field else self.entity
        text = DESCRIPTIONS[self.kind].format(where=where, mode=self.mode, **self.detail)
        if self.rows is not None:
            text += f" ({self.rows} row{'s' if self.rows != 1 else ''} affected)"
        return text

    def to_json(self) -> dict:
        data = {"kind": self.kind, "entity": self.entity, "description": self.describe()}
        if self.field:
            data["field"] = self.field
        if self.rows is not None:
            data["rows"] = self.rows
        return data


DESCRIPTIONS = {
    "create_entity": "create table for entity {where}",
    "rename_entity": "rename entity {old_name} to {where}",
    "archive_entity": "archive entity {where} (table kept as {archived})",
    "restore_entity": "restore entity {where} from archive {archived}",
    "add_field": "add field {where} ({type})",
    "rename_field": "rename field {old_name} to {where}",
    "archive_field": "archive field {where} (column kept as {archived})",
    "restore_field": "restore field {where} from archive {archived}",
    "alter_field": "change field {where}: {mode} {old_storage} -> {new_storage}",
    "fill_default": "fill empty {where} with its default {default!r} (now required)",
    "require_field": "make {where} required",
    "unique_field": "make {where} unique",
    "add_index": "add index {name}",
    "drop_index": "drop index {name}",
    "refuse": "{where}: {reason}",
}


@dataclass(frozen=True)
class Archived:
    """An archived column or table that a new version may restore."""

    kind: str
    entity: str
    field: str | None
    archived_name: str
    definition: Mapping[str, Any]


def plan_changes(old: App | None, new: App, archived: Iterable[Archived] = (), version: int = 1) -> list[Change]:
    """Every change needed to go from ``old`` to ``new``; ``version`` names archives."""
    archived = list(archived)
    changes: list[Change] = []
    matched_old: set[str] = set()
    for entity in new.entities:
        changes += _plan_entity(old, entity, archived, matched_old, version)
    for entity in old.entities if old else ():
        if entity.name not in matched_old:
            changes += _archive_entity(entity, version)
    return changes


def _plan_entity(old, entity, archived, matched_old, version):
    before = _old_entity(old, entity)
    if before is not None:
        matched_old.add(before.name)
        changes = []
        if before.name != entity.name:
            changes.append(
                Change("rename_entity", entity.name, old=before.raw, new=entity.raw,
                       table=entity_table_name(before), detail={"old_name": before.name})
            )
        if bool(before.parent) != bool(entity.parent):
            changes.append(_refuse(entity.name, None, "an entity cannot become or stop being a child table"))
        changes += _plan_fields(before, entity, archived, version) + _plan_indexes(before, entity)
        return _located(changes, entity_table_name(before))
    gone = _find_archived(archived, "entity", entity.name, None)
    if gone is not None:
        restored = Entity(entity.app, entity.name, gone.definition, _fields_of(gone.definition), entity.parent)
        change = Change("restore_entity", entity.name, old=gone.definition, new=entity.raw,
                        table=gone.archived_name, detail={"archived": gone.archived_name})
        changes = [change] + _plan_fields(restored, entity, archived, version) + _plan_indexes(None, entity)
        return _located(changes, gone.archived_name)
    return [Change("create_entity", entity.name, new=entity.raw)]


def _located(changes: list[Change], table: str) -> list[Change]:
    """Record where each change's data sits before the publish (old or archived table)."""
    for change in changes:
        change.table = change.table or table
    return changes


def _old_entity(old: App | None, entity: Entity) -> Entity | None:
    if old is None:
        return None
    if old.has_entity(entity.name):
        return old.entity(entity.name)
    if entity.renamed_from and old.has_entity(entity.renamed_from):
        return old.entity(entity.renamed_from)
    return None


def _fields_of(raw: Mapping[str, Any]) -> tuple[Field, ...]:
    return tuple(Field(f["name"], f["type"], f) for f in raw.get("fields", ()))


def _archive_entity(entity: Entity, version: int) -> list[Change]:
    table = entity_table_name(entity)
    indexes = [name for name, _cols, _u in entity_indexes(entity)]
    indexes += [search_index_name(table, f.name) for f in entity.stored_fields]
    return [
        Change("archive_entity", entity.name, old=entity.raw, table=table,
               detail={"archived": archived_name(table, version), "indexes": indexes})
    ]


def _plan_fields(before: Entity, after: Entity, archived, version) -> list[Change]:
    changes: list[Change] = []
    matched: set[str] = set()
    for f in after.fields:
        prior = _old_field(before, after, f)
        if prior is not None and prior.stored and f.stored:
            matched.add(prior.name)
        changes += _plan_field(after, prior, f, archived)
    for f in before.stored_fields:
        if f.name not in matched:
            indexes = [name for name, cols, _u in entity_indexes(before) if f.name in cols]
            indexes.append(search_index_name(entity_table_name(before), f.name))
            changes.append(
                Change("archive_field", after.name, f.name, old=f.raw, table=entity_table_name(before),
                       detail={"archived": archived_name(f.name, version), "indexes": indexes})
            )
    return changes


def _old_field(before: Entity, after: Entity, f: Field) -> Field | None:
    if before.has_field(f.name):
        return before.field(f.name)
    if f.renamed_from and before.has_field(f.renamed_from) and not after.has_field(f.renamed_from):
        return before.field(f.renamed_from)
    return None


def _plan_field(entity: Entity, prior: Field | None, f: Field, archived) -> list[Change]:
    if prior is None or (not prior.stored and f.stored):
        return _new_column(entity, f, archived) if f.stored else []
    if not f.stored:
        return []  # a stored field turned computed: its column is archived by _plan_fields
    changes = []
    if prior.name != f.name:
        changes.append(Change("rename_field", entity.name, f.name, old=prior.raw, new=f.raw,
                              detail={"old_name": prior.name}))
    changes += _plan_storage(entity, prior, f)
    if f.required and not prior.required:
        fillable = f.default is not None and f.default not in ("$me",)
        kind = "fill_default" if fillable else "require_field"
        changes.append(Change(kind, entity.name, f.name, old=prior.raw, new=f.raw, detail={"default": f.default}))
    if f.unique and not prior.unique:
        changes.append(Change("unique_field", entity.name, f.name, old=prior.raw, new=f.raw))
    return changes


def _new_column(entity: Entity, f: Field, archived) -> list[Change]:
    gone = _find_archived(archived, "field", entity.name, f.name)
    if gone is not None:
        prior = Field(gone.definition["name"], gone.definition["type"], gone.definition)
        if prior.kind.storage(prior) == f.kind.storage(f):
            return [Change("restore_field", entity.name, f.name, old=gone.definition, new=f.raw,
                           detail={"archived": gone.archived_name})]
    return [Change("add_field", entity.name, f.name, new=f.raw, detail={"type": f.type})]


def _plan_storage(entity: Entity, prior: Field, f: Field) -> list[Change]:
    if is_sensitive(prior) and not is_sensitive(f):  # its column holds ciphertext
        return [_refuse(entity.name, f.name, "a sensitive field cannot be made plain again; add a new field instead")]
    old_storage, new_storage = _storage(prior), _storage(f)
    if old_storage == new_storage:
        if prior.type == "link" and prior.opt("on_delete", "restrict") != f.opt("on_delete", "restrict"):
            return [_refuse(entity.name, f.name, "changing on_delete of an existing link is not supported; "
                            "add a new link field instead")]
        return []
    mode = storage_change_mode(old_storage, new_storage)
    if mode == "refuse":
        return [_refuse(entity.name, f.name, f"cannot change {prior.type} to {f.type}; add a new field instead")]
    return [Change("alter_field", entity.name, f.name, old=prior.raw, new=f.raw, mode=mode,
                   detail={"old_storage": _fmt(old_storage), "new_storage": _fmt(new_storage)})]


def _storage(f: Field) -> tuple:
    """An encrypted field is stored as text whatever its length (security/sensitive.py)."""
    return ("text",) if is_sensitive(f) else f.kind.storage(f)


def storage_change_mode(old: tuple, new: tuple) -> str:
    """How a column moves between storages: widen (no data change), narrow, convert or refuse."""
    if old[0] == "string" and new[0] == "string":
        return "widen" if new[1] >= old[1] else "narrow"
    if old[0] == "string" and new == ("text",):
        return "widen"
    if old == ("text",) and new[0] == "string":
        return "narrow"
    if "link" in (old[0], new[0]) or "user" in (old[0], new[0]):
        return "refuse"
    return "convert"


def _fmt(storage: tuple) -> str:
    return storage[0] if len(storage) == 1 else f"{storage[0]}({storage[1]})"


def _plan_indexes(before: Entity | None, after: Entity) -> list[Change]:
    old = {name: (cols, unique) for name, cols, unique in entity_indexes(before)} if before else {}
    new = {name: (cols, unique) for name, cols, unique in entity_indexes(after)}
    archived_cols = set()
    if before is not None:
        kept = {f.name for f in after.stored_fields} | {f.renamed_from for f in after.fields if f.renamed_from}
        archived_cols = {f.name for f in before.stored_fields if f.name not in kept}
    changes = []
    for name, (cols, unique) in old.items():
        # indexes on archived columns are dropped together with the archive step
        if name not in new and not set(cols) & archived_cols:
            changes.append(Change("drop_index", after.name, detail={"name": name}, table=entity_table_name(before)))
    for name, (cols, unique) in new.items():
        if name not in old:
            changes.append(Change("add_index", after.name, detail={"name": name, "columns": cols, "unique": unique}))
    return changes


def _find_archived(archived, kind, entity, field) -> Archived | None:
    for a in reversed(archived):
        if a.kind == kind and a.entity == entity and a.field == field:
            return a
    return None


def _refuse(entity: str, field: str | None, reason: str) -> Change:
    change = Change("refuse", entity, field, detail={"reason": reason})
    change.problem = reason
    return change
