"""A report document as typed parts: its groups, measures, order and chart.

The document passed ``validate_app`` when it was published, so this only
reads it; labels default to the field's own, so a report without labels
still reads well in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.errors import NotFound
from runtime.metadata.model import label_of
from runtime.metadata.model import split_target
from runtime.metadata.reportfields import measure_key
from runtime.reports.words import measure_label

__all__ = ["MAX_ROWS", "Group", "Measure", "Report", "find_report", "parse_report"]

#: Rows a report returns at most when it sets no ``limit`` (charts of more are unreadable anyway).
MAX_ROWS = 1000


@dataclass(frozen=True)
class Group:
    field: str
    bucket: str | None
    label: dict[str, str] | None  # None: the field's label


@dataclass(frozen=True)
class Measure:
    fn: str
    field: str | None
    label: dict[str, str] | None  # None: "Sum of <field label>"

    @property
    def key(self) -> str:
        return measure_key(self.fn, self.field)


@dataclass(frozen=True)
class Report:
    app: str
    name: str
    label: dict[str, str]
    target: tuple[str, str]  # (app, entity) the report reads
    where: str | None
    groups: tuple[Group, ...]
    measures: tuple[Measure, ...]
    order: tuple[tuple[str, bool], ...]  # (group field or measure key, descending)
    limit: int
    chart: str


def parse_report(app: str, doc: dict[str, Any]) -> Report:
    """The typed report of a validated document of ``app``."""
    return Report(
        app=app, name=doc["name"], label=label_of(doc.get("label"), doc["name"].replace("_", " ").capitalize()),
        target=split_target(doc["entity"], app), where=doc.get("where"),
        groups=tuple(Group(g["field"], g.get("bucket"), g.get("label")) for g in doc.get("group_by", ())),
        measures=tuple(Measure(m["fn"], m.get("field"), m.get("label")) for m in doc["measures"]),
        order=tuple((o["by"], bool(o.get("desc", False))) for o in doc.get("order", ())),
        limit=min(int(doc.get("limit", MAX_ROWS)), MAX_ROWS), chart=doc["chart"]["type"])


def find_report(registry, app: str, name: str) -> Report:
    """The report ``name`` of installed app ``app``; NotFound when either is unknown."""
    for doc in registry.app(app).documents("reports").values():
        if doc.get("name") == name:
            return parse_report(app, doc)
    raise NotFound(f"no report {app}.{name}")


def default_measure_label(measure: Measure, field_label: dict[str, str] | None) -> dict[str, str]:
    """The measure's own label, else one made from its function and field (both languages)."""
    return dict(measure.label) if measure.label else measure_label(measure.fn, field_label)
