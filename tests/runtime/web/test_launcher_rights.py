"""The launcher lists only the entities a user may read; apps without roles stay open to all."""

from __future__ import annotations

import re

import pytest

from builder.publish import publish
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install


@pytest.fixture
def people(engine):
    """The roles app (``sales``) and an app that has no roles (``notes``)."""
    ids = install(engine)
    memo = make_entity("memo", [make_field("title")], title_field="title")
    publish(engine, make_app("notes", memo))
    return ids


def launcher(app, who: str) -> str:
    client = app.test_client()
    signed_in = client.post("/login", data={"email": f"{who}@example.com", "password": PASSWORD})
    assert signed_in.status_code == 302
    return client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("who", "links"), [
    ("admin", {"sales/account", "sales/deal", "notes/memo"}),
    ("manager", {"sales/account", "sales/deal", "notes/memo"}),
    ("viewer", {"sales/account", "notes/memo"}),
    ("nobody", {"notes/memo"}),
])
def test_the_launcher_lists_only_readable_entities(app, people, who, links):
    assert set(re.findall(r'href="/a/([a-z_]+/[a-z_]+)"', launcher(app, who))) == links


def test_an_app_with_nothing_readable_has_no_card(app, people):
    html = launcher(app, "nobody")
    assert 'data-app="notes"' in html and 'data-app="sales"' not in html
