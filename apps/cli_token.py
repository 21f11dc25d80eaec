"""``metacrm token ...``: API tokens for scripts (create, list, revoke).

``create`` prints the token alone on stdout so ``TOKEN=$(metacrm token create ...)``
works; it is shown this once and only its hash is kept.
"""

from __future__ import annotations

import click

from apps.cli import Context
from apps.cli import pass_ctx
from apps.cli import reports_errors
from apps.cli import user_named


@click.group()
def token():
    """Create, list and revoke API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="Email of the user the token acts as.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--name", default="cli", show_default=True, help="A name to recognise the token by.")
@pass_ctx
@reports_errors
def token_create(ctx: Context, email: str, scope: str, name: str):
    """Create a token and print it (once) on stdout."""
    from runtime.security.tokens import create_token

    with ctx.engine.begin() as conn:
        secret = create_token(conn, user_named(conn, email).id, name, scope)
    click.echo(secret)


@token.command("list")
@click.option("--user", "email", required=True)
@pass_ctx
@reports_errors
def token_list(ctx: Context, email: str):
    """List a user's tokens (id, name, scope, prefix, last used, state); never the secrets."""
    from runtime.security.tokens import list_tokens

    with ctx.engine.connect() as conn:
        rows = list_tokens(conn, user_named(conn, email).id)
    if not rows:
        click.echo(f"{email}: no tokens")
    for row in rows:
        state = "revoked" if row["revoked_at"] else "active"
        used = row["last_used_at"].isoformat() if row["last_used_at"] else "never used"
        click.echo(f"{row['id']}\t{row['name']}\t{row['scope']}\t{row['prefix']}…\t{used}\t{state}")


@token.command("revoke")
@click.argument("token_id", type=int)
@pass_ctx
@reports_errors
def token_revoke(ctx: Context, token_id: int):
    """Revoke token TOKEN_ID; it stops working at once."""
    from runtime.security.tokens import revoke_token

    with ctx.engine.begin() as conn:
        revoke_token(conn, token_id)
    click.echo(f"Revoked token {token_id}")
