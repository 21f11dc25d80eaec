"""Defaults for fields a new record leaves out: ``$me``, ``$today``, ``$now`` or a fixed value.

Applied before validation so a default goes through the same coercion and
checks as typed input; an explicit ``null`` from the caller is kept as given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from runtime.metadata.model import Entity

COMPUTED = ("formula", "rollup", "lookup", "autonumber", "table")


def default_value(token: Any, user_id: int | None, now: datetime) -> Any:
    """The value a default stands for at ``now`` for ``user_id``."""
    if token == "$me":
        return user_id
    if token == "$today":
        return now.date()
    if token == "$now":
        return now
    return token


def apply_defaults(entity: Entity, data: dict, user_id: int | None, now: datetime) -> dict:
    """``data`` plus the default of every field it does not mention."""
    result = dict(data)
    for field in entity.fields:
        if field.name in result or field.type in COMPUTED or field.default is None:
            continue
        result[field.name] = default_value(field.default, user_id, now)
    return result
