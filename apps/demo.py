"""``metacrm demo``: a ready-to-try instance on the embedded defaults.

Idempotent: a second run keeps the database, the admin and published apps,
and publishes template updates through the same safe path as any publish.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from apps.config import Settings
from builder.publish import publish
from runtime.metadata.loader import load_package
from runtime.security.users import create_user
from runtime.security.users import get_user_by_email
from runtime.storage.system import upgrade

DEMO_EMAIL = "admin@example.com"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates_store"


def prepare_demo(engine: Engine, settings: Settings, echo: Callable[[str], None] = print) -> tuple[str, str | None]:
    """Upgrade the database, make sure the demo admin exists, publish the shipped templates.

    Returns the admin's email and password (the password is kept in the
    instance folder, readable only by its owner, so later runs can print it).
    """
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(engine)
    password = _ensure_admin(engine, settings.instance_dir / "demo-login.txt")
    for folder in template_folders():
        result = publish(engine, load_package(folder).source, author=DEMO_EMAIL)
        state = "up to date" if result.noop else f"published version {result.version}"
        echo(f"template {result.app}: {state}")
    return DEMO_EMAIL, password


def template_folders() -> list[Path]:
    """Shipped templates in dependency-friendly (alphabetical) order."""
    return sorted(p for p in TEMPLATES_DIR.iterdir() if (p / "app.json").is_file())


def _ensure_admin(engine: Engine, login_file: Path) -> str | None:
    with engine.begin() as conn:
        if get_user_by_email(conn, DEMO_EMAIL) is not None:
            return login_file.read_text().strip() if login_file.exists() else None
        password = secrets.token_urlsafe(9)
        create_user(conn, DEMO_EMAIL, password, display_name="Demo Admin", is_admin=True)
    login_file.write_text(password + "\n")
    login_file.chmod(0o600)
    return password
