"""Static types: every node gets an ExprType or the expression is refused.

Run at publish time so a bad formula never reaches a record; both compilers
reuse the annotations, so what they emit always matches what was checked.
"""

from __future__ import annotations

from typing import Protocol

from .errors import ExpressionError
from .functions import FUNCTIONS
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
from .nodes import walk
from .types import BOOLEAN
from .types import DATE
from .types import DATETIME
from .types import DIVISION_SCALE
from .types import INTEGER
from .types import MAX_SCALE
from .types import NULL
from .types import TEXT
from .types import ExprType
from .types import Kind
from .types import assignable
from .types import coerce_value
from .types import decimal_type
from .types import scale_of
from .types import unify

_DEFAULT_VARIABLES = {("today",): DATE, ("now",): DATETIME}


class TypeScope(Protocol):
    """What the caller knows about names: the entity's fields and the session's variables."""

    def field_type(self, path: tuple[str, ...]) -> ExprType | None: ...

    def variable_type(self, path: tuple[str, ...]) -> ExprType | None: ...


Annotations = dict[int, ExprType]


def check(expr: Expression, scope: TypeScope, expect: ExprType | None = None) -> ExprType:
    """The type of ``expr``; with ``expect``, also refuse a result that cannot be stored there."""
    result = annotate(expr, scope)[id(expr)]
    if expect is not None and not assignable(result, expect):
        start = min(node.pos for node in walk(expr))
        raise ExpressionError(f"the result must be {expect}, not {result}", start)
    return result


def annotate(expr: Expression, scope: TypeScope) -> Annotations:
    """The type of every node, keyed by ``id(node)`` (the tree keeps the nodes alive)."""
    checker = _Checker(scope)
    checker.infer(expr)
    return checker.types


def _literal_type(value) -> ExprType:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, str):
        return TEXT
    return decimal_type(max(0, -value.as_tuple().exponent))


class _Checker:
    def __init__(self, scope: TypeScope):
        self.scope = scope
        self.types: Annotations = {}

    def infer(self, node: Expression) -> ExprType:
        t = getattr(self, "on_" + type(node).__name__)(node)
        self.types[id(node)] = t
        return t

    def on_Literal(self, node: Literal) -> ExprType:
        return _literal_type(node.value)

    def on_Field(self, node: Field) -> ExprType:
        t = self.scope.field_type(node.path)
        if t is None:
            raise ExpressionError(f"unknown field '{'.'.join(node.path)}'", node.pos)
        return t

    def on_Variable(self, node: Variable) -> ExprType:
        t = self.scope.variable_type(node.path) or _DEFAULT_VARIABLES.get(node.path)
        if t is None:
            raise ExpressionError(f"unknown variable '${'.'.join(node.path)}'", node.pos)
        return t

    def on_Unary(self, node: Unary) -> ExprType:
        t = self.infer(node.operand)
        if node.op == "not":
            self.need_boolean(t, node.operand, "not")
            return BOOLEAN
        if not (t.is_numeric or t.kind is Kind.NULL):
            raise ExpressionError(f"operator '-' needs a number, not {t}", node.pos)
        return t

    def on_Binary(self, node: Binary) -> ExprType:
        left, right = self.infer(node.left), self.infer(node.right)
        result = binary_type(node.op, left, right)
        if result is None:
            hint = " (use CONCAT)" if left.kind is right.kind is Kind.TEXT else ""
            hint = " (use DAYS_BETWEEN)" if node.op == "-" and _dates(left, right) else hint
            raise ExpressionError(
                f"operator '{node.op}' cannot combine {left} and {right}{hint}", node.pos
            )
        return result

    def on_Compare(self, node: Compare) -> ExprType:
        self.comparable(node.op, node.left, node.right, node.pos)
        return BOOLEAN

    def comparable(self, op: str, left_node, right_node, pos) -> ExprType:
        left, right = self.infer(left_node), self.infer(right_node)
        left = self.date_literal(right, left_node, left)
        right = self.date_literal(left, right_node, right)
        common = unify(left, right)
        if common is None or common.kind is Kind.LIST:
            raise ExpressionError(f"cannot compare {left} with {right} using '{op}'", pos)
        return common

    def date_literal(self, other: ExprType, node: Expression, t: ExprType) -> ExprType:
        """A text literal compared with a date is read as an ISO date: due_date > '2024-01-31'."""
        if t.kind is not Kind.TEXT or other.kind not in (Kind.DATE, Kind.DATETIME):
            return t
        if not isinstance(node, Literal):
            return t
        try:
            coerce_value(node.value, other)
        except ValueError:
            raise ExpressionError(f"'{node.value}' is not a valid {other}", node.pos) from None
        self.types[id(node)] = other
        return other

    def on_BoolOp(self, node: BoolOp) -> ExprType:
        for operand in node.operands:
            self.need_boolean(self.infer(operand), operand, node.op)
        return BOOLEAN

    def on_IsNull(self, node: IsNull) -> ExprType:
        self.infer(node.operand)
        return BOOLEAN

    def on_In(self, node: In) -> ExprType:
        for item in node.items:
            self.comparable("in", node.operand, item, item.pos)
        return BOOLEAN

    def on_Call(self, node: Call) -> ExprType:
        spec = FUNCTIONS[node.name]
        types = [self.infer(arg) for arg in node.args]
        return spec.result(node, types)

    def need_boolean(self, t: ExprType, node: Expression, op: str) -> None:
        if t.kind not in (Kind.BOOLEAN, Kind.NULL):
            raise ExpressionError(f"'{op}' needs a condition (BOOLEAN), not {t}", node.pos)


def _dates(a: ExprType, b: ExprType) -> bool:
    return a.kind in (Kind.DATE, Kind.DATETIME) and b.kind in (Kind.DATE, Kind.DATETIME)


def binary_type(op: str, left: ExprType, right: ExprType) -> ExprType | None:
    """The result of ``left op right`` or None when the operator does not apply."""
    if left.kind is Kind.NULL or right.kind is Kind.NULL:
        other = right if left.kind is Kind.NULL else left
        if other.kind is Kind.NULL:
            return NULL
        return binary_type(op, other, other if other.is_numeric else INTEGER)
    if left.is_numeric and right.is_numeric:
        return _arithmetic_type(op, left, right)
    if op in "+-" and left.kind is Kind.DATE and right.kind is Kind.INTEGER:
        return DATE
    if op == "+" and left.kind is Kind.INTEGER and right.kind is Kind.DATE:
        return DATE
    return None


def _arithmetic_type(op: str, left: ExprType, right: ExprType) -> ExprType:
    a, b = scale_of(left), scale_of(right)
    if op == "/":
        return decimal_type(max(a, b, DIVISION_SCALE))
    if left.kind is right.kind is Kind.INTEGER:
        return INTEGER
    if op == "*":
        return decimal_type(min(a + b, MAX_SCALE))
    return decimal_type(max(a, b))
