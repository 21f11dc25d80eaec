"""An editor module dropped into ``builder/designer/editors`` is used with no other edit: the
frame lists it and the JSON view sends documents of its folder to it."""

import sys

import pytest

from builder.designer import editors
from tests.builder.test_designer_pages import shop  # noqa: F401 - the published "shop" app

MODULE = f"{editors.__name__}.reports_editor"
REPORTS_EDITOR = '''
from builder.designer.frame import Editor

EDITOR = Editor("reports", "Reports", "builder.report")


def register(bp):
    bp.add_url_rule("/<app>/reports/<name>", "report", lambda app, name: f"reports editor: {name}")
'''


@pytest.fixture
def reports_editor(tmp_path, monkeypatch):
    """A reports editor module (a capability still to come) in the editors package, as a new
    editor would be added."""
    (tmp_path / "reports_editor.py").write_text(REPORTS_EDITOR)
    monkeypatch.setattr(editors, "__path__", [*editors.__path__, str(tmp_path)])
    yield
    sys.modules.pop(MODULE, None)


@pytest.fixture
def app(reports_editor, app):
    """The web app, built once the reports editor is in place."""
    return app


def test_a_new_editor_module_is_listed_and_opened_from_the_json_view(admin, shop):  # noqa: F811
    saved = admin.put("/builder/api/shop/documents/reports/pipeline.json",
                      json={"document": {"name": "pipeline", "entity": "deal"}, "revision": None})
    assert saved.status_code == 200
    json_page = admin.get("/builder/shop/json/reports/pipeline.json").get_data(as_text=True)
    assert 'href="/builder/shop/reports/pipeline">Open in the visual editor' in json_page
    assert admin.get("/builder/shop/reports/pipeline").get_data(as_text=True) == "reports editor: pipeline"
    frame = admin.get("/builder/shop").get_data(as_text=True)
    assert "Reports" in frame and 'href="/builder/shop/reports/pipeline"' in frame
