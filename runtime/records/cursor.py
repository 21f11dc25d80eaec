"""Opaque, signed keyset cursors for record lists.

A cursor carries the sort-key values of the last row of a page and a
fingerprint of the query it belongs to (app, entity, where, order, search,
user). It is ``base64url(JSON) "." base64url(HMAC-SHA256)``, so a client can
neither forge a position nor reuse a cursor with another filter or sort —
either would silently skip or repeat rows. Any such cursor is a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from runtime.errors import BadInput

#: Longer tokens are refused before any decoding work.
MAX_CURSOR = 4096
_PURPOSE = b"metacrm.records.cursor.v1"


class InvalidCursor(BadInput):
    """The cursor was tampered with, truncated, or belongs to another query."""

    code = "invalid_cursor"


def fingerprint(*parts: Any) -> str:
    """A short digest naming one query; equal parts give equal fingerprints."""
    canonical = json.dumps(parts, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def encode_cursor(values: list[Any], query: str, secret: str) -> str:
    """The token for a page that ends at a row with these sort-key ``values``."""
    payload = json.dumps({"q": query, "k": [_tag(v) for v in values]}, separators=(",", ":"),
                         allow_nan=False).encode()
    return f"{_b64(payload)}.{_b64(_sign(payload, secret))}"


def decode_cursor(token: str, query: str, secret: str, width: int) -> list[Any]:
    """The sort-key values in ``token``; InvalidCursor unless it is ours, intact and for ``query``."""
    if not isinstance(token, str) or not token or len(token) > MAX_CURSOR or token.count(".") != 1:
        raise _invalid("malformed")
    body, signature = token.split(".")
    try:
        payload, mac = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError):
        raise _invalid("malformed") from None
    if not hmac.compare_digest(mac, _sign(payload, secret)):
        raise _invalid("signature does not match")
    try:
        data = json.loads(payload)
        keys = data["k"]
        matches = data["q"] == query
    except (ValueError, KeyError, TypeError):
        raise _invalid("malformed") from None
    if not matches:
        raise _invalid("it belongs to a different list (entity, where, order or search changed)")
    if not isinstance(keys, list) or len(keys) != width:
        raise _invalid("wrong number of sort keys")
    return [_untag(v) for v in keys]


def _invalid(reason: str) -> InvalidCursor:
    return InvalidCursor("invalid cursor", details={"cursor": reason})


def _sign(payload: bytes, secret: str) -> bytes:
    if not secret:
        raise ValueError("a non-empty secret is needed to sign cursors")
    # Derive a key for this one purpose, so the app secret never signs raw client-visible data.
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:  # unused trailing bits: another spelling of the same bytes
        raise ValueError("not canonical base64url")
    return raw


# Values JSON cannot carry as themselves travel as a two-item list, which a
# plain sort value never is: ["dec", "12.50"], ["date", ...], ["dt", ...].
def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _untag(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    try:
        kind, text = value
        if kind == "dec":
            return Decimal(text)
        if kind == "dt":
            return datetime.fromisoformat(text)
        if kind == "date":
            return date.fromisoformat(text)
    except (ValueError, TypeError, InvalidOperation):
        pass
    raise _invalid("malformed sort key")
