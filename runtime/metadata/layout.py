"""The part of an app that passed its schemas, plus where everything sits in the files.

Cross-checks run even when some documents have schema errors, so one run
reports everything; they see only documents and fields that are well-formed,
and ``Layout.is_broken`` lets them stay quiet about references to the rest
instead of repeating one typo as ten "unknown field" errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import PurePosixPath
from typing import Any

from runtime.metadata.model import App
from runtime.metadata.model import build_app
from runtime.metadata.names import is_valid_name
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer

_FIELD_POINTER = re.compile(r"^/fields/(\d+)(/|$)")


@dataclass
class Layout:
    """The usable app, its installed neighbours, and how to point back into the files."""

    app: App
    installed: Mapping[str, App]
    entity_files: dict[str, str] = dc_field(default_factory=dict)
    #: For each entity, the index in its file of each well-formed field, in order.
    positions: dict[str, list[int]] = dc_field(default_factory=dict)
    broken_entities: set[str] = dc_field(default_factory=set)
    broken_fields: set[tuple[str, str]] = dc_field(default_factory=set)
    source: Mapping[str, Any] = dc_field(default_factory=dict)  # every document, as given

    def is_broken(self, entity: str, field: str | None = None) -> bool:
        """True when a reference should not be judged because its target failed its schema."""
        return entity in self.broken_entities or (
            field is not None and (entity, field) in self.broken_fields
        )

    def entity_problem(self, entity: str, steps: Iterable[Any], message: str) -> Problem:
        return Problem(self.entity_files[entity], pointer(*steps), message)

    def field_problem(
        self, entity: str, field: str | int, steps: Iterable[Any], message: str
    ) -> Problem:
        """A problem at ``/fields/<i>/...``; ``field`` is a name (its first occurrence) or a position."""
        if isinstance(field, str):
            field = next(i for i, f in enumerate(self.app.entity(entity).fields) if f.name == field)
        index = self.positions[entity][field]
        return Problem(self.entity_files[entity], pointer("fields", index, *steps), message)


def _bad_parts(problems: Iterable[Problem]) -> tuple[set[str], set[tuple[str, int]]]:
    """Files broken as a whole, and (file, field index) pairs broken on their own."""
    files, fields = set(), set()
    for p in problems:
        match = _FIELD_POINTER.match(p.pointer)
        if match and p.file.startswith("entities/"):
            fields.add((p.file, int(match.group(1))))
        else:
            files.add(p.file)
    return files, fields


def _stub_manifest(doc: Any) -> dict:
    name = doc.get("name") if isinstance(doc, dict) else None
    return {"name": name if is_valid_name(name) else "app", "version": "0.0.0"}


def usable_layout(
    source: Mapping[str, Any], problems: list[Problem], installed: Mapping[str, App]
) -> Layout:
    """Build the app from the well-formed part of ``source``, remembering what was left out."""
    bad_files, bad_fields = _bad_parts(problems)
    clean: dict[str, Any] = {}
    broken_entities, broken_fields = set(), set()
    files, positions = {}, {}
    for path, doc in sorted(source.items()):
        if path == "app.json":
            clean[path] = doc if path not in bad_files else _stub_manifest(doc)
            continue
        if not path.startswith("entities/"):
            if path not in bad_files:
                clean[path] = doc
            continue
        if path in bad_files:
            broken_entities.add(PurePosixPath(path).stem)
            if isinstance(doc, dict) and isinstance(doc.get("name"), str):
                broken_entities.add(doc["name"])
            continue
        if doc["name"] in files:
            continue  # a second entity of the same name: reported by the cross-checks
        kept, kept_at = [], []
        for index, field in enumerate(doc["fields"]):
            if (path, index) in bad_fields:
                if isinstance(field, dict) and isinstance(field.get("name"), str):
                    broken_fields.add((doc["name"], field["name"]))
                continue
            kept.append(field)
            kept_at.append(index)
        files[doc["name"]] = path
        positions[doc["name"]] = kept_at
        clean[path] = {**doc, "fields": kept}
    clean.setdefault("app.json", {"name": "app", "version": "0.0.0"})
    return Layout(
        build_app(clean), installed, files, positions, broken_entities, broken_fields, source
    )
