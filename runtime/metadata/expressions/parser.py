"""Source text to the small syntax tree, admitting only whitelisted constructs.

Python's own parser does the tokenising (so strings, numbers and precedence are
the familiar ones), then every ``ast`` node is converted by hand: anything the
converter has no rule for is refused with its position. Nothing is evaluated.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from functools import lru_cache

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
from .source import Prepared
from .source import prepare
from .types import MAX_SCALE

MAX_DEPTH = 40
MAX_INT = 2**63 - 1
MAX_DECIMAL_DIGITS = 18

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CONSTANTS = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "null": None,
    "None": None,
}
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_FRIENDLY = {
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Subscript: "indexing",
    ast.Starred: "'*'",
    ast.NamedExpr: "':='",
    ast.JoinedStr: "an f-string",
    ast.IfExp: "'x if c else y' (use IF)",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
    ast.FormattedValue: "an f-string",
}


def parse(source: str) -> Expression:
    """Parse and whitelist ``source``; raises ExpressionError with a position.

    The trees are immutable, so a source parsed before (a list filter on every page
    request, a form rule) is answered from a cache; errors are never cached."""
    return _parse_cached(source) if isinstance(source, str) else _parse(source)


def _parse(source: str) -> Expression:
    prepared = prepare(source)
    # The wrapping parentheses let a long formula span lines; the scanner already
    # refused unbalanced brackets, so they cannot be used to escape anything.
    wrapped = "(" + prepared.text + "\n)"
    try:
        tree = ast.parse(wrapped, mode="eval")
    except SyntaxError as exc:
        line, col = exc.lineno or 1, exc.offset or 1
        if line > len(prepared.lines):  # on our closing ")": the text ended too early
            position = (len(prepared.lines), len(prepared.lines[-1]) + 1)
        else:  # columns on line 1 count our "("
            position = (line, max(col - (line == 1), 1))
        raise ExpressionError(f"syntax error: {exc.msg}", position) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("expression cannot be parsed") from None
    return _Converter(prepared, wrapped).convert(tree.body)


_parse_cached = lru_cache(maxsize=2048)(_parse)


def _check_depth(node: ast.AST, converter: _Converter) -> None:
    """Refuse deep trees up front so no later recursive pass can exhaust the stack."""
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError("expression is nested too deeply", converter.pos(current))
        for child in ast.iter_child_nodes(current):
            if isinstance(child, ast.expr):
                stack.append((child, depth + 1))


class _Converter:
    """Turns whitelisted ``ast`` nodes into ``nodes`` dataclasses."""

    def __init__(self, prepared: Prepared, wrapped: str):
        self.prepared = prepared
        self.wrapped = wrapped

    def pos(self, node: ast.AST) -> tuple[int, int]:
        return self.at(node.lineno, node.col_offset)

    def at(self, lineno: int, byte_offset: int) -> tuple[int, int]:
        if lineno == 1:
            byte_offset -= 1  # the "(" we added
        return (lineno, self.prepared.char_col(lineno, max(byte_offset, 0)))

    def fail(self, message: str, node: ast.AST):
        raise ExpressionError(message, self.pos(node))

    def convert(self, node: ast.expr) -> Expression:
        _check_depth(node, self)
        return self.expr(node)

    def expr(self, node: ast.expr) -> Expression:
        handler = getattr(self, "on_" + type(node).__name__, None)
        if handler is None:
            what = _FRIENDLY.get(type(node), type(node).__name__)
            self.fail(f"{what} is not allowed", node)
        return handler(node)

    def on_Constant(self, node: ast.Constant) -> Expression:
        value = node.value
        if value is None or isinstance(value, (bool, str)):
            return Literal(value, self.pos(node))
        if isinstance(value, int):
            if abs(value) > MAX_INT:
                self.fail("number is too large", node)
            return Literal(value, self.pos(node))
        if isinstance(value, float):
            return Literal(self.decimal(node), self.pos(node))
        self.fail(f"{type(value).__name__} literals are not allowed", node)

    def decimal(self, node: ast.Constant) -> Decimal:
        """``1.5`` is an exact DECIMAL: read the digits as written, never the float."""
        text = (ast.get_source_segment(self.wrapped, node) or "").replace("_", "")
        number = Decimal(text)
        scale = max(0, -number.as_tuple().exponent)
        if scale > MAX_SCALE:
            self.fail(f"a number may have at most {MAX_SCALE} decimal places", node)
        number = number.quantize(Decimal(1).scaleb(-scale))
        if number.adjusted() >= MAX_DECIMAL_DIGITS:
            self.fail("number is too large", node)
        return number

    def on_Name(self, node: ast.Name) -> Expression:
        name = node.id
        if name in _CONSTANTS:
            return Literal(_CONSTANTS[name], self.pos(node))
        pos = self.pos(node)
        if name.startswith("_") and pos in self.prepared.variable_starts:
            self.check_name(name[1:], pos)
            return Variable((name[1:],), pos)
        self.check_name(name, pos)
        if name in FUNCTIONS:
            self.fail(f"function {name} must be called, as {name}(...)", node)
        return Field((name,), pos)

    def check_name(self, name: str, pos: tuple[int, int]) -> None:
        if name.startswith("_") or "__" in name:
            raise ExpressionError(f"name '{name}' is not allowed", pos)
        if not _NAME.match(name):
            raise ExpressionError(f"invalid name '{name}'", pos)

    def on_Attribute(self, node: ast.Attribute) -> Expression:
        parts = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            # The attribute name ends where the node ends.
            self.check_name(
                current.attr,
                self.at(current.end_lineno, current.end_col_offset - len(current.attr)),
            )
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name) or current.id in _CONSTANTS or current.id in FUNCTIONS:
            self.fail("'.' may only follow a field or variable name", current)
        base = self.on_Name(current)
        path = base.path + tuple(reversed(parts))
        return type(base)(path, base.pos)

    def on_UnaryOp(self, node: ast.UnaryOp) -> Expression:
        operand = self.expr(node.operand)
        if isinstance(node.op, ast.Not):
            return Unary("not", operand, self.pos(node))
        if not isinstance(node.op, ast.USub):
            self.fail("unary '+' and '~' are not allowed", node)
        if isinstance(operand, Literal) and type(operand.value) in (int, Decimal):
            negated = -operand.value
            return Literal(negated if negated else abs(negated), self.pos(node))
        return Unary("-", operand, self.pos(node))

    def on_BinOp(self, node: ast.BinOp) -> Expression:
        op = _ARITHMETIC.get(type(node.op))
        pos = self.operator_pos(node.left)
        if op is None:
            raise ExpressionError("this operator is not allowed (use + - * /)", pos)
        return Binary(op, self.expr(node.left), self.expr(node.right), pos)

    def operator_pos(self, left: ast.expr) -> tuple[int, int]:
        """Where the operator after ``left`` starts: skip spaces and closing parentheses."""
        line, offset = left.end_lineno, left.end_col_offset
        text = self.wrapped.split("\n")[line - 1].encode("utf-8")
        while offset < len(text) and text[offset : offset + 1] in (b" ", b")", b"\t"):
            offset += 1
        return self.at(line, offset)

    def on_BoolOp(self, node: ast.BoolOp) -> Expression:
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(op, tuple(self.expr(v) for v in node.values), self.pos(node))

    def on_Compare(self, node: ast.Compare) -> Expression:
        parts = []
        left_ast, left = node.left, self.expr(node.left)
        for i, (op, right_ast) in enumerate(zip(node.ops, node.comparators)):
            pos = self.operator_pos(left_ast)
            if isinstance(op, (ast.In, ast.NotIn)):
                parts.append(self.membership(left, op, right_ast, pos))
                if i + 1 < len(node.ops):
                    self.fail("a list is only allowed after 'in'", right_ast)
                break
            right = self.expr(right_ast)
            parts.append(self.comparison(left, op, right, pos))
            left_ast, left = right_ast, right
        if len(parts) == 1:
            return parts[0]
        return BoolOp("and", tuple(parts), self.pos(node))

    def comparison(self, left, op, right, pos) -> Expression:
        symbol = _COMPARE.get(type(op))
        if symbol is None:
            raise ExpressionError("'is' is not allowed (use == null or != null)", pos)
        if symbol in ("==", "!="):
            for side, other in ((right, left), (left, right)):
                if isinstance(side, Literal) and side.value is None:
                    return IsNull(other, symbol == "!=", pos)
        return Compare(symbol, left, right, pos)

    def membership(self, left, op, right_ast: ast.expr, pos) -> Expression:
        if not isinstance(right_ast, (ast.List, ast.Tuple)):
            self.fail("'in' needs a list such as [1, 2]", right_ast)
        if not right_ast.elts:
            self.fail("'in' needs a non-empty list", right_ast)
        items = tuple(self.expr(e) for e in right_ast.elts)
        return In(left, items, isinstance(op, ast.NotIn), pos)

    def on_Call(self, node: ast.Call) -> Expression:
        func = node.func
        if not isinstance(func, ast.Name):
            self.fail("only functions such as IF(...) can be called", node)
        self.check_name(func.id, self.pos(func))
        spec = FUNCTIONS.get(func.id)
        if spec is None:
            self.fail(f"unknown function '{func.id}'", func)
        if node.keywords:
            self.fail(f"{func.id} takes no keyword arguments", node.keywords[0].value)
        args = tuple(self.expr(a) for a in node.args)
        count = len(args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            self.fail(f"{func.id} takes {_arity(spec.min_args, spec.max_args)}, not {count}", node)
        return Call(func.id, args, self.pos(node))

    def on_List(self, node: ast.List) -> Expression:
        self.fail("a list is only allowed after 'in'", node)

    on_Tuple = on_List


def _arity(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"
