"""The types a field can be changed to in the entity designer.

A field keeps its column when its type changes, so the new type must be stored, typed in by
users (not computed) and plain data that expressions read (not an upload, a drawing or child
rows); the migration planner's own ``storage_change_mode`` rules out the rest (a column never
becomes a link or a user, nor the reverse). Whether existing values fit is decided later, on
the data, by the lossy-change assessment (``builder.designer.lossy``).
"""

from __future__ import annotations

from functools import cache

from runtime.fieldtypes import get_type
from runtime.fieldtypes import type_names
from runtime.metadata.model import Field
from runtime.storage.plan import storage_change_mode

__all__ = ["convertible_types"]


def _plain(name: str) -> Field:
    return Field("x", name, {"name": "x", "type": name})


def _holds_data(name: str) -> bool:
    kind = get_type(name)
    return kind.stored and not kind.computed and kind.value_kind(_plain(name)) is not None


@cache
def convertible_types(name: str) -> tuple[str, ...]:
    """The other types a ``name`` field can become; none for a computed or non-data type."""
    if not _holds_data(name):
        return ()
    storage = get_type(name).storage(_plain(name))
    return tuple(other for other in type_names() if other != name and _holds_data(other)
                 and storage_change_mode(storage, get_type(other).storage(_plain(other))) != "refuse")
