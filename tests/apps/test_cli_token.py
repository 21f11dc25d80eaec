"""``metacrm token create|list|revoke`` through Click's runner on a real database."""

import pytest
from click.testing import CliRunner

from apps.cli import main
from runtime.security.tokens import authenticate_token
from runtime.storage.engine import make_engine


@pytest.fixture
def cli(database_url, tmp_path):
    env = {"METACRM_DATABASE_URL": database_url, "METACRM_INSTANCE_DIR": str(tmp_path / "instance")}

    def run(*args):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    assert run("init").exit_code == 0
    assert run("user", "create", "--email", "ann@example.com", "--password", "s3cret-pass-12").exit_code == 0
    return run


def test_create_prints_only_the_token_and_it_works(cli, database_url):
    result = cli("token", "create", "--user", "ann@example.com", "--scope", "write", "--name", "etl")
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("mcrm_") and "\n" not in token and " " not in token
    engine = make_engine(database_url)
    with engine.begin() as conn:
        user, scope = authenticate_token(conn, token)
    engine.dispose()
    assert user.email == "ann@example.com" and scope == "write"


def test_list_then_revoke(cli, database_url):
    token = cli("token", "create", "--user", "ann@example.com").stdout.strip()
    listed = cli("token", "list", "--user", "ann@example.com")
    assert listed.exit_code == 0 and "cli\tread" in listed.stdout and token not in listed.stdout
    token_id = listed.stdout.split("\t")[0]
    assert cli("token", "revoke", token_id).exit_code == 0
    assert "revoked" in cli("token", "list", "--user", "ann@example.com").stdout
    engine = make_engine(database_url)
    with engine.begin() as conn:
        assert authenticate_token(conn, token) is None
    engine.dispose()


def test_bad_input_exits_2(cli):
    assert cli("token", "create", "--user", "ann@example.com", "--scope", "root").exit_code == 2
    result = cli("token", "revoke", "999")
    assert result.exit_code == 1 and "no token 999" in result.stderr
    missing = cli("token", "create", "--user", "nobody@example.com")
    assert missing.exit_code == 2 and "no user nobody@example.com" in missing.stderr
