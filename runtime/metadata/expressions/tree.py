"""A checked expression as a small JSON tree, for ``static/js/expr.js`` to evaluate in forms.

The browser shows and hides fields live; the server stays the judge after
submit. Every node carries its checked type (``str(ExprType)``, e.g.
``"DECIMAL(2)"``) so the browser converts values exactly as the Python
evaluator does. Node shapes::

    {"lit": "0.30", "t": "DECIMAL(2)"}     literal; numbers as strings (exact), dates ISO
    {"field": "amount", "t": ...}          a field of the record being edited
    {"var": "me.department", "t": ...}     a session variable ($today, TODAY() -> "today")
    {"op": "+", "args": [...], "t": ...}   neg not + - * / == != < <= > >= and or
                                           isnull notnull in notin (args[0] is the operand)
    {"fn": "IF", "args": [...], "t": ...}  a function from the function table

Only what the browser can know is emitted: ``to_tree`` returns None when the
expression reads a field through a link (``account.city``) or a field the form
has no input for, and the server alone decides that rule after submit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from .checker import TypeScope
from .checker import annotate
from .functions import FUNCTIONS
from .nodes import Binary
from .nodes import BoolOp
from .nodes import Call
from .nodes import Expression
from .nodes import Field
from .nodes import In
from .nodes import IsNull
from .nodes import Literal
from .nodes import Unary
from .nodes import Variable
from .nodes import walk
from .parser import parse
from .types import coerce_value

__all__ = ["to_tree"]


def to_tree(
    source: str | Expression, scope: TypeScope, inputs: Collection[str] | None = None
) -> dict | None:
    """The browser tree of ``source``, or None when the browser cannot evaluate it.

    ``inputs`` names the fields the form has inputs for (None: every plain field);
    raises ExpressionError for an expression that does not parse or check.
    """
    expr = parse(source) if isinstance(source, str) else source
    types = annotate(expr, scope)
    for node in walk(expr):
        if isinstance(node, Field) and not _readable(node.path, inputs):
            return None
    return _Emitter(types).emit(expr)


def _readable(path: tuple[str, ...], inputs: Collection[str] | None) -> bool:
    return len(path) == 1 and (inputs is None or path[0] in inputs)


def _json_value(value: Any) -> Any:
    """Literal values in a form JSON keeps exactly: numbers as text, dates as ISO text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    return value.isoformat()


class _Emitter:
    def __init__(self, types):
        self.types = types

    def emit(self, node: Expression) -> dict:
        tree = getattr(self, "on_" + type(node).__name__)(node)
        tree["t"] = str(self.types[id(node)])
        return tree

    def many(self, nodes) -> list[dict]:
        return [self.emit(n) for n in nodes]

    def on_Literal(self, node: Literal) -> dict:
        # The checker may have retyped a text literal as a date ('2024-01-31' vs a date field).
        return {"lit": _json_value(coerce_value(node.value, self.types[id(node)]))}

    def on_Field(self, node: Field) -> dict:
        return {"field": node.path[0]}

    def on_Variable(self, node: Variable) -> dict:
        return {"var": ".".join(node.path)}

    def on_Unary(self, node: Unary) -> dict:
        return {"op": "neg" if node.op == "-" else "not", "args": self.many([node.operand])}

    def on_Binary(self, node: Binary) -> dict:
        return {"op": node.op, "args": self.many([node.left, node.right])}

    on_Compare = on_Binary

    def on_BoolOp(self, node: BoolOp) -> dict:
        return {"op": node.op, "args": self.many(node.operands)}

    def on_IsNull(self, node: IsNull) -> dict:
        return {"op": "notnull" if node.negated else "isnull", "args": self.many([node.operand])}

    def on_In(self, node: In) -> dict:
        return {
            "op": "notin" if node.negated else "in",
            "args": self.many([node.operand, *node.items]),
        }

    def on_Call(self, node: Call) -> dict:
        variable = FUNCTIONS[node.name].variable
        if variable is not None:  # TODAY() is $today: one clock for server and browser
            return {"var": ".".join(variable)}
        return {"fn": node.name, "args": self.many(node.args)}
