"""Cross-checks for documents that point into entities: forms, roles, and unique names.

A form places each field of its entity at most once; a role grants on
entities this app can reach and names only their fields. The walkers that
find a form's or role's expressions live here too, so ``exprcheck`` and these
checks agree on where every expression sits.
"""

from __future__ import annotations

from collections.abc import Iterator

from runtime.metadata.docschema import FOLDER_KINDS
from runtime.metadata.layout import Layout
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import Entity
from runtime.metadata.model import split_target
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer
from runtime.metadata.schema_messages import did_you_mean
from runtime.metadata.targets import target_problem

ROLE_ACTIONS = ("read", "create", "update", "delete")


def form_field_refs(doc: dict) -> Iterator[tuple[tuple, str, dict]]:
    """(steps, field name, options) for every field a form places, in reading order."""
    for i, block in enumerate(doc.get("layout", ())):
        groups = [(("layout", i), block)]
        groups += [
            (("layout", i, "sections", k), s) for k, s in enumerate(block.get("sections", ()))
        ]
        for steps, group in groups:
            for j, ref in enumerate(group.get("fields", ())):
                name, options = (ref, {}) if isinstance(ref, str) else (ref["field"], ref)
                yield steps + ("fields", j), name, options


def form_expressions(doc: dict) -> Iterator[tuple[tuple, str]]:
    """(steps, source) of every ``visible_when``/``required_when`` in a form."""
    for i, block in enumerate(doc.get("layout", ())):
        if "visible_when" in block:
            yield ("layout", i, "visible_when"), block["visible_when"]
        for k, section in enumerate(block.get("sections", ())):
            if "visible_when" in section:
                yield ("layout", i, "sections", k, "visible_when"), section["visible_when"]
    for steps, _, options in form_field_refs(doc):
        for key in ("visible_when", "required_when"):
            if key in options:
                yield steps + (key,), options[key]


def role_expressions(doc: dict) -> Iterator[tuple[str, tuple, str]]:
    """(entity key, steps, source) of every row rule written as an expression."""
    for key, grant in doc.get("entities", {}).items():
        for action in ROLE_ACTIONS:
            if isinstance(grant.get(action), str):
                yield key, ("entities", key, action), grant[action]


def _field_problem(entity: Entity, name: str) -> str | None:
    if entity.has_field(name) or name in SYSTEM_COLUMNS:
        return None
    return f"{entity.name!r} has no field {name!r}{did_you_mean(name, [f.name for f in entity.fields])}"


def check_form(layout: Layout, path: str, doc: dict) -> list[Problem]:
    """The form's entity exists and each field it places exists and is placed once."""
    name = doc["entity"]
    if layout.is_broken(name):
        return []
    if not layout.app.has_entity(name):
        return [Problem(path, "/entity", target_problem(layout, name, what="entity"))]
    entity = layout.app.entity(name)
    found, placed = [], {}
    for steps, field, _ in form_field_refs(doc):
        where = pointer(*steps)
        if field in placed:
            found.append(
                Problem(path, where, f"field {field!r} is already placed at {placed[field]}")
            )
        placed.setdefault(field, where)
        reason = None if layout.is_broken(name, field) else _field_problem(entity, field)
        if reason:
            found.append(Problem(path, where, reason))
    return found


def _reveal_problem(entity: Entity, name: str) -> str | None:
    if entity.has_field(name) and entity.field(name).opt("sensitive", False):
        return None
    return _field_problem(entity, name) or f"{name!r} is not a sensitive field: there is nothing to reveal"


def check_role(layout: Layout, path: str, doc: dict) -> list[Problem]:
    """Each granted entity is reachable, each field named in a grant exists, and each
    field it reveals is sensitive."""
    found = []
    for key, grant in doc.get("entities", {}).items():
        reason = target_problem(layout, key, what="entity")
        if reason:
            found.append(Problem(path, pointer("entities", key), reason))
            continue
        app_name, name = split_target(key, layout.app.name)
        app = layout.app if app_name == layout.app.name else layout.installed[app_name]
        if layout.is_broken(name) and app is layout.app:
            continue
        entity = app.entity(name)
        for field in grant.get("fields", {}):
            reason = None if layout.is_broken(name, field) else _field_problem(entity, field)
            if reason:
                found.append(Problem(path, pointer("entities", key, "fields", field), reason))
        for i, field in enumerate(grant.get("reveal", ())):
            reason = None if layout.is_broken(name, field) else _reveal_problem(entity, field)
            if reason:
                found.append(Problem(path, pointer("entities", key, "reveal", i), reason))
    return found


def check_unique_names(layout: Layout) -> list[Problem]:
    """Roles, workflows, ... are unique per folder; forms per entity (a form without a name is "default")."""
    found, seen = [], {}
    for path, doc in sorted(layout.app.source.items()):
        folder = path.split("/", 1)[0]
        if folder not in FOLDER_KINDS or folder == "entities":
            continue
        if folder == "forms":
            key, label = (
                (folder, doc["entity"], doc.get("name", "default")),
                f"form {doc.get('name', 'default')!r} of {doc['entity']!r}",
            )
        else:
            key, label = (folder, doc["name"]), f"{FOLDER_KINDS[folder]} {doc['name']!r}"
        if key in seen:
            hint = '; give one of them a different "name"' if folder == "forms" else ""
            found.append(
                Problem(
                    path,
                    "/name" if "name" in doc else "",
                    f"{label} is already defined in {seen[key]}{hint}",
                )
            )
        seen.setdefault(key, path)
    return found


def document_problems(layout: Layout) -> list[Problem]:
    """Unique names plus every form and role check."""
    found = check_unique_names(layout)
    for path, doc in sorted(layout.app.documents("forms").items()):
        found.extend(check_form(layout, path, doc))
    for path, doc in sorted(layout.app.documents("roles").items()):
        found.extend(check_role(layout, path, doc))
    return found
