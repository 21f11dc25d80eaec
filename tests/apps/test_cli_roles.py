"""``metacrm user create --role/--department`` and ``metacrm user roles``, with their audit rows."""

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from apps.cli import main
from builder.publish import publish
from runtime.storage.system import audit_log
from runtime.storage.system import users
from tests.runtime.security.permissions_app import sales_source


@pytest.fixture
def cli(engine, database_url, tmp_path):
    publish(engine, sales_source())
    env = {"METACRM_DATABASE_URL": database_url, "METACRM_INSTANCE_DIR": str(tmp_path / "instance")}
    return lambda *args: CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_create_with_roles_and_department(cli, engine):
    result = cli("user", "create", "--email", "ann@example.com", "--password", "Ann-password-1",
                 "--role", "sales.rep", "--role", "sales.viewer", "--department", "East")
    assert result.exit_code == 0, result.output
    assert cli("user", "roles", "--email", "ann@example.com").stdout.split() == ["sales.rep", "sales.viewer"]
    with engine.connect() as conn:
        assert conn.execute(select(users.c.department)).scalar() == "East"
        events = conn.execute(select(audit_log.c.event, audit_log.c.detail)
                              .where(audit_log.c.event != "app_published").order_by(audit_log.c.id)).all()
    assert [e.event for e in events] == ["role_granted", "role_granted", "department_changed"]
    assert events[0].detail == {"user": "ann@example.com", "role": "sales.rep"}


def test_unknown_role_is_bad_input_and_creates_nobody(cli, engine):
    result = cli("user", "create", "--email", "bob@example.com", "--password", "Bob-password-1",
                 "--role", "sales.wizard")
    assert result.exit_code == 2
    assert "unknown role 'sales.wizard'" in result.stderr
    with engine.connect() as conn:
        assert conn.execute(select(users.c.id)).first() is None


def test_grant_and_revoke(cli):
    cli("user", "create", "--email", "cy@example.com", "--password", "Cy-password-1")
    assert cli("user", "roles", "--email", "cy@example.com", "--grant", "sales.manager").stdout == "sales.manager\n"
    result = cli("user", "roles", "--email", "cy@example.com", "--revoke", "sales.manager", "--grant", "sales.rep")
    assert result.stdout == "sales.rep\n"
    assert cli("user", "roles", "--email", "cy@example.com", "--grant", "nope.x").exit_code == 2
    assert cli("user", "roles", "--email", "nobody@example.com").exit_code == 2
