"""JSON out of the API: exact decimals as strings, dates ISO, datetimes ISO with ``Z``.

Flask's default JSON provider writes dates as RFC 822 strings and refuses
``Decimal``; the API needs neither, so responses are encoded here.
"""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Response

#: System columns every record carries that hold a UTC datetime.
SYSTEM_DATETIMES = ("created_at", "updated_at", "deleted_at")


def utc_text(value: datetime) -> str:
    """Stored datetimes are naive UTC; say so, so clients in other zones read them right."""
    if value.tzinfo is not None:
        return value.isoformat()
    return value.isoformat() + "Z"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    text = json.dumps(body, default=_default, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, headers=headers or {}, mimetype="application/json")


def empty_response(status: int = 204) -> Response:
    return Response(status=status)


def mark_utc(record: dict, names) -> dict:
    """The record service returns datetimes as naive ISO text; append ``Z`` to those named."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and "T" in value and not value.endswith("Z") and "+" not in value[10:]:
            record[name] = value + "Z"
    return record


def history_entry(entry: dict) -> dict:
    return mark_utc(dict(entry), ("at",))
