"""The app launcher: the first page after sign-in, one card per installed app and the recent records."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask_login import current_user
from flask_login import login_required

from runtime.api.context import request_connection
from runtime.storage.catalog import installed_apps
from runtime.web.recent import launcher_recent

__all__ = ["launcher", "register"]

TILE_COLOURS = 6  # app-tile-0 … app-tile-5 in static/css/app.css


@login_required
def launcher():
    conn = request_connection()
    apps = installed_apps(conn)
    recent = launcher_recent(conn, current_user.id) if apps else []
    return render_template("web/launcher.html", apps=[_card(app) for app in apps], recent=recent)


def _card(app: dict) -> dict:
    """Add what the template needs but the catalog does not say: a stable tile colour."""
    colour = sum(app["name"].encode()) % TILE_COLOURS
    return {**app, "tile": f"app-tile-{colour}", "entities": list(app.get("entities") or [])}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/", "launcher", launcher)
