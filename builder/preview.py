"""What publishing a draft would do: its problems, and the migration it would run.

Problems come from the same validator as ``metacrm app validate``; the
migration preview is a real publish dry run (planned, assessed against the
data, rolled back), so what the admin confirms is what publish will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine

from builder.publish import publish
from runtime.errors import MetadataInvalid
from runtime.errors import UnsafeChange
from runtime.metadata.problems import ordered
from runtime.metadata.validate import app_problems
from runtime.storage.catalog import current_apps

__all__ = ["Preview", "draft_problems", "preview_publish"]


@dataclass
class Preview:
    problems: list[dict] = dc_field(default_factory=list)  # {file, pointer, message}
    changes: list[dict] = dc_field(default_factory=list)  # Change.to_json() plus "warning"
    refused: list[str] = dc_field(default_factory=list)  # lossy changes publish would refuse
    noop: bool = False

    @property
    def can_publish(self) -> bool:
        return not self.problems and not self.refused and not self.noop


def draft_problems(conn: Connection, app: str, source: dict[str, Any]) -> list[dict]:
    """Every validation problem of the draft, in file/pointer order."""
    installed = {k: a for k, (_n, a) in current_apps(conn).items() if k != app}
    return [{"file": p.file, "pointer": p.pointer, "message": p.message}
            for p in ordered(app_problems(source, installed))]


def preview_publish(engine: Engine, app: str, source: dict[str, Any]) -> Preview:
    with engine.connect() as conn:
        problems = draft_problems(conn, app, source)
    if problems:
        return Preview(problems=problems)
    try:
        result = publish(engine, source, dry_run=True)
    except UnsafeChange as refused:
        return Preview(refused=list(refused.details or [refused.message]))
    except MetadataInvalid as invalid:  # e.g. a dependency changed between the two reads
        return Preview(problems=[{"file": "", "pointer": "", "message": d} for d in invalid.details or []])
    return Preview(changes=[_with_warning(c) for c in result.changes], noop=result.noop)


def _with_warning(change) -> dict:
    """Archiving or converting keeps the data but changes what users see: say so."""
    data = change.to_json()
    if change.kind in ("archive_field", "archive_entity"):
        data["warning"] = "Users will no longer see this data; it is kept and can be restored."
    elif change.kind == "alter_field":
        data["warning"] = "Existing values are converted to the new type."
    return data
