"""Imports run with the importing user's rights: field access, the create rule and, for upserts,
the update rule — the same rules as one record at a time through the screens and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy import select

from builder.publish import publish
from runtime.automation.jobs import JobQueue
from runtime.errors import AccessDenied
from runtime.errors import ValidationFailed
from runtime.records.importing import import_file
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.storage.system import user_roles
from tests.runtime.security.permissions_app import install
from tests.runtime.security.permissions_app import sales_source

IMPORTER = {"name": "importer", "entities": {"deal": {
    "read": True, "create": "amount < 1000", "update": "owner == $me", "delete": False,
    "fields": {"cost": "hidden", "probability": "read"}}}}


@pytest.fixture
def sales(engine):
    people = install(engine)
    source = sales_source()
    deal = source["entities/deal.json"]
    deal["fields"].append({"name": "code", "type": "text", "unique": True, "label": {"en": "Code"}})
    source["roles/importer.json"] = IMPORTER
    publish(engine, source)
    with engine.begin() as conn:
        conn.execute(insert(user_roles).values(user_id=people["rep_east"], role="sales.importer"))
        conn.execute(user_roles.delete().where(user_roles.c.user_id == people["rep_east"],
                                               user_roles.c.role == "sales.rep"))
    return people


def run(engine, who, path, **options):
    with engine.begin() as conn:
        registry = SchemaRegistry.from_connection(conn)
        guard = records_for(conn, registry, who)
        return import_file(conn, registry, "sales", "deal", path, user_id=who, guard=guard, **options)


def titles(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("sales", "deal")
        return {r.title: (r.amount, r.owner) for r in conn.execute(select(table)).all()}


def sheet(tmp_path, text):
    path = tmp_path / "deals.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("column", ["cost", "probability"])
def test_columns_for_fields_one_may_not_set_are_refused(engine, sales, tmp_path, column):
    path = sheet(tmp_path, f"title,amount,{column}\nA,10,5\n")
    with pytest.raises(AccessDenied, match=column):
        run(engine, sales["rep_east"], path)
    assert titles(engine) == {}


def test_rows_the_create_rule_refuses_are_errors(engine, sales, tmp_path):
    path = sheet(tmp_path, "title,amount\nsmall,10\nbig,5000\n")
    with pytest.raises(ValidationFailed) as refused:
        run(engine, sales["rep_east"], path)
    assert refused.value.details["errors"][0]["row"] == 3
    assert "may not create" in refused.value.details["errors"][0]["message"]
    assert titles(engine) == {}
    report = run(engine, sales["rep_east"], path, mode="skip_bad_rows")
    assert report["created"] == 1 and set(titles(engine)) == {"small"}


def test_upserts_update_only_records_one_may_update(engine, sales, tmp_path):
    with engine.begin() as conn:
        admin = records_for(conn, SchemaRegistry.from_connection(conn), sales["admin"])
        admin.create(conn, "sales", "deal", {"title": "mine", "code": "M1", "amount": "1", "owner": sales["rep_east"]},
                     sales["admin"])
        admin.create(conn, "sales", "deal", {"title": "theirs", "code": "T1", "amount": "1",
                                             "owner": sales["rep_west"]}, sales["admin"])
    path = sheet(tmp_path, "code,title,amount\nM1,mine,2\nT1,theirs,999\n")
    report = run(engine, sales["rep_east"], path, mode="skip_bad_rows", upsert_on="code")
    assert report["updated"] == 1 and report["bad_rows"] == 1
    assert titles(engine)["theirs"][0] == 1 and titles(engine)["mine"][0] == 2


def test_users_without_create_rights_cannot_import(engine, sales, tmp_path):
    path = sheet(tmp_path, "name\nAcme\n")
    with engine.begin() as conn, pytest.raises(AccessDenied):
        registry = SchemaRegistry.from_connection(conn)
        import_file(conn, registry, "sales", "account", path, user_id=sales["viewer"],
                    guard=records_for(conn, registry, sales["viewer"]))


def test_the_import_job_applies_the_submitters_rights(engine, sales, tmp_path):
    path = sheet(tmp_path, "title,amount,cost\nA,10,5\n")
    jobs = JobQueue(engine)
    job_id = jobs.submit("import", {"app": "sales", "entity": "deal", "path": str(path)}, sales["rep_east"])
    job = jobs.get(job_id)
    assert job["status"] == "failed" and "cost" in str(job["error"])
    assert titles(engine) == {}
