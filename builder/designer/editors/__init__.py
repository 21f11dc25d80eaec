"""One module per editor (entities, forms, …); each exposes ``EDITOR`` and ``register(bp)``.

The builder finds them here, so adding an editor touches no other file.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["editor_modules"]


def editor_modules() -> list:
    """The editor modules in a stable order (``ORDER`` within a module, then name)."""
    found = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    editors = [m for m in found if hasattr(m, "EDITOR") and hasattr(m, "register")]
    return sorted(editors, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))
