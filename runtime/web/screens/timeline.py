"""A record's history as a timeline people read: who did what when, each field's old → new value."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.metadata.model import Entity
from runtime.records.history import ATTACHMENTS
from runtime.web.i18n import translate
from runtime.web.labels import localize

__all__ = ["Event", "timeline"]

MAX_SHOWN = 12  # changed fields listed per entry; the rest are summed up


@dataclass(frozen=True)
class Event:
    action: str
    at: str
    who: str
    changes: list[tuple[str, str, str]]  # (field label, old, new) as text
    more: int = 0


def timeline(entity: Entity, entries: list[dict], names: dict[int, str], language: str) -> list[Event]:
    """Newest first; values are shown as stored text (select values, ids), labels in ``language``."""
    events = []
    for entry in reversed(entries):
        changes = [(_label(entity, name, language), _text(pair[0]), _text(pair[1]))
                   for name, pair in entry["changes"].items() if isinstance(pair, list) and len(pair) == 2]
        events.append(Event(entry["action"], entry["at"].replace("T", " ")[:16],
                            names.get(entry["user_id"], "") if entry["user_id"] else "",
                            changes[:MAX_SHOWN], max(0, len(changes) - MAX_SHOWN)))
    return events


def _label(entity: Entity, name: str, language: str) -> str:
    if name == ATTACHMENTS:
        return translate("Attachments", language)
    return localize(entity.field(name).label, language, name) if entity.has_field(name) else name


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return f"{len(value)} row(s)" if value and isinstance(value[0], dict) else ", ".join(map(str, value))
    return str(value)[:200]
