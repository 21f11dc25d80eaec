"""Uploaded sheets waiting between the wizard's steps, under ``<files dir>/sheet-imports``.

Each upload is a random token: ``<token>.<csv|xlsx>`` plus ``<token>.json``
(who uploaded it, the file name, later the published entity for a retry).
Only the uploader can use a token; files older than a day are swept away on
the next upload, and a finished import removes its own.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

from runtime.errors import NotFound

__all__ = ["SheetStore"]

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600


class SheetStore:
    def __init__(self, files_dir: str | Path):
        self.folder = Path(files_dir) / "sheet-imports"

    def save(self, stream, filename: str, suffix: str, app: str, user_id: int) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep()
        token = uuid.uuid4().hex
        with (self.folder / f"{token}{suffix}").open("wb") as out:
            while chunk := stream.read(1 << 16):
                out.write(chunk)
        self.write_meta(token, {"filename": filename, "suffix": suffix, "app": app, "user_id": user_id})
        return token

    def open(self, token: str, app: str, user_id: int) -> tuple[Path, dict]:
        """The file and its notes; NotFound for anyone but the uploader, or once it is gone."""
        meta_path = self.folder / f"{token}.json" if TOKEN_RE.match(token) else None
        if meta_path is None or not meta_path.exists():
            raise NotFound("This upload is no longer available; upload the sheet again.")
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("user_id") != user_id or meta.get("app") != app:
            raise NotFound("This upload is no longer available; upload the sheet again.")
        return self.folder / f"{token}{meta['suffix']}", meta

    def write_meta(self, token: str, meta: dict) -> None:
        (self.folder / f"{token}.json").write_text(json.dumps(meta), "utf-8")

    def remove(self, token: str) -> None:
        for path in self.folder.glob(f"{token}.*"):
            path.unlink(missing_ok=True)

    def _sweep(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for path in self.folder.iterdir():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
