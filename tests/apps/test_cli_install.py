"""``metacrm app install <dir|zip> [--sample-data]`` end to end on a real database."""

import json
import shutil
import zipfile

import pytest
from sqlalchemy import func
from sqlalchemy import select

from apps.demo import TEMPLATES_DIR
from runtime.records.registry import SchemaRegistry
from runtime.storage.engine import make_engine
from tests.apps.test_cli import Cli
from tests.apps.test_cli import write_app
from tests.factories import make_app
from tests.factories import make_entity
from tests.factories import make_field as f

CUSTOMERS = TEMPLATES_DIR / "crm_customers"


@pytest.fixture
def cli(database_url, tmp_path):
    runner = Cli(database_url, tmp_path / "instance")
    assert runner("init").exit_code == 0
    return runner


def counts(url: str, app: str) -> dict[str, int]:
    """Rows per top-level entity of ``app``; {} when the app is not installed."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            registry = SchemaRegistry.from_connection(conn)
            if app not in registry.apps:
                return {}
            return {e.name: conn.execute(select(func.count()).select_from(registry.table(app, e.name))).scalar_one()
                    for e in registry.app(app).entities if e.parent is None}
    finally:
        engine.dispose()


def tiny_package(folder, records):
    pal = make_entity("pal", [f("name", required=True), f("buddy", "link", target="pal")],
                      rules=[{"when": "name == 'Nemo'", "message": {"en": "Nobody is called Nemo"}}])
    write_app(folder, make_app("tiny", pal))
    (folder / "data").mkdir()
    (folder / "data" / "pal.json").write_text(json.dumps(records))
    return folder


def test_install_the_customers_template_with_sample_data(cli, tmp_path):
    assert cli("user", "create", "--email", "boss@example.com", "--admin").exit_code == 0
    result = cli("app", "install", str(CUSTOMERS), "--sample-data")
    assert result.exit_code == 0, result.output
    assert "crm_customers: published version 1" in result.output
    assert "sample data loaded: 25 account, 50 contact" in result.output
    assert "loading sample data as boss@example.com" in result.output and "75/75 sample records" in result.output
    assert counts(cli.url, "crm_customers") == {"account": 25, "contact": 50}

    again = cli("app", "install", str(CUSTOMERS), "--sample-data")
    assert again.exit_code == 0
    assert "nothing to do" in again.output and "skipped: account already has records" in again.output
    assert counts(cli.url, "crm_customers") == {"account": 25, "contact": 50}


def test_install_from_a_zip_without_sample_data_leaves_data_out(cli, tmp_path):
    archive = shutil.make_archive(str(tmp_path / "crm_customers"), "zip", CUSTOMERS.parent, CUSTOMERS.name)
    result = cli("app", "install", archive)
    assert result.exit_code == 0 and "published version 1" in result.output
    assert counts(cli.url, "crm_customers") == {"account": 0, "contact": 0}


def test_sample_data_from_a_zip(cli, tmp_path):
    folder = tiny_package(tmp_path / "tiny", [{"$key": "a", "name": "Ann"}, {"name": "Bo", "buddy": {"$ref": "a"}}])
    archive = tmp_path / "tiny.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*.json"):
            z.write(path, path.relative_to(folder).as_posix())
    result = cli("app", "install", str(archive), "--sample-data")
    assert result.exit_code == 0, result.output
    assert "sample data loaded: 2 pal" in result.output


def test_bad_sample_data_exits_2_and_publishes_nothing(cli, tmp_path):
    folder = tiny_package(tmp_path / "tiny", [{"name": "Ann", "nick": "A"}, {"name": "Bo", "buddy": {"$ref": "x"}}])
    result = cli("app", "install", str(folder), "--sample-data")
    assert result.exit_code == 2
    assert "sample data of tiny has 2 errors" in result.output
    assert "data/pal.json: /0/nick: unknown field of pal" in result.output
    assert 'data/pal.json: /1/buddy: no pal with "$key": "x"' in result.output
    assert counts(cli.url, "tiny") == {}


def test_a_refused_record_exits_2_and_loads_nothing(cli, tmp_path):
    folder = tiny_package(tmp_path / "tiny", [{"name": "Ann"}, {"name": "Nemo"}])
    result = cli("app", "install", str(folder), "--sample-data")
    assert result.exit_code == 2
    assert "published version 1" in result.output  # the metadata was fine
    assert "sample data of tiny has 1 error; nothing was loaded" in result.output
    assert "data/pal.json: /1: Nobody is called Nemo" in result.output
    assert counts(cli.url, "tiny") == {"pal": 0}


def test_validate_checks_sample_data_too(cli, tmp_path):
    good = cli("app", "validate", str(CUSTOMERS))
    assert good.exit_code == 0 and "crm_customers: 75 sample record(s) valid" in good.output
    bad = cli("app", "validate", str(tiny_package(tmp_path / "tiny", [{"nick": "A"}])))
    assert bad.exit_code == 2 and "/0/name: required" in bad.output


@pytest.mark.parametrize("args", [("--user", "ghost@example.com"), ()])
def test_installing_user(cli, tmp_path, args):
    folder = tiny_package(tmp_path / "tiny", [{"name": "Ann"}])
    result = cli("app", "install", str(folder), "--sample-data", *args)
    if args:
        assert result.exit_code == 2 and "no user ghost@example.com" in result.output
        assert counts(cli.url, "tiny") == {}
    else:  # no administrator yet: the records have no owner, but they load
        assert result.exit_code == 0 and counts(cli.url, "tiny") == {"pal": 1}
        assert "no administrator: no owner" in result.output
