"""The REST API blueprint (DESIGN §4): records per entity, their shares and attachments, reports, tokens, metadata, OpenAPI.

``create_api_blueprint()`` builds a fresh blueprint per app (nothing happens at
import time). Every route requires a session or a Bearer token; errors are
``{"error": {"code", "message", "details"}}`` through the app's one handler.
"""

from __future__ import annotations

from flask import Blueprint

from runtime.api import attachments
from runtime.api import data
from runtime.api import me
from runtime.api import meta
from runtime.api import reports
from runtime.api import shares
from runtime.api.auth import authenticate
from runtime.api.context import RegistryCache
from runtime.api.context import close_request_connection
from runtime.api.routes import RecordRoutes

__all__ = ["create_api_blueprint"]


def create_api_blueprint() -> Blueprint:
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.before_request(authenticate)
    bp.teardown_request(close_request_connection)
    registries = RegistryCache()
    meta.register(bp, registries)
    me.register(bp)
    RecordRoutes(registries).register(bp)
    data.register(bp, registries)
    shares.register(bp, registries)
    attachments.register(bp, registries)
    reports.register(bp, registries)
    return bp
