"""The builder's shared frame: each editor (entities, forms, later roles, workflows, reports…) is a
small module exposing ``EDITOR`` and ``register(bp)``; the frame draws its navigation from them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Editor"]


@dataclass(frozen=True)
class Editor:
    """One kind of document the builder edits: its folder and the pages that edit and create one."""

    folder: str  # "entities", "forms", ...
    label: str  # English; shown through the UI catalog
    endpoint: str  # edit page, takes app= and name=
    new_endpoint: str | None = None  # create page, takes app=; None when documents come from elsewhere
