"""Fixtures for the expression tests: a test entity, its scope and a real table to run SQL on.

``expr_db`` is module-scoped and parametrized over SQLite (a temp file, always)
and PostgreSQL (when ``METACRM_TEST_DATABASE_URL`` is set), with uniquely named
tables dropped afterwards. Each ``run`` works inside a transaction it rolls back,
so hypothesis examples never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.expressions import DATE
from runtime.metadata.expressions import DATETIME
from runtime.metadata.expressions import INTEGER
from runtime.metadata.expressions import TEXT
from runtime.metadata.expressions import StaticScope
from runtime.metadata.expressions import compile_python
from runtime.metadata.expressions import compile_sql
from runtime.metadata.expressions import decimal_type
from runtime.metadata.expressions import parse
from runtime.storage.exact_decimal import ExactDecimal

PG_URL = os.environ.get("METACRM_TEST_DATABASE_URL")

# The test entity: one field of every kind, two links through "account".
FIELDS = {
    ("t1",): TEXT,
    ("t2",): TEXT,
    ("i1",): INTEGER,
    ("i2",): INTEGER,
    ("d2",): decimal_type(2),
    ("d0",): decimal_type(0),
    ("d4",): decimal_type(4),
    ("b1",): BOOLEAN,
    ("dt1",): DATE,
    ("dt2",): DATE,
    ("ts1",): DATETIME,
    ("ts2",): DATETIME,
    ("account", "city"): TEXT,
    ("account", "rating"): INTEGER,
}
VARIABLES = {
    ("me",): INTEGER,
    ("me", "department"): TEXT,
    ("role",): TEXT,
    ("today",): DATE,
    ("now",): DATETIME,
}
SCOPE = StaticScope(FIELDS, VARIABLES)


def _column(name: str, t) -> sa.Column:
    if t.kind == "DECIMAL":
        return sa.Column(name, ExactDecimal(t.scale))
    kinds = {"TEXT": sa.Text, "INTEGER": sa.BigInteger, "BOOLEAN": sa.Boolean}
    kinds.update({"DATE": sa.Date, "DATETIME": sa.DateTime})
    return sa.Column(name, kinds[t.kind.value]())


def get_field(record: dict) -> Any:
    """The Python evaluator's view of a record: link paths read the nested account."""

    def get(path: tuple[str, ...]) -> Any:
        if len(path) == 2:
            account = record.get("account")
            return None if account is None else account.get(path[1])
        return record.get(path[0])

    return get


class ExprDb:
    """A real table shaped like the test entity, and helpers to evaluate expressions on it."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        suffix = uuid.uuid4().hex[:10]
        self.metadata = sa.MetaData()
        self.accounts = sa.Table(
            f"expr_acct_{suffix}",
            self.metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("city", sa.Text),
            sa.Column("rating", sa.BigInteger),
        )
        plain = [_column(path[0], t) for path, t in FIELDS.items() if len(path) == 1]
        self.table = sa.Table(
            f"expr_rec_{suffix}",
            self.metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("account_id", sa.Integer),
            *plain,
        )
        self.metadata.create_all(engine)

    def column(self, path: tuple[str, ...]):
        if len(path) == 1:
            return self.table.c[path[0]]
        acct = self.accounts
        query = sa.select(acct.c[path[1]]).where(acct.c.id == self.table.c.account_id)
        return query.scalar_subquery()

    def sql(self, source, variables: dict):
        expr = parse(source) if isinstance(source, str) else source
        return compile_sql(expr, SCOPE, self.column, variables.__getitem__, self.dialect)

    def run(self, source, records: list[dict], variables: dict) -> list[Any]:
        """The SQL result of the expression for each record, in order."""
        return [row[0] for row in self.run_all([source], records, variables)]

    def run_all(self, sources: list, records: list[dict], variables: dict) -> list[tuple]:
        """Several expressions in one SELECT: one tuple of results per record."""
        clauses = [self.sql(source, variables) for source in sources]
        with self.engine.connect() as conn, conn.begin() as tx:
            self.insert(conn, records)
            query = sa.select(self.table.c.id, *clauses).order_by(self.table.c.id)
            values = [tuple(row[1:]) for row in conn.execute(query)]
            tx.rollback()
        return values

    def where(self, source, records: list[dict], variables: dict) -> list[int]:
        """Positions of the records a condition selects when used in WHERE."""
        clause = self.sql(source, variables)
        with self.engine.connect() as conn, conn.begin() as tx:
            self.insert(conn, records)
            query = sa.select(self.table.c.id).where(clause).order_by(self.table.c.id)
            ids = [row[0] for row in conn.execute(query)]
            tx.rollback()
        return ids

    def insert(self, conn, records: list[dict]) -> None:
        rows, accounts = [], []
        for i, record in enumerate(records):
            row = {c.name: record.get(c.name) for c in self.table.c}
            row.update(id=i, account_id=None)
            if record.get("account") is not None:
                accounts.append({"id": i, **record["account"]})
                row["account_id"] = i
            rows.append(row)
        if accounts:
            conn.execute(sa.insert(self.accounts), accounts)
        conn.execute(sa.insert(self.table), rows)

    def drop(self) -> None:
        self.metadata.drop_all(self.engine)
        self.engine.dispose()


def evaluate(source, records: list[dict], variables: dict) -> list[Any]:
    """The Python evaluator's result for each record."""
    expr = parse(source) if isinstance(source, str) else source
    fn = compile_python(expr, SCOPE)
    return [fn(get_field(r), variables.__getitem__) for r in records]


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if PG_URL else []))
def expr_db(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('expr') / 'expr.db'}"
    else:
        url = PG_URL
    db = ExprDb(sa.create_engine(url))
    yield db
    db.drop()
