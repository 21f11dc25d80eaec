"""``metacrm demo``: a ready-to-try instance on the embedded defaults.

Idempotent: a second run keeps the database, the admin and published apps,
and publishes template updates through the same safe path as any publish.
Sample data goes only into empty entities (see ``builder.sample_data``), so
the first run loads it and later runs never duplicate it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from apps.config import Settings
from builder.publish import publish
from builder.sample_load import install_sample_data
from runtime.metadata.loader import load_package
from runtime.security.users import create_user
from runtime.security.users import get_user_by_email
from runtime.storage.system import upgrade

DEMO_EMAIL = "admin@example.com"
#: Colleagues who own some of the sample records, so owners vary (random passwords, never printed).
DEMO_USERS = (("wang.fang@example.com", "王芳", "zh"), ("emma.clark@example.com", "Emma Clark", "en"))
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates_store"


def prepare_demo(engine: Engine, settings: Settings, echo: Callable[[str], None] = print) -> tuple[str, str | None]:
    """Upgrade the database, make sure the demo users exist, publish the shipped templates with sample data.

    Returns the admin's email and password (the password is kept in the
    instance folder, readable only by its owner, so later runs can print it).
    """
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(engine)
    password = _ensure_admin(engine, settings.instance_dir / "demo-login.txt")
    _ensure_colleagues(engine)
    packages = [load_package(folder) for folder in template_folders()]
    for package in packages:
        result = publish(engine, package.source, author=DEMO_EMAIL)
        state = "up to date" if result.noop else f"published version {result.version}"
        echo(f"template {result.app}: {state}")
    _load_sample_data(engine, packages, echo)
    return DEMO_EMAIL, password


def template_folders() -> list[Path]:
    """Shipped templates in dependency-friendly (alphabetical) order."""
    return sorted(p for p in TEMPLATES_DIR.iterdir() if (p / "app.json").is_file())


def _load_sample_data(engine: Engine, packages: list, echo: Callable[[str], None]) -> None:
    """Each template's sample records, owned by the admin unless a record names a colleague."""
    with engine.connect() as conn:
        admin_id = get_user_by_email(conn, DEMO_EMAIL).id
    for package in packages:
        if package.data:
            name = package.source["app.json"]["name"]
            echo(f"template {name}: {install_sample_data(engine, name, package.data, admin_id).describe()}")


def _ensure_colleagues(engine: Engine) -> None:
    with engine.begin() as conn:
        for email, name, language in DEMO_USERS:
            if get_user_by_email(conn, email) is None:
                create_user(conn, email, secrets.token_urlsafe(16), display_name=name, language=language)


def _ensure_admin(engine: Engine, login_file: Path) -> str | None:
    with engine.begin() as conn:
        if get_user_by_email(conn, DEMO_EMAIL) is not None:
            return login_file.read_text().strip() if login_file.exists() else None
        password = secrets.token_urlsafe(16)  # long enough that the policy's two-classes rule always holds
        create_user(conn, DEMO_EMAIL, password, display_name="Demo Admin", is_admin=True)
    login_file.write_text(password + "\n")
    login_file.chmod(0o600)
    return password
