"""``metacrm app ...``: validate, diff, publish, install, archived, restore."""

from __future__ import annotations

import click

from apps.cli import Context
from apps.cli import pass_ctx
from apps.cli import reports_errors
from apps.cli import user_named


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
    if package.data:
        from builder.sample_data import read_sample_data

        click.echo(f"{result.name}: {len(read_sample_data(result, package.data))} sample record(s) valid")


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
    _publish_package(ctx, _load(path), author)


def _progress(message: str) -> None:
    click.echo(f"  … {message}", err=True)


def _publish_package(ctx: Context, package, author: str | None):
    from builder.publish import publish as do_publish

    result = do_publish(ctx.engine, package.source, author=author, progress=_progress)
    if result.noop:
        click.echo(f"{result.app}: identical to the published version; nothing to do")
    else:
        click.echo(f"{result.app}: published version {result.version} ({len(result.changes)} change(s))")
    return result


@app.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--sample-data", is_flag=True, help="Also load the package's data/ records (only into empty entities).")
@click.option("--user", "user_email", default=None,
              help="Owner of the sample records ($me). Default: the first administrator.")
@click.option("--author", default=None)
@pass_ctx
@reports_errors
def install(ctx: Context, path: str, sample_data: bool, user_email: str | None, author: str | None):
    """Publish the app package PATH (folder or zip), optionally with its sample data.

    Data files are checked before publishing, so a bad file changes nothing; a
    record the record service refuses (a rule) rolls back all sample data only.
    """
    from builder.sample_load import install_sample_data

    package = _load(path)
    user = _check_sample_data(ctx, package, user_email) if sample_data else None
    result = _publish_package(ctx, package, author)
    if not sample_data:
        return
    if not package.data:
        click.echo(f"{result.app}: the package has no sample data")
        return
    _progress(f"loading sample data as {user.email}" if user else "loading sample data (no administrator: no owner)")
    loaded = install_sample_data(ctx.engine, result.app, package.data, user and user.id, progress=_progress)
    click.echo(f"{result.app}: {loaded.describe()}")


def _check_sample_data(ctx: Context, package, user_email: str | None):
    """Check the data against the package's app; returns the installing user (id, email) or None."""
    from builder.sample_data import read_sample_data
    from runtime.metadata.validate import validate_app

    name = package.source.get("app.json", {}).get("name")
    installed = {k: v for k, v in _installed(ctx).items() if k != name}
    read_sample_data(validate_app(package.source, installed=installed), package.data)
    return _installing_user(ctx, user_email)


def _installing_user(ctx: Context, email: str | None):
    """The user named by ``--user``, else the first active administrator (None if there is none)."""
    from sqlalchemy import select

    from runtime.storage.system import users

    with ctx.engine.connect() as conn:
        if email is not None:
            return user_named(conn, email)
        first_admin = select(users.c.id, users.c.email).where(users.c.is_admin.is_(True), users.c.is_active.is_(True))
        return conn.execute(first_admin.order_by(users.c.id).limit(1)).first()


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
