"""ExactDecimal: Decimal in, the same Decimal out, exact sums; scaled BIGINT on SQLite."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from runtime.storage.exact_decimal import ExactDecimal


@pytest.fixture
def money(database_url):
    """A table with a scale-2 and a scale-4 ExactDecimal column on every test backend."""
    engine = sa.create_engine(database_url)
    metadata = sa.MetaData()
    table = sa.Table(
        "money",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("amount", ExactDecimal(2)),
        sa.Column("rate", ExactDecimal(4)),
    )
    metadata.create_all(engine)
    yield engine, table
    metadata.drop_all(engine)
    engine.dispose()


def _roundtrip(engine, table, **values):
    with engine.begin() as conn:
        conn.execute(sa.delete(table))
        conn.execute(sa.insert(table), [{"id": 1, **values}])
        return conn.execute(sa.select(table.c.amount, table.c.rate)).one()


@pytest.mark.parametrize(
    "given_value, stored",
    [
        (D("12.34"), D("12.34")),
        (D("-12.34"), D("-12.34")),
        (D("0.005"), D("0.01")),  # half up...
        (D("-0.005"), D("-0.01")),  # ...and half away from zero for negatives
        (D("2.675"), D("2.68")),
        (D("-0.004"), D("0.00")),  # never a negative zero
        (7, D("7.00")),
        ("3.1", D("3.10")),
        (1.005, D("1.01")),  # floats through their shortest repr, not their binary value
        (D("99999999999999.99"), D("99999999999999.99")),
        (None, None),
    ],
)
def test_roundtrip_quantizes_half_away_from_zero(money, given_value, stored):
    engine, table = money
    amount, _ = _roundtrip(engine, table, amount=given_value)
    assert amount == stored
    if stored is not None:
        assert isinstance(amount, D) and str(amount) == str(stored)


@pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), float("inf"), float("nan"), True])
def test_non_finite_and_booleans_are_refused(money, bad):
    engine, table = money
    with pytest.raises(sa.exc.StatementError) as info:
        _roundtrip(engine, table, amount=bad)
    assert isinstance(info.value.orig, (ValueError, TypeError))


def test_sqlite_stores_scaled_integers(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'raw.db'}")
    metadata = sa.MetaData()
    table = sa.Table(
        "t", metadata, sa.Column("amount", ExactDecimal(2)), sa.Column("rate", ExactDecimal(4))
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(table), [{"amount": D("0.10"), "rate": D("-1.5")}])
        raw = conn.execute(sa.text("SELECT amount, rate, typeof(amount) FROM t")).one()
        ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 't'")).scalar()
    assert tuple(raw) == (10, -15000, "integer")
    assert "BIGINT" in ddl


def test_sqlite_refuses_values_beyond_64_bits(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'big.db'}")
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("amount", ExactDecimal(4)))
    metadata.create_all(engine)
    with engine.begin() as conn, pytest.raises(sa.exc.StatementError):
        conn.execute(sa.insert(table), [{"amount": D("1e16")}])


def test_postgresql_column_is_numeric():
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.dialects import sqlite

    column = sa.Column("amount", ExactDecimal(2))
    table = sa.Table("t", sa.MetaData(), column)
    assert "NUMERIC(28, 2)" in str(
        sa.schema.CreateTable(table).compile(dialect=postgresql.dialect())
    )
    assert "BIGINT" in str(sa.schema.CreateTable(table).compile(dialect=sqlite.dialect()))


def test_sums_comparisons_and_sorting_are_exact(money):
    engine, table = money
    rows = [{"id": i, "amount": D("0.10"), "rate": D("0.0001")} for i in range(10)]
    rows.append({"id": 10, "amount": D("-0.30"), "rate": None})
    with engine.begin() as conn:
        conn.execute(sa.insert(table), rows)
        total = conn.execute(sa.select(sa.func.sum(table.c.amount))).scalar()
        rate_total = conn.execute(sa.select(sa.func.sum(table.c.rate))).scalar()
        small = conn.execute(sa.select(sa.func.count()).where(table.c.amount < D("0.1"))).scalar()
        first = conn.execute(sa.select(table.c.id).order_by(table.c.amount).limit(1)).scalar()
    assert total == D("0.70") and str(total) == "0.70"
    assert rate_total == D("0.0010")
    assert small == 1 and first == 10


def test_the_type_is_cacheable_and_knows_its_scale():
    kind = ExactDecimal(3)
    assert kind.scale == 3 and kind.python_type is D and ExactDecimal.cache_ok
    with pytest.raises(ValueError):
        ExactDecimal(19)


@given(
    st.decimals(
        min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=6
    )
)
def test_bind_and_result_processing_invert_each_other_on_sqlite(value):
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    kind = ExactDecimal(2)
    stored = kind.process_bind_param(value, dialect)
    assert isinstance(stored, int)
    back = kind.process_result_value(stored, dialect)
    assert back == value.quantize(D("0.01"), rounding="ROUND_HALF_UP")
