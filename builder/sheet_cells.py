"""Reading a sheet's cells the way a person meant them: ``¥1,200``, ``45%``, ``2026/1/31``, ``是``.

The runtime's coercers are strict on purpose (an API client must send
``2026-01-31``); a sheet typed by people is not. ``normalise`` rewrites a
cell into what the coercer accepts, and leaves anything it does not
recognise alone so the coercer can say what is wrong with it.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from decimal import Decimal
from decimal import InvalidOperation

__all__ = ["clean", "money", "normalise", "normalised_rows", "percent", "scaled", "shown", "temporal"]

CURRENCY_MARKS = "¥￥$€£"
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(rf"^{_NUMBER}$")
INTEGER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|0|[1-9]\d*)$")
MONEY_RE = re.compile(rf"^(?:[{CURRENCY_MARKS}]|RMB|CNY|USD|EUR)?\s*({_NUMBER})\s*(?:元|[{CURRENCY_MARKS}])?$", re.IGNORECASE)
PERCENT_RE = re.compile(rf"^({_NUMBER})\s*%$")
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
DATETIME_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def clean(value):
    """Strings stripped, blanks as None; other values (Excel's numbers, dates) untouched."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def shown(value) -> str:
    """A cell as text the way Excel shows it: 3 not 3.0, a date without 00:00:00."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def money(value) -> Decimal | None:
    """The amount of ``¥1,200.50``, ``$ 3``, ``300元`` or a plain number; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    match = MONEY_RE.match(str(value))
    return decimal_of(match.group(1)) if match else None


def percent(value) -> Decimal | None:
    """The number of ``45%`` (or of a plain number); None otherwise."""
    if isinstance(value, str) and (match := PERCENT_RE.match(value)):
        return decimal_of(match.group(1))
    return money(value) if not isinstance(value, str) or NUMBER_RE.match(value) else None


def decimal_of(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def temporal(value) -> str | None:
    if isinstance(value, datetime):
        return "date" if value.time() == time() else "datetime"
    if isinstance(value, date):
        return "date"
    if not isinstance(value, str):
        return None
    if parse_date(value) is not None:
        return "date"
    return "datetime" if parse_datetime(value) is not None else None


def parse_date(text: str) -> date | None:
    match = DATE_RE.match(text)
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | str | None:
    match = DATETIME_RE.match(text)
    if not match:
        return None
    y, mo, d, h, mi, s, zone = match.groups()
    try:
        moment = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError:
        return None
    return f"{moment.isoformat()}{zone}" if zone else moment


def normalise(kind: str, value, fraction: bool = False):
    """Rewrite a cell the way a person meant it, for the runtime coercer of ``kind``.

    ``fraction``: a percent column whose numbers are Excel fractions (0.45 for 45%).
    Anything not recognised is passed on unchanged so the coercer reports it.
    """
    value = clean(value)
    if value is None:
        return None
    if fraction and kind == "percent" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(scaled(value))
    if kind in ("decimal", "currency", "integer", "percent") and isinstance(value, str):
        number = percent(value) if kind == "percent" else money(value)
        return str(number) if number is not None else value
    if kind == "date":
        if isinstance(value, str):
            return parse_date(value) or parse_datetime(value) or value
        return value
    if kind == "datetime":
        if isinstance(value, str):
            return parse_datetime(value) or value
        return datetime.combine(value, time()) if type(value) is date else value
    if kind in ("integer", "decimal", "currency", "percent", "boolean"):
        return value
    return shown(value)


def normalised_rows(rows, columns: list[tuple[int, str, bool]]):
    """``(number, cells)`` rows with the cells at ``columns`` (index, type, fraction) normalised, in that order."""
    for number, row in rows:
        width = len(row)
        yield number, [normalise(kind, row[i] if i < width else None, fraction) for i, kind, fraction in columns]


def scaled(value) -> Decimal:
    """An Excel percent fraction as the percentage people read: 0.455 -> 45.5."""
    return (Decimal(repr(value)) * 100).normalize()
