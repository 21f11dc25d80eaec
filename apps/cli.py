"""The ``metacrm`` command: a thin Click layer over builder and runtime.

Exit codes (DESIGN §4): 0 success, 2 bad input (bad metadata, unsafe change,
usage errors), 1 anything else.
"""

from __future__ import annotations

import secrets
import sys
from functools import wraps

import click

from apps.config import Settings
from runtime.errors import MetacrmError


class Context:
    """Settings and engine, built on first use so ``--help`` touches nothing."""

    def __init__(self):
        self._settings = None
        self._engine = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    @property
    def engine(self):
        if self._engine is None:
            from apps.config import open_engine

            self._engine = open_engine(self.settings)
        return self._engine


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def reports_errors(command):
    """Turn product errors into a readable message and the right exit code."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except MetacrmError as err:
            click.echo(f"Error: {err.message}", err=True)
            for line in _detail_lines(err.details):
                click.echo(f"  {line}", err=True)
            sys.exit(err.exit_code)

    return wrapper


def user_named(conn, email: str):
    """The user row an ``--email``/``--user`` option names; an unknown email is bad input (exit 2)."""
    from runtime.errors import BadInput
    from runtime.security.users import get_user_by_email

    row = get_user_by_email(conn, email)
    if row is None:
        raise BadInput(f"no user {email}")
    return row


def _detail_lines(details) -> list[str]:
    if isinstance(details, dict):
        return [f"{k}: {v}" for k, v in details.items()]
    return [str(d) for d in details or ()]


@click.group()
def main():
    """metacrm: build CRM apps from JSON metadata."""


@main.command()
@pass_ctx
@reports_errors
def init(ctx: Context):
    """Create or upgrade the system tables (safe to repeat)."""
    from runtime.storage.system import upgrade

    ctx.settings.instance_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.engine)
    click.echo(f"Database ready: {ctx.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_ctx
@reports_errors
def serve(ctx: Context, host: str, port: int):
    """Serve the web app (development server; use a WSGI server in production)."""
    from apps.web import create_app

    create_app(ctx.settings).run(host=host, port=port, debug=False, use_reloader=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo but do not start the server.")
@pass_ctx
@reports_errors
def demo(ctx: Context, host: str, port: int, no_serve: bool):
    """Create a SQLite demo with an admin and the shipped templates, then serve it."""
    from apps.demo import prepare_demo

    email, password = prepare_demo(ctx.engine, ctx.settings, echo=click.echo)
    click.echo(f"\n  metacrm demo on http://{host}:{port}/")
    if password:
        click.echo(f"  log in as {email} with password {password}\n")
    else:
        click.echo(f"  log in as {email} (password set on first demo run)\n")
    if not no_serve:
        from apps.web import create_app

        create_app(ctx.settings).run(host=host, port=port, debug=False, use_reloader=False)


@main.group()
def user():
    """Manage users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Omit to generate one.")
@click.option("--admin", is_flag=True)
@click.option("--manager", default=None, help="Email of the user's manager.")
@click.option("--role", "roles", multiple=True, help="Role to grant, as app.role (repeatable).")
@click.option("--department", default=None)
@pass_ctx
@reports_errors
def user_create(ctx: Context, email: str, password: str | None, admin: bool, manager: str | None,
                roles: tuple[str, ...], department: str | None):
    """Create a user; prints the generated password if none was given."""
    from runtime.security.role_grants import Actor
    from runtime.security.role_grants import grant_role
    from runtime.security.role_grants import set_department
    from runtime.security.users import create_user

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with ctx.engine.begin() as conn:
        user_id = create_user(conn, email, password, is_admin=admin, manager_email=manager)
        for role in roles:
            grant_role(conn, user_id, role, Actor())
        if department:
            set_department(conn, user_id, department, Actor())
    click.echo(f"Created user {user_id}: {email}" + (f" with password {password}" if generated else ""))


@user.command("roles")
@click.option("--email", required=True)
@click.option("--grant", "grants", multiple=True, help="Role to grant, as app.role (repeatable).")
@click.option("--revoke", "revokes", multiple=True, help="Role to revoke (repeatable).")
@pass_ctx
@reports_errors
def user_roles(ctx: Context, email: str, grants: tuple[str, ...], revokes: tuple[str, ...]):
    """Grant or revoke roles, then print the user's roles, one a line."""
    from runtime.security.role_grants import Actor
    from runtime.security.role_grants import grant_role
    from runtime.security.role_grants import revoke_role
    from runtime.security.role_grants import roles_of

    with ctx.engine.begin() as conn:
        row = user_named(conn, email)
        for role in grants:
            grant_role(conn, row.id, role, Actor())
        for role in revokes:
            revoke_role(conn, row.id, role, Actor())
        held = roles_of(conn, row.id)
    for role in held:
        click.echo(role)


@user.command("reset-2fa")
@click.option("--email", required=True)
@pass_ctx
@reports_errors
def user_reset_2fa(ctx: Context, email: str):
    """Turn off a user's two-step verification (lost phone); they set it up again."""
    from runtime.security.twofactor import disable

    with ctx.engine.begin() as conn:
        row = user_named(conn, email)
        disable(conn, row.id, event="2fa_reset")
    click.echo(f"Two-step verification reset for {row.email}.")


from apps.cli_app import app

main.add_command(app)

from apps.cli_token import token

main.add_command(token)

from apps.cli_data import register_data_commands

register_data_commands(main)
