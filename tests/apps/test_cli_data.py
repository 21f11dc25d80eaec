"""``metacrm import``, ``export`` and ``worker`` through Click's runner on a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from apps.cli import main
from runtime.storage.engine import make_engine
from tests.runtime.records.contacts_app import crm_source


@pytest.fixture
def cli(database_url, tmp_path):
    env = {"METACRM_DATABASE_URL": database_url, "METACRM_INSTANCE_DIR": str(tmp_path / "instance"),
           "METACRM_REDIS_URL": ""}

    def run(*args):
        return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    assert run("init").exit_code == 0
    folder = tmp_path / "crm"
    for rel, doc in crm_source().items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(json.dumps(doc, ensure_ascii=False))
    assert run("app", "publish", folder).exit_code == 0
    yield run
    make_engine(database_url).dispose()


def test_import_then_export(cli, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("姓名,邮箱,金额\nAnn,a@x.io,1.5\nBob,b@x.io,2\n", encoding="utf-8")
    result = cli("import", "crm", "contact", path)
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 bad row(s)" in result.output
    out = cli("export", "crm", "contact", "--where", "amount > 1.5", "--language", "zh")
    assert out.exit_code == 0
    lines = out.stdout_bytes.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("ID,姓名,邮箱,金额") and lines[1].startswith("2,Bob,b@x.io,2.00")
    target = tmp_path / "out.xlsx"
    saved = cli("export", "crm", "contact", "-o", target)
    assert saved.exit_code == 0 and "Exported 2 contact record(s)" in saved.output and target.stat().st_size


def test_import_errors_are_printed_with_row_numbers_and_exit_2(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,email\nAnn,a@x.io\nBob,nope\n")
    result = cli("import", "crm", "contact", path)
    assert result.exit_code == 2
    assert "nothing was imported" in result.output and "row 3: email: not a valid email address" in result.output
    skipped = cli("import", "crm", "contact", path, "--mode", "skip_bad_rows")
    assert skipped.exit_code == 0 and "1 created" in skipped.output and "row 3:" in skipped.output


def test_upsert_and_mapping_options(cli, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("Who,Mail\nAnn,a@x.io\n")
    mapping = json.dumps({"Who": "name", "Mail": "email"})
    assert cli("import", "crm", "contact", path, "--mapping", mapping).exit_code == 0
    path.write_text("Who,Mail\nAnn B,a@x.io\n")
    again = cli("import", "crm", "contact", path, "--mapping", mapping, "--mode", "upsert", "--upsert-on", "email")
    assert again.exit_code == 0 and "0 created, 1 updated" in again.output


def test_bad_input_exits_2(cli, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("name\nAnn\n")
    assert cli("import", "crm", "contact", path, "--mapping", "{not json").exit_code == 2
    assert cli("import", "crm", "contact", path, "--mapping", '{"Nope": "name"}').exit_code == 2
    assert cli("import", "crm", "nosuch", path).exit_code == 1  # NotFound is not bad input
    assert cli("export", "crm", "contact", "--where", "amount >").exit_code == 2
    assert cli("export", "crm", "contact", "--format", "xlsx").exit_code == 2
    assert cli("worker").exit_code == 2  # no Redis configured
