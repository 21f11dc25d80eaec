"""OpenAPI paths of the data routes (``runtime/api/data.py``): import, export, jobs, files."""

from __future__ import annotations

UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}}
IMPORT_FORM = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "A .csv or .xlsx sheet; the header row names fields or their labels"},
        "mode": {"enum": ["all_or_nothing", "skip_bad_rows", "upsert"]},
        "upsert_on": {"type": "string"},
        "mapping": {"type": "string", "description": 'JSON object {"Column": "field"}'}}}}}}
EXPORT_BODY = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {
        "format": {"enum": ["csv", "xlsx"]}, "where": {"type": "string"},
        "search": {"type": "string"}, "order": {"type": "string"}}}}}}
JOB = {"type": "object", "required": ["id", "kind", "status", "processed"], "properties": {
    "id": {"type": "string"}, "kind": {"enum": ["import", "export"]},
    "status": {"enum": ["queued", "running", "done", "failed"]}, "params": {"type": "object"},
    "processed": {"type": "integer"}, "total": {"type": ["integer", "null"]}, "result": {},
    "error": {"type": ["string", "null"]}, "download": {"type": "string"}}}
FILE = {"type": "object", "required": ["id", "name", "size", "content_type"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "size": {"type": "integer"},
    "content_type": {"type": "string"}}}
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
FILE_ID = {"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}}
BINARY = {"description": "The file, as an attachment",
          "content": {"application/octet-stream": {"schema": {"type": "string"}}}}


def entity_data_paths(base: str, entity, op, ok, errors) -> dict:
    """Import/export (and uploads for entities with file or image fields) of one entity."""
    job = {"type": "object", "required": ["data"], "properties": {"data": JOB}}
    location = {"Location": {"schema": {"type": "string"}}}
    paths = {
        f"{base}/import": {"post": op("import", "Import a CSV/XLSX sheet as a job", [], {
            "202": ok("The job; poll its Location", job, location), **errors(400, 403, 404, 413, 422)},
            body=IMPORT_FORM)},
        f"{base}/export": {"post": op("export", "Export matching records as a job", [], {
            "202": ok("The job; poll its Location", job, location), **errors(400, 403, 404, 422)},
            body=EXPORT_BODY)},
    }
    uploads = [f.name for f in entity.stored_fields if f.type in ("file", "image")]
    if uploads:
        field = {"name": "field", "in": "path", "required": True, "schema": {"enum": uploads}}
        paths[f"{base}/files/{{field}}"] = {"post": op("upload", "Upload a file for a file or image field",
                                                         [field], {"201": ok("The stored file", {
                                                             "type": "object", "required": ["data"],
                                                             "properties": {"data": FILE}}),
                                                             **errors(400, 403, 404, 413)}, body=UPLOAD)}
    return paths


def fixed_data_paths(ok, errors) -> dict:
    job = {"type": "object", "required": ["data"], "properties": {"data": JOB}}
    return {
        "/api/v1/jobs/{job_id}": {"parameters": [JOB_ID], "get": {
            "operationId": "get_job", "tags": ["jobs"], "summary": "An import or export job you started",
            "responses": {"200": ok("The job", job), **errors(403, 404)}}},
        "/api/v1/jobs/{job_id}/download": {"parameters": [JOB_ID], "get": {
            "operationId": "download_export", "tags": ["jobs"], "summary": "The file a finished export wrote",
            "responses": {"200": BINARY, **errors(403, 404)}}},
        "/api/v1/files/{file_id}": {"parameters": [FILE_ID], "get": {
            "operationId": "download_file", "tags": ["files"],
            "summary": "A stored file, if you may read the record holding it",
            "responses": {"200": BINARY, **errors(403, 404)}}},
    }
