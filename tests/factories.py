"""Code factories for metadata, so tests say only what matters to them."""

from __future__ import annotations

import copy
import itertools

_seq = itertools.count(1)


def make_field(name: str, type: str = "text", **options) -> dict:
    return {"name": name, "type": type, **options}


def make_entity(name: str | None = None, fields=None, **extra) -> dict:
    name = name or f"entity{next(_seq)}"
    return {"name": name, "label": {"en": name.title()}, "fields": list(fields or [make_field("name")]), **extra}


def make_app(name: str = "shop", *entities: dict, version: str = "1.0.0", **manifest) -> dict:
    """An app's source documents: ``{"app.json": ..., "entities/<name>.json": ...}``."""
    source = {"app.json": {"name": name, "label": {"en": name.title()}, "version": version, **manifest}}
    for entity in entities:
        source[f"entities/{entity['name']}.json"] = entity
    return source


def evolve(source: dict, entity: str, fields: list[dict] | None = None, version: str | None = None) -> dict:
    """A copy of ``source`` with one entity's fields replaced (and the version bumped)."""
    copied = copy.deepcopy(source)
    if fields is not None:
        copied[f"entities/{entity}.json"]["fields"] = fields
    if version:
        copied["app.json"]["version"] = version
    return copied


def install_app(engine, name: str, label, entities: list[tuple[str, object]], version: str = "1.2.0") -> None:
    """Publish a small app (a text field per entity) through the real publish path."""
    from builder.publish import publish

    publish(engine, make_app(name, *[make_entity(e, label=lbl) for e, lbl in entities], version=version, label=label))
