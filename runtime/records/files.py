"""Uploads for file and image fields: checked, content-addressed on disk, served only to readers.

The bytes decide the type, never the name or the browser's Content-Type: a
``.png`` that is really HTML or SVG (which can carry script) is refused for an
image field, executables are refused everywhere, and the field's ``accept``
list is matched against the sniffed type. Files live under ``files_dir`` at a
path derived from their SHA-256 (written to a temp file, then renamed, so a
crash never leaves half a file under a real name); the user's file name is
kept only as a cleaned label.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Connection
from sqlalchemy import select
from sqlalchemy import update

from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.storage.system import files

DEFAULT_MAX_MB = 10
CHUNK = 1 << 16
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
EXECUTABLES = frozenset({"application/x-msdownload", "application/x-executable", "application/x-mach-binary",
                         "text/x-shellscript"})
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"), (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"), (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"), (b"#!", "text/x-shellscript"),
]
_OFFICE = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_MARKUP = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+(html|svg)|html|svg|script|head|body|iframe)\b",
                     re.IGNORECASE | re.DOTALL)
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
               "application/pdf": ".pdf", "text/plain": ".txt", "application/zip": ".zip",
               **{v: "." + ("docx" if k == "word/" else "xlsx" if k == "xl/" else "pptx") for k, v in _OFFICE.items()}}
CanRead = Callable[[str, str, int], bool]


def sniff(head: bytes, path: Path | None = None) -> str:
    """The content type the bytes really are (``head`` = the first few KB; ``path`` for zip contents)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    text = head.removeprefix(b"\xef\xbb\xbf")
    match = _MARKUP.match(text)
    if match:
        return "image/svg+xml" if b"svg" in match.group(0).lower() else "text/html"
    if b"\x00" not in text and _is_utf8(text):
        return "text/plain"
    return "application/octet-stream"


def _zip_kind(path: Path | None) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, TypeError, OSError):
        return "application/octet-stream"
    if "[Content_Types].xml" in names:
        for prefix, kind in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    return "application/zip"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3  # a character cut at the end of the sniffed head
    return True


def clean_name(name: str | None) -> str:
    """The user's file name as a label: no folders, no control characters, at most 255 characters."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return base[:255] or "file"


def refuse_executable(name: str, kind: str) -> None:
    """No upload anywhere may be a program; BadInput names the form field ``name``."""
    if kind in EXECUTABLES:
        raise BadInput(f"{name}: executable files are not accepted", details={name: "executable"})


def check_type(field, kind: str) -> None:
    """Refuse what the field must not hold; BadInput names the field."""
    refuse_executable(field.name, kind)
    if field.type == "image" and kind not in IMAGES:
        raise BadInput(f"{field.name}: not an image (PNG, JPEG, GIF or WebP)", details={field.name: kind})
    accept = field.opt("accept")
    if accept and not any(_accepts(a.strip().lower(), kind) for a in accept):
        raise BadInput(f"{field.name}: {kind} is not accepted here ({', '.join(accept)})",
                       details={field.name: kind})


def _accepts(pattern: str, kind: str) -> bool:
    if pattern.startswith("."):
        return _EXTENSIONS.get(kind) == pattern or (pattern == ".jpeg" and kind == "image/jpeg")
    if pattern.endswith("/*"):
        return kind.startswith(pattern[:-1])
    return pattern == kind


def store_upload(conn: Connection, files_dir: str | Path, registry, app: str, entity: str, field: str,
                 content: bytes | BinaryIO, filename: str | None, *, user_id: int | None,
                 record_id: int | None = None, now: datetime | None = None) -> dict:
    """Check and store one upload for ``app.entity.field``; returns the descriptor the field stores."""
    ent = registry.entity(app, entity)
    if not ent.has_field(field) or ent.field(field).type not in ("file", "image"):
        raise BadInput(f"{entity}.{field} is not a file or image field")
    spec = ent.field(field)
    limit = int(float(spec.opt("max_size_mb", DEFAULT_MAX_MB)) * 1024 * 1024)
    digest, size, kind = store_blob(files_dir, content, limit, spec.name, lambda kind: check_type(spec, kind))
    descriptor = {"id": str(uuid.uuid4()), "name": clean_name(filename), "size": size, "content_type": kind}
    conn.execute(files.insert().values(**descriptor, app=app, entity=entity, field=field, record_id=record_id,
                                       sha256=digest, created_by=user_id, created_at=now or utcnow()))
    return descriptor


def store_blob(files_dir: str | Path, content: bytes | BinaryIO, limit: int, name: str,
               check: Callable[[str], None]) -> tuple[str, int, str]:
    """Keep one upload on disk unless it passes ``limit`` bytes or ``check(sniffed type)`` raises;
    ``(sha256, size, content type)``. A refused upload leaves nothing behind."""
    root = Path(files_dir)
    temp, size, digest, head = _spool(root, content, limit, name)
    try:
        kind = sniff(head, temp)
        check(kind)
        final = blob_path(root, digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    return digest, size, kind


def _spool(root: Path, content, limit: int, name: str) -> tuple[Path, int, str, bytes]:
    """Copy the upload to a temp file under ``root`` while hashing it; refuse it past ``limit``."""
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    reader = _chunks(content)
    fd, temp_name = tempfile.mkstemp(dir=root / "tmp")
    temp, digest, size, head = Path(temp_name), hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in reader:
                size += len(chunk)
                if size > limit:
                    raise BadInput(f"{name}: the file is larger than {limit // (1024 * 1024)} MB",
                                   details={name: "too large"})
                if len(head) < 8192:
                    head += chunk[:8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if size == 0:
        temp.unlink(missing_ok=True)
        raise BadInput(f"{name}: the file is empty", details={name: "empty"})
    return temp, size, digest.hexdigest(), head


def _chunks(content):
    if isinstance(content, (bytes, bytearray, memoryview)):
        data = bytes(content)
        yield from (data[i:i + CHUNK] for i in range(0, len(data), CHUNK))
        return
    while chunk := content.read(CHUNK):
        yield chunk


def blob_path(root: Path, digest: str) -> Path:
    """Content-addressed: identical uploads share one file on disk."""
    return Path(root) / digest[:2] / digest[2:4] / digest


def attach_files(conn: Connection, app: str, entity: str, field: str, record_id: int, descriptors,
                 user_id: int | None) -> None:
    """Bind the caller's own unattached uploads to the record now holding them.

    A descriptor copied from someone else's record stays bound to that record,
    so it remains readable only to those who may read the original.
    """
    ids = [d["id"] for d in descriptors or () if isinstance(d, dict) and "id" in d]
    if ids:
        conn.execute(update(files).where(
            files.c.id.in_(ids), files.c.app == app, files.c.entity == entity, files.c.field == field,
            files.c.record_id.is_(None), files.c.created_by == user_id,
        ).values(record_id=record_id))


UPLOAD_TYPES = ("file", "image")


def stored_uploads(conn: Connection, app: str, entity: str, field: str, ids) -> dict[str, dict]:
    """The server's own descriptors of uploads made for ``app.entity.field``, by id."""
    ids = [str(i) for i in ids]
    if not ids:
        return {}
    rows = conn.execute(select(files.c.id, files.c.name, files.c.size, files.c.content_type).where(
        files.c.id.in_(ids), files.c.app == app, files.c.entity == entity, files.c.field == field))
    return {r.id: {"id": r.id, "name": r.name, "size": r.size, "content_type": r.content_type} for r in rows}


def attach_uploads(conn: Connection, entity, record_id: int, values: dict, user_id: int | None) -> None:
    """After a record is written, bind the uploads its file and image fields now hold."""
    for name, descriptors in values.items():
        if descriptors and entity.has_field(name) and entity.field(name).type in UPLOAD_TYPES:
            attach_files(conn, entity.app, entity.name, name, record_id, descriptors, user_id)


def open_file(conn: Connection, files_dir: str | Path, file_id: str, can_read_record: CanRead, *,
              user_id: int | None = None) -> tuple[Path, dict]:
    """``(path, descriptor)`` if the caller may read the record holding the file, else NotFound.

    ``can_read_record(app, entity, record_id)`` is the web layer's permission
    check; a file not yet attached to a record is readable only by its uploader.
    Refusals are NotFound, so ids cannot be probed.
    """
    row = conn.execute(select(files).where(files.c.id == str(file_id))).mappings().first()
    missing = NotFound(f"no file {file_id}")
    if row is None:
        raise missing
    if row["record_id"] is None:
        allowed = user_id is not None and row["created_by"] == user_id
    else:
        allowed = bool(can_read_record(row["app"], row["entity"], row["record_id"]))
    path = blob_path(Path(files_dir), row["sha256"])
    if not allowed or not path.is_file():
        raise missing
    return path, {k: row[k] for k in ("id", "name", "size", "content_type")}
