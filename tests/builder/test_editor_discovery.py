"""An editor module dropped into ``builder/designer/editors`` is used with no other edit: the
frame lists it and the JSON view sends documents of its folder to it."""

import sys

import pytest

from builder.designer import editors
from tests.builder.test_designer_pages import shop  # noqa: F401 - the published "shop" app

MODULE = f"{editors.__name__}.roles_editor"
ROLES_EDITOR = '''
from builder.designer.frame import Editor

EDITOR = Editor("roles", "Roles", "builder.role")


def register(bp):
    bp.add_url_rule("/<app>/roles/<name>", "role", lambda app, name: f"roles editor: {name}")
'''


@pytest.fixture
def roles_editor(tmp_path, monkeypatch):
    """A roles editor module in the editors package, as a new editor would be added."""
    (tmp_path / "roles_editor.py").write_text(ROLES_EDITOR)
    monkeypatch.setattr(editors, "__path__", [*editors.__path__, str(tmp_path)])
    yield
    sys.modules.pop(MODULE, None)


@pytest.fixture
def app(roles_editor, app):
    """The web app, built once the roles editor is in place."""
    return app


def test_a_new_editor_module_is_listed_and_opened_from_the_json_view(admin, shop):  # noqa: F811
    saved = admin.put("/builder/api/shop/documents/roles/sales_rep.json",
                      json={"document": {"name": "sales_rep", "entities": {}}, "revision": None})
    assert saved.status_code == 200
    json_page = admin.get("/builder/shop/json/roles/sales_rep.json").get_data(as_text=True)
    assert 'href="/builder/shop/roles/sales_rep">Open in the visual editor' in json_page
    assert admin.get("/builder/shop/roles/sales_rep").get_data(as_text=True) == "roles editor: sales_rep"
    frame = admin.get("/builder/shop").get_data(as_text=True)
    assert "Roles" in frame and 'href="/builder/shop/roles/sales_rep"' in frame
