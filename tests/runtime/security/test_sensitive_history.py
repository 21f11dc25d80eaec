"""Sensitive values never rest in clear beside their ciphertext: not in the history of imports,
deletes and purges, nor in an import job's stored report."""

import io

from sqlalchemy import select

from runtime.records.importing import import_sheet
from runtime.records.registry import SchemaRegistry
from runtime.records.tabular import Sheet
from runtime.security.guarded import records_for
from runtime.security.sensitive import MASK
from runtime.storage.system import history
from runtime.storage.system import jobs
from tests.runtime.security.vault_app import ANN
from tests.runtime.security.vault_app import SECRETS
from tests.runtime.web.test_access_matrix import client_for

HEADER = ["name", "phone", "email", "note"]


def stored_text(conn, table) -> str:
    return " ".join(str(row) for row in conn.execute(select(table)))


def guarded(conn, user_id):
    return records_for(conn, SchemaRegistry.from_connection(conn), user_id)


def test_imported_history_notes_each_sensitive_field_without_its_value(engine, vault):
    ids, ann = vault
    rows = [(2, ["Bo", ANN["phone"], ANN["email"], ANN["note"]]), (3, ["Cy", "", "", "plain? no, secret 0013"])]
    with engine.begin() as conn:
        report = import_sheet(conn, SchemaRegistry.from_connection(conn), "vault", "contact",
                              Sheet(HEADER, iter(rows)), user_id=ids["admin"])
    assert report["created"] == 2
    with engine.connect() as conn:
        service = guarded(conn, ids["admin"])
        assert not any(secret in stored_text(conn, history) for secret in SECRETS)
        assert service.get(conn, "vault", "contact", ann + 1)["email"] == ANN["email"]  # the row keeps it
        imported = [service.history(conn, "vault", "contact", i)[0]["changes"] for i in (ann + 1, ann + 2)]
        created = service.history(conn, "vault", "contact", ann)[0]["changes"]
    assert imported[0] == {**created, "name": [None, "Bo"]}  # the same entry a single create writes
    assert {k: v for k, v in imported[1].items() if k in HEADER} == {"name": [None, "Cy"], "note": [None, MASK]}


def test_import_job_report_keeps_no_sensitive_cell(app, engine, vault):
    sheet = "name,phone,email,note\nDee,+86 139 0013 5678,dee 0013@bad,fine\n,,ann@example.com,alert\n"
    admin = client_for(app, "admin")
    for mode in ("all_or_nothing", "skip_bad_rows"):
        started = admin.post("/api/v1/vault/contact/import", data={
            "file": (io.BytesIO(sheet.encode()), "contacts.csv"), "mode": mode})
        assert started.status_code == 202
        job = admin.get(f"/api/v1/jobs/{started.get_json()['data']['id']}").get_json()["data"]
        assert job["status"] == ("failed" if mode == "all_or_nothing" else "done")
        assert not any(secret in str(job) for secret in SECRETS)
    with engine.connect() as conn:
        assert not any(secret in stored_text(conn, jobs) + stored_text(conn, history) for secret in SECRETS)


def test_delete_restore_and_purge_keep_no_sensitive_value_in_history(engine, vault):
    ids, ann = vault
    with engine.begin() as conn:
        service = guarded(conn, ids["admin"])
        service.delete(conn, "vault", "visit", 1, ids["admin"])
        service.delete(conn, "vault", "contact", ann, ids["admin"])
        assert service.restore(conn, "vault", "contact", ann, ids["admin"])["phone"] == ANN["phone"]
        service.delete(conn, "vault", "contact", ann, ids["admin"])
        service.purge(conn, "vault", "visit", 1, ids["admin"], is_admin=True)
        service.purge(conn, "vault", "contact", ann, ids["admin"], is_admin=True)
    with engine.connect() as conn:
        assert not any(secret in stored_text(conn, history) for secret in SECRETS)
        entries = guarded(conn, ids["admin"]).service.history(conn, "vault", "contact", ann)
    assert [e["action"] for e in entries] == ["create", "delete", "restore", "delete", "purge"]
    purged = entries[-1]["changes"]
    assert purged["name"] == ["Ann", None] and purged["phone"] == purged["email"] == [MASK, None]


def test_child_rows_in_their_parents_history_keep_no_sensitive_value(engine, settings):
    from builder.publish import publish
    from runtime.records.service import RecordService
    from runtime.security.sensitive import field_key
    from runtime.security.sensitive import install_key
    from tests.factories import make_app
    from tests.factories import make_entity
    from tests.factories import make_field as f

    install_key(engine, field_key(settings.field_key, settings.secret_key))
    line = make_entity("card", [f("label"), f("pin", "text", sensitive=True)])
    publish(engine, make_app("shop", make_entity("wallet", [f("name"), f("cards", "table", target="card")]), line))
    with engine.begin() as conn:
        service = RecordService(SchemaRegistry.from_connection(conn))
        made = service.create(conn, "shop", "wallet", {"name": "a", "cards": [{"label": "x", "pin": "4711-0013"}]},
                              None)
        assert made["cards"][0]["pin"] == "4711-0013"
        row = {"id": made["cards"][0]["id"], "label": "x", "pin": "9999-0013"}
        service.update(conn, "shop", "wallet", made["id"], {"cards": [row]}, None, 1)
        entries = service.history(conn, "shop", "wallet", made["id"])
        assert "0013" not in stored_text(conn, history)
    old, new = entries[-1]["changes"]["cards"]  # the change of a sensitive value is still an entry
    assert old[0]["pin"] == new[0]["pin"] == MASK and new[0]["label"] == "x"
