"""Related lists: records elsewhere that link to this one (an account's contacts, say)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.metadata.model import Entity
from runtime.metadata.model import Field

__all__ = ["RELATED_ROWS", "Related", "incoming_links", "related_lists"]

RELATED_ROWS = 5


@dataclass(frozen=True)
class Related:
    """The first rows of one incoming link, and whether there are more."""

    entity: Entity
    field: Field
    rows: list[dict]
    more: bool
    ambiguous: bool  # the same entity links here through more than one field: name the field too


def incoming_links(registry, entity: Entity) -> list[tuple[Entity, Field]]:
    """Every (top-level entity, link field) in any installed app that points at ``entity``."""
    found = []
    for app in registry.apps.values():
        for other in app.entities:
            if other.parent:
                continue  # child rows are shown inside their parent, not as a list of their own
            for field in other.fields:
                if field.type == "link" and registry.target(other, field.opt("target"))[0] == entity:
                    found.append((other, field))
    return found


def related_lists(conn, service, registry, entity: Entity, record_id: int, user_id: int, secret: str) -> list[Related]:
    """One keyset page per incoming link, read through the same list path as every screen."""
    links = incoming_links(registry, entity)
    lists = []
    for other, field in links:
        page = service.list(conn, other.app, other.name, secret=secret, user_id=user_id,
                            where=f"{field.name} == {int(record_id)}", limit=RELATED_ROWS)
        ambiguous = sum(1 for o, _f in links if o == other) > 1
        lists.append(Related(other, field, page.data, page.next_cursor is not None, ambiguous))
    return lists
