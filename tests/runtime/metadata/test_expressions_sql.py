"""The SQL compiler on a real database gives exactly the evaluator's answers.

Runs on SQLite always and on PostgreSQL when METACRM_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import compile_sql
from runtime.metadata.expressions import parse
from runtime.storage.exact_decimal import ExactDecimal
from tests.runtime.metadata.conftest import SCOPE
from tests.runtime.metadata.conftest import evaluate
from tests.runtime.metadata.test_expressions_python import CASES
from tests.runtime.metadata.test_expressions_python import EMPTY
from tests.runtime.metadata.test_expressions_python import RECORD
from tests.runtime.metadata.test_expressions_python import VARIABLES


@pytest.mark.parametrize("source, on_record, on_empty", CASES)
def test_sql_gives_the_evaluators_values(expr_db, source, on_record, on_empty):
    got = expr_db.run(source, [RECORD, EMPTY], VARIABLES)
    assert got == [on_record, on_empty]
    for value, wanted in zip(got, [on_record, on_empty]):
        assert type(value) is type(wanted)
        if isinstance(wanted, D):
            assert str(value) == str(wanted)


@pytest.mark.parametrize(
    "source, selected",
    [
        ("i1 > 5", [0]),
        ("i1 > 5 or i1 == null", [0, 1]),
        ("not (i1 > 5)", []),
        ("b1 and null", []),
        ("b1", [0]),
        ("not b1", []),
        ("IF(b1, True, null)", [0]),
        ("$role == 'rep'", [0, 1]),
    ],
)
def test_conditions_work_in_where_and_null_counts_as_false(expr_db, source, selected):
    assert expr_db.where(source, [RECORD, EMPTY], VARIABLES) == selected


def test_values_are_bound_never_inlined(expr_db):
    hostile = "x'); DROP TABLE users; --"
    variables = {**VARIABLES, ("role",): hostile}
    clause = expr_db.sql("t1 == 'a''b' or $role == t2 or CONTAINS(t1, '%_')", variables)
    text = str(sa.select(clause).compile(expr_db.engine))
    assert "DROP" not in text and "a'b" not in text and "%_" not in text
    assert expr_db.run("$role", [EMPTY], variables) == [hostile]
    assert expr_db.run("t1 == 'it\\'s'", [{"t1": "it's"}], VARIABLES) == [True]


def test_decimal_results_carry_exact_decimal_type(expr_db):
    clause = expr_db.sql("d2 * 3", VARIABLES)
    assert isinstance(clause.type, ExactDecimal) and clause.type.scale == 2
    assert isinstance(expr_db.sql("dt1 + 1", VARIABLES).type, sa.Date)
    assert isinstance(expr_db.sql("i1 > 0", VARIABLES).type, sa.Boolean)


def test_decimal_sums_and_sorting_stay_exact(expr_db):
    records = [{"d2": D("0.10")}, {"d2": D("0.20")}, {"d2": D("-0.05")}, {"d2": None}]
    clause = expr_db.sql("d2 * 3", VARIABLES)
    with expr_db.engine.connect() as conn, conn.begin() as tx:
        expr_db.insert(conn, records)
        total = conn.execute(sa.select(sa.func.sum(clause))).scalar()
        order = conn.execute(sa.select(expr_db.table.c.id).order_by(clause, expr_db.table.c.id))
        ids = [row[0] for row in order]
        tx.rollback()
    assert total == D("0.75") and str(total) == "0.75"
    assert [i for i in ids if i != 3] == [2, 0, 1]  # backends differ on where NULL sorts


def test_large_values_within_range(expr_db):
    # SQLite divides d2 (scale 2) as value * 10**8 * 2: fine up to about 4.6e10.
    record = {"d2": D("40000000000.99"), "i1": 3, "d4": D("100000000.0001")}
    source = "d2 * i1 + d2 / 7 + d4 * 2"
    assert expr_db.run(source, [record], VARIABLES) == evaluate(source, [record], VARIABLES)
    assert evaluate(source, [record], VARIABLES) == [D("125914285717.397343")]


def test_today_and_now_come_from_the_variables(expr_db):
    day = {**VARIABLES, ("today",): dt.date(2000, 1, 1)}
    assert expr_db.run("TODAY() + 1", [EMPTY], day) == [dt.date(2000, 1, 2)]


def test_deeply_nested_division_is_refused_before_reaching_the_database():
    source = "d2" + " / (d4 + 1" * 12 + ")" * 12
    expr = parse(source)
    with pytest.raises(ExpressionError) as info:
        compile_sql(expr, SCOPE, lambda p: sa.column(p[0]), VARIABLES.__getitem__, "sqlite")
    assert "too complex" in info.value.reason


def test_unknown_dialect_is_refused():
    with pytest.raises(ValueError):
        compile_sql(parse("1"), SCOPE, lambda p: sa.column(p[0]), lambda p: None, "mysql")


@pytest.mark.parametrize("source", ["0.1", "-0.25", "1.5000", "$me", "COALESCE(null, 0.5)"])
def test_expressions_without_columns_keep_their_scale(expr_db, source):
    variables = {**VARIABLES, ("me",): 3}
    assert expr_db.run(source, [EMPTY], variables) == evaluate(source, [EMPTY], variables)


def test_columns_may_be_bound_values(expr_db):
    """A caller can evaluate an unsaved record in SQL by handing typed literals as columns."""
    values = {"d2": D("1.25"), "dt1": dt.date(2024, 1, 1), "b1": True, "i1": 4}
    types = {"d2": ExactDecimal(2), "dt1": sa.Date(), "b1": sa.Boolean(), "i1": sa.BigInteger()}

    def columns(path):
        return sa.literal(values[path[0]], types[path[0]])

    source = "CONCAT(d2 * i1, ' ', dt1 + 1, ' ', IF(b1, d2, 0))"
    clause = compile_sql(parse(source), SCOPE, columns, VARIABLES.__getitem__, expr_db.dialect)
    with expr_db.engine.connect() as conn:
        assert conn.execute(sa.select(clause)).scalar() == "5.00 2024-01-02 1.25"
        plain = compile_sql(parse("d2"), SCOPE, columns, VARIABLES.__getitem__, expr_db.dialect)
        assert conn.execute(sa.select(plain)).scalar() == D("1.25")
