"""Import, export, jobs and files over HTTP (issue 3 points 6 and 7).

Imports and exports run as jobs (``JobQueue``: RQ with Redis, inline
without); the API answers 202 with the job resource to poll. Uploaded and
exported files live under ``METACRM_FILES_DIR``; a file is served only to
someone who may read the record holding it (a 404 otherwise, so ids cannot
be probed), always as an attachment with ``nosniff``.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from pathlib import Path

from flask import Blueprint
from flask import request
from flask import send_file
from flask import url_for

from runtime.api import context
from runtime.api.auth import api_user
from runtime.api.params import read_json
from runtime.api.serialize import json_response
from runtime.automation.jobs import get_job
from runtime.errors import AccessDenied
from runtime.errors import BadInput
from runtime.errors import NotFound
from runtime.records.exporting import FORMATS
from runtime.records.files import open_file
from runtime.records.files import store_upload
from runtime.security.guarded import records_for
from runtime.web.view_as import acting_user_id

EXPORT_OPTIONS = ("where", "search", "order")
#: Sheets are bigger than JSON bodies (the app-wide limit); a 100,000-row CSV is ~10-20 MB.
IMPORT_MAX_BYTES = 256 * 1024 * 1024
UPLOAD_MAX_BYTES = 1024 * 1024 * 1024 + 65536  # the largest max_size_mb a field may declare, plus form overhead
SHEET_SUFFIXES = (".csv", ".xlsx")


def register(bp: Blueprint, registries: context.RegistryCache) -> None:
    """Add the data routes to the API blueprint."""
    routes = DataRoutes(registries)
    bp.add_url_rule("/v1/<app>/<entity>/import", "import_records", routes.start_import, methods=["POST"])
    bp.add_url_rule("/v1/<app>/<entity>/export", "export_records", routes.start_export, methods=["POST"])
    bp.add_url_rule("/v1/jobs/<job_id>", "job", routes.job, methods=["GET"])
    bp.add_url_rule("/v1/jobs/<job_id>/download", "job_download", routes.download, methods=["GET"])
    bp.add_url_rule("/v1/<app>/<entity>/files/<field>", "upload", routes.upload, methods=["POST"])
    bp.add_url_rule("/v1/files/<file_id>", "file", routes.file, methods=["GET"])


class DataRoutes:
    def __init__(self, registries: context.RegistryCache):
        self.registries = registries

    def _entity(self, conn, app: str, entity: str, action: str = "read"):
        """The entity, if the caller may ``action`` it (404 when they may not even read it)."""
        found, access = self._access(conn, app, entity)
        if not access.can(found, action):
            raise AccessDenied(f"you may not {action} {entity} records")
        return found

    def _access(self, conn, app: str, entity: str):
        """``(entity, the caller's Access)``; 404 when they may not read the entity."""
        registry = self.registries.get(conn)
        found = context.api_entity(registry, app, entity)
        service = records_for(conn, registry, acting_user_id())
        service.readable(app, entity)
        return found, service.access

    def start_import(self, app: str, entity: str):
        request.max_content_length = IMPORT_MAX_BYTES
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise BadInput('Send the sheet as multipart form field "file" (CSV or XLSX).')
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in SHEET_SUFFIXES:
            raise BadInput(f"Unsupported file type {suffix or '(none)'}; send .csv or .xlsx.")
        with nullcontext(context.request_connection()) as conn:
            self._entity(conn, app, entity, "create")
        path = _work_dir("imports") / f"{uuid.uuid4().hex}{suffix}"
        upload.save(path)
        params = {"app": app, "entity": entity, "path": str(path), "upload": str(path),  # removed when done
                  "mode": request.form.get("mode"),
                  "upsert_on": request.form.get("upsert_on") or None, "mapping": _mapping(request.form),
                  "language": api_user().language}
        return self._submitted("import", params)

    def start_export(self, app: str, entity: str):
        body = read_json(request.get_data()) if request.get_data().strip() else {}
        if not isinstance(body, dict):
            raise BadInput('Send export options as a JSON object like {"format": "csv", "where": "..."}.')
        fmt = body.get("format", "csv")
        if fmt not in FORMATS:
            raise BadInput(f"format must be one of {', '.join(FORMATS)}")
        with nullcontext(context.request_connection()) as conn:
            self._entity(conn, app, entity)
        job_name = uuid.uuid4().hex
        params = {"app": app, "entity": entity, "format": fmt, "language": api_user().language,
                  "ip": request.remote_addr,
                  "path": str(_work_dir("exports") / f"{job_name}.{fmt}"),
                  **{k: body[k] for k in EXPORT_OPTIONS if isinstance(body.get(k), str) and body[k]}}
        return self._submitted("export", params)

    def _submitted(self, kind: str, params: dict):
        jobs = context.jobs()
        job_id = jobs.submit(kind, params, api_user().id)
        location = url_for("api.job", job_id=job_id)
        return json_response({"data": _public(jobs.get(job_id))}, 202, {"Location": location})

    def job(self, job_id: str):
        return json_response({"data": _public(self._own_job(job_id))})

    def download(self, job_id: str):
        job = self._own_job(job_id)
        if job["kind"] != "export" or job["status"] != "done":
            raise NotFound(f"job {job_id} has no file to download (status {job['status']})")
        path = Path(job["params"]["path"])
        name = f"{job['params']['entity']}.{job['params']['format']}"
        return as_download(send_file(path, as_attachment=True, download_name=name))

    def _own_job(self, job_id: str) -> dict:
        """A caller sees their own jobs (admins every job); others get a 404."""
        if not _looks_like_id(job_id):
            raise NotFound(f"no job {job_id}")
        with nullcontext(context.request_connection()) as conn:
            job = get_job(conn, job_id)
        if job["user_id"] != api_user().id and not api_user().is_admin:
            raise NotFound(f"no job {job_id}")
        return job

    def upload(self, app: str, entity: str, field: str):
        request.max_content_length = UPLOAD_MAX_BYTES  # the field's own limit is checked on storing
        upload = request.files.get("file")
        if upload is None:
            raise BadInput('Send the file as multipart form field "file".')
        with context.engine().begin() as conn:
            registry = self.registries.get(conn)
            found, access = self._access(conn, app, entity)
            may_write = access.can(found, "create") or access.can(found, "update")
            if not may_write or (found.has_field(field) and not access.writable(found, field)):
                raise AccessDenied(f"you may not upload files to {entity}.{field}")
            descriptor = store_upload(conn, context.settings().files_dir, registry, app, entity, field,
                                      upload.stream, upload.filename, user_id=api_user().id)
        return json_response({"data": descriptor}, 201)

    def file(self, file_id: str):
        with nullcontext(context.request_connection()) as conn:
            registry = self.registries.get(conn)
            service = records_for(conn, registry, acting_user_id(), api_user().language)

            def can_read(app: str, entity: str, record_id: int) -> bool:
                try:
                    service.get(conn, app, entity, record_id, user_id=api_user().id)
                except NotFound:
                    return False
                return True

            path, descriptor = open_file(conn, context.settings().files_dir, file_id, can_read,
                                         user_id=api_user().id)
        response = send_file(path, mimetype=descriptor["content_type"], as_attachment=True,
                             download_name=descriptor["name"])
        return as_download(response)


def _work_dir(kind: str) -> Path:
    folder = Path(context.settings().files_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _mapping(form) -> dict | None:
    raw = form.get("mapping")
    if not raw:
        return None
    mapping = read_json(raw.encode())
    if not isinstance(mapping, dict) or not all(isinstance(v, (str, type(None))) for v in mapping.values()):
        raise BadInput('mapping must be a JSON object like {"Column title": "field_name"}.')
    return mapping


def _public(job: dict) -> dict:
    """The job resource: no server paths."""
    params = {k: v for k, v in job["params"].items() if k not in ("path", "upload")}
    result = job["result"]
    if isinstance(result, dict):
        result = {k: v for k, v in result.items() if k != "path"}
    out = {**job, "params": params, "result": result}
    if job["kind"] == "export" and job["status"] == "done":
        out["download"] = url_for("api.job_download", job_id=job["id"])
    return out


def _looks_like_id(job_id: str) -> bool:
    try:
        uuid.UUID(job_id)
    except ValueError:
        return False
    return True


def as_download(response):
    """A stored file as a download the browser never renders (no sniffing, no script)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

