"""What makes the site an installable app: the manifest, the service worker and the offline page.

The service worker must be served from the site root so its scope covers every
page; its cache name carries a hash of ``static/``, so changing any static file
installs a new worker that drops the old cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import render_template
from flask import url_for

__all__ = ["register", "static_version"]

THEME_COLOR = "#2f5bea"  # --mc-brand in static/css/app.css
BACKGROUND_COLOR = "#f4f6fb"  # --mc-bg: the splash screen matches the page it fades into
ICONS = (  # (static path, size, purpose)
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/icon-maskable-512.png", 512, "maskable"),
)
# The shell every page needs, cached when the worker installs so pages opened
# offline still look right and their forms still queue.
SHELL = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "css/app.css",
    "css/pwa.css",
    "css/social.css",
    "css/boards.css",
    "js/i18n.js",
    "js/app.js",
    "js/list.js",
    "js/kanban.js",
    "js/mentions.js",
    "js/record-form.js",
    "js/form-rules.js",
    "js/expr.js",
    "js/pwa.js",
    "js/offline-drafts.js",
    "js/offline-badge.js",
    "js/offline-store.js",
    "js/offline-sync.js",
    "icons/apple-touch-icon.png",
    *(path for path, _, _ in ICONS),
)
SW_SOURCE = "js/sw.js"
# sw.js declares these two lines; serving it fills them in (see service_worker).
VERSION_LINE = 'const VERSION = "dev";'
PRECACHE_LINE = "const PRECACHE = [];"


def manifest() -> Response:
    body = {
        "id": url_for("web.launcher"),
        "name": "metacrm",
        "short_name": "metacrm",
        "description": "Your CRM apps: records, approvals and dashboards.",
        "start_url": url_for("web.launcher"),
        "scope": url_for("web.launcher"),
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {
                "src": url_for("static", filename=path),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for path, size, purpose in ICONS
        ],
    }
    return Response(json.dumps(body, indent=2), mimetype="application/manifest+json")


def service_worker() -> Response:
    """Serve static/js/sw.js at the root with this deployment's version and shell list."""
    static = Path(current_app.static_folder)
    source = (static / SW_SOURCE).read_text(encoding="utf-8")
    if VERSION_LINE not in source or PRECACHE_LINE not in source:
        raise RuntimeError(f"{SW_SOURCE} lost its VERSION/PRECACHE lines")
    precache = [url_for("static", filename=path) for path in SHELL] + [url_for("web.offline")]
    source = source.replace(VERSION_LINE, f"const VERSION = {json.dumps(static_version(static))};")
    source = source.replace(PRECACHE_LINE, f"const PRECACHE = {json.dumps(precache)};")
    response = Response(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = url_for("web.launcher")
    response.headers["Cache-Control"] = "no-cache"  # browsers then always check for a new version
    return response


def offline():
    """The page the service worker shows for a page that is neither online nor cached."""
    return render_template("web/offline.html")


def static_version(folder: Path) -> str:
    """A short hash of every file's content under ``folder``.

    Contents, not modification times, so every web process of one deployment
    agrees; the hash is recomputed only when a file's size or mtime changes.
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    signature = tuple(
        (p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files
    )
    return _content_hash(folder, signature)


@lru_cache(maxsize=8)
def _content_hash(folder: Path, signature: tuple) -> str:
    digest = hashlib.sha256()
    for relative, _, _ in signature:
        digest.update(relative.encode())
        digest.update((folder / relative).read_bytes())
    return digest.hexdigest()[:16]


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/manifest.webmanifest", "manifest", manifest)
    bp.add_url_rule("/sw.js", "service_worker", service_worker)
    bp.add_url_rule("/offline", "offline", offline)
