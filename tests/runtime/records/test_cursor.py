"""Cursors: values survive the round trip; anything forged, damaged or foreign is a 400."""

from __future__ import annotations

import base64
import json
import string
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.records.cursor import MAX_CURSOR
from runtime.records.cursor import InvalidCursor
from runtime.records.cursor import decode_cursor
from runtime.records.cursor import encode_cursor
from runtime.records.cursor import fingerprint

QUERY = fingerprint("sales", "deal", "amount > 1", "-amount,id", [], None)

values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=30),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.dates(), st.datetimes(),
)


@given(st.lists(values, min_size=1, max_size=6))
def test_values_round_trip(keys):
    token = encode_cursor(keys, QUERY, "secret")
    assert decode_cursor(token, QUERY, "secret", len(keys)) == keys
    assert token.isascii() and "=" not in token  # safe in a URL as it is


def test_decimals_keep_their_scale_and_types_are_kept_apart():
    keys = [Decimal("12.50"), date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, 5), "2026-01-02", ["dec", "1"][0]]
    back = decode_cursor(encode_cursor(keys, QUERY, "s"), QUERY, "s", len(keys))
    assert [type(v) for v in back] == [Decimal, date, datetime, str, str]
    assert str(back[0]) == "12.50"


def _rejected(token, query=QUERY, secret="s", width=2) -> InvalidCursor:
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(token, query, secret, width)
    assert caught.value.http_status == 400 and caught.value.code == "invalid_cursor"
    assert caught.value.message == "invalid cursor"
    return caught.value


def test_every_changed_character_is_rejected():
    """Also in the last character, whose low bits base64 decoders usually ignore."""
    token = encode_cursor([Decimal("5.00"), 7], QUERY, "s")
    for i, char in enumerate(token):
        for other in string.ascii_letters + string.digits + "-_.=":
            if other != char:
                _rejected(token[:i] + other + token[i + 1:])


def test_reencoded_payload_without_the_secret_is_rejected():
    token = encode_cursor([1, 2], QUERY, "s")
    body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["k"] = [0, 0]
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert _rejected(f"{forged}.{signature}").details == {"cursor": "signature does not match"}


def test_other_secret_other_query_and_wrong_width_are_rejected():
    token = encode_cursor([1, 2], QUERY, "s")
    _rejected(token, secret="other")
    other_query = fingerprint("sales", "deal", "amount > 2", "-amount,id", [], None)
    assert "different list" in _rejected(token, query=other_query).details["cursor"]
    _rejected(token, width=3)


@pytest.mark.parametrize("token", [
    "", ".", "abc", "a.b.c", "!!!.???", "é.é", "x" * (MAX_CURSOR + 1), None, 42,
])
def test_garbage_is_rejected(token):
    _rejected(token)


def test_signed_but_malformed_payload_is_rejected():
    from runtime.records.cursor import _b64
    from runtime.records.cursor import _sign

    for payload in (b"not json", b"[]", b'{"q": "x"}', b'{"q": "%s", "k": [["dec", "x"], 1]}' % QUERY.encode()):
        _rejected(f"{_b64(payload)}.{_b64(_sign(payload, 's'))}")


def test_a_secret_is_required():
    with pytest.raises(ValueError):
        encode_cursor([1], QUERY, "")


def test_fingerprint_depends_on_every_part():
    base = ("sales", "deal", "x == 1", "id", ["a"], 1)
    assert fingerprint(*base) == fingerprint(*base)
    for i in range(len(base)):
        changed = list(base)
        changed[i] = "other" if i != 4 else ["b"]
        assert fingerprint(*changed) != fingerprint(*base)
