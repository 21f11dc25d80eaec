"""Read what is installed: apps and their published metadata."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import select

from runtime.metadata.model import App
from runtime.metadata.model import build_app
from runtime.storage.system import app_versions
from runtime.storage.system import apps


def current_metadata(conn: Connection, app_name: str) -> tuple[int, dict] | None:
    """``(version number, metadata JSON)`` of the app's version in force, or None."""
    row = conn.execute(
        select(app_versions.c.number, app_versions.c.metadata)
        .join(apps, (apps.c.name == app_versions.c.app) & (apps.c.current_version == app_versions.c.number))
        .where(apps.c.name == app_name)
    ).first()
    return (row.number, row.metadata) if row else None


def all_current_metadata(conn: Connection) -> dict[str, tuple[int, dict]]:
    """Every installed app's version in force, keyed by app name."""
    rows = conn.execute(
        select(app_versions.c.app, app_versions.c.number, app_versions.c.metadata).join(
            apps, (apps.c.name == app_versions.c.app) & (apps.c.current_version == app_versions.c.number)
        )
    )
    return {r.app: (r.number, r.metadata) for r in rows}


def current_apps(conn: Connection) -> dict[str, tuple[int, App]]:
    """Every installed app's version in force as ``(number, App)``, keyed by app name."""
    return {name: (number, build_app(meta)) for name, (number, meta) in all_current_metadata(conn).items()}


def installed_apps(conn: Connection) -> list[dict]:
    """Launcher view: each app with its label, version label and entities."""
    result = []
    for name, (_number, app) in sorted(current_apps(conn).items()):
        entities = [{"name": e.name, "label": e.label} for e in app.entities if e.parent is None]
        result.append({"name": name, "label": app.label, "version": app.version, "entities": entities})
    return result
