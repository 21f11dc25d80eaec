"""A small sales app with three roles, and users holding them, for the access-control tests."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy import update

from builder.publish import publish
from runtime.security.users import create_user
from runtime.storage.system import user_roles
from runtime.storage.system import users
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

PASSWORD = "Permission-test-1"

REP = {"name": "rep", "entities": {
    "deal": {"read": "owner == $me or owner.department == $me.department", "create": True,
             "update": "owner == $me", "delete": False,
             "fields": {"cost": "hidden", "probability": "read"}},
    "account": {"read": True, "create": True, "update": True, "delete": False, "fields": {"city": "hidden"}}}}
MANAGER = {"name": "manager", "entities": {
    "deal": {"read": True, "create": True, "update": True, "delete": True},
    "account": {"read": True, "create": True, "update": True, "delete": True}}}
VIEWER = {"name": "viewer", "entities": {"account": {"read": True, "fields": {"notes": "hidden"}}}}


def sales_source() -> dict:
    account = make_entity("account", [f("name", required=True), f("notes", "textarea"),
                                      f("city")], title_field="name")
    deal = make_entity("deal", [
        f("title", required=True), f("amount", "currency"), f("cost", "currency"), f("probability", "percent"),
        f("account", "link", target="account", on_delete="restrict"),
        f("account_city", "lookup", source="account", field="city"),
        f("secret_note", "text")], title_field="title")
    source = make_app("sales", account, deal)
    for role in (REP, MANAGER, VIEWER):
        source[f"roles/{role['name']}.json"] = role
    return source


def install(engine) -> dict[str, int]:
    """Publish the app and create: admin, two reps in East, one in West, a manager, a viewer, nobody."""
    publish(engine, sales_source())
    people = {"admin": (None, None), "rep_east": ("rep", "East"), "rep_east2": ("rep", "East"),
              "rep_west": ("rep", "West"), "manager": ("manager", "HQ"), "viewer": ("viewer", "HQ"),
              "nobody": (None, "HQ")}
    ids = {}
    with engine.begin() as conn:
        for name, (role, department) in people.items():
            ids[name] = create_user(conn, f"{name}@example.com", PASSWORD, display_name=name, is_admin=name == "admin")
            conn.execute(update(users).where(users.c.id == ids[name]).values(department=department))
            if role:
                conn.execute(insert(user_roles).values(user_id=ids[name], role=f"sales.{role}"))
    return ids
