"""``/api/v1/me/tokens``: a user's own API tokens (list, create, revoke).

A caller can only ever see or revoke tokens of the user they act as. Only a browser
session with a recent sign-in creates tokens: a token never mints tokens, so a leaked
one cannot outlive its revocation through a copy it made.
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint
from flask import request

from runtime.api import context
from runtime.api.auth import api_user
from runtime.api.params import data_object
from runtime.api.params import read_json
from runtime.api.serialize import empty_response
from runtime.api.serialize import json_response
from runtime.errors import AccessDenied
from runtime.errors import NotFound
from runtime.errors import ValidationFailed
from runtime.security.freshness import ensure_fresh
from runtime.security.tokens import create_token
from runtime.security.tokens import list_tokens
from runtime.security.tokens import revoke_token
from runtime.storage.system import MAX_INTEGER_ID


def tokens():
    with nullcontext(context.request_connection()) as conn:
        rows = list_tokens(conn, api_user().id)
    return json_response({"data": rows})


def new_token():
    if api_user().via == "token":
        raise AccessDenied("An API token cannot create tokens; create one from a signed-in session.")
    ensure_fresh()
    data = data_object(read_json(request.get_data()))
    unknown = {k: "unknown field" for k in data if k not in ("name", "scope")}
    if unknown:
        raise ValidationFailed("The token could not be created.", details=unknown)
    user_id = api_user().id
    with context.engine().begin() as conn:
        secret = create_token(conn, user_id, data.get("name"), data.get("scope", "read"),
                              ip=request.remote_addr)
        row = list_tokens(conn, user_id)[0]
    return json_response({"data": {**row, "token": secret}}, 201)


def revoke(token_id: int):
    if token_id > MAX_INTEGER_ID:  # no such token, and PostgreSQL would refuse the number
        raise NotFound(f"no token {token_id}")
    with context.engine().begin() as conn:
        revoke_token(conn, token_id, user_id=api_user().id)
    return empty_response(204)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/v1/me/tokens", "tokens", tokens, methods=["GET"])
    bp.add_url_rule("/v1/me/tokens", "new_token", new_token, methods=["POST"])
    bp.add_url_rule("/v1/me/tokens/<int:token_id>", "revoke_token", revoke,
                    methods=["DELETE"])
