"""Sensitive fields: ciphertext in the database, plaintext through the service, masked for
whoever may not read them in full, never searched, filtered or sorted on, always escaped."""

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy import text

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.security.sensitive import field_key
from runtime.security.sensitive import install_key
from runtime.security.sensitive import mask
from runtime.security.users import create_user
from runtime.storage.system import history
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f
from tests.runtime.security.vault_app import PASSWORD
from tests.runtime.security.vault_app import SECRETS
from tests.runtime.security.vault_app import XSS
from tests.runtime.web.test_access_matrix import client_for


def test_stored_encrypted_and_read_back_in_plain(engine, vault):
    _ids, record_id = vault
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT phone, email, note FROM vault__contact WHERE id = :id"),
                           {"id": record_id}).one()
        changes = conn.execute(select(history.c.changes)).scalars().all()
    assert all(value.startswith("enc1:") for value in raw)
    assert not any(secret in str(raw) + str(changes) for secret in SECRETS)


def test_record_page_and_api_get_reveal_only_to_admins_and_writers(app, vault):
    _ids, record_id = vault
    admin = client_for(app, "admin").get(f"/api/v1/vault/contact/{record_id}").get_json()["data"]
    assert (admin["phone"], admin["email"], admin["note"]) == ("+86 138 0013 1234", "ann@example.com", XSS)
    clerk = client_for(app, "clerk").get(f"/api/v1/vault/contact/{record_id}").get_json()["data"]
    assert (clerk["phone"], clerk["email"], clerk["note"]) == ("••••1234", "ann@example.com", XSS)
    reader = client_for(app, "reader").get(f"/api/v1/vault/contact/{record_id}").get_json()["data"]
    assert (reader["phone"], reader["email"], reader["note"]) == ("••••1234", "a•••@example.com", "••••")


def test_lists_and_exports_are_masked_except_for_admins(app, vault):
    _ids, record_id = vault
    for who in ("clerk", "reader"):
        client = client_for(app, who)
        row = client.get("/api/v1/vault/contact").get_json()["data"][0]
        assert (row["phone"], row["email"], row["note"]) == ("••••1234", "a•••@example.com", "••••")
        page = client.get("/a/vault/contact?cols=name,phone,email,note").get_data(as_text=True)
        assert "0013" not in page and "ann@example.com" not in page and "a•••@example.com" in page
    clerk = client_for(app, "clerk")
    exported = clerk.post("/a/vault/contact/bulk", data={"action": "export", "ids": [str(record_id)]})
    assert "0013" not in exported.get_data(as_text=True) and "••••1234" in exported.get_data(as_text=True)
    admin = client_for(app, "admin")
    assert admin.get("/api/v1/vault/contact").get_json()["data"][0]["email"] == "ann@example.com"
    full = admin.post("/a/vault/contact/bulk", data={"action": "export", "ids": [str(record_id)]})
    rows = list(csv.reader(io.StringIO(full.get_data(as_text=True))))
    assert "+86 138 0013 1234" in rows[1]


def test_where_order_and_search_cannot_use_them(app, vault):
    admin = client_for(app, "admin")
    for query in ("where=email == 'ann@example.com'", "order=-phone", "order=name,note"):
        answer = admin.get(f"/api/v1/vault/contact?{query}")
        assert answer.status_code == 422 and "sensitive" in answer.get_json()["error"]["message"]
    assert admin.get("/api/v1/vault/contact?search=example").get_json()["data"] == []
    assert admin.get("/api/v1/vault/contact?search=Ann").get_json()["data"][0]["name"] == "Ann"


def test_script_payload_is_escaped_on_every_screen(app, vault):
    _ids, record_id = vault
    admin = client_for(app, "admin")
    for url in (f"/a/vault/contact/{record_id}", "/a/vault/contact?cols=name,note,email",
                f"/a/vault/contact/{record_id}/edit"):
        page = admin.get(url)
        assert page.status_code == 200 and XSS not in page.get_data(as_text=True), url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in admin.get(f"/a/vault/contact/{record_id}").get_data(
        as_text=True)


def test_written_through_the_api_is_encrypted(app, engine, vault):
    clerk = client_for(app, "clerk")
    made = clerk.post("/api/v1/vault/contact", json={"data": {"name": "Bo", "email": "bo@example.org"}})
    assert made.status_code == 201 and made.get_json()["data"]["email"] == "bo@example.org"
    record_id = made.get_json()["data"]["id"]
    assert clerk.patch(f"/api/v1/vault/contact/{record_id}", json={"data": {"email": "bo@example.net"}},
                       headers={"If-Match": "1"}).status_code == 200
    assert clerk.get(f"/api/v1/vault/contact/{record_id}").get_json()["data"]["email"] == "bo@example.net"
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT email FROM vault__contact WHERE id = :id"), {"id": record_id}).scalar()
    assert raw.startswith("enc1:") and "bo@" not in raw


def test_lookups_of_sensitive_fields_are_masked_too(app, vault):
    clerk = client_for(app, "clerk")
    assert clerk.get("/api/v1/vault/visit").get_json()["data"][0]["contact_email"] == "a•••@example.com"
    assert clerk.get("/api/v1/vault/visit/1").get_json()["data"]["contact_email"] == "a•••@example.com"
    assert "ann@example.com" not in clerk.get("/a/vault/visit/1").get_data(as_text=True)
    assert clerk.get("/api/v1/vault/visit?order=contact_email").status_code == 422
    admin = client_for(app, "admin")
    assert admin.get("/api/v1/vault/visit/1").get_json()["data"]["contact_email"] == "ann@example.com"


@pytest.mark.parametrize(("kind", "value", "shown"), [
    ("phone", "+1 (555) 010-9876", "••••9876"), ("phone", "123", "••••"),
    ("email", "zoe@example.com", "z•••@example.com"), ("text", "anything", "••••"), ("url", None, None),
])
def test_mask(kind, value, shown):
    assert mask(kind, value) == shown


def test_field_key_from_setting_or_secret():
    import base64

    key = base64.b64encode(b"k" * 32).decode()
    assert field_key(key, "ignored") == b"k" * 32
    assert field_key(None, "s1") == field_key(None, "s1") != field_key(None, "s2")
    with pytest.raises(ValueError):
        field_key("c2hvcnQ=", "s")


def test_making_a_field_sensitive_widens_it_and_back_is_refused(engine, settings):
    from runtime.errors import UnsafeChange

    install_key(engine, field_key(None, settings.secret_key))
    plain = make_entity("prospect", [f("name"), f("phone", "phone", max_length=20)])
    publish(engine, make_app("crm", plain))
    with engine.begin() as conn:
        uid = create_user(conn, "u@example.com", PASSWORD, is_admin=True)
        made = records_for(conn, SchemaRegistry.from_connection(conn), uid).create(
            conn, "crm", "prospect", {"name": "A", "phone": "555 123 4567"}, uid)
    secret = make_entity("prospect", [f("name"), f("phone", "phone", max_length=20, sensitive=True)])
    changes = publish(engine, make_app("crm", secret, version="1.0.1")).changes
    assert [(c.kind, c.mode) for c in changes] == [("alter_field", "widen")]
    with engine.begin() as conn:
        guard = records_for(conn, SchemaRegistry.from_connection(conn), uid)
        assert guard.get(conn, "crm", "prospect", made["id"])["phone"] == "555 123 4567"  # written before: plain
        guard.update(conn, "crm", "prospect", made["id"], {"phone": "+1 555 000 1111"}, uid, 1)
        assert conn.execute(text("SELECT phone FROM crm__prospect")).scalar().startswith("enc1:")
        assert guard.get(conn, "crm", "prospect", made["id"])["phone"] == "+1 555 000 1111"
    with pytest.raises(UnsafeChange):
        publish(engine, make_app("crm", plain, version="1.0.2"))


@pytest.mark.parametrize(("field", "message"), [
    (f("amount", "integer", sensitive=True), "an integer field cannot be sensitive"),
    (f("code", "text", sensitive=True, unique=True), "a sensitive field cannot be unique"),
])
def test_metadata_refuses_sensitive_where_it_cannot_work(field, message):
    from runtime.errors import MetadataInvalid
    from runtime.metadata.validate import validate_app

    with pytest.raises(MetadataInvalid) as refused:
        validate_app(make_app("crm", make_entity("prospect", [f("name"), field])))
    assert any(message in detail for detail in refused.value.details)
