"""Checks across fields and entities that a JSON Schema cannot express.

Each check is a small function returning problems, so adding a rule means
adding one function to ``ENTITY_CHECKS``. Names are in ``namecheck``, forms
and roles in ``crosscheck_docs``, expressions and cycles in ``exprcheck``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from runtime.fieldtypes.base import SENSITIVE_TYPES
from runtime.metadata.layout import Layout
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.problems import Problem
from runtime.metadata.schema_messages import did_you_mean
from runtime.metadata.scope import EntityScope
from runtime.metadata.targets import target_problem


def check_entity_files(layout: Layout) -> list[Problem]:
    """An entity's file is named after it, and no two entities share a name."""
    found, seen = [], {}
    for path, doc in sorted(layout.source.items()):
        if (
            not path.startswith("entities/")
            or not isinstance(doc, dict)
            or not isinstance(doc.get("name"), str)
        ):
            continue
        name = doc["name"]
        if name != PurePosixPath(path).stem:
            found.append(
                Problem(
                    path, "/name", f"entity {name!r} must be in entities/{name}.json, not in {path}"
                )
            )
        if name in seen:
            found.append(
                Problem(path, "/name", f"entity {name!r} is already defined in {seen[name]}")
            )
        seen.setdefault(name, path)
    return found


def check_field_names(layout: Layout, entity: Entity) -> list[Problem]:
    """Field names are unique in their entity; ``renamed_from`` never names a current field."""
    found, first, renamed = [], {}, {}
    current = {f.name for f in entity.fields}
    for position, f in enumerate(entity.fields):
        if f.name in first:
            found.append(
                layout.field_problem(
                    entity.name,
                    position,
                    ["name"],
                    f"duplicate field name {f.name!r} (first defined at /fields/"
                    f"{layout.positions[entity.name][first[f.name]]})",
                )
            )
        first.setdefault(f.name, position)
        old = f.renamed_from
        if old is None:
            continue
        if old in current:
            found.append(
                layout.field_problem(
                    entity.name,
                    position,
                    ["renamed_from"],
                    f"{old!r} is still a field of {entity.name!r}; a rename must free the old name",
                )
            )
        elif old in renamed:
            found.append(
                layout.field_problem(
                    entity.name,
                    position,
                    ["renamed_from"],
                    f"field {renamed[old]!r} is already renamed from {old!r}",
                )
            )
        renamed.setdefault(old, f.name)
    return found


def check_references(layout: Layout, entity: Entity) -> list[Problem]:
    """Link and table targets exist; a child entity has one parent and is not the entity itself."""
    found = []
    for f in entity.fields:
        if f.type not in ("link", "table"):
            continue
        problem = target_problem(layout, f.opt("target"), what=f"{f.type} target")
        if problem is None and f.type == "table":
            problem = _table_problem(layout, entity, f)
        if problem:
            found.append(layout.field_problem(entity.name, f.name, ["target"], problem))
    return found


def _table_problem(layout: Layout, entity: Entity, f: Field) -> str | None:
    target = f.opt("target")
    if "." in target:
        return f"child rows live in this app: write {target.split('.', 1)[1]!r} without an app name"
    if target == entity.name:
        return "an entity cannot hold its own rows as a table"
    holders = [
        (e.name, g.name)
        for e in layout.app.entities
        for g in e.fields
        if g.type == "table" and g.opt("target") == target
    ]
    if holders[0] != (entity.name, f.name):
        return f"{target!r} already holds the rows of {'.'.join(holders[0])}; a child entity has one parent"
    if _holds_itself(layout, entity.name):
        return f"child tables form a loop: {entity.name!r} ends up holding its own rows through {target!r}"
    return None


def _holds_itself(layout: Layout, name: str) -> bool:
    """Whether following parents upwards from ``name`` comes back to it (A holds B holds A)."""
    parents = {e.name: e.parent[0] for e in layout.app.entities if e.parent}
    current, steps = parents.get(name), 0
    while current is not None and steps <= len(parents):
        if current == name:
            return True
        current, steps = parents.get(current), steps + 1
    return False


def check_computed(layout: Layout, entity: Entity) -> list[Problem]:
    """Lookups read a field through a link of this entity; rollups aggregate a field of a child table."""
    found = []
    scope = EntityScope(layout.app, entity, layout.installed)
    for f in entity.fields:
        if f.type in ("lookup", "rollup"):
            wanted = "link" if f.type == "lookup" else "table"
            source, problems = _source_field(layout, entity, f, wanted)
            found.extend(problems)
            if source is not None:
                check = _lookup_problem if f.type == "lookup" else _rollup_problem
                message, key = check(layout, f, scope.scope_for(source.opt("target")))
                if message:
                    found.append(layout.field_problem(entity.name, f.name, key, message))
    return found


def _source_field(
    layout: Layout, entity: Entity, f: Field, wanted: str
) -> tuple[Field | None, list[Problem]]:
    name = f.opt("source")
    if layout.is_broken(entity.name, name):
        return None, []
    if not entity.has_field(name):
        hint = did_you_mean(name, [g.name for g in entity.fields if g.type == wanted])
        return None, [
            layout.field_problem(
                entity.name, f.name, ["source"], f"{entity.name!r} has no field {name!r}{hint}"
            )
        ]
    source = entity.field(name)
    if source.type != wanted:
        message = f"{name!r} is a {source.type} field; a {f.type} reads through a {wanted} field"
        return None, [layout.field_problem(entity.name, f.name, ["source"], message)]
    return source, []


def _lookup_problem(
    layout: Layout, f: Field, target: EntityScope | None
) -> tuple[str | None, list]:
    name = f.opt("field")
    if target is None or layout.is_broken(target.entity.name, name):
        return None, []  # the link's own target error is reported on the link
    reason = target.explain((name,))
    return (f"cannot look up {target.entity.name}.{name}: {reason}" if reason else None), ["field"]


def _rollup_problem(layout: Layout, f: Field, child: EntityScope | None) -> tuple[str | None, list]:
    function, name = f.opt("function"), f.opt("field")
    if name is None:
        return (
            None if function == "count" else f'a {function!r} rollup needs a "field" to aggregate'
        ), []
    if child is None or layout.is_broken(child.entity.name, name):
        return None, []
    reason = child.explain((name,))
    if reason:
        return f"cannot roll up {child.entity.name}.{name}: {reason}", ["field"]
    if function != "count" and not child.field_type((name,)).is_numeric:
        return f"{function!r} needs a number, but {child.entity.name}.{name} is not numeric", [
            "field"
        ]
    return None, []


def _sensitive_problems(layout: Layout, entity: Entity, f: Field) -> list[Problem]:
    """Only text-like values are encrypted, and ciphertext can be neither unique nor indexed."""
    if not f.opt("sensitive"):
        return []
    if f.type not in SENSITIVE_TYPES:
        article = "an" if f.type[0] in "aeiou" else "a"
        reason = f"{article} {f.type} field cannot be sensitive (only {', '.join(sorted(SENSITIVE_TYPES))})"
        return [layout.field_problem(entity.name, f.name, ["sensitive"], reason)]
    return [layout.field_problem(entity.name, f.name, [flag], f"a sensitive field cannot be {word}")
            for flag, word in (("unique", "unique"), ("index", "indexed")) if f.opt(flag)]


def check_title_and_indexes(layout: Layout, entity: Entity) -> list[Problem]:
    """``title_field`` and index columns are stored fields; only indexable types are indexed."""
    found = []
    title = entity.title_field
    if title and not layout.is_broken(entity.name, title):
        if not entity.has_field(title):
            hint = did_you_mean(title, [f.name for f in entity.fields])
            found.append(
                layout.entity_problem(
                    entity.name, ["title_field"], f"{entity.name!r} has no field {title!r}{hint}"
                )
            )
        elif not entity.field(title).stored:
            kind = entity.field(title).type
            found.append(
                layout.entity_problem(
                    entity.name,
                    ["title_field"],
                    f"{title!r} is a {kind} field, which is not stored; pick a stored field",
                )
            )
    for i, columns in enumerate(entity.indexes):
        for j, name in enumerate(columns):
            reason = _index_problem(layout, entity, name)
            if reason:
                found.append(layout.entity_problem(entity.name, ["indexes", i, j], reason))
    for f in entity.fields:
        found += _sensitive_problems(layout, entity, f)
        for flag in ("unique", "index"):
            if f.opt(flag) and not (f.kind.indexable and f.stored):
                found.append(
                    layout.field_problem(
                        entity.name,
                        f.name,
                        [flag],
                        f"a {f.type} field cannot be {'unique' if flag == 'unique' else 'indexed'}",
                    )
                )
    return found


def _index_problem(layout: Layout, entity: Entity, name: str) -> str | None:
    if (name in SYSTEM_COLUMNS and not entity.has_field(name)) or layout.is_broken(
        entity.name, name
    ):
        return None
    if not entity.has_field(name):
        return f"{entity.name!r} has no field {name!r}{did_you_mean(name, [f.name for f in entity.fields])}"
    f = entity.field(name)
    if not (f.stored and f.kind.indexable):
        return f"{name!r} is a {f.type} field, which cannot be indexed"
    return None


def check_options(layout: Layout, entity: Entity) -> list[Problem]:
    """Select option values are unique and defaults are among them."""
    found = []
    for f in entity.fields:
        if f.type not in ("select", "multiselect"):
            continue
        values = [o["value"] for o in f.opt("options", ())]
        for i, value in enumerate(values):
            if value in values[:i]:
                found.append(
                    layout.field_problem(
                        entity.name,
                        f.name,
                        ["options", i, "value"],
                        f"option {value!r} appears twice",
                    )
                )
        default = f.default
        defaults = default if isinstance(default, list) else [] if default is None else [default]
        for i, value in enumerate(defaults):
            if value not in values:
                steps = ["default", i] if isinstance(default, list) else ["default"]
                found.append(
                    layout.field_problem(
                        entity.name,
                        f.name,
                        steps,
                        f"default {value!r} is not one of the options {values!r}{did_you_mean(value, values)}",
                    )
                )
    return found


ENTITY_CHECKS = (
    check_field_names,
    check_references,
    check_computed,
    check_title_and_indexes,
    check_options,
)


def structure_problems(layout: Layout) -> list[Problem]:
    """Every structural cross-check over every well-formed entity."""
    found = check_entity_files(layout)
    for entity in layout.app.entities:
        for check in ENTITY_CHECKS:
            found.extend(check(layout, entity))
    return found
