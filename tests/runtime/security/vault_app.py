"""A ``vault`` app with sensitive contact fields and a lookup of one, for the sensitive-field tests."""

from __future__ import annotations

from sqlalchemy import insert

from builder.publish import publish
from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.security.sensitive import field_key
from runtime.security.sensitive import install_key
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

PASSWORD = "Permission-test-1"
XSS = "<script>alert(1)</script>"
CLERK = {"name": "clerk", "entities": {"contact": {"read": True, "create": True, "update": True,
                                                   "fields": {"phone": "read"}},
                                       "visit": {"read": True, "create": True, "update": True}}}
READER = {"name": "reader", "entities": {"contact": {"read": True}}}
#: Reads everything; sees Ann's phone and email in clear (her note stays masked), not the visit's lookup.
AUDITOR = {"name": "auditor", "entities": {"contact": {"read": True, "reveal": ["phone", "email"]},
                                           "visit": {"read": True}}}
#: The plain values of Ann's sensitive fields, and bits of them that must never be stored in clear.
ANN = {"name": "Ann", "phone": "+86 138 0013 1234", "email": "ann@example.com", "note": XSS}
SECRETS = ("0013", "ann@example.com", "alert")


def vault_source() -> dict:
    contact = make_entity("contact", [f("name", required=True), f("phone", "phone", sensitive=True),
                                      f("email", "email", sensitive=True), f("note", "textarea", sensitive=True)],
                          title_field="name")
    visit = make_entity("visit", [f("subject"), f("contact", "link", target="contact", on_delete="restrict"),
                                f("contact_email", "lookup", source="contact", field="email")], title_field="subject")
    source = make_app("vault", contact, visit)
    source["roles/clerk.json"], source["roles/reader.json"] = CLERK, READER
    source["roles/auditor.json"] = AUDITOR
    return source


def install(engine, settings) -> tuple[dict[str, int], int]:
    """Publish the app with the app's field key; users admin, clerk, reader, auditor; Ann and a
    visit to her."""
    install_key(engine, field_key(settings.field_key, settings.secret_key))  # as the app's engine has
    publish(engine, vault_source())
    with engine.begin() as conn:
        ids = {who: create_user(conn, f"{who}@example.com", PASSWORD, is_admin=who == "admin")
               for who in ("admin", "clerk", "reader", "auditor")}
        conn.execute(insert(user_roles), [{"user_id": ids[who], "role": f"vault.{who}"}
                                          for who in ("clerk", "reader", "auditor")])
        admin = records_for(conn, SchemaRegistry.from_connection(conn), ids["admin"])
        record = admin.create(conn, "vault", "contact", ANN, ids["admin"])
        admin.create(conn, "vault", "visit", {"subject": "Hello", "contact": record["id"]}, ids["admin"])
    return ids, record["id"]
