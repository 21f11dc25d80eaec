"""``/api/v1/<app>/<entity>/<id>/shares``: list, add and remove a record's shares.

The rules are the share service's (``runtime/security/shares.py``); a token
needs write scope to change shares, like any other change (``auth.py``).
"""

from __future__ import annotations

from flask import Blueprint
from flask import request

from runtime.api import context
from runtime.api.auth import api_user
from runtime.api.params import data_object
from runtime.api.params import read_json
from runtime.api.routes import RECORD
from runtime.api.routes import RecordRoutes
from runtime.api.serialize import empty_response
from runtime.api.serialize import json_response
from runtime.errors import NotFound
from runtime.security.role_grants import Actor
from runtime.security.shares import add_share
from runtime.security.shares import list_shares
from runtime.security.shares import remove_share
from runtime.security.users import get_user
from runtime.storage.system import MAX_INTEGER_ID


class ShareRoutes:
    """Share views on top of the record routes' unit of work (registry, guarded service, 404s)."""

    def __init__(self, records: RecordRoutes):
        self.records = records

    def list(self, app: str, entity: str, record_id: int):
        with self.records.unit(app, entity, record_id) as (conn, service, _ent, _out):
            shares = list_shares(conn, service, app, entity, record_id)
        return json_response({"data": shares})

    def add(self, app: str, entity: str, record_id: int):
        data = data_object(read_json(request.get_data()))
        with self.records.unit(app, entity, record_id, write=True) as (conn, service, _ent, _out):
            share, outcome = add_share(conn, service, app, entity, record_id, data, _actor(conn))
        return json_response({"data": share}, 201 if outcome == "created" else 200)

    def remove(self, app: str, entity: str, record_id: int, share_id: int):
        if share_id > MAX_INTEGER_ID:  # no such share, and PostgreSQL would refuse the number
            raise NotFound(f"no share {share_id}")
        with self.records.unit(app, entity, record_id, write=True) as (conn, service, _ent, _out):
            remove_share(conn, service, app, entity, record_id, share_id, _actor(conn))
        return empty_response(204)

    def register(self, bp: Blueprint) -> None:
        bp.add_url_rule(f"{RECORD}/shares", "record_shares", self.list, methods=["GET"])
        bp.add_url_rule(f"{RECORD}/shares", "share_record", self.add, methods=["POST"])
        bp.add_url_rule(f"{RECORD}/shares/<int:share_id>", "unshare_record", self.remove, methods=["DELETE"])


def _actor(conn) -> Actor:
    """The caller for the audit row: the token's or session's own user, by id and email."""
    user = get_user(conn, api_user().id)
    return Actor(api_user().id, user.email if user else None, request.remote_addr)


def register(bp: Blueprint, registries: context.RegistryCache) -> None:
    ShareRoutes(RecordRoutes(registries)).register(bp)
