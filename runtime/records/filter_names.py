"""The fields a ``where=`` and an ``order=`` name, so a list can refuse those its reader may not use.

Filtering or sorting on a field tells what is in it, so a field hidden from
the reader is refused as if it did not exist (422 "unknown field") by every
list — screens, boards, the API and exports — and sensitive fields, whose
ciphertext SQL cannot compare, are refused too (``sensitive.refuse_sensitive``).
"""

from __future__ import annotations

import re

from runtime.errors import ValidationFailed
from runtime.metadata.expressions import fields_used
from runtime.metadata.expressions import parse

_ORDER_ITEM = re.compile(r"^[-+]?([a-z][a-z0-9_]*)")


def named_fields(where: str | None, order: str | None) -> tuple[set[str], set[str]]:
    """The entity fields ``where`` and ``order`` start their paths at (``account`` of ``account.city``)."""
    in_where = {path[0] for path in fields_used(parse(where))} if where and where.strip() else set()
    in_order = {m.group(1) for item in (order or "").split(",") if (m := _ORDER_ITEM.match(item.strip()))}
    return in_where, in_order


def refuse_hidden(hidden: frozenset[str], where: str | None, order: str | None) -> None:
    """ValidationFailed "unknown field" when ``where`` or ``order`` names a ``hidden`` field."""
    if not hidden:
        return
    in_where, in_order = named_fields(where, order)
    named = (in_where | in_order) & hidden
    if named:
        name = min(named)
        raise ValidationFailed(f"unknown field {name!r}", details={"where": f"unknown field {name!r}"})
