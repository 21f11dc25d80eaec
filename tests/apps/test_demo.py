"""``metacrm demo``: templates with sample data on the first run, nothing duplicated later."""

from click.testing import CliRunner
from sqlalchemy import func
from sqlalchemy import select

from apps.cli import main
from apps.demo import DEMO_EMAIL
from apps.demo import DEMO_USERS
from apps.demo import prepare_demo
from runtime.records.registry import SchemaRegistry
from runtime.storage.system import users


def owners_and_count(engine, entity: str) -> tuple[set, int]:
    with engine.connect() as conn:
        table = SchemaRegistry.from_connection(conn).table("crm_customers", entity)
        owners = set(conn.execute(select(table.c.owner).distinct()).scalars())
        return owners, conn.execute(select(func.count()).select_from(table)).scalar_one()


def all_users(engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return dict(conn.execute(select(users.c.email, users.c.is_admin)).all())


def test_first_run_loads_sample_data_with_varied_owners(engine, settings):
    lines = []
    email, password = prepare_demo(engine, settings, echo=lines.append)
    assert email == DEMO_EMAIL and password
    assert "template crm_customers: sample data loaded: 25 account, 50 contact" in lines
    assert all_users(engine) == {DEMO_EMAIL: True, **{e: False for e, _name, _lang in DEMO_USERS}}
    owners, accounts = owners_and_count(engine, "account")
    assert accounts == 25 and len(owners) == 3
    assert owners_and_count(engine, "contact")[1] == 50


def test_later_runs_keep_the_data_and_the_password(engine, settings):
    _email, password = prepare_demo(engine, settings, echo=lambda _line: None)
    lines = []
    assert prepare_demo(engine, settings, echo=lines.append) == (DEMO_EMAIL, password)
    assert "template crm_customers: up to date" in lines
    assert "template crm_customers: sample data skipped: account already has records" in lines
    assert owners_and_count(engine, "account")[1] == 25
    assert len(all_users(engine)) == 1 + len(DEMO_USERS)


def test_demo_command_prints_only_the_admin_login(database_url, tmp_path):
    env = {"METACRM_DATABASE_URL": database_url, "METACRM_INSTANCE_DIR": str(tmp_path / "instance")}
    result = CliRunner().invoke(main, ["demo", "--no-serve"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"log in as {DEMO_EMAIL} with password" in result.output
    assert "sample data loaded" in result.output
    assert result.output.count("password") == 1
