"""``/api/v1/meta/...`` and ``/api/openapi.json``: what is installed, described for clients."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint

from runtime.api import context
from runtime.api.openapi import build_document
from runtime.api.serialize import json_response
from runtime.storage.catalog import installed_apps


def apps():
    with nullcontext(context.request_connection()) as conn:
        return json_response({"data": installed_apps(conn)})


def _field(field) -> dict:
    described = {"name": field.name, "type": field.type, "label": field.label, "required": field.required,
                 "unique": field.unique, "read_only": bool(field.opt("read_only"))}
    for key in ("options", "target", "max_length", "min", "max", "precision", "currency", "result",
                "expression", "default", "multiple", "help"):
        if field.opt(key) is not None:
            described[key] = field.opt(key)
    return described


def make_views(registries: context.RegistryCache):
    """Views that share the blueprint's registry cache."""

    def entity(app: str, entity: str):
        with nullcontext(context.request_connection()) as conn:
            found = registries.get(conn).entity(app, entity)
        body = {"app": app, "name": found.name, "label": found.label, "title_field": found.title_field,
                "parent": {"entity": found.parent[0], "field": found.parent[1]} if found.parent else None,
                "fields": [_field(f) for f in found.fields]}
        return json_response({"data": body})

    def document():
        with nullcontext(context.request_connection()) as conn:
            registry = registries.get(conn)
        return json_response(build_document(registry))

    return entity, document


def register(bp: Blueprint, registries: context.RegistryCache) -> None:
    entity, document = make_views(registries)
    bp.add_url_rule("/v1/meta/apps", "meta_apps", apps)
    bp.add_url_rule("/v1/meta/<app>/<entity>", "meta_entity", entity)
    bp.add_url_rule("/openapi.json", "openapi", document)
