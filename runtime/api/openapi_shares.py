"""OpenAPI paths of a record's shares (``runtime/api/shares.py``)."""

from __future__ import annotations

SHARE = {"type": "object", "required": ["id", "user_id", "user_name", "department", "access", "created_by",
                                         "created_at"], "properties": {
    "id": {"type": "integer"},
    "user_id": {"type": ["integer", "null"], "description": "The user it is shared with (or null)"},
    "user_name": {"type": ["string", "null"]},
    "department": {"type": ["string", "null"], "description": "The department it is shared with (or null)"},
    "access": {"enum": ["read", "edit"],
               "description": "edit counts only where the user's roles let them update such records"},
    "created_by": {"type": ["integer", "null"]},
    "created_at": {"type": "string", "format": "date-time"}}}
NEW_SHARE = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["data"], "additionalProperties": False, "properties": {"data": {
        "type": "object", "additionalProperties": False,
        "oneOf": [{"required": ["user_id"]}, {"required": ["department"]}],
        "properties": {"user_id": {"type": "integer", "minimum": 1},
                       "department": {"type": "string", "minLength": 1, "maxLength": 100},
                       "access": {"enum": ["read", "edit"], "default": "read"}}}}}}}}
SHARE_ID = {"name": "share_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}}


def entity_share_paths(base: str, id_param: dict, op, ok, errors) -> dict:
    """List, add and remove the shares of one entity's records."""
    one = {"type": "object", "required": ["data"], "properties": {"data": SHARE}}
    many = {"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": SHARE}}}
    return {
        f"{base}/{{id}}/shares": {
            "parameters": [id_param],
            "get": op("list_shares", "Who the record is shared with", [], {
                "200": ok("Its shares: users first, then departments", many), **errors(403, 404)}),
            "post": op("share", "Share the record with a user or a department", [], {
                "201": ok("Shared", one), "200": ok("Already shared with them (the level is now as asked)", one),
                **errors(400, 403, 404, 413, 422)}, body=NEW_SHARE),
        },
        f"{base}/{{id}}/shares/{{share_id}}": {
            "parameters": [id_param, SHARE_ID],
            "delete": op("unshare", "Stop sharing the record with that user or department", [], {
                "204": {"description": "No longer shared"}, **errors(403, 404)}),
        },
    }
