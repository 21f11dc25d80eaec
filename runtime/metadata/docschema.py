"""Validate each metadata document against its JSON Schema in ``schemas/``.

The schema files are the contract the designer and packagers also read. Two
parts come from code so there is one source of truth: the list of field types
(``field-types.schema.json`` is generated from the registry) and each field's
options (every field is validated a second time against its type's
``options_schema()``, with the shared ``$defs`` injected).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from runtime.fieldtypes import get_type
from runtime.fieldtypes import type_names
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer
from runtime.metadata.schema_messages import describe

SCHEMA_DIR = Path(__file__).parent / "schemas"
BASE_URI = "https://metacrm.dev/schemas/"

#: How messages name the top object of each kind of document.
KIND_WORDS = {
    "app": "app.json",
    "entity": "an entity",
    "form": "a form",
    "role": "a role",
    "workflow": "a workflow",
    "automation": "an automation",
    "report": "a report",
    "dashboard": "a dashboard",
}

#: Which schema validates a document, by its folder.
FOLDER_KINDS = {
    "entities": "entity",
    "forms": "form",
    "roles": "role",
    "workflows": "workflow",
    "automations": "automation",
    "reports": "report",
    "dashboards": "dashboard",
}


def load_schema(kind: str) -> dict[str, Any]:
    """The parsed ``<kind>.schema.json`` (``common`` for the shared ``$defs``)."""
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    field_types = {"$id": BASE_URI + "field-types.schema.json", "enum": type_names()}
    resources.append((field_types["$id"], DRAFT202012.create_resource(field_types)))
    return Registry().with_resources(resources)


@cache
def document_validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(
        load_schema(kind), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def field_validator(type_name: str) -> Draft202012Validator:
    """The type's complete field schema, its ``#/$defs/label`` resolved to the shared one."""
    schema = dict(get_type(type_name).options_schema())
    schema["$defs"] = {**load_schema("common")["$defs"], **schema.get("$defs", {})}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def kind_of(path: str) -> str | None:
    """``app.json`` -> ``app``; ``entities/x.json`` -> ``entity``; anything else -> None."""
    if path == "app.json":
        return "app"
    folder, _, rest = path.partition("/")
    if rest and "/" not in rest and rest.endswith(".json"):
        return FOLDER_KINDS.get(folder)
    return None


def _collect(
    path: str, validator: Draft202012Validator, doc: Any, prefix: tuple, what: str
) -> list[Problem]:
    found = []
    for error in validator.iter_errors(doc):
        for steps, message in describe(error, what):
            found.append(Problem(path, pointer(*prefix, *steps), message))
    return found


def field_problems(path: str, index: int, field: Any) -> list[Problem]:
    """Problems in ``fields[index]`` against its type's options schema (type already known good)."""
    type_name = field.get("type") if isinstance(field, dict) else None
    if not isinstance(type_name, str) or type_name not in type_names():
        return []
    validator = field_validator(type_name)
    return _collect(path, validator, field, ("fields", index), f"a {type_name} field")


def document_problems(path: str, doc: Any) -> list[Problem]:
    """Every schema problem in one document, fields included."""
    kind = kind_of(path)
    if kind is None:
        return [
            Problem(path, "", "not a metadata document (expected app.json or <folder>/<name>.json)")
        ]
    found = _collect(path, document_validator(kind), doc, (), KIND_WORDS[kind])
    if kind == "entity" and isinstance(doc, dict) and isinstance(doc.get("fields"), list):
        for index, field in enumerate(doc["fields"]):
            found.extend(field_problems(path, index, field))
    return found


def schema_problems(source: Mapping[str, Any]) -> list[Problem]:
    """Schema problems across the whole app; a missing ``app.json`` is one of them."""
    found = []
    if "app.json" not in source:
        found.append(Problem("app.json", "", "missing: every app needs an app.json manifest"))
    for path, doc in source.items():
        found.extend(document_problems(path, doc))
    return found
