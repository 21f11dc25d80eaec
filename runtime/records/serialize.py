"""Stored Python values -> JSON-friendly values, the one shape every surface returns.

Decimals become strings (never floats, which would lose exactness) and
dates ISO strings, both in record output and in history entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any


def json_value(value: Any) -> Any:
    convert = _CONVERTERS.get(type(value))
    return value if convert is None else convert(value)


def _iso(value: date) -> str:
    return value.isoformat()


def _plain(value: Decimal) -> str:
    """Fixed-point text: ``str`` would give ``0E-8`` for a zero with eight decimals."""
    return format(value, "f")


_CONVERTERS = {
    Decimal: _plain,
    datetime: _iso,
    date: _iso,
    list: lambda items: [json_value(v) for v in items],
    dict: lambda mapping: {k: json_value(v) for k, v in mapping.items()},
}


def row_to_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: json_value(value) for key, value in row.items()}


def rows_to_dicts(rows, hide_prefix: str | None = None) -> list[dict[str, Any]]:
    """Many rows at once: the column names are read (and filtered) once, not per row."""
    if not rows:
        return []
    keys = [k for k in rows[0].keys() if not (hide_prefix and k.startswith(hide_prefix))]
    convert, plain = _CONVERTERS.get, (str, int, bool, type(None))
    out = []
    for row in rows:
        values = {}
        for key in keys:
            value = row[key]
            values[key] = value if type(value) in plain else (convert(type(value)) or _same)(value)
        out.append(values)
    return out


def _same(value: Any) -> Any:
    return value
