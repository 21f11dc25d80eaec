"""The problems the designer shows: validation first, then the changes publish would refuse.

Publish finds a lossy change (text with data made an integer, a shorter maximum length, a
required field with empty rows) only when it runs, as a "Refused" line on the publish page. Here
the same plan (``runtime.storage.plan``) and assessment (``runtime.storage.assess``) run
read-only against the data as it is, and each refusal becomes a problem at the field it comes
from, on the control that fixes it, so the designer shows it there while the admin edits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from builder.preview import draft_problems
from builder.publish import archived_items
from runtime.metadata.model import build_app
from runtime.storage.assess import assess
from runtime.storage.catalog import current_apps
from runtime.storage.plan import Change
from runtime.storage.plan import plan_changes

__all__ = ["designer_problems", "lossy_problems"]

#: The field property whose control fixes each kind of refusal (``/fields/3/convert``).
FIXED_BY = {"alter_field": "convert", "require_field": "default", "unique_field": "unique"}


def designer_problems(conn: Connection, app: str, source: dict[str, Any]) -> list[dict]:
    """The draft's validation problems; when it has none, the changes publish would refuse."""
    return draft_problems(conn, app, source) or lossy_problems(conn, app, source)


def lossy_problems(conn: Connection, app: str, source: dict[str, Any]) -> list[dict]:
    """``{file, pointer, message}`` for each change of a valid draft that would lose data."""
    number, current = current_apps(conn).get(app, (0, None))
    if current is None:  # never published: every table is new, nothing to lose
        return []
    changes = plan_changes(current, build_app(source), archived_items(conn, app), number + 1)
    return [_at_field(source, change) for change in assess(conn, changes)]


def _at_field(source: dict[str, Any], change: Change) -> dict:
    """The problem at the entity document and field of ``change`` (by name, as the plan knows them)."""
    path, doc = next((p, d) for p, d in source.items()
                     if p.startswith("entities/") and isinstance(d, dict) and d.get("name") == change.entity)
    pointer = ""
    if change.field:
        index = [f.get("name") for f in doc["fields"]].index(change.field)
        fix = FIXED_BY.get(change.kind)
        pointer = f"/fields/{index}" + (f"/{fix}" if fix else "")
    return {"file": path, "pointer": pointer, "message": change.problem}
