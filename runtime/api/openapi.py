"""The OpenAPI 3.1 document, generated from the apps in force.

One set of paths per top-level entity with literal names (``/api/v1/sales/deal``),
so each operation has exact request and response schemas; plus the token,
meta and document routes. Every error any route can answer is listed, so
clients (and schemathesis) can rely on the status codes.
"""

from __future__ import annotations

from runtime.api import schemas
from runtime.api.openapi_attachments import entity_attachment_paths
from runtime.api.openapi_data import entity_data_paths
from runtime.api.openapi_data import fixed_data_paths
from runtime.api.openapi_reports import report_paths
from runtime.api.openapi_shares import entity_share_paths
from runtime.metadata.model import pick_label
from runtime.records.history import ACTIONS

ERROR_TEXT = {
    400: "Malformed request (not JSON, bad header, bad parameter)",
    401: "Not signed in, or the token is invalid, expired or revoked",
    403: "Not allowed (read-only token, missing CSRF token for a session)",
    404: "No such app, entity or record (or not visible to you)",
    405: "Method not allowed",
    409: "Conflict (still referenced, duplicate)",
    412: "The record changed since the version in If-Match",
    413: "Body too large",
    422: "Invalid values; details name each field",
    428: "If-Match is required",
}
ID_PARAM = {"name": "id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}}
IF_MATCH = {"type": "string", "pattern": '^(W/)?"?[0-9]{1,18}"?$'}
ETAG = {"description": "The record's version, for If-Match", "schema": {"type": "string"}}


def build_document(registry, *, server_version: str = "0.1.0") -> dict:
    """The whole document for the apps in ``registry``."""
    paths: dict = {}
    components = _base_components()
    for app in sorted(registry.apps.values(), key=lambda a: a.name):
        paths.update(report_paths(app, _ok, _errors))
        for entity in app.entities:
            paths[f"/api/v1/meta/{app.name}/{entity.name}"] = {"get": _meta_entity_op(app, entity)}
            if entity.parent:
                continue
            _entity_schemas(registry, entity, components["schemas"])
            paths.update(_entity_paths(app, entity))
            op = _op_factory(app.name, entity.name, pick_label(entity.label))
            paths.update(entity_data_paths(f"/api/v1/{app.name}/{entity.name}", entity, op, _ok, _errors))
            paths.update(entity_share_paths(f"/api/v1/{app.name}/{entity.name}", ID_PARAM, op, _ok, _errors))
            paths.update(entity_attachment_paths(f"/api/v1/{app.name}/{entity.name}", ID_PARAM, op,
                                                 _ok, _errors))
    paths.update(_fixed_paths())
    paths.update(fixed_data_paths(_ok, _errors))
    return {
        "openapi": "3.1.0",
        "info": {"title": "metacrm API", "version": server_version,
                 "description": "Records of every published entity; generated from the apps in force."},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "paths": paths,
        "components": components,
    }


def _base_components() -> dict:
    error = {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "details"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}}}
    history = {"type": "object", "required": ["id", "action", "at", "changes"], "properties": {
        "id": {"type": "integer"}, "action": {"enum": list(ACTIONS)},
        "user_id": {"type": ["integer", "null"]}, "at": {"type": "string", "format": "date-time"},
        "changes": {"type": "object", "additionalProperties": {"type": "array"}}}}
    token = {"type": "object", "required": ["id", "name", "scope", "prefix", "created_at"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "scope": {"enum": ["read", "write"]},
        "prefix": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "token": {"type": "string", "description": "The secret; only in the answer to its creation"}}}
    return {
        "schemas": {"Error": error, "HistoryEntry": history, "Token": token},
        "responses": {str(code): {"description": text, "content": _json({"$ref": "#/components/schemas/Error"})}
                      for code, text in ERROR_TEXT.items()},
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "An API token from POST /api/v1/me/tokens or `metacrm token create`"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "metacrm_session",
                           "description": "A signed-in browser session; writes also need X-CSRFToken"},
        },
    }


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ok(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": _json(schema)}
    if headers:
        response["headers"] = headers
    return response


def _errors(*codes: int) -> dict:
    return {str(c): {"$ref": f"#/components/responses/{c}"} for c in sorted({401, *codes})}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _entity_schemas(registry, entity, out: dict) -> None:
    base = entity.qualified_name
    out[base] = {"title": pick_label(entity.label), **schemas.record_output(registry, entity)}
    out[f"{base}.create"] = schemas.record_input(registry, entity, create=True)
    out[f"{base}.update"] = schemas.record_input(registry, entity, create=False)


def _body(schema_name: str) -> dict:
    wrapper = {"type": "object", "required": ["data"], "additionalProperties": False,
               "properties": {"data": _ref(schema_name)}}
    return {"required": True, "content": _json(wrapper)}


def _entity_paths(app, entity) -> dict:
    base, name, label = f"/api/v1/{app.name}/{entity.name}", entity.qualified_name, pick_label(entity.label)
    one = {"type": "object", "required": ["data"], "properties": {"data": _ref(name)}}
    op = _op_factory(app.name, entity.name, label)
    return {
        base: {
            "get": op("list", f"List {label} records", _list_params(), {
                "200": _ok("One page of records", _page(name)), **_errors(400, 403, 404, 422)}),
            "post": op("create", f"Create a {label} record", [], {
                "201": _ok("Created", one, {"Location": {"schema": {"type": "string"}}, "ETag": ETAG}),
                **_errors(400, 403, 404, 409, 413, 422)}, body=_body(f"{name}.create")),
        },
        f"{base}/{{id}}": {
            "parameters": [ID_PARAM],
            "get": op("get", f"Read a {label} record", [], {
                "200": _ok("The record", one, {"ETag": ETAG}), **_errors(403, 404)}),
            "patch": op("update", f"Change a {label} record", [_if_match(True)], {
                "200": _ok("The record as changed", one, {"ETag": ETAG}),
                **_errors(400, 403, 404, 409, 412, 413, 422, 428)}, body=_body(f"{name}.update")),
            "delete": op("delete", f"Move a {label} record to the recycle bin", [_if_match(False)], {
                "204": {"description": "Deleted (restorable)"}, **_errors(400, 403, 404, 409, 412)}),
        },
        f"{base}/{{id}}/history": {
            "parameters": [ID_PARAM],
            "get": op("history", f"History of a {label} record", [], {
                "200": _ok("Every change, oldest first",
                           {"type": "object", "required": ["data"],
                            "properties": {"data": {"type": "array", "items": _ref("HistoryEntry")}}}),
                **_errors(403, 404)}),
        },
        f"{base}/{{id}}/restore": {
            "parameters": [ID_PARAM],
            "post": op("restore", f"Restore a deleted {label} record", [], {
                "200": _ok("The restored record", one), **_errors(403, 404, 409, 422)}),
        },
    }


def _op_factory(app: str, entity: str, label: str):
    def op(action, summary, parameters, responses, body=None):
        operation = {"operationId": f"{action}_{app}_{entity}", "summary": summary,
                     "tags": [f"{app}.{entity}"], "parameters": parameters, "responses": responses}
        if body:
            operation["requestBody"] = body
        return operation
    return op


def _page(name: str) -> dict:
    return {"type": "object", "required": ["data", "next_cursor"], "properties": {
        "data": {"type": "array", "items": _ref(name)},
        "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor= for the next page"},
        "total": {"type": ["integer", "null"], "description": "Only with count=true"}}}


def _list_params() -> list:
    def q(name, schema, text):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    return [
        q("where", {"type": "string", "maxLength": 2000}, "A filter in the expression language, e.g. stage == 'won'"),
        q("order", {"type": "string", "maxLength": 500}, "Sort fields, comma separated; '-' for descending"),
        q("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "Records per page"),
        q("cursor", {"type": "string", "maxLength": 2000}, "next_cursor of the previous page"),
        q("search", {"type": "string", "maxLength": 200}, "Words to find in the text fields"),
        q("count", {"type": "boolean", "default": False}, "Also return the exact total"),
    ]


def _if_match(required: bool) -> dict:
    return {"name": "If-Match", "in": "header", "required": required, "schema": IF_MATCH,
            "description": "The version the change is based on (the record's ETag)"}


def _meta_entity_op(app, entity) -> dict:
    return {"operationId": f"meta_{app.name}_{entity.name}", "summary": f"Fields of {pick_label(entity.label)}",
            "tags": ["meta"], "responses": {"200": _ok("The entity's fields", {"type": "object"}),
                                            **_errors(404)}}


def _fixed_paths() -> dict:
    tokens = {"type": "object", "required": ["data"],
              "properties": {"data": {"type": "array", "items": _ref("Token")}}}
    new_token = {"type": "object", "required": ["data"], "additionalProperties": False, "properties": {
        "data": {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\u0000]*\\S[^\\u0000]*$"},
            "scope": {"enum": ["read", "write"], "default": "read"}}}}}
    return {
        "/api/v1/me/tokens": {
            "get": {"operationId": "list_tokens", "tags": ["tokens"], "summary": "Your API tokens",
                    "responses": {"200": _ok("Tokens, newest first, without secrets", tokens), **_errors(403)}},
            "post": {"operationId": "create_token", "tags": ["tokens"], "summary": "Create an API token",
                     "description": "Only over a signed-in browser session whose sign-in is recent "
                                    "(else 401 `reauth_required`); a Bearer token cannot create tokens (403).",
                     "requestBody": {"required": True, "content": _json(new_token)},
                     "responses": {"201": _ok("The token, with its secret shown this once",
                                              {"type": "object", "required": ["data"],
                                               "properties": {"data": _ref("Token")}}),
                                   **_errors(400, 403, 413, 422)}},
        },
        "/api/v1/me/tokens/{id}": {
            "parameters": [ID_PARAM],
            "delete": {"operationId": "revoke_token", "tags": ["tokens"], "summary": "Revoke one of your tokens",
                       "responses": {"204": {"description": "Revoked"}, **_errors(403, 404)}},
        },
        "/api/v1/meta/apps": {
            "get": {"operationId": "meta_apps", "tags": ["meta"], "summary": "Installed apps and their entities",
                    "responses": {"200": _ok("Apps", {"type": "object", "required": ["data"],
                                                      "properties": {"data": {"type": "array"}}}),
                                  **_errors(403)}},
        },
        "/api/openapi.json": {
            "get": {"operationId": "openapi", "tags": ["meta"], "summary": "This document",
                    "responses": {"200": _ok("OpenAPI 3.1", {"type": "object"}), **_errors(403)}},
        },
    }
