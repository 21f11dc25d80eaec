"""Defaults for fields a new record leaves out: ``$me``, ``$today``, ``$now`` or a fixed value.

Applied before validation so a default goes through the same coercion and
checks as typed input; an explicit ``null`` from the caller is kept as given.
"""

from __future__ import annotations

from datetime import datetime

from runtime.fieldtypes.base import default_value
from runtime.metadata.model import Entity


def apply_defaults(entity: Entity, data: dict, user_id: int | None, now: datetime) -> dict:
    """``data`` plus the default of every field it does not mention."""
    result = dict(data)
    for field in entity.fields:
        if field.name in result or field.default is None:  # types without defaults never have one
            continue
        result[field.name] = default_value(field.default, user_id, now)
    return result
