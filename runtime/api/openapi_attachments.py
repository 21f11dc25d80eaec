"""OpenAPI paths of a record's attachments (``runtime/api/attachments.py``)."""

from __future__ import annotations

from runtime.api.openapi_data import BINARY
from runtime.api.openapi_data import UPLOAD

ATTACHMENT = {
    "type": "object",
    "required": [
        "id",
        "name",
        "size",
        "content_type",
        "created_by",
        "created_by_name",
        "created_at",
        "download",
    ],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "description": "The uploaded file's name, cleaned"},
        "size": {"type": "integer", "description": "Bytes"},
        "content_type": {
            "type": "string",
            "description": "Sniffed from the bytes, not taken from the client",
        },
        "created_by": {"type": ["integer", "null"]},
        "created_by_name": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "download": {"type": "string", "description": "Where to GET the file"},
    },
}
ATTACHMENT_ID = {
    "name": "attachment_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
}


def entity_attachment_paths(base: str, id_param: dict, op, ok, errors) -> dict:
    """List, add, download and remove the attachments of one entity's records."""
    one = {"type": "object", "required": ["data"], "properties": {"data": ATTACHMENT}}
    many = {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "array", "items": ATTACHMENT}},
    }
    return {
        f"{base}/{{id}}/attachments": {
            "parameters": [id_param],
            "get": op(
                "list_attachments",
                "Files attached to the record",
                [],
                {"200": ok("Its attachments, newest first", many), **errors(403, 404)},
            ),
            "post": op(
                "attach",
                "Attach a file to the record (needs the right to change it)",
                [],
                {
                    "201": ok("Attached", one, {"Location": {"schema": {"type": "string"}}}),
                    **errors(400, 403, 404, 413),
                },
                body=UPLOAD,
            ),
        },
        f"{base}/{{id}}/attachments/{{attachment_id}}": {
            "parameters": [id_param, ATTACHMENT_ID],
            "get": op(
                "download_attachment",
                "Download one attachment",
                [],
                {"200": BINARY, **errors(403, 404)},
            ),
            "delete": op(
                "detach",
                "Remove one attachment (kept, marked removed, in the record's history)",
                [],
                {"204": {"description": "Removed"}, **errors(403, 404)},
            ),
        },
    }
