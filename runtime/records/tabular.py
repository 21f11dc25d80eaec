"""Rows of a CSV or XLSX file as a stream: ``(row_number, [cells])`` after a header.

Row numbers are the sheet's as a user sees them (the header is row 1), so an
error message points at the right line in Excel. CSV encoding is detected
from the bytes: UTF-8 with or without BOM, else GB18030 (a superset of GBK,
what Chinese Excel writes for "CSV").
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import BadInput

SAMPLE = 1 << 20
FALLBACK_ENCODING = "gb18030"
XLSX_MAGIC = b"PK\x03\x04"
csv.field_size_limit(10_000_000)
#: An XLSX is a ZIP of XML: bound what it may expand to before any XML is parsed (zip bombs).
XLSX_MAX_EXPANDED = 1 << 30
XLSX_MAX_RATIO = 200


@dataclass
class Sheet:
    """A header and a one-pass iterator of numbered data rows (blank rows skipped)."""

    header: list[str]
    rows: Iterator[tuple[int, list]]
    total: int | None = None


def open_sheet(path: str | Path, fmt: str | None = None) -> Sheet:
    """Open ``path`` as CSV or XLSX (by ``fmt``, else by the file's magic bytes)."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(4)
    fmt = fmt or ("xlsx" if head == XLSX_MAGIC else "csv")
    if fmt == "xlsx":
        return _xlsx(path)
    if fmt == "csv":
        return _csv(path)
    raise BadInput(f"unsupported import format {fmt!r} (csv or xlsx)")


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (BOM or not) when the sample decodes as UTF-8, else GB18030."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return FALLBACK_ENCODING


def _csv(path: Path) -> Sheet:
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE)
    encoding = detect_encoding(sample)
    text = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by the generator
    first = text.readline()
    dialect = _dialect(first)
    header = next(csv.reader([first], dialect), [])
    if not any(h.strip() for h in header):
        text.close()
        raise BadInput("the file has no header row")
    total = _count_lines(path) - 1 if path.stat().st_size <= 64 * SAMPLE else None
    return Sheet([h.strip() for h in header], _csv_rows(text, dialect, encoding), total)


def _dialect(first_line: str):
    delimiter = max(",;\t", key=first_line.count)
    return type("Detected", (csv.excel,), {"delimiter": delimiter if delimiter in first_line else ","})


def _csv_rows(text, dialect, encoding) -> Iterator[tuple[int, list]]:
    # Records, not physical lines: a quoted cell with line breaks is one row in Excel too.
    number = 1
    try:
        for number, cells in enumerate(csv.reader(text, dialect), start=2):
            if any(cells):
                yield number, cells
    except UnicodeDecodeError:
        raise BadInput(f"row {number + 1}: the file is not valid {encoding}") from None
    except csv.Error as exc:
        raise BadInput(f"row {number + 1}: {exc}") from None
    finally:
        text.close()


def _count_lines(path: Path) -> int:
    """A cheap estimate for the progress bar (quoted newlines make it an upper bound)."""
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(SAMPLE), b""))


def open_workbook(path: Path, *, data_only: bool = True):
    """openpyxl's read-only workbook, after checking the ZIP cannot expand into a memory bomb."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(f"not a readable XLSX file: {exc}") from None
    expanded = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if expanded > XLSX_MAX_EXPANDED or (expanded > (16 << 20) and expanded / packed > XLSX_MAX_RATIO):
        raise BadInput(f"the XLSX file would expand to {expanded:,} bytes "
                       f"({expanded / packed:.0f}× its size): refused as a possible zip bomb")
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise BadInput(f"not a readable XLSX file: {exc}") from None


def _xlsx(path: Path) -> Sheet:
    book = open_workbook(path)
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header or not any(h not in (None, "") for h in header):
        book.close()
        raise BadInput("the file has no header row")
    total = sheet.max_row - 1 if sheet.max_row else None
    return Sheet([_text(h) for h in header], _xlsx_rows(book, rows), total)


def _xlsx_rows(book, rows) -> Iterator[tuple[int, list]]:
    try:
        for number, cells in enumerate(rows, start=2):
            if any(c not in (None, "") for c in cells):
                yield number, list(cells)
    finally:
        book.close()


def _text(value) -> str:
    return "" if value is None else str(value).strip()
