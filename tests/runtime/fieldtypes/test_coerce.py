"""Coercion turns any input into the stored value or a ValueError, never another exception."""

from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest

from runtime.fieldtypes import get_type
from runtime.metadata.model import Field
from runtime.records.serialize import json_value


def field(type_: str, **options) -> Field:
    return Field("x", type_, {"name": "x", "type": type_, **options})


def coerce(type_: str, value, **options):
    f = field(type_, **options)
    return f.kind.coerce(f, value)


@pytest.mark.parametrize("value", [1e30, "9" * 40, "1e400", "-1E+100"])
def test_huge_decimals_are_a_value_error(value):
    with pytest.raises(ValueError, match="too large"):
        coerce("currency", value)


def test_decimals_round_half_away_from_zero_and_respect_bounds():
    assert coerce("decimal", "2.345") == Decimal("2.35")
    assert coerce("decimal", "-2.345") == Decimal("-2.35")
    with pytest.raises(ValueError, match="at most 10"):
        coerce("integer", 11, max=10)
    assert coerce("integer", "7") == 7 and coerce("integer", 7) == 7


def test_datetime_with_offset_at_the_edge_of_time_is_a_value_error():
    with pytest.raises(ValueError, match="out of range"):
        coerce("datetime", "0001-01-01T00:30:00+01:00")
    assert coerce("datetime", "2026-01-01T09:00:00+08:00") == datetime(2026, 1, 1, 1, 0)


def test_text_checks_length_and_formats():
    assert coerce("text", "abc", max_length=3) == "abc"
    with pytest.raises(ValueError, match="at most 3"):
        coerce("text", "abcd", max_length=3)
    assert coerce("email", " a@b.co ") == "a@b.co"
    with pytest.raises(ValueError, match="email"):
        coerce("email", "not-an-email")


def test_decimals_serialize_without_exponents():
    assert json_value(Decimal("0E-8")) == "0.00000000"
    assert json_value(Decimal("1.50")) == "1.50"
    assert json_value([Decimal("1E+2"), date(2026, 1, 2)]) == ["100", "2026-01-02"]


def test_coercer_matches_coerce():
    f = field("currency", min=0)
    assert f.kind.coercer(f)("12.345") == f.kind.coerce(f, "12.345") == Decimal("12.35")
    assert get_type("text").coercer(field("text", max_length=5))("hello") == "hello"


@pytest.mark.parametrize("type_", ["link", "user"])
@pytest.mark.parametrize("value", [2**63, -1, 0, "12x", True])
def test_record_ids_out_of_range_are_a_value_error(type_, value):
    with pytest.raises(ValueError, match="record id"):
        coerce(type_, value, target="x")


def test_user_ids_past_32_bits_are_a_value_error_not_a_database_error():
    """metacrm_user.id is INTEGER: PostgreSQL refused 3000000000 with a DataError (a 500 found by schemathesis)."""
    assert coerce("user", 2**31 - 1) == 2**31 - 1
    with pytest.raises(ValueError, match="record id"):
        coerce("user", 2**31)
    assert coerce("link", 2**31, target="x") == 2**31  # record ids are 64-bit


def test_upload_references_keep_only_the_id():
    assert coerce("file", [{"id": "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc", "name": "<x>", "size": -1}]) == \
           [{"id": "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"}]
    for bad in ([{"id": None}], [{"name": "a"}], [{"id": "../../etc/passwd"}]):
        with pytest.raises(ValueError, match="uploaded files"):
            coerce("file", bad)
