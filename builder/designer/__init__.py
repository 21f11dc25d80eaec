"""The visual builder under ``/builder`` (admins only): drafts, editors on one frame, publish.

Each editor is a module in ``builder/designer/editors/`` exposing ``EDITOR``
(a ``frame.Editor``) and ``register(bp)``; the frame lists them all.
"""

from __future__ import annotations

from flask import Blueprint

from builder.designer import api
from builder.designer import home
from builder.designer import json_view
from builder.designer import sheet_pages
from builder.designer import versions_pages
from builder.designer.access import require_admin
from builder.designer.editors import editor_modules

__all__ = ["create_builder_blueprint"]


def create_builder_blueprint() -> Blueprint:
    bp = Blueprint("builder", __name__, url_prefix="/builder", template_folder="templates")
    bp.before_request(require_admin)
    home.register(bp)
    api.register(bp)
    sheet_pages.register(bp)
    versions_pages.register(bp)
    modules = editor_modules()
    for module in modules:
        module.register(bp)
    editors = [module.EDITOR for module in modules]
    json_view.register(bp, editors)
    bp.context_processor(lambda: {"editors": editors})
    return bp
