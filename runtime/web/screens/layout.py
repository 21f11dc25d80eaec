"""An entity's form layout as screens use it: sections and tabs of field slots.

The layout comes from the app's ``forms/*.json`` for the entity; without one a
default is generated (every field in a two-column section, each child table
on its own tab), so every entity has a usable form from its first publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from dataclasses import replace

from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import Field

__all__ = ["Block", "Slot", "entity_layout", "hidden_in_forms", "read_only_fields", "without_fields"]

#: Fields that are never typed in: shown on the detail page, not as inputs.
COMPUTED = frozenset({"formula", "rollup", "lookup", "autonumber"})
#: Fields that always take their section's whole row: child tables and long text.
FULL_ROW = frozenset({"table", "textarea", "richtext"})


@dataclass(frozen=True, eq=False)  # identity: templates key their rules by slot and block
class Slot:
    """One field's place in the layout, with the form's own conditions for it."""

    field: Field
    span: int = 1
    label: object = None
    visible_when: str | None = None
    required_when: str | None = None
    read_only: bool = False

    @property
    def computed(self) -> bool:
        return self.field.type in COMPUTED

    def grid_class(self, columns: int) -> str:
        """Bootstrap column classes: the whole row on phones, ``span`` of ``columns`` from md up
        (explicit widths, since ``row-cols-*`` cannot make one cell wider than the others)."""
        span = columns if self.field.type in FULL_ROW else min(self.span, columns)
        return f"col-12 col-md-{12 * span // columns}"


@dataclass(frozen=True, eq=False)
class Block:
    """A section (fields in columns) or a tab (fields and/or sections)."""

    kind: str  # "section" or "tab"
    label: object
    columns: int = 1
    visible_when: str | None = None
    collapsed: bool = False
    slots: tuple[Slot, ...] = ()
    sections: tuple[Block, ...] = dc_field(default=())

    def all_slots(self):
        yield from self.slots
        for section in self.sections:
            yield from section.slots

    def touches(self, names) -> bool:
        """Does the block hold one of ``names`` (fields with an error open their section and tab)?"""
        return any(slot.field.name in names for slot in self.all_slots())


def hidden_in_forms(field: Field) -> bool:
    return bool(field.opt("hidden", False))


def entity_layout(app: App, entity: Entity) -> tuple[Block, ...]:
    """The entity's layout; fields the form leaves out are appended so none is unreachable."""
    document = next((d for d in app.documents("forms").values() if d.get("entity") == entity.name), None)
    blocks = tuple(_block(entity, raw) for raw in document["layout"]) if document else ()
    placed = {slot.field.name for block in blocks for slot in block.all_slots()}
    missing = [f for f in entity.fields if f.name not in placed and not hidden_in_forms(f)]
    return blocks + _default_blocks(entity, missing, bool(blocks))


def _default_blocks(entity: Entity, fields: list[Field], after_form: bool) -> tuple[Block, ...]:
    plain = tuple(Slot(f) for f in fields if f.type != "table")
    tables = [f for f in fields if f.type == "table"]
    label = {"en": "More", "zh": "更多"} if after_form else entity.label
    blocks = [Block("section", label, columns=2, slots=plain)] if plain else []
    blocks += [Block("tab", f.label, slots=(Slot(f),)) for f in tables]
    return tuple(blocks)


def _block(entity: Entity, raw: dict) -> Block:
    if "tab" in raw:
        return Block("tab", raw["tab"], raw.get("columns", 1), raw.get("visible_when"),
                     slots=_slots(entity, raw.get("fields", ())),
                     sections=tuple(_block(entity, s) for s in raw.get("sections", ())))
    return Block("section", raw.get("section"), raw.get("columns", 1), raw.get("visible_when"),
                 raw.get("collapsed", False), _slots(entity, raw["fields"]))


def _slots(entity: Entity, refs) -> tuple[Slot, ...]:
    slots = []
    for ref in refs:
        ref = {"field": ref} if isinstance(ref, str) else ref
        if not entity.has_field(ref["field"]):
            continue  # validated at publish; a stale layout must not break the screen
        slots.append(Slot(entity.field(ref["field"]), ref.get("span", 1), ref.get("label"),
                          ref.get("visible_when"), ref.get("required_when"), ref.get("read_only", False)))
    return tuple(slots)


def read_only_fields(layout: tuple[Block, ...]) -> frozenset[str]:
    """Fields the form shows but does not let anyone type in (``read_only`` slots)."""
    return frozenset(slot.field.name for block in layout for slot in block.all_slots() if slot.read_only)


def without_fields(layout: tuple[Block, ...], names: set[str]) -> tuple[Block, ...]:
    """The layout minus ``names`` (fields hidden by their conditions); blocks left empty go too."""
    kept = []
    for block in layout:
        sections = tuple(s for s in without_fields(block.sections, names) if s.slots)
        slots = tuple(s for s in block.slots if s.field.name not in names)
        if slots or sections:
            kept.append(replace(block, slots=slots, sections=sections))
    return tuple(kept)
