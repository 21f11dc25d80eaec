"""The Python evaluator: a tree of closures with SQL's semantics.

Used for form previews, validation rules on unsaved records and workflow routing.
Nulls propagate, ``and``/``or`` are three-valued, division by zero is null and
decimals are exact and rounded half away from zero, exactly like the SQL side.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .checker import Annotations
from .checker import TypeScope
from .checker import annotate
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
from .types import EXACT
from .types import Kind
from .types import coerce_value
from .types import quantize
from .types import to_decimal

Getter = Callable[[tuple[str, ...]], Any]
Evaluator = Callable[[Getter, Getter], Any]
_Env = tuple[Getter, Getter]
_Fn = Callable[[_Env], Any]

_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def truthy(value: Any) -> bool:
    """A condition's yes/no where one is needed: null (unknown) counts as no, as in SQL WHERE."""
    return value is True


def _no_variables(path: tuple[str, ...]) -> Any:
    raise ExpressionError(f"variable '${'.'.join(path)}' has no value here")


def compile_python(expr: Expression, scope: TypeScope) -> Evaluator:
    """``fn(get_field, get_variable) -> value``; the getters take a path such as ("account", "city")."""
    fn = _Builder(annotate(expr, scope)).build(expr)

    def evaluate(get_field: Getter, get_variable: Getter = _no_variables) -> Any:
        return fn((get_field, get_variable))

    return evaluate


def divide(a: Any, b: Any, scale: int) -> Decimal | None:
    """round_half_away(a / b) to ``scale`` places, exactly (via fractions); null for b == 0."""
    if b == 0:
        return None
    q = Fraction(a) / Fraction(b) * 10**scale
    rounded = (2 * abs(q.numerator) + q.denominator) // (2 * q.denominator)
    return Decimal(rounded if q >= 0 else -rounded).scaleb(-scale)


class _Builder:
    def __init__(self, types: Annotations):
        self.types = types

    def build(self, node: Expression) -> _Fn:
        fn = getattr(self, "on_" + type(node).__name__)(node)
        t = self.types[id(node)]
        if t.kind is Kind.DECIMAL and not isinstance(node, Literal):
            inner, scale = fn, t.scale
            return lambda env: _decimal(inner(env), scale)
        return fn

    def on_Literal(self, node: Literal) -> _Fn:
        value = coerce_value(node.value, self.types[id(node)])
        return lambda env: value

    def on_Field(self, node: Field) -> _Fn:
        path, t = node.path, self.types[id(node)]
        return lambda env: coerce_value(env[0](path), t)

    def on_Variable(self, node: Variable) -> _Fn:
        path, t = node.path, self.types[id(node)]
        return lambda env: coerce_value(env[1](path), t)

    def on_Unary(self, node: Unary) -> _Fn:
        inner = self.build(node.operand)
        if node.op == "not":
            return lambda env: _null_or(inner(env), operator.not_)
        return lambda env: _null_or(inner(env), operator.neg)

    def on_Binary(self, node: Binary) -> _Fn:
        left, right = self.build(node.left), self.build(node.right)
        t = self.types[id(node)]
        op = _arithmetic(node, t)

        def binary(env):
            a, b = left(env), right(env)
            return None if a is None or b is None else op(a, b)

        return binary

    def on_Compare(self, node: Compare) -> _Fn:
        left, right, op = self.build(node.left), self.build(node.right), _COMPARE[node.op]

        def compare(env):
            a, b = left(env), right(env)
            return None if a is None or b is None else op(a, b)

        return compare

    def on_BoolOp(self, node: BoolOp) -> _Fn:
        fns = [self.build(o) for o in node.operands]
        stop = node.op == "or"  # the value that decides: True for or, False for and

        def boolean(env):
            unknown = False
            for fn in fns:
                value = fn(env)
                if value is stop:
                    return stop
                unknown = unknown or value is None
            return None if unknown else not stop

        return boolean

    def on_IsNull(self, node: IsNull) -> _Fn:
        inner, negated = self.build(node.operand), node.negated
        return lambda env: (inner(env) is None) != negated

    def on_In(self, node: In) -> _Fn:
        operand, items, negated = (
            self.build(node.operand),
            [self.build(i) for i in node.items],
            node.negated,
        )

        def member(env):
            value = operand(env)
            if value is None:
                return None
            found = _member(value, [item(env) for item in items])
            return found if found is None else found != negated

        return member

    def on_Call(self, node: Call) -> _Fn:
        spec, t = FUNCTIONS[node.name], self.types[id(node)]
        if spec.variable is not None:
            path = spec.variable
            return lambda env: coerce_value(env[1](path), t)
        args = [self.build(a) for a in node.args]
        impl = spec.python

        def call(env):
            if spec.lazy:
                return impl(*[(lambda a=a: a(env)) for a in args])
            values = [a(env) for a in args]
            if spec.strict and any(v is None for v in values):
                return None
            try:
                return impl(*values)
            except OverflowError:
                raise ExpressionError(f"{node.name} result is out of range", node.pos) from None

        return call


def _member(value: Any, items: list[Any]) -> bool | None:
    """SQL IN: true on a match, else null if any item is null, else false."""
    if any(item is not None and item == value for item in items):
        return True
    return None if any(item is None for item in items) else False


def _null_or(value: Any, fn: Callable[[Any], Any]) -> Any:
    return None if value is None else fn(value)


def _decimal(value: Any, scale: int) -> Decimal | None:
    return None if value is None else quantize(to_decimal(value), scale)


def _arithmetic(node: Binary, t) -> Any:
    """The two-argument function for ``node``; the caller quantizes DECIMAL results."""
    if t.kind is Kind.NULL:
        return lambda a, b: None
    if t.kind is Kind.DATE:
        return _date_arithmetic(node)
    if t.kind is Kind.INTEGER:
        return {"+": operator.add, "-": operator.sub, "*": operator.mul}[node.op]
    if node.op == "/":
        return lambda a, b: divide(a, b, t.scale)
    exact = {"+": EXACT.add, "-": EXACT.subtract, "*": EXACT.multiply}[node.op]
    return lambda a, b: exact(Decimal(a), Decimal(b))


def _date_arithmetic(node: Binary) -> Callable[[Any, Any], Any]:
    sign = -1 if node.op == "-" else 1

    def shift(a, b):
        day, days = (a, b) if isinstance(a, dt.date) else (b, a)
        try:
            return day + dt.timedelta(days=sign * days)
        except OverflowError:
            raise ExpressionError("date is out of range", node.pos) from None

    return shift
