"""The SQL compiler: one SQLAlchemy Core expression per formula, rule or filter.

Lets lists, reports and row permissions filter, sort and group on formulas in
the database. Decimals travel as scaled integers (see ``sqlops``) and every
value from the user or the session is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from . import sqlops
from .checker import Annotations
from .checker import TypeScope
from .checker import annotate
from .errors import ExpressionError
from .functions import FUNCTIONS
from .functions import SqlArgs
from .implementations import add_days_sql
from .nodes import Binary
from .nodes import BoolOp
from .nodes import Call
from .nodes import Compare
from .nodes import Expression
from .nodes import Field
from .nodes import In
from .nodes import IsNull
from .nodes import Literal
from .nodes import Unary
from .nodes import Variable
from .types import BOOLEAN
from .types import EXACT
from .types import ExprType
from .types import Kind
from .types import coerce_value
from .types import decimal_type
from .types import scale_of
from .types import unify

# Some operations repeat an operand (rounding tests its sign); this bounds the
# SQL a short but deeply nested division could otherwise blow up into.
MAX_SQL_SIZE = 20000

Columns = Callable[[tuple[str, ...]], ColumnElement]
Variables = Callable[[tuple[str, ...]], Any]

_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass(frozen=True)
class _Sql:
    """A compiled sub-expression, its type and roughly how many nodes its SQL has."""

    expr: Any
    type: ExprType
    size: int = 1


def compile_sql(
    expr: Expression, scope: TypeScope, columns: Columns, variables: Variables, dialect: str
) -> ColumnElement:
    """A Core expression typed so that results come back as the evaluator's Python values.

    ``columns(path)`` gives the SQL for a field (joins or scalar subqueries for
    link paths are the caller's); for a DECIMAL(s) field on SQLite it must yield
    what an ``ExactDecimal(s)`` column stores, value × 10**s. ``variables(path)``
    gives a Python value to bind. Raises ExpressionError when the SQL would be
    unreasonably large (deeply nested divisions repeat their operands).
    """
    if dialect not in sqlops.DIALECTS:
        raise ValueError(f"unsupported dialect {dialect!r}")
    value = _SqlBuilder(annotate(expr, scope), columns, variables, dialect).build(expr)
    t = value.type
    if t.kind is Kind.NULL:
        return sa.null()
    if t.kind is Kind.DECIMAL:
        return sqlops.unscale(value.expr, t.scale, dialect)
    return sqlops.retype(value.expr, sqlops.result_type(t))


class _SqlBuilder:
    def __init__(self, types: Annotations, columns: Columns, variables: Variables, dialect: str):
        self.types, self.columns, self.variables, self.dialect = types, columns, variables, dialect

    def build(self, node: Expression) -> _Sql:
        value = getattr(self, "on_" + type(node).__name__)(node)
        if value.size > MAX_SQL_SIZE:
            raise ExpressionError("expression is too complex to run in the database", node.pos)
        return value

    # -- representation helpers -------------------------------------------

    def bind(self, value: Any, t: ExprType) -> _Sql:
        if t.kind is Kind.NULL:
            return _Sql(sa.null(), t)
        storage = sqlops.storage_type(t, self.dialect)
        if value is None:
            # A typed NULL: PostgreSQL cannot resolve "- NULL" or div(NULL, x) otherwise.
            return _Sql(sa.cast(sa.null(), storage), t)
        if t.kind is Kind.DECIMAL:
            return _Sql(
                sqlops.scaled_literal(int(value.scaleb(t.scale, context=EXACT)), self.dialect), t
            )
        return _Sql(sa.literal(value, storage), t)

    def null_of(self, t: ExprType) -> _Sql:
        return self.bind(None, t)

    def convert(self, value: _Sql, target: ExprType) -> Any:
        """``value`` in the representation of ``target`` (typed null, rescaled decimal)."""
        if value.type == target:
            return value.expr
        if value.type.kind is Kind.NULL:
            return self.null_of(target).expr
        if target.kind is Kind.DECIMAL:
            expr = value.expr
            if value.type.kind is Kind.INTEGER:
                expr = sqlops.to_scaled(expr, self.dialect)
            return sqlops.rescale(expr, scale_of(value.type), target.scale, self.dialect)
        return value.expr

    def scaled(self, value: _Sql) -> Any:
        """A numeric operand as a scaled integer at its own scale."""
        return self.convert(value, decimal_type(scale_of(value.type)))

    # -- nodes ---------------------------------------------------------------

    def on_Literal(self, node: Literal) -> _Sql:
        t = self.types[id(node)]
        return self.bind(coerce_value(node.value, t), t)

    def on_Field(self, node: Field) -> _Sql:
        t = self.types[id(node)]
        column = self.columns(node.path)
        if t.kind is not Kind.DECIMAL:
            return _Sql(sqlops.retype(column, sqlops.storage_type(t, self.dialect)), t)
        if self.dialect == sqlops.SQLITE:
            return _Sql(sqlops.retype(column, sa.BigInteger()), t)  # already scaled
        scaled = sqlops.upscale(sqlops.retype(column, sa.Numeric()), t.scale, self.dialect)
        return _Sql(scaled, t)

    def on_Variable(self, node: Variable) -> _Sql:
        t = self.types[id(node)]
        return self.bind(coerce_value(self.variables(node.path), t), t)

    def on_Unary(self, node: Unary) -> _Sql:
        inner = self.build(node.operand)
        if node.op == "not":
            return _Sql(sa.not_(self.convert(inner, BOOLEAN)), BOOLEAN, inner.size + 1)
        if inner.type.kind is Kind.NULL:
            return inner
        return _Sql(-inner.expr, inner.type, inner.size + 1)

    def on_Binary(self, node: Binary) -> _Sql:
        left, right = self.build(node.left), self.build(node.right)
        t = self.types[id(node)]
        if Kind.NULL in (left.type.kind, right.type.kind):
            return self.null_of(t)
        size = left.size + right.size + 1
        if t.kind is Kind.DATE:
            day, days = (left, right) if left.type.kind is Kind.DATE else (right, left)
            shift = -days.expr if node.op == "-" else days.expr
            return _Sql(add_days_sql(day.expr, shift, self.dialect), t, size)
        if t.kind is Kind.INTEGER:
            return _Sql(_ARITH[node.op](left.expr, right.expr), t, size)
        if node.op in "+-":
            a, b = self.convert(left, t), self.convert(right, t)
            return _Sql(_ARITH[node.op](a, b), t, size)
        if node.op == "*":
            product_scale = scale_of(left.type) + scale_of(right.type)
            product = self.scaled(left) * self.scaled(right)
            expr = sqlops.rescale(product, product_scale, t.scale, self.dialect)
            copies = 2 if product_scale > t.scale and self.dialect == sqlops.SQLITE else 1
            return _Sql(expr, t, size * copies)
        return self.divide(left, right, t)

    def divide(self, left: _Sql, right: _Sql, t: ExprType) -> _Sql:
        # left/right = (A/10^sa) / (B/10^sb); scaled result = round(A·10^(s+sb-sa) / B).
        shift = t.scale + scale_of(right.type) - scale_of(left.type)
        numerator = sqlops.upscale(self.scaled(left), shift, self.dialect)
        expr = sqlops.divide(numerator, self.scaled(right), self.dialect)
        return _Sql(expr, t, 2 * (left.size + right.size) + 4)

    def on_Compare(self, node: Compare) -> _Sql:
        left, right = self.build(node.left), self.build(node.right)
        common = unify(left.type, right.type)
        if common.kind is Kind.NULL or Kind.NULL in (left.type.kind, right.type.kind):
            return self.null_of(BOOLEAN)
        a, b = self.convert(left, common), self.convert(right, common)
        if common.kind is Kind.TEXT and node.op not in ("==", "!="):
            a, b = sqlops.text_order(a, self.dialect), sqlops.text_order(b, self.dialect)
        return _Sql(_COMPARE[node.op](a, b), BOOLEAN, left.size + right.size + 1)

    def on_BoolOp(self, node: BoolOp) -> _Sql:
        parts = [self.build(o) for o in node.operands]
        combine = sa.and_ if node.op == "and" else sa.or_
        expr = combine(*[self.convert(p, BOOLEAN) for p in parts])
        return _Sql(expr, BOOLEAN, sum(p.size for p in parts) + 1)

    def on_IsNull(self, node: IsNull) -> _Sql:
        inner = self.build(node.operand)
        expr = inner.expr.is_not(None) if node.negated else inner.expr.is_(None)
        return _Sql(expr, BOOLEAN, inner.size + 1)

    def on_In(self, node: In) -> _Sql:
        operand = self.build(node.operand)
        items = [self.build(i) for i in node.items]
        common = operand.type
        for item in items:
            common = unify(common, item.type)
        if operand.type.kind is Kind.NULL or common.kind is Kind.NULL:
            return self.null_of(BOOLEAN)
        target = self.convert(operand, common)
        choices = [self.convert(i, common) for i in items]
        expr = target.not_in(choices) if node.negated else target.in_(choices)
        return _Sql(expr, BOOLEAN, operand.size + sum(i.size for i in items) + 1)

    def on_Call(self, node: Call) -> _Sql:
        spec, t = FUNCTIONS[node.name], self.types[id(node)]
        if spec.variable is not None:
            return self.bind(coerce_value(self.variables(spec.variable), t), t)
        args = [self.build(a) for a in node.args]
        if spec.strict and any(a.type.kind is Kind.NULL for a in args):
            return self.null_of(t)
        values = [a.expr for a in args]
        if spec.convert_from is not None:
            start = spec.convert_from
            values[:start] = [self.convert(a, BOOLEAN) for a in args[:start]]
            values[start:] = [self.convert(a, t) for a in args[start:]]
        sql_args = SqlArgs(tuple(values), tuple(a.type for a in args), t, self.dialect)
        size = sum(a.size * self.copies(spec, a.type) for a in args) + 1
        return _Sql(spec.sql(sql_args), t, size)

    def copies(self, spec, t: ExprType) -> int:
        """How often the SQL repeats an argument: only SQLite's decimal rounding repeats."""
        return spec.sql_copies if t.kind is Kind.DECIMAL and self.dialect == sqlops.SQLITE else 1


_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
