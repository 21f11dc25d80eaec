"""Only administrators build apps; everyone else gets the same 403 whatever they try under /builder."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask_login import current_user

__all__ = ["require_admin"]


def require_admin():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403, description="Only administrators can use the builder.")
    return None
