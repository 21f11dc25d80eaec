"""The app launcher: the first page after sign-in, one card per app and the recent records.

Only entities the user may read are listed (the same rights as their screens, so a link never
leads to a 404), and an app whose every entity is closed to them is left out. Each card also
lists the app's dashboards that show the user at least one report they may run.
"""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask_login import current_user
from flask_login import login_required

from runtime.api.context import request_connection
from runtime.records.service import RecordService
from runtime.reports import readable_dashboards
from runtime.security.guarded import GuardedRecords
from runtime.security.permissions import Access
from runtime.security.permissions import load_access
from runtime.storage.catalog import installed_apps
from runtime.web.recent import launcher_recent
from runtime.web.screens.access import registry
from runtime.web.view_as import effective_user_id

__all__ = ["launcher", "register"]

TILE_COLOURS = 6  # app-tile-0 … app-tile-5 in static/css/app.css


@login_required
def launcher():
    conn = request_connection()
    access = load_access(conn, registry(conn), effective_user_id())
    apps = _readable(installed_apps(conn), access)
    recent = launcher_recent(conn, current_user.id) if apps else []
    records = GuardedRecords(RecordService(access.registry), access)
    return render_template("web/launcher.html", apps=[_card(app, records) for app in apps], recent=recent)


def _readable(apps: list[dict], access: Access) -> list[dict]:
    """The apps with only the entities ``access`` may read; apps with none readable are dropped
    (an app without any entity yet stays: there is nothing in it to hide)."""
    shown, of = [], access.registry.entity
    for app in apps:
        entities = [e for e in app["entities"] if access.can(of(app["name"], e["name"]), "read")]
        if entities or not app["entities"]:
            shown.append({**app, "entities": entities})
    return shown


def _card(app: dict, records: GuardedRecords) -> dict:
    """Add what the template needs but the catalog does not say: a stable tile colour and the
    dashboards ``records``' user may open."""
    colour = sum(app["name"].encode()) % TILE_COLOURS
    dashboards = [{"name": d.name, "label": d.label} for d in readable_dashboards(records, app["name"])]
    return {**app, "tile": f"app-tile-{colour}", "entities": list(app.get("entities") or []),
            "dashboards": dashboards}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/", "launcher", launcher)
