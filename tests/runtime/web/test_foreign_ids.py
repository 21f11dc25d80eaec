"""Someone else's record id on every route that takes one: refused, nothing leaked or changed.

The routes are read from the app's ``url_map``, not listed by hand: every rule of the
generated screens (``/a/...``) and of the REST API (``/api/v1/...``) with an id argument
(``record_id``, ``attachment_id``, ``file_id``...) is walked, for each method it accepts,
unless ``NOT_RECORD_IDS`` below names it. So a new route taking a record id gets a test
case here the day it is added, and fails if it forgets the rights check.

Each case signs in as someone whose row rule hides the record and sends a request that
would do something for a user allowed to (a valid CSRF token on forms and in
``X-CSRFToken``, a write token for the API's Bearer variant), then checks:

* the answer is 404, exactly as for an id that does not exist (so the answer tells
  nothing about whether the record exists);
* neither the body, the headers nor the next page (a flashed message) carry the record's title, field values, comment,
  attachment or file contents;
* the record row (values, version, ``deleted_at``), its comments, attachments, shares,
  files and history rows are exactly as before.

Two victims: rep_west with a deal of rep_east (the rep row rule reads the own
department's deals only), and a viewer (whose role cannot read deals at all) with a
deal owned by the admin. A control case per route, as the admin, shows the
ids filled in are real (the admin gets no 404), so the 404s above are about rights.
"""

from __future__ import annotations

import io
import re
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.storage import system
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install

PREFIXES = ("/a/", "/api/v1/")

#: Rules with an id argument that is not a record of the entity (or a part of one). Each is
#: checked elsewhere against its own owner; a stale entry fails ``test_allowlist_is_current``.
NOT_RECORD_IDS = {
    "web.delete_view": "view_id is a saved list view (the user's own or shared), not a record",
    "api.job": "job_id is an export/import job, visible to who started it",
    "api.job_download": "job_id is an export/import job, visible to who started it",
    "api.revoke_token": "token_id is the caller's own API token",
}

#: Rules that may answer 403 instead of 404 for an unreadable record. A 403 about the record
#: is only for write actions on a record the caller can read (rep_east updating rep_east2's
#: deal, covered by test_access_matrix); the ones here refuse before any record is looked at,
#: so the answer is the same for a missing id (which every case checks).
MAY_BE_403 = {
    "web.purge_record": "deleting for good is for admins only (RecordService.purge checks is_admin "
                        "first) -- a non-admin who may read the entity gets 403 for any id",
}

#: The bin's routes act on deleted records: the victim is moved to the bin first, so they
#: are refused for rights and not merely for "not in the bin".
ON_DELETED = ("/restore", "/purge")

#: The record-part ids this test knows how to fill in from the victim's record.
FILLED = {"record_id", "attachment_id", "comment_id", "share_id", "file_id"}


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _rules_of(app) -> list:
    return [r for r in app.url_map.iter_rules()
            if r.rule.startswith(PREFIXES) and any(_is_id(a) for a in r.arguments)]


def _collected_rules() -> list[tuple[str, str, str]]:
    """``(endpoint, rule, method)`` of the real app, built on an empty SQLite file at collection."""
    from apps.config import Settings
    from apps.web import create_app

    folder = Path(tempfile.mkdtemp(prefix="foreign-ids-"))
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'rules.db'}", instance_dir=folder / "instance",
                              secret_key="collect", redis_url=None, files_dir=folder / "files", testing=True))
    found = []
    for rule in _rules_of(app):
        if rule.endpoint in NOT_RECORD_IDS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    app.extensions["metacrm"]["engine"].dispose()
    return sorted(found, key=lambda x: (x[1], x[2]))


ROUTES = _collected_rules()
CASES = [(endpoint, rule, method, via) for endpoint, rule, method in ROUTES
         for via in (("session", "token") if rule.startswith("/api/") else ("session",))]


def _case_id(case) -> str:
    endpoint, rule, method, via = case
    return f"{method} {rule} [{endpoint}, {via}]"


# -- the world ------------------------------------------------------------------------------

VICTIMS = {  # scenario -> (who asks, whose deal, what the role allows)
    "west_reads_east": ("rep_west", "rep_east"),
    "viewer_reads_admin_deal": ("viewer", "admin"),
}


def markers(owner: str) -> list[str]:
    """Strings that only the victim's record and its parts contain."""
    return [f"deal of {owner}", f"SECRET-{owner}", "987654", "987,654", f"comment-by-admin-on-{owner}",
            f"attachment-{owner}", f"contract-{owner}", f"{owner}-notes.txt"]


@pytest.fixture
def world(engine, settings):
    """The sales app (with a file field), a deal per owner with a comment, an attachment, a
    share with the owner's department and a contract file: ``(people, parts by owner)``."""
    from builder.publish import publish
    from runtime.records.attachments import add_attachment
    from runtime.records.comments import add_comment
    from runtime.records.files import store_upload
    from runtime.security.shares import Actor
    from runtime.security.shares import add_share
    from tests.factories import make_field
    from tests.runtime.security.permissions_app import sales_source

    people = install(engine)
    source = sales_source()
    source["entities/deal.json"]["fields"] += [
        make_field("contract", "file"),
        make_field("stage", "select", options=[{"value": "open"}, {"value": "won"}])]  # for the board's move
    source["app.json"]["version"] = "1.0.1"
    publish(engine, source)
    parts = {}
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        admin = records_for(conn, registry, people["admin"])
        account = admin.create(conn, "sales", "account", {"name": "Acme", "city": "Pune"}, people["admin"])
        for owner in ("rep_east", "admin"):
            upload = store_upload(conn, settings.files_dir, registry, "sales", "deal", "contract",
                                  f"contract-{owner}".encode(), f"contract-{owner}.txt", user_id=people["admin"])
            deal = admin.create(conn, "sales", "deal", {
                "title": f"deal of {owner}", "amount": "100", "cost": "987654", "account": account["id"],
                "secret_note": f"SECRET-{owner}", "owner": people[owner], "contract": [upload]},
                people["admin"])
            comment = add_comment(conn, "sales", "deal", deal["id"], people["admin"],
                                  f"comment-by-admin-on-{owner}", datetime(2026, 1, 1))
            attachment = add_attachment(conn, admin, settings.files_dir, "sales", "deal", deal["id"],
                                        f"attachment-{owner}".encode(), f"{owner}-notes.txt", people["admin"],
                                        datetime(2026, 1, 1))
            share, _ = add_share(conn, admin, "sales", "deal", deal["id"], {"department": "HQ", "access": "read"},
                                 Actor(people["admin"], "admin@example.com", None))
            parts[owner] = {"record_id": deal["id"], "comment_id": comment["id"], "attachment_id": attachment["id"],
                            "share_id": share["id"], "file_id": upload["id"]}
    return people, parts


def snapshot(engine, record_id: int) -> dict:
    """Everything a request could change about the deal: its row and the rows hanging off it."""
    with engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("sales", "deal")
        found = {"row": [dict(r._mapping) for r in conn.execute(select(table).where(table.c.id == record_id))]}
        for name in ("comments", "attachments", "record_shares", "files", "history"):
            t = getattr(system, name)
            query = select(t).where(t.c.record_id == record_id)
            if "app" in t.c:
                query = query.where(t.c.app == "sales", t.c.entity == "deal")
            found[name] = sorted((dict(r._mapping) for r in conn.execute(query)), key=lambda r: str(r["id"]))
    return found


def to_bin(engine, people, record_id: int) -> None:
    with engine.begin() as conn:
        admin = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        admin.delete(conn, "sales", "deal", record_id, people["admin"])


def signed_in(app, who: str):
    client = app.test_client()
    login = csrf_of(client.get("/login").get_data(as_text=True))
    signed = client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD, "csrf_token": login})
    assert signed.status_code == 302
    page = client.get("/me").get_data(as_text=True)
    return client, csrf_of(page)


def csrf_of(page: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True  # the refusals must be about rights, with a valid token
    return app


def _url(rule: str, ids: dict) -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        if name == "app":
            return "sales"
        if name == "entity":
            return "deal"
        if name not in ids:
            pytest.fail(f"{rule}: don't know what record part <{name}> is; teach this test (FILLED) "
                        "or, if it is no record of the entity, add the rule to NOT_RECORD_IDS with a reason")
        return str(ids[name])
    return re.sub(r"<([^>]+)>", fill, rule)


def _payload(endpoint: str, method: str, csrf: str, asker_id: int) -> dict:
    """Keyword arguments for the test client: what would succeed for someone allowed to."""
    if endpoint.startswith("api."):
        headers = {"X-CSRFToken": csrf, "If-Match": "1"}
        if endpoint == "api.attach":
            return {"headers": headers, "data": {"file": (io.BytesIO(b"planted"), "planted.txt")},
                    "content_type": "multipart/form-data"}
        if endpoint == "api.share_record":
            return {"headers": headers, "json": {"data": {"user_id": asker_id, "access": "edit"}}}
        if method in ("POST", "PATCH", "PUT"):
            return {"headers": headers, "json": {"data": {"title": "planted", "amount": "1"}}}
        return {"headers": headers}
    if method == "GET":
        return {}
    if endpoint == "web.move_record":  # a form's refusal is a redirect with a flash; scripts get the status
        return {"data": {"csrf_token": csrf, "field": "stage", "value": "won", "version": "1"},
                "headers": {"X-CSRFToken": csrf, "Accept": "application/json"}}
    form = {"csrf_token": csrf, "version": "1", "title": "planted", "amount": "1", "body": "planted comment",
            "target": f"user:{asker_id}", "access": "edit", "field": "title", "value": "planted",
            "file": (io.BytesIO(b"planted"), "planted.txt")}
    return {"data": form, "content_type": "multipart/form-data", "headers": {"X-CSRFToken": csrf}}


def _send(client, method: str, url: str, kwargs: dict):
    return client.open(url, method=method, **kwargs)


# -- the tests -------------------------------------------------------------------------------

def test_routes_were_found(app):
    """The walk is not empty, matches the app under test, and the allowlist names real rules."""
    live = {(r.endpoint, r.rule, m) for r in _rules_of(app) if r.endpoint not in NOT_RECORD_IDS
            for m in r.methods - {"HEAD", "OPTIONS"}}
    assert live == set(ROUTES)
    assert {"web.record", "web.edit_record", "api.update", "api.delete", "api.file"} <= {e for e, _r, _m in ROUTES}
    assert len(ROUTES) >= 20


def test_allowlist_is_current(app):
    endpoints = {r.endpoint for r in _rules_of(app)}
    assert set(NOT_RECORD_IDS) <= endpoints, set(NOT_RECORD_IDS) - endpoints


@pytest.mark.parametrize("scenario", sorted(VICTIMS))
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_foreign_id_is_refused_without_leak_or_change(csrf_app, engine, world, case, scenario):
    from runtime.security.tokens import create_token

    endpoint, rule, method, via = case
    who, owner = VICTIMS[scenario]
    people, parts = world
    client, csrf = signed_in(csrf_app, who)
    if via == "token":
        with engine.begin() as conn:
            bearer = create_token(conn, people[who], "foreign-ids", "write")
        client = csrf_app.test_client()
    ids = parts[owner]
    if rule.endswith(ON_DELETED):
        to_bin(engine, people, ids["record_id"])
    before = snapshot(engine, ids["record_id"])

    def ask(these_ids):
        kwargs = _payload(endpoint, method, csrf, people[who])
        if via == "token":
            kwargs["headers"] = {**kwargs.get("headers", {}), "Authorization": f"Bearer {bearer}"}
        return _send(client, method, _url(rule, these_ids), kwargs)

    response = ask(ids)
    missing = ask({**ids, "record_id": ids["record_id"] + 100_000, "file_id": "0" * 32})

    allowed = {404, 403} if endpoint in MAY_BE_403 else {404}
    assert response.status_code in allowed, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.status_code == missing.status_code  # the same answer as for no such record
    text = response.get_data().decode("utf-8", "replace") + " " + " ".join(f"{k}: {v}" for k, v in response.headers)
    text += missing.get_data().decode("utf-8", "replace")  # nor in a message flashed for the next page
    if via == "session":
        text += client.get("/me").get_data(as_text=True)
    leaked = [m for m in markers(owner) if m in text]
    assert not leaked, leaked
    assert snapshot(engine, ids["record_id"]) == before


@pytest.mark.parametrize("case", [c for c in CASES if c[3] == "session"],
                         ids=[_case_id(c) for c in CASES if c[3] == "session"])
def test_control_admin_is_not_refused(csrf_app, engine, world, case):
    """The same requests as the admin reach the record: the ids and payloads above are real."""
    endpoint, rule, method, _via = case
    people, parts = world
    client, csrf = signed_in(csrf_app, "admin")
    if rule.endswith(ON_DELETED):
        to_bin(engine, people, parts["rep_east"]["record_id"])
    response = _send(client, method, _url(rule, parts["rep_east"]), _payload(endpoint, method, csrf, people["admin"]))
    assert response.status_code not in (404, 403), (response.status_code, response.get_data(as_text=True)[:300])
