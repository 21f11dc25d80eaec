"""The ``web`` blueprint: sign-in, the app launcher and (later) generated screens.

``create_blueprint()`` builds a fresh blueprint per app, so nothing is
registered at import time and tests can create as many apps as they like.
"""

from __future__ import annotations

from flask import Blueprint

from runtime.web import auth
from runtime.web import labels
from runtime.web import views

__all__ = ["create_blueprint"]


def create_blueprint() -> Blueprint:
    bp = Blueprint("web", __name__, template_folder="templates")
    auth.register(bp)
    views.register(bp)
    labels.register(bp)
    return bp
