"""Turn a sheet into a published entity with its records: check everything first, then publish, then import.

Publish runs in its own serialised transaction (``builder.publish``), so it
cannot share one with the import. Instead every row is coerced and checked
*before* publishing, with the importer's own ``RowPlan`` and the real field
types; an entity made from a sheet has no links, unique fields or rules, so
those are the only checks the import itself would make. If the import still
fails afterwards (a crash, the database), the entity stays published and
empty, and the caller offers to run the import again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from builder.sheet_cells import normalise
from builder.sheet_cells import normalised_rows
from runtime.clock import utcnow
from runtime.errors import MetacrmError
from runtime.metadata.model import Entity
from runtime.metadata.problems import ordered
from runtime.metadata.validate import app_problems
from runtime.metadata.validate import build_app
from runtime.records.import_batch import RowPlan
from runtime.records.importing import import_sheet
from runtime.records.registry import SchemaRegistry
from runtime.records.tabular import Sheet
from runtime.records.tabular import open_sheet
from runtime.storage.catalog import current_apps
from runtime.storage.catalog import current_metadata

__all__ = ["Column", "RowCheck", "check_rows", "entity_problems", "failure_lines", "import_rows", "pending_changes",
           "preview_rows",
           "widen_options"]

MAX_ERRORS = 200
MAX_OPTIONS = 200


@dataclass(frozen=True)
class Column:
    """One imported sheet column: its position, the field it feeds and that field's type."""

    index: int
    name: str
    type: str
    header: str = ""
    fraction: bool = False  # see ``sheet_infer.normalise``


@dataclass
class RowCheck:
    checked: int = 0
    bad_rows: int = 0
    errors: list[dict] = dc_field(default_factory=list)  # {"row", "column", "message"}


def entity_problems(conn, app: str, source: dict, path: str) -> tuple[list[dict], Entity | None]:
    """The validator's problems with the new entity's file (others' problems too, marked), or the Entity."""
    installed = {k: a for k, (_n, a) in current_apps(conn).items() if k != app}
    problems = [{"file": p.file, "pointer": p.pointer, "message": p.message}
                for p in ordered(app_problems(source, installed))]
    if problems:
        return problems, None
    name = source[path]["name"]
    return [], build_app(source).entity(name)


def widen_options(path: Path, entity_json: dict, columns: list[Column]) -> dict:
    """Select options from every row, not just the sample (capped, so a free-text column stays an error)."""
    selects = {c.name: c for c in columns if c.type == "select"}
    if not selects:
        return entity_json
    seen: dict[str, dict] = {name: {} for name in selects}
    for _number, cells in normalised_rows(open_sheet(path).rows, [(c.index, "select", False) for c in selects.values()]):
        for name, value in zip(selects, cells):
            if value is not None and len(seen[name]) <= MAX_OPTIONS:
                seen[name].setdefault(value, None)
    widened = copy.deepcopy(entity_json)
    for f in widened["fields"]:
        if f["name"] in seen and len(seen[f["name"]]) <= MAX_OPTIONS:
            known = [o["value"] for o in f.get("options", [])]
            f["options"] = f.get("options", []) + [{"value": v} for v in seen[f["name"]] if v not in known]
    return widened


def preview_rows(entity: Entity, rows: list[tuple[int, list]], columns: list[Column]) -> list[dict]:
    """The first rows as they would be stored: per column the value shown, or the reason it is refused."""
    coercers = {c.name: entity.field(c.name).kind.coercer(entity.field(c.name)) for c in columns}
    shown = []
    for number, row in rows:
        cells = []
        for c in columns:
            raw = row[c.index] if c.index < len(row) else None
            try:
                value = coercers[c.name](normalise(c.type, raw, c.fraction))
                cells.append({"value": "" if value is None else str(value), "error": None})
            except ValueError as exc:
                cells.append({"value": "" if raw is None else str(raw), "error": str(exc)})
        shown.append({"row": number, "cells": cells})
    return shown


def check_rows(path: Path, entity: Entity, columns: list[Column], user_id: int | None,
               now: datetime | None = None) -> RowCheck:
    """Every row through the importer's own coercion and required checks; nothing is written."""
    plan = RowPlan(entity, [(i, c.name) for i, c in enumerate(columns)], user_id, now or utcnow())
    headers = {c.name: c for c in columns}
    result = RowCheck()
    for number, cells in _rows(path, columns):
        result.checked += 1
        errors = plan.prepare(number, plan.cells(cells)).errors
        if errors:
            result.bad_rows += 1
            result.errors += [{"row": number, "column": headers[name].header if name in headers else name,
                               "message": message} for name, message in errors.items()]
    result.errors = result.errors[:MAX_ERRORS]
    return result


def import_rows(engine: Engine, app: str, entity: str, path: Path, columns: list[Column], *,
                user_id: int | None, language: str) -> dict:
    """All-or-nothing import of the normalised rows; raises ValidationFailed with the report."""
    sheet = open_sheet(path)
    names = [c.name for c in columns]
    normalised = Sheet(names, _rows(path, columns, sheet), sheet.total)
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        return import_sheet(conn, registry, app, entity, normalised, mode="all_or_nothing",
                            mapping={n: n for n in names}, user_id=user_id, language=language)


def pending_changes(conn, app: str, documents: dict) -> list[str]:
    """Draft documents that differ from the version in force: publishing would release them too."""
    current = current_metadata(conn, app)
    published = current[1] if current else {}
    return sorted(p for p in set(documents) | set(published) if documents.get(p) != published.get(p))


def _rows(path: Path, columns: list[Column], sheet: Sheet | None = None):
    sheet = sheet or open_sheet(path)
    return normalised_rows(sheet.rows, [(c.index, c.type, c.fraction) for c in columns])


def failure_lines(err: MetacrmError) -> list[str]:
    """An import error as lines a person can act on (row numbers first)."""
    report = err.details if isinstance(err.details, dict) else {}
    lines = [f"row {e['row']}: {where}: {e['message']}" if (where := e.get("column") or e.get("field"))
             else f"row {e['row']}: {e['message']}" for e in report.get("errors", [])[:MAX_ERRORS]]
    return lines or [err.message]
