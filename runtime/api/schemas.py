"""Field types -> JSON Schema, for the OpenAPI document and for output formatting.

Three views per entity: the record as returned (``output``), what a create
accepts (``create``: required fields required) and what a PATCH accepts
(``update``). Computed and system fields are ``readOnly`` and absent from input.
"""

from __future__ import annotations

from runtime.errors import NotFound
from runtime.fieldtypes import COMPUTED_TYPES
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.model import pick_label

TEXT_TYPES = frozenset({"text", "textarea", "richtext", "email", "phone", "url"})
DECIMAL_TYPES = frozenset({"decimal", "currency", "percent"})
MAX_ID = 2**31 - 1
INT64 = 2**63 - 1
MAX_DIGITS = 18
NO_NUL = "^[^\\u0000]*$"
DECIMAL_OUT = {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}
DATETIME = {"type": "string", "format": "date-time"}
#: ECMA-262 versions of the text types' checks (runtime/fieldtypes/text.py).
PATTERNS = {
    "email": "^[^@\\s\\u0000]+@[^@\\s\\u0000]+\\.[^@\\s\\u0000]+$",
    "phone": "^\\+?[0-9 ()./-]{3,40}$",
    "url": "^[hH][tT][tT][pP][sS]?://[^\\s/$.?#\\u0000][^\\s\\u0000]*$",
}
FILE_REF = {"type": "object", "required": ["id"],
            "properties": {"id": {}, "name": {"type": "string"}, "size": {"type": "integer"},
                           "content_type": {"type": "string"}}}
GEO = {"type": "object", "required": ["lat", "lng"], "additionalProperties": False,
       "properties": {"lat": {"type": "number", "minimum": -90, "maximum": 90},
                      "lng": {"type": "number", "minimum": -180, "maximum": 180}}}


def or_null(schema: dict) -> dict:
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}


# -- output -------------------------------------------------------------------

def _result_schema(result: str) -> dict:
    return {"text": {"type": "string"}, "integer": {"type": "integer"}, "boolean": {"type": "boolean"},
            "date": {"type": "string", "format": "date"}, "datetime": DATETIME}.get(result, DECIMAL_OUT)


def field_output(registry, entity: Entity, field: Field, depth: int = 0) -> dict:
    """What a record's value of ``field`` looks like in a response."""
    kind = field.type
    if kind == "table":
        child, _table = registry.target(entity, field.opt("target"))
        return {"type": "array", "items": child_output(registry, child)}
    if kind == "lookup":
        return _lookup_output(registry, entity, field, depth)
    if kind == "formula":
        schema = _result_schema(field.opt("result"))
    elif kind == "rollup":
        schema = {"type": "integer"} if field.opt("function") == "count" else DECIMAL_OUT
    else:
        schema = _stored_output(kind)
    return or_null(schema)


def _stored_output(kind: str) -> dict:
    if kind in TEXT_TYPES or kind in ("select", "autonumber", "signature"):
        return {"type": "string"}
    if kind in DECIMAL_TYPES:
        return DECIMAL_OUT
    simple = {"integer": "integer", "rating": "integer", "link": "integer", "user": "integer",
              "boolean": "boolean"}
    if kind in simple:
        return {"type": simple[kind]}
    return {"date": {"type": "string", "format": "date"}, "datetime": DATETIME,
            "multiselect": {"type": "array", "items": {"type": "string"}},
            "file": {"type": "array", "items": FILE_REF}, "image": {"type": "array", "items": FILE_REF},
            "geo": GEO}.get(kind, {})


def _lookup_output(registry, entity: Entity, field: Field, depth: int) -> dict:
    try:
        link = entity.field(field.opt("source"))
        target, _table = registry.target(entity, link.opt("target"))
        seen = target.field(field.opt("field"))
    except (KeyError, NotFound):  # validated at publish; an odd case just stays untyped
        return {}
    if depth > 3 or seen.type == "table":
        return {}
    return field_output(registry, target, seen, depth + 1)


def record_output(registry, entity: Entity) -> dict:
    props = {
        "id": {"type": "integer", "readOnly": True},
        "version": {"type": "integer", "readOnly": True},
        "created_at": {**DATETIME, "readOnly": True},
        "created_by": {"type": ["integer", "null"], "readOnly": True},
        "updated_at": {**DATETIME, "readOnly": True},
        "updated_by": {"type": ["integer", "null"], "readOnly": True},
        "owner": {"type": ["integer", "null"]},
        "deleted_at": {**or_null(DATETIME), "readOnly": True},
    }
    for field in entity.fields:
        schema = field_output(registry, entity, field)
        if field.type in COMPUTED_TYPES or field.opt("read_only"):
            schema = {**schema, "readOnly": True}
        props[field.name] = _described(schema, field)
    return {"type": "object", "required": ["id", "version"], "properties": props}


def child_output(registry, child: Entity) -> dict:
    props = {"id": {"type": "integer"}, "version": {"type": "integer"}, "row_order": {"type": "integer"}}
    for field in child.stored_fields:
        props[field.name] = field_output(registry, child, field)
    return {"type": "object", "required": ["id"], "properties": props}


def datetime_names(registry, entity: Entity) -> frozenset[str]:
    """Names whose values are UTC datetimes, so the API can mark them with ``Z`` (worked out
    once per published schema: every API response of the entity asks)."""
    key = ("datetime_names", entity.app, entity.name)
    if key not in registry.cache:
        names = {"created_at", "updated_at", "deleted_at"}
        for field in entity.fields:
            schema = field_output(registry, entity, field)
            if schema.get("format") == "date-time" or schema.get("anyOf", [{}])[0].get("format") == "date-time":
                names.add(field.name)
        registry.cache[key] = frozenset(names)
    return registry.cache[key]


# -- input --------------------------------------------------------------------

def writable(field: Field) -> bool:
    return field.type not in COMPUTED_TYPES and not field.opt("read_only")


def field_input(registry, entity: Entity, field: Field) -> dict:
    """What a create or PATCH may send for ``field`` (never called for computed fields)."""
    kind = field.type
    if kind == "table":
        child, _table = registry.target(entity, field.opt("target"))
        return {"type": ["array", "null"], "items": child_input(registry, child)}
    schema = _stored_input(field)
    if field.required:
        if schema.get("type") == "string":
            schema = {**schema, "minLength": max(1, schema.get("minLength", 0))}
        if schema.get("type") == "array":
            schema = {**schema, "minItems": 1}
        return schema
    return or_null(schema)


def _stored_input(field: Field) -> dict:
    kind = field.type
    if kind in TEXT_TYPES:
        schema = {"type": "string", "maxLength": field.kind.length(field), "pattern": PATTERNS.get(kind, NO_NUL)}
        if field.opt("min_length"):
            schema["minLength"] = field.opt("min_length")
        return schema
    if kind in ("integer", "rating"):
        low = 0 if kind == "rating" else field.opt("min", -INT64)
        high = field.opt("max", 5 if kind == "rating" else INT64)
        return {"type": "integer", "minimum": low, "maximum": high}
    if kind in DECIMAL_TYPES:
        return _decimal_input(field)
    if kind in ("select", "multiselect"):
        values = [o["value"] for o in field.opt("options", ())]
        if kind == "select":
            return {"enum": values}
        return {"type": "array", "items": {"enum": values}, "uniqueItems": True}
    if kind in ("link", "user"):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return {"boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
            "datetime": {"type": "string", "format": "date-time"},
            "file": {"type": "array", "items": FILE_REF, "maxItems": 20 if field.opt("multiple") else 1},
            "image": {"type": "array", "items": FILE_REF, "maxItems": 20 if field.opt("multiple") else 1},
            "signature": {"type": "string", "pattern": "^data:image/png;base64,[A-Za-z0-9+/=]*$",
                          "maxLength": 2_000_000},
            "geo": GEO}.get(kind, {})


def _decimal_input(field: Field) -> dict:
    """A number or a decimal string; strings keep every digit exact."""
    scale = field.kind.scale(field)
    digits = MAX_DIGITS - scale
    limit = 10**digits - 1
    return {"type": ["string", "number"],
            "pattern": f"^-?[0-9]{{1,{digits}}}(\\.[0-9]{{1,20}})?$",
            "minimum": field.opt("min", -limit), "maximum": field.opt("max", limit)}


def record_input(registry, entity: Entity, *, create: bool) -> dict:
    props = {"owner": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}}
    required = []
    for field in entity.fields:
        if not writable(field):
            continue
        props[field.name] = _described(field_input(registry, entity, field), field)
        if create and field.required and field.default is None and field.type != "table":
            required.append(field.name)
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def child_input(registry, child: Entity) -> dict:
    props = {"id": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                    "description": "An existing row to keep (and edit); rows left out are deleted."}}
    for field in child.fields:
        if writable(field) and field.stored:
            props[field.name] = field_input(registry, child, field)
    # Not "required": a kept row (with its id) may leave out fields it already has.
    return {"type": "object", "properties": props, "additionalProperties": False}


def _described(schema: dict, field: Field) -> dict:
    return {**schema, "title": pick_label(field.label), "x-metacrm-type": field.type}
