"""The Python evaluator: null semantics, exact decimals, dates and every function.

``CASES`` is shared with the SQL tests, which must produce the very same values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import compile_python
from runtime.metadata.expressions import parse
from runtime.metadata.expressions import truthy
from tests.runtime.metadata.conftest import SCOPE
from tests.runtime.metadata.conftest import evaluate

RECORD = {
    "t1": "Straße",
    "t2": "abc",
    "i1": 7,
    "i2": 0,
    "d2": D("10.25"),
    "d0": D(-3),
    "d4": D("-0.0005"),
    "b1": True,
    "dt1": dt.date(2024, 1, 31),
    "dt2": dt.date(2024, 3, 1),
    "ts1": dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
    "ts2": dt.datetime(2024, 3, 1, 0, 0, 0, 1),
    "account": {"city": "Paris", "rating": 3},
}
EMPTY = {"account": None}
VARIABLES = {
    ("me",): 42,
    ("me", "department"): "Sales",
    ("role",): "rep",
    ("today",): dt.date(2024, 3, 15),
    ("now",): dt.datetime(2024, 3, 15, 8, 30),
}

# (source, expected on RECORD, expected on EMPTY): EMPTY has every field null.
CASES = [
    # arithmetic, decimals and their scales
    ("i1 + 1", 8, None),
    ("i1 * i1 - 50", -1, None),
    ("i1 / 2", D("3.500000"), None),
    ("7 / 2", D("3.500000"), D("3.500000")),
    ("-7 / 2", D("-3.500000"), D("-3.500000")),
    ("2 / 3", D("0.666667"), D("0.666667")),
    ("-2 / 3", D("-0.666667"), D("-0.666667")),
    ("1 / 8000000", D("0.000000"), D("0.000000")),
    ("-1 / 2000000", D("-0.000001"), D("-0.000001")),
    ("i1 / i2", None, None),
    ("d2 / 0.00", None, None),
    ("d2 / 3", D("3.416667"), None),
    ("d2 + d4", D("10.2495"), None),
    ("d2 + i1", D("17.25"), None),
    ("d2 * d4", D("-0.005125"), None),
    ("d2 * 1.1", D("11.275"), None),
    ("d4 * d4 * d4 * 1000000", D("-0.0001000000"), None),  # rounded to 10 places first
    ("d4 * d4 * d4 * d4", D("0.0000000000"), None),
    ("d4 * 0.5 * 0.5", D("-0.000125"), None),
    ("d0 - d2", D("-13.25"), None),
    ("-d4", D("0.0005"), None),
    ("0.1 + 0.2 == 0.3", True, True),
    ("d2 == 10.250", True, None),
    ("d2 > i1", True, None),
    ("d4 < 0", True, None),
    ("ROUND(d2, 1)", D("10.3"), None),
    ("ROUND(-d2, 1)", D("-10.3"), None),
    ("ROUND(d4, 3)", D("-0.001"), None),
    ("ROUND(d2)", D(10), None),
    ("ROUND(2.5)", D(3), D(3)),
    ("ROUND(-2.5)", D(-3), D(-3)),
    ("ROUND(i1, 2)", 7, None),
    ("ABS(d0)", D(3), None),
    ("ABS(-i1)", 7, None),
    # null semantics
    ("null", None, None),
    ("null + 1", None, None),
    ("i1 == null", False, True),
    ("i1 != null", True, False),
    ("i1 > null", None, None),
    ("b1 and null", None, None),
    ("not b1 and null", False, None),
    ("b1 or null", True, None),
    ("i1 > 100 or null", None, None),
    ("not null", None, None),
    ("i1 in [1, 7]", True, None),
    ("i1 in [1, null]", None, None),
    ("i1 in [7, null]", True, None),
    ("i1 not in [1, null]", None, None),
    ("i1 not in [1, 2]", True, None),
    ("d2 in [10.25, 3]", True, None),
    ("COALESCE(i2, i1, 5)", 0, 5),
    ("COALESCE(d4, i1)", D("-0.0005"), None),
    ("COALESCE(i1, d2)", D("7.00"), None),
    ("IF(b1, 'yes', 'no')", "yes", "no"),
    ("IF(i1 > null, 1, 2)", 2, 2),
    ("IF(b1, i1, d2)", D("7.00"), None),
    ("CONCAT(t2, null, '-', i1)", "abc-7", "-"),
    ("CONCAT(d2, '|', d4, '|', d0, '|', -d4)", "10.25|-0.0005|-3|0.0005", "|||"),
    ("CONCAT(d2 / 1000)", "0.010250", ""),
    ("CONCAT(dt1)", "2024-01-31", ""),
    ("LEN(t1)", 6, None),
    ("LEN('')", 0, 0),
    # text: case-sensitive, code-point order, ASCII-only case mapping
    ("t2 == 'ABC'", False, None),
    ("LOWER('ABC') == t2", True, None),
    ("UPPER(t1)", "STRAßE", None),
    ("LOWER('ÉCOLE')", "École", "École"),
    ("t2 < 'abd'", True, None),
    ("'B' < 'a'", True, True),
    ("'é' > 'z'", True, True),
    ("CONTAINS(t1, 'aß')", True, None),
    ("CONTAINS(t1, 'AS')", False, None),
    ("CONTAINS(t2, '')", True, None),
    ("account.city == 'Paris'", True, None),
    ("account.rating * 2", 6, None),
    # dates
    ("dt1 + 1", dt.date(2024, 2, 1), None),
    ("dt1 + 30", dt.date(2024, 3, 1), None),
    ("1 + dt1", dt.date(2024, 2, 1), None),
    ("dt2 - i1", dt.date(2024, 2, 23), None),
    ("ADD_DAYS(dt1, -31)", dt.date(2023, 12, 31), None),
    ("DAYS_BETWEEN(dt1, dt2)", 30, None),
    ("DAYS_BETWEEN(dt2, dt1)", -30, None),
    ("DAYS_BETWEEN(ts1, ts2)", 1, None),
    ("DAYS_BETWEEN(dt1, TODAY())", 44, None),
    ("DAYS_BETWEEN(ts2, NOW())", 14, None),
    ("YEAR(dt1) * 100 + MONTH(ts1)", 202402, None),
    ("dt1 < dt2", True, None),
    ("dt1 == '2024-01-31'", True, None),
    ("ts1 < '2024-03-01'", True, None),
    ("ts2 > '2024-03-01 00:00:00'", True, None),
    ("ts1 < ts2", True, None),
    ("dt1 in ['2024-01-31', '2024-02-01']", True, None),
    # variables
    ("$me + 1", 43, 43),
    ("$me.department == 'Sales' and $role != 'admin'", True, True),
    ("$today", dt.date(2024, 3, 15), dt.date(2024, 3, 15)),
    ("NOW()", dt.datetime(2024, 3, 15, 8, 30), dt.datetime(2024, 3, 15, 8, 30)),
    # booleans
    ("b1 == True", True, None),
    ("b1 != false", True, None),
    ("not b1", False, None),
    ("1 < i1 <= 7", True, None),
]


@pytest.mark.parametrize("source, on_record, on_empty", CASES)
def test_python_evaluator(source, on_record, on_empty):
    got = evaluate(source, [RECORD, EMPTY], VARIABLES)
    assert got == [on_record, on_empty]
    for value, wanted in zip(got, [on_record, on_empty]):
        assert type(value) is type(wanted)
        if isinstance(wanted, D):
            assert str(value) == str(wanted)  # the scale is part of the answer


def test_truthy_treats_null_as_false():
    assert truthy(True) is True
    assert truthy(None) is False
    assert truthy(False) is False


def test_record_values_are_coerced_to_field_types():
    record = {"d2": 3, "i1": D(4), "dt1": "2024-05-06", "ts1": "2024-05-06T07:08:09+02:00"}
    got = evaluate(
        "CONCAT(d2, ' ', i1, ' ', dt1, ' ', YEAR(ts1), DAYS_BETWEEN(ts1, dt1))", [record], {}
    )
    assert got == ["3.00 4 2024-05-06 20240"]
    got = evaluate("ts1 == '2024-05-06 05:08:09'", [record], {})
    assert got == [True]
    assert evaluate("d2", [{"d2": 1.005}], {}) == [D("1.01")]  # floats via their repr, half up


def test_date_overflow_is_an_expression_error():
    fn = compile_python(parse("dt1 + 5000000"), SCOPE)
    with pytest.raises(ExpressionError) as info:
        fn(lambda p: dt.date(9999, 1, 1), lambda p: None)
    assert info.value.position == (1, 5)
    fn = compile_python(parse("ADD_DAYS(dt1, 3)"), SCOPE)
    with pytest.raises(ExpressionError):
        fn(lambda p: dt.date(9999, 12, 31), lambda p: None)


def test_missing_variable_getter_is_an_error():
    fn = compile_python(parse("$me"), SCOPE)
    with pytest.raises(ExpressionError):
        fn(lambda p: None)
