"""Export an entity's records to CSV or XLSX, streaming in keyset pages.

Memory stays flat however big the table: records are read 500 at a time
through ``list_records`` (the same filters, search, order and row
permissions as a list screen) and written out as they come, CSV as a
generator of bytes, XLSX through openpyxl's write-only workbook. The header
holds labels in the user's language; cells hold *values* (select values, ISO
dates, exact decimals), so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection

from runtime.automation.jobs import job_kind
from runtime.errors import BadInput
from runtime.metadata.model import Entity
from runtime.metadata.model import pick_label
from runtime.records.import_batch import FORMULA_START
from runtime.records.queries import list_records
from runtime.security import audit
from runtime.security.guarded import records_for
from runtime.security.sensitive import mask_record
from runtime.security.sensitive import revealed_names
from runtime.security.sensitive import sensitive_fields
from runtime.security.sensitive import sensitive_names

PAGE = 500
FORMATS = ("csv", "xlsx")
_NUMBERS = ("integer", "rating")
_DECIMALS = ("decimal", "currency", "percent")
Progress = Callable[[int, int | None], None]
_NOT_IN_SHEET_TITLES = re.compile(r"[\\/*?:\[\]]")


def export_fields(entity: Entity, hidden: frozenset[str] = frozenset()) -> list:
    """Every field a list shows (child tables are not columns), in the entity's order; fields
    hidden from the exporting user are left out."""
    return [f for f in entity.fields if f.type != "table" and f.name not in hidden]


def header(entity: Entity, language: str = "en", hidden: frozenset[str] = frozenset()) -> list[str]:
    return ["ID"] + [pick_label(f.label, language) for f in export_fields(entity, hidden)]


def iter_records(conn: Connection, registry, app: str, entity: str, *, progress: Progress | None = None,
                 masked: frozenset[str] = frozenset(), **filters) -> Iterator[dict]:
    """Every matching record, one keyset page of ``list_records`` at a time.

    ``filters`` are ``list_records``'s (``where``, ``order``, ``search``,
    ``user_id``, ``now``, ``extra_where``); ``masked`` sensitive fields come out
    masked. The cursor never leaves this process, so it is signed with a throwaway key. Without an ``order``,
    records come in id order (creation order, and the cheapest key to page on).
    """
    filters["order"] = filters.get("order") or "id"
    secret = secrets.token_hex(16)
    cursor, done, total = None, 0, None
    sensitive = sensitive_fields(registry, registry.entity(app, entity))
    while True:
        first = cursor is None
        page = list_records(conn, registry, app, entity, limit=PAGE, cursor=cursor, secret=secret,
                            count=progress is not None and first, **filters)
        total = page.total if first else total
        yield from (mask_record(sensitive, r, frozenset(sensitive) - masked) for r in page.data) if masked else page.data
        done += len(page.data)
        if progress is not None:
            progress(done, total)
        cursor = page.next_cursor
        if cursor is None:
            return


def text_cell(field, value, guard: bool = True) -> str:
    """A stored value as CSV text: what ``import`` reads back into the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if field is not None and field.type == "multiselect" and isinstance(value, list):
        value = ", ".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    # A text a spreadsheet would run as a formula gets a leading apostrophe (OWASP
    # "CSV injection"); the import strips it. Signed numbers and phone numbers stay as they are.
    text = str(value)
    return "'" + text if guard and isinstance(value, str) and FORMULA_START.match(text) else text


def export_csv(conn: Connection, registry, app: str, entity: str, *, language: str = "en",
               progress: Progress | None = None, **filters) -> Iterator[bytes]:
    """The CSV file as a stream of byte chunks (UTF-8 with BOM, which Excel needs for Chinese)."""
    ent = registry.entity(app, entity)
    hidden = filters.get("hidden", frozenset())
    fields = export_fields(ent, hidden)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([text_cell(None, title) for title in header(ent, language, hidden)])  # labels are text too
    yield "\ufeff".encode() + _drain(buffer)
    for rows, record in enumerate(iter_records(conn, registry, app, entity, progress=progress, **filters), 1):
        out.writerow([record["id"], *(text_cell(f, record.get(f.name)) for f in fields)])
        if rows % PAGE == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


def xlsx_cell(field, value):
    """Numbers, dates and booleans as real spreadsheet values; everything else as text."""
    if value is None:
        return None
    if field.type in _NUMBERS:
        return int(value)
    if field.type in _DECIMALS or field.type == "formula" and field.opt("result") in _DECIMALS:
        return Decimal(value)
    if field.type == "date":
        return date.fromisoformat(value)
    if field.type == "datetime":
        return datetime.fromisoformat(value)
    if isinstance(value, bool):
        return value
    return text_cell(field, value, guard=False)  # typed as text below, so never a formula


def export_xlsx(conn: Connection, registry, app: str, entity: str, path: str | Path, *, language: str = "en",
                progress: Progress | None = None, **filters) -> int:
    """Write the XLSX file at ``path`` (write-only workbook, flat memory); returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    ent = registry.entity(app, entity)
    hidden = filters.get("hidden", frozenset())
    fields = export_fields(ent, hidden)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(pick_label(ent.label, language)) or ent.name)

    def typed(value):
        if isinstance(value, str):
            value = WriteOnlyCell(sheet, value=value)
            value.data_type = "s"  # never a formula, whatever the text starts with
        return value

    sheet.append([typed(title) for title in header(ent, language, hidden)])
    rows = 0
    try:
        for record in iter_records(conn, registry, app, entity, progress=progress, **filters):
            sheet.append([record["id"], *(typed(xlsx_cell(f, record.get(f.name))) for f in fields)])
            rows += 1
    except BaseException:
        sheet.close()  # a bad filter or a failed read: end openpyxl's row writer and its temp file
        raise
    book.save(str(path))
    return rows


def sheet_title(label: str) -> str:
    """``label`` as an Excel sheet name: at most 31 characters, none of ``\\ / * ? : [ ]``."""
    return _NOT_IN_SHEET_TITLES.sub(" ", label)[:31].strip()


def export_file(conn: Connection, registry, app: str, entity: str, path: str | Path, fmt: str = "csv",
                **options) -> int:
    """Write ``path`` in ``fmt``; returns the number of records written."""
    if fmt not in FORMATS:
        raise BadInput(f"unsupported export format {fmt!r} (csv or xlsx)")
    if fmt == "xlsx":
        return export_xlsx(conn, registry, app, entity, path, **options)
    counted = {"rows": 0}
    progress = options.pop("progress", None)

    def count(done, total):
        counted["rows"] = done
        if progress is not None:
            progress(done, total)

    with open(path, "wb") as fh:
        fh.writelines(export_csv(conn, registry, app, entity, progress=count, **options))
    return counted["rows"]


def user_rights(conn: Connection, registry, app: str, entity: str, user_id: int | None) -> dict:
    """``extra_where``, ``hidden``, ``guard`` (lookups as the user sees them) and ``masked`` (sensitive
    fields shown masked: all but those the user's roles reveal; none for admins) for what ``user_id``
    may export (none for system jobs)."""
    if user_id is None:
        return {}
    guard = records_for(conn, registry, user_id)
    ent = registry.entity(app, entity)
    masked = sensitive_names(registry, ent) - revealed_names(registry, ent, guard.access)
    return {"extra_where": guard.row_filter(conn, app, entity), "hidden": guard.hidden_fields(app, entity),
            "guard": guard.link_guard(conn), "masked": masked}


@job_kind("export")
def export_job(conn: Connection, params: dict, ctx) -> dict:
    """Job kind ``export``: params ``app, entity, path, format``, ``where/search/order/language`` and
    ``ip``, the requester's address for the audit row (none: started on the command line)."""
    from runtime.records.registry import SchemaRegistry

    options = {k: params[k] for k in ("where", "search", "order", "language") if params.get(k)}
    registry = SchemaRegistry.from_connection(conn)
    options.update(user_rights(conn, registry, params["app"], params["entity"], ctx.user_id))
    rows = export_file(conn, registry, params["app"], params["entity"], params["path"],
                       params.get("format", "csv"), user_id=ctx.user_id, progress=ctx.progress, **options)
    audit.record(conn, "records_exported", ctx.user_id, None, params.get("ip") or audit.CLI,
                 {"app": params["app"], "entity": params["entity"], "rows": rows, "user": ctx.user_id})
    return {"path": str(params["path"]), "format": params.get("format", "csv"), "rows": rows,
            "processed": rows, "total": rows}
