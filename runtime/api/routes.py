"""Record routes: list, create, read, PATCH, DELETE, history and restore per entity.

Each request is one unit of work (``engine.begin()`` for writes), so a record,
its child rows, rollups and history commit together or not at all.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextlib import nullcontext

from flask import Blueprint
from flask import request
from flask import url_for
from sqlalchemy import select

from runtime.api import context
from runtime.api.auth import api_user
from runtime.api.params import data_object
from runtime.api.params import list_params
from runtime.api.params import parse_version
from runtime.api.params import read_json
from runtime.api.schemas import datetime_names
from runtime.api.serialize import empty_response
from runtime.api.serialize import history_entry
from runtime.api.serialize import json_response
from runtime.api.serialize import mark_utc
from runtime.errors import NotFound
from runtime.errors import StaleVersion
from runtime.security.guarded import records_for
from runtime.web.view_as import acting_user_id

MAX_ID = 2**63 - 1
RECORD = "/v1/<app>/<entity>/<int:record_id>"


class RecordRoutes:
    """The record views, sharing one registry cache (see ``context.RegistryCache``)."""

    def __init__(self, registries: context.RegistryCache):
        self.registries = registries

    @contextmanager
    def unit(self, app: str, entity: str, record_id: int = 1, *, write: bool = False):
        """``(conn, service, entity, output)`` inside one transaction (rolled back for reads)."""
        if record_id > MAX_ID:  # no such row; and SQLite cannot even bind the number
            raise NotFound(f"no record {record_id}")
        with context.engine().begin() if write else nullcontext(context.request_connection()) as conn:
            registry = self.registries.get(conn)
            ent = context.api_entity(registry, app, entity)
            service = records_for(conn, registry, acting_user_id(), api_user().language)
            names = datetime_names(registry, ent)
            yield conn, service, ent, lambda record: mark_utc(record, names)

    def list(self, app: str, entity: str):
        params = list_params(request.args)
        with self.unit(app, entity) as (conn, service, _ent, out):
            page = service.list(conn, app, entity, **params, user_id=acting_user_id(),
                                secret=context.settings().secret_key)
        body = {"data": [out(r) for r in page.data], "next_cursor": page.next_cursor}
        if params["count"]:
            body["total"] = page.total
        return json_response(body)

    def create(self, app: str, entity: str):
        data = data_object(read_json(request.get_data()))
        with self.unit(app, entity, write=True) as (conn, service, _ent, out):
            record = out(service.create(conn, app, entity, data, api_user().id))
        location = url_for("api.record", app=app, entity=entity, record_id=record["id"])
        return json_response({"data": record}, 201, {"Location": location, "ETag": _etag(record)})

    def get(self, app: str, entity: str, record_id: int):
        with self.unit(app, entity, record_id) as (conn, service, _ent, out):
            record = out(service.get(conn, app, entity, record_id, user_id=api_user().id))
        return json_response({"data": record}, headers={"ETag": _etag(record)})

    def update(self, app: str, entity: str, record_id: int):
        version = parse_version(request.headers.get("If-Match"), required=True)
        data = data_object(read_json(request.get_data()))
        try:
            with self.unit(app, entity, record_id, write=True) as (conn, service, _ent, out):
                record = out(service.update(conn, app, entity, record_id, data, api_user().id, version))
        except StaleVersion as exc:
            raise self._stale(exc, app, entity, record_id) from None
        return json_response({"data": record}, headers={"ETag": _etag(record)})

    def delete(self, app: str, entity: str, record_id: int):
        version = parse_version(request.headers.get("If-Match"), required=False)
        try:
            with self.unit(app, entity, record_id, write=True) as (conn, service, _ent, _out):
                service.delete(conn, app, entity, record_id, api_user().id, expected_version=version)
        except StaleVersion as exc:
            raise self._stale(exc, app, entity, record_id) from None
        return empty_response(204)

    def history(self, app: str, entity: str, record_id: int):
        with self.unit(app, entity, record_id) as (conn, service, _ent, _out):
            entries = service.history(conn, app, entity, record_id)
            if not entries:  # never existed (a purged record still has its history)
                service.get(conn, app, entity, record_id, include_deleted=True)
        return json_response({"data": [history_entry(e) for e in entries]})

    def restore(self, app: str, entity: str, record_id: int):
        with self.unit(app, entity, record_id, write=True) as (conn, service, _ent, out):
            record = out(service.restore(conn, app, entity, record_id, api_user().id))
        return json_response({"data": record}, headers={"ETag": _etag(record)})

    def _stale(self, exc: StaleVersion, app: str, entity: str, record_id: int) -> StaleVersion:
        """The same 412, with the version now current so the client can reload and retry."""
        with nullcontext(context.request_connection()) as conn:
            table = self.registries.get(conn).table(app, entity)
            current = conn.execute(select(table.c.version).where(table.c.id == record_id)).scalar()
        return StaleVersion(exc.message, details={"current_version": current})

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule("/v1/<app>/<entity>", "records", self.list, methods=["GET"])
        bp.add_url_rule("/v1/<app>/<entity>", "create", self.create, methods=["POST"])
        bp.add_url_rule(RECORD, "record", self.get, methods=["GET"])
        bp.add_url_rule(RECORD, "update", self.update, methods=["PATCH"])
        bp.add_url_rule(RECORD, "delete", self.delete, methods=["DELETE"])
        bp.add_url_rule(f"{RECORD}/history", "history", self.history, methods=["GET"])
        bp.add_url_rule(f"{RECORD}/restore", "restore", self.restore, methods=["POST"])


def _etag(record: dict) -> str:
    return f'"{record["version"]}"'
