"""The preview form of the sheet wizard <-> the proposed entity: one row of inputs per sheet column.

Inputs are named ``<what>_<column index>``; a column whose type is ``skip``
is left out of the entity and of the import. Blank labels fall back to the
header, blank select options to the values seen in the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.sheet_import import Column
from builder.sheet_infer import ColumnStats
from builder.sheet_infer import Proposal
from builder.sheet_names import label_for

__all__ = ["FIELD_TYPES", "SKIP", "Choices", "FieldChoice", "read_choices"]

FIELD_TYPES = ("text", "textarea", "integer", "decimal", "currency", "percent", "date", "datetime", "boolean",
               "select", "email", "phone", "url")
SKIP = "skip"
DECIMALS = ("decimal", "currency", "percent")


@dataclass
class FieldChoice:
    stats: ColumnStats
    name: str
    label_en: str
    label_zh: str
    type: str
    required: bool
    options: list[str]


@dataclass
class Choices:
    entity: dict
    fields: list[FieldChoice]
    columns: list[Column]

    @property
    def label_en(self) -> str:
        return self.entity.get("label", {}).get("en", "")

    @property
    def label_zh(self) -> str:
        return self.entity.get("label", {}).get("zh", "")


def read_choices(form, proposal: Proposal) -> Choices:
    """The admin's choices from ``form``, or the proposal's own when ``form`` is None (first view)."""
    fields = [_field(form, stats) for stats in proposal.columns]
    kept = [f for f in fields if f.type != SKIP]
    entity = {"name": proposal.entity["name"], "label": proposal.entity["label"],
              "fields": [_field_json(f) for f in kept]}
    if form is not None:
        entity["name"] = form.get("entity_name", "").strip().lower() or entity["name"]
        label = {k: v for k in ("en", "zh") if (v := form.get(f"entity_label_{k}", "").strip()[:100])}
        entity["label"] = label or entity["label"]
    title = next((f.name for f in kept if f.type == "text"), None)
    if title:
        entity["title_field"] = title
    columns = [Column(f.stats.index, f.name, f.type, f.stats.header, f.stats.fraction) for f in kept]
    return Choices(entity, fields, columns)


def _field(form, stats: ColumnStats) -> FieldChoice:
    label = label_for(stats.header)
    if form is None:
        options = stats.options if stats.type == "select" else []
        return FieldChoice(stats, stats.name, label.get("en", ""), label.get("zh", ""), stats.type, False, options)
    i = stats.index
    kind = form.get(f"type_{i}", stats.type)
    kind = kind if kind in FIELD_TYPES or kind == SKIP else stats.type
    options = list(dict.fromkeys(line.strip() for line in form.get(f"options_{i}", "").splitlines() if line.strip()))
    return FieldChoice(stats, form.get(f"name_{i}", stats.name).strip(), form.get(f"label_en_{i}", "").strip(),
                       form.get(f"label_zh_{i}", "").strip(), kind, form.get(f"required_{i}") == "on",
                       options or (stats.options if kind == "select" else []))


def _field_json(f: FieldChoice) -> dict:
    label = {k: v[:200] for k, v in (("en", f.label_en), ("zh", f.label_zh)) if v} or label_for(f.stats.header)
    data = {"name": f.name, "type": f.type, "label": label}
    if f.required:
        data["required"] = True
    if f.type == "select":
        data["options"] = [{"value": v} for v in f.options]
    if f.type in DECIMALS:
        data["precision"] = f.stats.precision if f.stats.precision is not None else 2
    return data
