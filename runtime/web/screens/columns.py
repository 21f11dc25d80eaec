"""Which fields a list shows and which can be sorted or filtered on."""

from __future__ import annotations

from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.records.ordering import UNSORTABLE

__all__ = ["DEFAULT_COLUMNS", "card_fields", "list_columns", "listable", "sortable"]

DEFAULT_COLUMNS = 7
#: Values too big or too structured for a table cell.
NOT_LISTED = frozenset({"table", "textarea", "richtext", "signature", "geo"})


def listable(field: Field) -> bool:
    return field.type not in NOT_LISTED and not field.opt("hidden", False)


def sortable(field: Field) -> bool:
    return field.type not in UNSORTABLE


def list_columns(entity: Entity, chosen: list[str] | None = None, hidden: frozenset[str] = frozenset()) -> list[Field]:
    """The chosen columns that exist, else the title field and the next few listable fields;
    never a field hidden from the user."""
    shown = [f for f in entity.fields if listable(f) and f.name not in hidden]
    if chosen:
        picked = [f for name in chosen for f in shown if f.name == name]
        if picked:
            return picked
    fields = list(shown)
    title = entity.title_field
    fields.sort(key=lambda f: f.name != title)  # stable: the title first, the rest in entity order
    return fields[:DEFAULT_COLUMNS]


def card_fields(columns: list[Field], entity: Entity) -> tuple[Field | None, list[Field]]:
    """On a phone a row is a card: the title big, then up to three more values."""
    title = next((f for f in columns if f.name == entity.title_field), None)
    rest = [f for f in columns if f is not title][:3]
    return title, rest
