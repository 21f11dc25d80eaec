"""``metacrm app ...``: validate, diff, publish, archived, restore."""

from __future__ import annotations

import click

from apps.cli import Context
from apps.cli import pass_ctx
from apps.cli import reports_errors


@click.group()
def app():
    """Validate, preview and publish app metadata."""


def _load(path: str):
    from runtime.metadata.loader import load_package

    return load_package(path)


def _installed(ctx: Context) -> dict:
    from runtime.storage.catalog import current_apps

    with ctx.engine.connect() as conn:
        return {name: a for name, (_n, a) in current_apps(conn).items()}


@app.command()
@click.argument("path", type=click.Path(exists=True))
@pass_ctx
@reports_errors
def validate(ctx: Context, path: str):
    """Check an app folder or zip without touching the database."""
    from runtime.metadata.validate import validate_app

    package = _load(path)
    name = package.source.get("app.json", {}).get("name")
    installed = {k: v for k, v in _installed(ctx).items() if k != name} if _db_ready(ctx) else {}
    result = validate_app(package.source, installed=installed)
    click.echo(f"{result.name} {result.version}: valid ({len(result.entities)} entities)")


def _db_ready(ctx: Context) -> bool:
    from runtime.storage.system import current_revision

    try:
        return current_revision(ctx.engine) is not None
    except Exception:  # no database yet: validate standalone
        return False


@app.command()
@click.argument("path", type=click.Path(exists=True))
@pass_ctx
@reports_errors
def diff(ctx: Context, path: str):
    """Show what publishing PATH would change in the database."""
    from builder.publish import publish

    result = publish(ctx.engine, _load(path).source, dry_run=True)
    if result.noop:
        click.echo(f"{result.app}: identical to the published version; nothing to do")
        return
    click.echo(f"{result.app}: {len(result.changes)} change(s)")
    for line in result.summary():
        click.echo(f"  {line}")


@app.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--author", default=None)
@pass_ctx
@reports_errors
def publish(ctx: Context, path: str, author: str | None):
    """Apply PATH's metadata: migrate the tables and record a new version."""
    from builder.publish import publish as do_publish

    result = do_publish(ctx.engine, _load(path).source, author=author,
                        progress=lambda msg: click.echo(f"  … {msg}", err=True))
    if result.noop:
        click.echo(f"{result.app}: identical to the published version; nothing to do")
    else:
        click.echo(f"{result.app}: published version {result.version} ({len(result.changes)} change(s))")


@app.command()
@click.argument("name")
@pass_ctx
@reports_errors
def archived(ctx: Context, name: str):
    """List archived fields and entities of app NAME that can be restored."""
    from builder.restore import list_archived

    rows = list_archived(ctx.engine, name)
    if not rows:
        click.echo(f"{name}: nothing archived")
    for row in rows:
        target = row["entity"] + (f".{row['field']}" if row["field"] else "")
        click.echo(f"{target}\t{row['kind']}\tkept as {row['archived_name']}\tsince version {row['archived_in']}")


@app.command()
@click.argument("name")
@click.argument("target")
@click.option("--author", default=None)
@pass_ctx
@reports_errors
def restore(ctx: Context, name: str, target: str, author: str | None):
    """Restore archived TARGET (``entity`` or ``entity.field``) of app NAME with its data."""
    from builder.restore import restore_archived

    result = restore_archived(ctx.engine, name, target, author=author)
    click.echo(f"{name}: restored {target} in version {result.version}")
