"""Guess an entity from a spreadsheet: one field per column, typed from the header and sample values.

Pure functions over a ``runtime.records.tabular.Sheet``, so the builder's
wizard and the tests see exactly what the importer will read. Cells the
runtime's strict coercers would refuse but a person plainly meant (``¥1,200``,
``45%``, ``2026/1/31``) are rewritten by ``normalise`` before coercion; the
wizard feeds the import through the same function, so preview and import agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from itertools import islice
from pathlib import Path

from builder.sheet_cells import INTEGER_RE
from builder.sheet_cells import NUMBER_RE
from builder.sheet_cells import PERCENT_RE
from builder.sheet_cells import clean
from builder.sheet_cells import money
from builder.sheet_cells import percent
from builder.sheet_cells import scaled
from builder.sheet_cells import shown
from builder.sheet_cells import temporal
from builder.sheet_formats import xlsx_formats
from builder.sheet_names import entity_name
from builder.sheet_names import field_names
from builder.sheet_names import label_for
from runtime.errors import BadInput
from runtime.fieldtypes.choice import FALSE_WORDS
from runtime.fieldtypes.choice import TRUE_WORDS
from runtime.fieldtypes.text import EMAIL_RE
from runtime.fieldtypes.text import PHONE_RE
from runtime.fieldtypes.text import URL_RE
from runtime.records.tabular import Sheet
from runtime.records.tabular import open_sheet

__all__ = ["ColumnStats", "Proposal", "field_json", "infer_column", "propose", "propose_file"]

SAMPLE_ROWS = 2000
PREVIEW_ROWS = 10
MAX_SELECT = 12
MAX_OPTIONS = 200
SHORT_TEXT = 255
MONEY_WORDS = {"amount", "price", "revenue", "cost", "total", "salary", "fee", "fees", "budget", "income",
               "subtotal", "balance", "payment", "paid", "spend", "sales", "value"}
MONEY_ZH = ("金额", "价格", "收入", "成本", "费用", "总价", "单价", "预算", "工资", "薪资", "营收", "销售额", "价")
PHONE_WORDS = {"phone", "tel", "telephone", "mobile", "cell", "fax"}
PHONE_ZH = ("电话", "手机", "联系方式", "传真")
CODE_RE = re.compile(r"^[+-]?0\d|^\d{16,}$")


@dataclass
class ColumnStats:
    """What the wizard shows per column, and why a type was chosen."""

    index: int
    header: str
    name: str
    type: str
    samples: list[str] = dc_field(default_factory=list)
    filled: int = 0
    blanks: int = 0
    distinct: int = 0
    longest: int = 0
    reasons: list[str] = dc_field(default_factory=list)
    options: list[str] = dc_field(default_factory=list)
    precision: int | None = None
    fraction: bool = False  # Excel percent cells: 45% is the number 0.45, stored as 45


@dataclass
class Proposal:
    """An entity JSON plus the evidence behind it and the first rows to preview."""

    entity: dict
    columns: list[ColumnStats]
    rows: list[tuple[int, list]]
    sampled: int
    total: int | None


def propose_file(path: str | Path, filename: str, taken: set[str] = frozenset()) -> Proposal:
    """Open an uploaded CSV/XLSX and propose an entity named after the file."""
    try:
        sheet = open_sheet(path)
    except BadInput as err:
        raise BadInput(f"The sheet could not be read: {err.message}") from None
    return propose(sheet, filename, taken, xlsx_formats(path))


def propose(sheet: Sheet, filename: str, taken: set[str] = frozenset(), formats: dict | None = None) -> Proposal:
    """Read up to SAMPLE_ROWS rows of ``sheet`` and propose one field per column.

    ``formats`` maps a column index to the Excel cell format seen (``sheet_formats``).
    """
    header = [h or f"Column {i + 1}" for i, h in enumerate(sheet.header)]
    while header and not sheet.header[len(header) - 1]:
        header.pop()  # trailing empty header cells are Excel's formatting, not columns
    if not header:
        raise BadInput("The sheet has no column headers in its first row.")
    rows = list(islice(sheet.rows, SAMPLE_ROWS))
    names = field_names(header)
    columns = []
    for index, (title, name) in enumerate(zip(header, names)):
        values = [row[index] if index < len(row) else None for _n, row in rows]
        columns.append(infer_column(index, title, name, values, (formats or {}).get(index)))
    fields = [field_json(c) for c in columns]
    title = next((c.name for c in columns if c.type == "text"), None)
    label = " ".join(re.split(r"[_\s]+", Path(filename).stem)).strip() or "Sheet"
    label = label[:1].upper() + label[1:]
    entity = {"name": entity_name(filename, taken), "label": label_for(label), "fields": fields}
    if title:
        entity["title_field"] = title
    return Proposal(entity, columns, rows[:PREVIEW_ROWS], len(rows), sheet.total)


def field_json(column: ColumnStats) -> dict:
    """The field definition for a column's chosen type (no ``required``: the admin decides)."""
    data = {"name": column.name, "type": column.type, "label": label_for(column.header)}
    if column.type == "select":
        data["options"] = [{"value": v} for v in column.options]
    if column.precision is not None and column.type in ("decimal", "currency", "percent"):
        data["precision"] = column.precision
    return data


def infer_column(index: int, header: str, name: str, values: list, number_format: str | None = None) -> ColumnStats:
    """Pick a type for one column from its header and values; ``reasons`` says why, in words.

    ``number_format`` (``"percent"``/``"currency"``) is what Excel's cell formats said.
    """
    cells = [clean(v) for v in values]
    filled = [v for v in cells if v is not None]
    texts = [shown(v) for v in filled]
    stats = ColumnStats(index, header, name, "text", samples=list(dict.fromkeys(texts))[:5], filled=len(filled),
                        blanks=len(cells) - len(filled), distinct=len(set(texts)),
                        longest=max(map(len, texts), default=0))
    if not filled:
        stats.reasons.append("no values in the sample")
        return stats
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in filled)
    if number_format and numbers:
        stats.type, stats.fraction = number_format, number_format == "percent"
        stats.reasons.append(f"the cells are formatted as {'percentages' if stats.fraction else 'money'} in Excel")
    else:
        stats.type, reason = _choose(header, filled, texts, stats)
        stats.reasons.append(reason)
    if stats.type in ("decimal", "currency", "percent"):
        numbers_read = [scaled(v) for v in filled] if stats.fraction else filled
        stats.precision = _precision(numbers_read, stats.type)
    if stats.distinct <= MAX_OPTIONS:  # offered when the admin turns the column into a select
        stats.options = sorted(set(texts))
    return stats


def _choose(header: str, filled: list, texts: list[str], stats: ColumnStats) -> tuple[str, str]:
    words = set(re.findall(r"[a-z]+", header.lower()))
    money_header = bool(words & MONEY_WORDS) or any(w in header for w in MONEY_ZH)
    phone_header = bool(words & PHONE_WORDS) or any(w in header for w in PHONE_ZH)
    if all(isinstance(v, bool) or str(v).lower() in BOOL_WORDS for v in filled) and stats.distinct <= 4:
        return "boolean", "every value is yes/no, true/false, Y/N or 是/否"
    if phone_header and all(PHONE_RE.match(t) for t in texts):
        return "phone", "the header names a phone number and the values look like one"
    if any(isinstance(v, str) and CODE_RE.match(v) for v in filled):
        return _textual(texts, stats, "leading zeros or over 15 digits: a code, not a number")
    if all(_is_integer(v) for v in filled):
        if money_header:
            return "currency", "whole numbers under a money header"
        return "integer", "every value is a whole number"
    if any(isinstance(v, str) and PERCENT_RE.match(v) for v in filled) and all(percent(v) is not None for v in filled):
        return "percent", "values end with %"
    if all(money(v) is not None for v in filled):
        if money_header or any(isinstance(v, str) and not NUMBER_RE.match(v) for v in filled):
            return "currency", "money header or currency symbols"
        return "decimal", "every value is a number"
    kinds = {temporal(v) for v in filled}
    if kinds <= {"date"}:
        return "date", "every value is a date"
    if kinds <= {"date", "datetime"}:
        return "datetime", "every value is a date with a time"
    return _textual(texts, stats)


def _textual(texts: list[str], stats: ColumnStats, why: str = "short text") -> tuple[str, str]:
    if all(EMAIL_RE.match(t) for t in texts):
        return "email", "every value is an email address"
    if all(URL_RE.match(t) for t in texts):
        return "url", "every value is a web address"
    if all(PHONE_RE.match(t) and sum(c.isdigit() for c in t) >= 7 and not t.isdigit() for t in texts):
        return "phone", "every value looks like a phone number"
    if stats.longest > SHORT_TEXT or any("\n" in t for t in texts):
        return "textarea", f"values up to {stats.longest} characters or with line breaks"
    if stats.distinct <= MAX_SELECT and stats.filled >= 2 * stats.distinct and stats.longest <= 64:
        return "select", f"only {stats.distinct} different values, repeated" if stats.distinct > 1 else "one value, repeated"
    return "text", why


BOOL_WORDS = (TRUE_WORDS | FALSE_WORDS) - {"0", "1", "on", "off", "对", "不"}


def _is_integer(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer() and abs(value) < 2**53
    return isinstance(value, str) and bool(INTEGER_RE.match(value)) and len(value) <= 15


def _precision(filled: list, kind: str) -> int:
    """Enough decimals for every sampled value: at least 2 (cents), at most 8 (the schema's limit)."""
    parse = percent if kind == "percent" else money
    places = [max(0, -n.as_tuple().exponent) for v in filled if (n := parse(v)) is not None]
    return min(max([2, *places]), 8)
