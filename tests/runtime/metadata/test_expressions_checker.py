"""Type checking: result types, the ``expect`` contract and errors that name operator, types and place."""

from __future__ import annotations

import pytest

from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.expressions import DATE
from runtime.metadata.expressions import DATETIME
from runtime.metadata.expressions import INTEGER
from runtime.metadata.expressions import NULL
from runtime.metadata.expressions import TEXT
from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import ExprType
from runtime.metadata.expressions import Kind
from runtime.metadata.expressions import check
from runtime.metadata.expressions import decimal_type
from runtime.metadata.expressions import list_type
from runtime.metadata.expressions import parse
from tests.runtime.metadata.conftest import SCOPE


def typeof(source: str, expect=None) -> ExprType:
    return check(parse(source), SCOPE, expect)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("i1 + i2", INTEGER),
        ("i1 * i2 - 3", INTEGER),
        ("i1 + d2", decimal_type(2)),
        ("d2 + d4", decimal_type(4)),
        ("d2 * d4", decimal_type(6)),
        ("d4 * d4 * d4", decimal_type(10)),
        ("d2 * 1.5", decimal_type(3)),
        ("7 / 2", decimal_type(6)),
        ("d2 / d4", decimal_type(6)),
        ("(d4 * d4 * d4) / 3", decimal_type(10)),
        ("-d2", decimal_type(2)),
        ("dt1 + 30", DATE),
        ("30 + dt1", DATE),
        ("dt1 - i1", DATE),
        ("i1 > d2", BOOLEAN),
        ("t1 < t2 and b1 or not b1", BOOLEAN),
        ("1 < i1 <= 3", BOOLEAN),
        ("t1 == null", BOOLEAN),
        ("i1 in [1, 2.5, null]", BOOLEAN),
        ("dt1 > '2024-01-31'", BOOLEAN),
        ("ts1 <= '2024-01-31 10:00:00'", BOOLEAN),
        ("account.city == $me.department", BOOLEAN),
        ("IF(b1, i1, d2)", decimal_type(2)),
        ("IF(b1, t1, null)", TEXT),
        ("COALESCE(i1, d4, 0)", decimal_type(4)),
        ("CONCAT(t1, i1, d2, dt1, null)", TEXT),
        ("ROUND(d4, 2)", decimal_type(2)),
        ("ROUND(d2)", decimal_type(0)),
        ("ROUND(i1, 2)", INTEGER),
        ("DAYS_BETWEEN(dt1, ts1)", INTEGER),
        ("TODAY()", DATE),
        ("NOW()", DATETIME),
        ("$today", DATE),
        ("LEN(t1)", INTEGER),
        ("CONTAINS(t1, 'x')", BOOLEAN),
        ("UPPER(LOWER(t1))", TEXT),
        ("ABS(d4)", decimal_type(4)),
        ("YEAR(dt1) + MONTH(ts1)", INTEGER),
        ("ADD_DAYS(dt1, -1)", DATE),
        ("null", NULL),
        ("null + 1", INTEGER),
    ],
)
def test_result_types(source, expected):
    assert typeof(source) == expected


@pytest.mark.parametrize(
    "source, position, fragment",
    [
        ("t1 + t2", (1, 4), "operator '+' cannot combine TEXT and TEXT (use CONCAT)"),
        ("i1 * t1", (1, 4), "operator '*' cannot combine INTEGER and TEXT"),
        ("dt1 - dt2", (1, 5), "DAYS_BETWEEN"),
        ("dt1 * 2", (1, 5), "operator '*' cannot combine DATE and INTEGER"),
        ("ts1 + 1", (1, 5), "DATETIME and INTEGER"),
        ("b1 + 1", (1, 4), "BOOLEAN"),
        ("amout > 1", (1, 1), "unknown field 'amout'"),
        ("account.town", (1, 1), "unknown field 'account.town'"),
        ("$boss", (1, 1), "unknown variable '$boss'"),
        ("i1 == 'x'", (1, 4), "cannot compare INTEGER with TEXT using '=='"),
        ("dt1 < ts1", (1, 5), "cannot compare DATE with DATETIME"),
        ("dt1 > '2024-02-30'", (1, 7), "'2024-02-30' is not a valid DATE"),
        ("i1 in [1, 'a']", (1, 11), "cannot compare INTEGER with TEXT using 'in'"),
        ("i1 and b1", (1, 1), "'and' needs a condition (BOOLEAN), not INTEGER"),
        ("not t1", (1, 5), "'not' needs a condition"),
        ("-t1", (1, 1), "operator '-' needs a number"),
        ("IF(i1, 1, 2)", (1, 4), "IF argument 1 must be BOOLEAN, not INTEGER"),
        ("IF(b1, 1, 'x')", (1, 11), "IF branches have different types INTEGER and TEXT"),
        ("COALESCE(t1, 1)", (1, 14), "COALESCE cannot mix TEXT and INTEGER"),
        ("CONCAT(t1, b1)", (1, 12), "CONCAT argument 2 must be"),
        ("ROUND(d2, i1)", (1, 11), "ROUND places must be a whole number"),
        ("ROUND(d2, 11)", (1, 11), "ROUND places"),
        ("ROUND(t1)", (1, 7), "ROUND argument 1 must be INTEGER or DECIMAL, not TEXT"),
        ("LEN(i1)", (1, 5), "LEN argument 1 must be TEXT"),
        ("DAYS_BETWEEN(dt1, 5)", (1, 19), "DAYS_BETWEEN argument 2"),
        ("ADD_DAYS(ts1, 1)", (1, 10), "ADD_DAYS argument 1 must be DATE"),
        ("ADD_DAYS(dt1, 1.5)", (1, 15), "ADD_DAYS argument 2 must be INTEGER"),
        ("YEAR(t1)", (1, 6), "YEAR argument 1"),
        ("x + (t1 + t2)", (1, 1), "unknown field 'x'"),
    ],
)
def test_type_errors_name_operator_types_and_position(source, position, fragment):
    with pytest.raises(ExpressionError) as info:
        typeof(source)
    assert info.value.position == position, str(info.value)
    assert fragment in info.value.reason


@pytest.mark.parametrize(
    "source, expect",
    [
        ("i1 > 0", BOOLEAN),
        ("null", BOOLEAN),
        ("d2 * 2", decimal_type(2)),
        ("i1 + 1", decimal_type(4)),
        ("d2 / 3", decimal_type(2)),
        ("ROUND(d2 / 3)", INTEGER),
        ("CONCAT(t1)", TEXT),
    ],
)
def test_expect_accepts_storable_results(source, expect):
    typeof(source, expect)


@pytest.mark.parametrize(
    "source, expect, fragment",
    [
        ("i1 + 1", BOOLEAN, "the result must be BOOLEAN, not INTEGER"),
        ("d2 / 3", INTEGER, "the result must be INTEGER, not DECIMAL(6)"),
        ("t1", decimal_type(2), "not TEXT"),
        ("dt1", DATETIME, "not DATE"),
    ],
)
def test_expect_refuses_other_results(source, expect, fragment):
    with pytest.raises(ExpressionError) as info:
        typeof(source, expect)
    assert fragment in info.value.reason
    assert info.value.position == (1, 1)


def test_expr_type_rules():
    assert str(decimal_type(2)) == "DECIMAL(2)"
    assert str(list_type(TEXT)) == "LIST(TEXT)"
    assert ExprType("TEXT") == TEXT and TEXT.kind == "TEXT" and TEXT.kind is Kind.TEXT
    with pytest.raises(ValueError):
        ExprType(Kind.TEXT, scale=2)
    with pytest.raises(ValueError):
        decimal_type(11)
    with pytest.raises(ValueError):
        ExprType(Kind.LIST)
