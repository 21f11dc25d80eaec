"""The ``web`` blueprint: sign-in, the app launcher and the generated screens.

``create_blueprint()`` builds a fresh blueprint per app, so nothing is
registered at import time and tests can create as many apps as they like.
"""

from __future__ import annotations

from flask import Blueprint

from runtime.api.context import close_request_connection
from runtime.web import account
from runtime.web import attachments
from runtime.web import audit_pages
from runtime.web import auth
from runtime.web import dashboards
from runtime.web import i18n
from runtime.web import labels
from runtime.web import pwa
from runtime.web import recent
from runtime.web import roles_admin
from runtime.web import screens
from runtime.web import search
from runtime.web import social
from runtime.web import view_as
from runtime.web import views

__all__ = ["create_blueprint"]


def create_blueprint() -> Blueprint:
    bp = Blueprint("web", __name__, template_folder="templates")
    auth.register(bp)
    views.register(bp)
    dashboards.register(bp)
    labels.register(bp)
    pwa.register(bp)
    i18n.register(bp)
    screens.register(bp)
    social.register(bp)
    attachments.register(bp)
    search.register(bp)
    recent.register(bp)
    account.register(bp)
    roles_admin.register(bp)
    audit_pages.register(bp)
    view_as.register(bp)
    bp.teardown_request(close_request_connection)
    return bp
