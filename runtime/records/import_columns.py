"""Which sheet column feeds which field: by name or by label in any language, or as mapped.

Matching ignores case and spaces, so ``Close Date``, ``close_date`` and
``成交日期`` all find the same field. Columns that match nothing are reported
and skipped; an explicit mapping is checked strictly, since the user meant it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

from runtime.errors import BadInput
from runtime.fieldtypes import COMPUTED_TYPES
from runtime.metadata.model import SYSTEM_COLUMNS
from runtime.metadata.model import Entity
from runtime.records.import_batch import FORMULA_START

#: Filled by the service, never by an import (exports include them for reading).
NOT_IMPORTED = COMPUTED_TYPES | {"table"}


@dataclass
class ColumnPlan:
    """``columns`` are ``(index, field name, header)``; the rest is reported back to the user."""

    columns: list[tuple[int, str, str]] = dc_field(default_factory=list)
    unknown: list[str] = dc_field(default_factory=list)
    ignored: list[str] = dc_field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return {name for _i, name, _h in self.columns}

    def header_of(self, field: str) -> str | None:
        return next((h for _i, name, h in self.columns if name == field), None)


def normalise(text: str) -> str:
    return "".join(str(text).split()).casefold()


def writable(entity: Entity, name: str) -> bool:
    if entity.has_field(name):
        f = entity.field(name)
        return f.type not in NOT_IMPORTED and not f.opt("read_only")
    return name == "owner"


def candidates(entity: Entity) -> dict[str, str]:
    """Normalised name or label -> field name; names win over labels of other fields."""
    found: dict[str, str] = {}
    for f in entity.fields:
        for label in f.label.values():
            found.setdefault(normalise(label), f.name)
            if FORMULA_START.match(label):  # as an export writes it: behind an apostrophe
                found.setdefault(normalise("'" + label), f.name)
    for f in entity.fields:
        found[normalise(f.name)] = f.name
    for name in SYSTEM_COLUMNS:
        found.setdefault(name, name)
    return found


def match_columns(entity: Entity, header: list[str], mapping: Mapping[str, str | None] | None = None) -> ColumnPlan:
    """Decide the column plan; BadInput for an explicit mapping that cannot be honoured."""
    plan = ColumnPlan()
    if mapping is not None:
        _explicit(entity, header, mapping, plan)
    else:
        lookup = candidates(entity)
        for index, title in enumerate(header):
            name = lookup.get(normalise(title)) if title else None
            if name is None:
                plan.unknown.append(title) if title else None
            elif writable(entity, name):
                plan.columns.append((index, name, title))
            else:
                plan.ignored.append(title)
    _no_duplicates(plan)
    return plan


def _explicit(entity: Entity, header: list[str], mapping: Mapping, plan: ColumnPlan) -> None:
    positions = {title: i for i, title in reversed(list(enumerate(header)))}
    problems = []
    for title, name in mapping.items():
        if title not in positions:
            problems.append(f"column {title!r} is not in the file")
        elif name in (None, ""):
            plan.ignored.append(title)
        elif not writable(entity, name):
            problems.append(f"column {title!r}: {entity.name} has no importable field {name!r}")
        else:
            plan.columns.append((positions[title], name, title))
    if problems:
        raise BadInput("the column mapping does not fit the file", details=problems)
    plan.ignored += [t for t in header if t and t not in mapping]


def _no_duplicates(plan: ColumnPlan) -> None:
    seen: dict[str, str] = {}
    for _i, name, title in plan.columns:
        if name in seen:
            raise BadInput(f"columns {seen[name]!r} and {title!r} both map to field {name!r}")
        seen[name] = title
