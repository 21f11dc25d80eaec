"""``metacrm import``, ``metacrm export`` and ``metacrm worker``: data in and out, and the job worker.

Import and export run as jobs (a ``metacrm_job`` row anyone can poll) but
always inline here: the file is on this machine, and the progress bar is fed
straight from the running job.
"""

from __future__ import annotations

import json
import sys

import click

from apps.cli import Context
from apps.cli import pass_ctx
from apps.cli import reports_errors
from runtime.errors import MetacrmError

MODES = ("all_or_nothing", "skip_bad_rows", "upsert")


class _Bar:
    """A click progress bar opened on the first report, once the total is known."""

    def __init__(self, label: str):
        self.label, self.bar, self.done = label, None, 0

    def __call__(self, processed: int, total: int | None) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(processed - self.done)
        self.done = processed

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _run_job(ctx: Context, kind: str, params: dict, label: str) -> dict:
    from runtime.automation.jobs import JobQueue

    queue = JobQueue(ctx.engine)
    bar = _Bar(label)
    try:
        job_id = queue.submit(kind, params, None, progress=bar)
    finally:
        bar.close()
    return queue.get(job_id)


def _exit_code(code: str | None) -> int:
    def walk(cls):
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    return next((c.exit_code for c in walk(MetacrmError) if c.code == code), 1)


def _print_errors(report: dict | None) -> None:
    from runtime.records.importing import rows_of

    for line in rows_of(report or {}):
        click.echo(f"  {line}", err=True)


@click.command("import")
@click.argument("app_name", metavar="APP")
@click.argument("entity")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", type=click.Choice(MODES), default="all_or_nothing", show_default=True)
@click.option("--upsert-on", default=None, help="Unique field that finds existing records.")
@click.option("--mapping", default=None, help='JSON object {"column": "field" or null}.')
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None, help="Default: from the bytes.")
@click.option("--language", default="en", show_default=True)
@pass_ctx
@reports_errors
def import_(ctx: Context, app_name, entity, path, mode, upsert_on, mapping, fmt, language):
    """Import a CSV or XLSX FILE into APP's ENTITY; prints every bad row with its row number."""
    try:
        mapping = json.loads(mapping) if mapping else None
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--mapping") from None
    if mapping is not None and not isinstance(mapping, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--mapping")
    params = {"app": app_name, "entity": entity, "path": str(click.format_filename(path)), "mode": mode,
              "upsert_on": upsert_on, "mapping": mapping, "format": fmt, "language": language}
    job = _run_job(ctx, "import", params, "Importing")
    if job["status"] != "done":
        result = job["result"] or {}
        click.echo(f"Error: {job['error']}", err=True)
        details = result.get("details")
        _print_errors(details if isinstance(details, dict) else None)
        for line in details if isinstance(details, list) else ():
            click.echo(f"  {line}", err=True)
        sys.exit(_exit_code(result.get("code")))
    report = job["result"]
    click.echo(f"Imported {entity}: {report['created']} created, {report['updated']} updated, "
               f"{report['bad_rows']} bad row(s) skipped (job {job['id']})")
    if report["unknown_columns"]:
        click.echo(f"Unknown columns (not imported): {', '.join(report['unknown_columns'])}", err=True)
    _print_errors(report)


@click.command("export")
@click.argument("app_name", metavar="APP")
@click.argument("entity")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write; CSV to standard output when omitted.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Default: from the output file's extension, else csv.")
@click.option("--where", default=None, help="Filter in the expression language.")
@click.option("--search", default=None)
@click.option("--order", default=None, help="e.g. '-amount,name'.")
@click.option("--language", default="en", show_default=True, help="Language of the header labels.")
@pass_ctx
@reports_errors
def export(ctx: Context, app_name, entity, output, fmt, where, search, order, language):
    """Export APP's ENTITY to CSV or XLSX, streamed page by page."""
    fmt = fmt or ("xlsx" if output and output.lower().endswith(".xlsx") else "csv")
    filters = {"where": where, "search": search, "order": order, "language": language}
    if output is None:
        if fmt == "xlsx":
            raise click.UsageError("XLSX needs an output file (-o FILE.xlsx)")
        _export_stdout(ctx, app_name, entity, {k: v for k, v in filters.items() if v})
        return
    params = {"app": app_name, "entity": entity, "path": output, "format": fmt, **filters}
    job = _run_job(ctx, "export", params, "Exporting")
    if job["status"] != "done":
        result = job["result"] or {}
        click.echo(f"Error: {job['error']}", err=True)
        sys.exit(_exit_code(result.get("code")))
    click.echo(f"Exported {job['result']['rows']} {entity} record(s) to {output}", err=True)


def _export_stdout(ctx: Context, app_name: str, entity: str, filters: dict) -> None:
    from runtime.records.exporting import export_csv
    from runtime.records.registry import SchemaRegistry

    out = click.get_binary_stream("stdout")
    with ctx.engine.connect() as conn:
        registry = SchemaRegistry.from_connection(conn)
        for chunk in export_csv(conn, registry, app_name, entity, **filters):
            out.write(chunk)
    out.flush()


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@pass_ctx
@reports_errors
def worker(ctx: Context, burst: bool):
    """Run an RQ worker for background jobs (needs METACRM_REDIS_URL)."""
    from apps.worker import run_worker

    click.echo(f"metacrm worker on {ctx.settings.redis_url}", err=True)
    run_worker(ctx.settings, burst=burst)


def register_data_commands(group: click.Group) -> None:
    """Called at the bottom of ``apps/cli.py``."""
    for command in (import_, export, worker):
        group.add_command(command)
