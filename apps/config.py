"""Settings read once from ``METACRM_*`` environment variables.

A frozen dataclass so nothing changes settings behind a process's back; tests
build their own with ``Settings.from_env({...})`` or ``dataclasses.replace``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def default_instance_dir() -> Path:
    return Path(os.environ.get("METACRM_INSTANCE_DIR", Path.cwd() / "instance"))


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_dir: Path
    secret_key: str
    redis_url: str | None = None
    files_dir: Path | None = None
    smtp_url: str | None = None
    webhook_allow_hosts: tuple[str, ...] = ()
    testing: bool = False
    https: bool = False  # served over HTTPS (METACRM_HTTPS=1): cookies are marked Secure
    login_rate_limit: str = "10/minute"  # per client IP, on sign-in, 2FA and reset forms
    field_key: str | None = None  # METACRM_FIELD_KEY: base64 of 32 bytes, for sensitive fields
    # METACRM_BASE_URL, e.g. https://crm.example.com: the one host the app answers to and builds
    # links (password reset) with; a request naming another Host is refused
    base_url: str | None = None
    proxy_hops: int = 0  # METACRM_PROXY_HOPS: trusted reverse proxies setting X-Forwarded-*
    # Sign-in sessions end after this long without a request (METACRM_SESSION_IDLE_MINUTES) and
    # this long after signing in whatever happens (METACRM_SESSION_HOURS).
    session_idle_minutes: int = 30
    session_hours: int = 12
    # "Keep me signed in" sessions last METACRM_REMEMBER_DAYS (0: the login page does not offer
    # it) and end after METACRM_REMEMBER_IDLE_DAYS unused.
    remember_days: int = 14
    remember_idle_days: int = 7

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("METACRM_INSTANCE_DIR") or Path.cwd() / "instance")
        database_url = env.get("METACRM_DATABASE_URL") or f"sqlite:///{instance / 'metacrm.db'}"
        return cls(
            database_url=database_url,
            instance_dir=instance,
            secret_key=env.get("METACRM_SECRET_KEY") or _instance_secret(instance),
            redis_url=env.get("METACRM_REDIS_URL") or None,
            files_dir=Path(env["METACRM_FILES_DIR"]) if env.get("METACRM_FILES_DIR") else instance / "files",
            smtp_url=env.get("METACRM_SMTP_URL") or None,
            webhook_allow_hosts=tuple(
                h.strip() for h in env.get("METACRM_WEBHOOK_ALLOW_HOSTS", "").split(",") if h.strip()
            ),
            https=env.get("METACRM_HTTPS", "").strip().lower() in ("1", "true", "yes")
            or (env.get("METACRM_BASE_URL") or "").startswith("https://"),
            login_rate_limit=env.get("METACRM_LOGIN_RATE_LIMIT") or "10/minute",
            field_key=env.get("METACRM_FIELD_KEY") or None,
            base_url=(env.get("METACRM_BASE_URL") or "").rstrip("/") or None,
            proxy_hops=int(env.get("METACRM_PROXY_HOPS") or 0),
            session_idle_minutes=int(env.get("METACRM_SESSION_IDLE_MINUTES") or 30),
            session_hours=int(env.get("METACRM_SESSION_HOURS") or 12),
            remember_days=int(env.get("METACRM_REMEMBER_DAYS") or 14),
            remember_idle_days=int(env.get("METACRM_REMEMBER_IDLE_DAYS") or 7),
        )


def open_engine(settings: Settings):
    """The database engine for ``settings``, holding the key of sensitive fields (every process
    that reads or writes records opens its engine here)."""
    from runtime.security.sensitive import field_key
    from runtime.security.sensitive import install_key
    from runtime.storage.engine import make_engine

    engine = make_engine(settings.database_url)
    install_key(engine, field_key(settings.field_key, settings.secret_key))
    return engine


def _instance_secret(instance: Path) -> str:
    """A per-instance random key kept in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
