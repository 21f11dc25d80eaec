"""The ``metacrm`` command end to end, through Click's runner, on a real database."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from apps.cli import main
from runtime.storage.engine import make_engine
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f


def write_app(folder, source):
    for rel, doc in source.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False))
    return str(folder)


class Cli:
    """Runs ``metacrm`` against one test database."""

    def __init__(self, database_url, instance):
        self.url = database_url
        self.env = {"METACRM_DATABASE_URL": database_url, "METACRM_INSTANCE_DIR": str(instance)}

    def __call__(self, *args):
        return CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)


@pytest.fixture
def cli(database_url, tmp_path):
    runner = Cli(database_url, tmp_path / "instance")
    assert runner("init").exit_code == 0
    return runner


def contacts(*fields):
    return make_app("crm", make_entity("contact", list(fields) or [f("name")]))


def test_init_is_idempotent(cli):
    assert cli("init").exit_code == 0


def test_validate_publish_diff_cycle(cli, tmp_path):
    path = write_app(tmp_path / "v1", contacts(f("name"), f("legacy")))
    assert "valid (1 entities)" in cli("app", "validate", path).output
    published = cli("app", "publish", path)
    assert published.exit_code == 0 and "published version 1" in published.output
    assert "nothing to do" in cli("app", "publish", path).output

    path2 = write_app(tmp_path / "v2", contacts(f("full_name", renamed_from="name"), f("email", "email")))
    diff = cli("app", "diff", path2)
    assert "rename field name to contact.full_name" in diff.output
    assert "add field contact.email (email)" in diff.output
    assert "archive field contact.legacy" in diff.output
    assert cli("app", "publish", path2).exit_code == 0
    assert "contact.legacy" in cli("app", "archived", "crm").output
    restored = cli("app", "restore", "crm", "contact.legacy")
    assert restored.exit_code == 0 and "version 3" in restored.output


def test_bad_metadata_exits_2_with_file_and_pointer(cli, tmp_path):
    path = write_app(tmp_path / "bad", contacts(f("name", "nmber"), f("select")))
    result = cli("app", "publish", path)
    assert result.exit_code == 2
    assert "entities/contact.json" in result.output and "/fields/0/type" in result.output
    assert "'select'" in result.output or "reserved" in result.output


def test_malformed_json_exits_2(cli, tmp_path):
    path = tmp_path / "broken"
    (path / "entities").mkdir(parents=True)
    (path / "app.json").write_text('{"name": "crm", "version": "1.0.0"}')
    (path / "entities" / "contact.json").write_text('{"name": "contact", "fields": [}')
    result = cli("app", "validate", str(path))
    assert result.exit_code == 2
    assert "entities/contact.json" in result.output


def test_unsafe_change_exits_2_and_keeps_data(cli, tmp_path):
    cli("app", "publish", write_app(tmp_path / "v1", contacts(f("name", max_length=100))))
    engine = make_engine(cli.url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO crm__contact (version, created_at, updated_at, name) "
                          "VALUES (1, '2026-01-01', '2026-01-01', 'A rather long name')"))
    engine.dispose()
    result = cli("app", "publish", write_app(tmp_path / "v2", contacts(f("name", max_length=5))))
    assert result.exit_code == 2
    assert "1 row(s) have name longer than 5" in result.output


def test_user_create_prints_generated_password(cli):
    result = cli("user", "create", "--email", "Ann@Example.com", "--admin")
    assert result.exit_code == 0 and "with password" in result.output
    assert cli("user", "create", "--email", "ann@example.com").exit_code == 2
