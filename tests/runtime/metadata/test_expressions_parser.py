"""Parsing and the whitelist: what is accepted, what is refused, and where the error points."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from runtime.errors import ValidationFailed
from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import fields_used
from runtime.metadata.expressions import parse
from runtime.metadata.expressions.nodes import Binary
from runtime.metadata.expressions.nodes import BoolOp
from runtime.metadata.expressions.nodes import Call
from runtime.metadata.expressions.nodes import Compare
from runtime.metadata.expressions.nodes import Field
from runtime.metadata.expressions.nodes import In
from runtime.metadata.expressions.nodes import IsNull
from runtime.metadata.expressions.nodes import Literal
from runtime.metadata.expressions.nodes import Unary
from runtime.metadata.expressions.nodes import Variable


def test_decimal_literals_are_exact_decimals_never_floats():
    node = parse("1.10")
    assert node == Literal(Decimal("1.10"), (1, 1))
    assert str(node.value) == "1.10"
    assert parse("-0.5").value == Decimal("-0.5")
    assert parse("1_000.25").value == Decimal("1000.25")


@pytest.mark.parametrize(
    "source, value",
    [("42", 42), ("'x'", "x"), ('"a\\"b"', 'a"b'), ("True", True), ("true", True)]
    + [("false", False), ("null", None), ("None", None), ("-7", -7)],
)
def test_literals(source, value):
    node = parse(source)
    assert isinstance(node, Literal) and node.value == value and type(node.value) is type(value)


def test_names_links_and_variables():
    assert parse("amount") == Field(("amount",), (1, 1))
    assert parse("account.city") == Field(("account", "city"), (1, 1))
    assert parse("$me") == Variable(("me",), (1, 1))
    assert parse("$me.department") == Variable(("me", "department"), (1, 1))
    node = parse("owner == $me")
    assert node.right == Variable(("me",), (1, 10))


def test_dollar_inside_strings_is_text():
    node = parse("note == 'costs $5' and $role == \"$x\"")
    assert node.operands[0].right.value == "costs $5"
    assert node.operands[1].left == Variable(("role",), (1, 24))
    assert node.operands[1].right.value == "$x"


def test_operators_and_structure():
    node = parse("a + b * 2 > 3 and not c or d == null")
    assert isinstance(node, BoolOp) and node.op == "or"
    left = node.operands[0]
    assert isinstance(left, BoolOp) and left.op == "and"
    assert isinstance(left.operands[0], Compare)
    assert isinstance(left.operands[0].left, Binary) and left.operands[0].left.op == "+"
    assert isinstance(left.operands[1], Unary) and left.operands[1].op == "not"
    assert node.operands[1] == IsNull(Field(("d",), (1, 28)), False, (1, 30))


def test_null_comparisons_become_is_null():
    assert parse("x != null") == IsNull(Field(("x",), (1, 1)), True, (1, 3))
    assert parse("null == x").negated is False


def test_comparison_chains_become_and():
    node = parse("1 < x <= 3")
    assert isinstance(node, BoolOp) and [p.op for p in node.operands] == ["<", "<="]


def test_in_and_not_in_take_lists():
    node = parse("stage in ['won', 'lost']")
    assert isinstance(node, In) and not node.negated
    assert [i.value for i in node.items] == ["won", "lost"]
    assert parse("x not in (1, 2)").negated is True


def test_function_calls_and_multiline():
    node = parse("IF(a > 1,\n   CONCAT('x', b),\n   'y')")
    assert isinstance(node, Call) and node.name == "IF"
    assert node.args[1].args[1] == Field(("b",), (2, 16))


def test_fields_used_lists_paths():
    expr = parse("amount * IF(account.vip, 2, 1) > $me.limit and stage in [other]")
    assert fields_used(expr) == {("amount",), ("account", "vip"), ("stage",), ("other",)}


def _error(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    return info.value


@pytest.mark.parametrize(
    "source, position, fragment",
    [
        ("__import__('os')", (1, 1), "'__import__' is not allowed"),
        ("().__class__", (1, 4), "'__class__' is not allowed"),
        ("a.__dict__", (1, 3), "'__dict__' is not allowed"),
        ("x + a.b.__globals__", (1, 9), "'__globals__'"),
        ("[x for x in y]", (1, 1), "comprehension"),
        ("1 + {k: 1 for k in y}", (1, 5), "comprehension"),
        ("lambda: 1", (1, 1), "lambda"),
        ("a[0]", (1, 1), "indexing"),
        ("f'{a}'", (1, 1), "f-string"),
        ("(y := 2)", (1, 2), "':='"),
        ("IF(*args)", (1, 4), "'*'"),
        ("CONCAT(a, sep='x')", (1, 15), "keyword"),
        ("open('x')", (1, 1), "unknown function 'open'"),
        ("a.upper()", (1, 1), "only functions"),
        ("'x'.join(y)", (1, 1), "only functions"),
        ("a if b else c", (1, 1), "use IF"),
        ("a ** 2", (1, 3), "not allowed"),
        ("a % 2", (1, 3), "not allowed"),
        ("a is None", (1, 3), "== null"),
        ("~a", (1, 1), "not allowed"),
        ("x in y", (1, 6), "needs a list"),
        ("x in []", (1, 6), "non-empty"),
        ("[1, 2]", (1, 1), "only allowed after 'in'"),
        ("b'x'", (1, 1), "bytes"),
        ("1j", (1, 1), "complex"),
        ("_secret", (1, 1), "'_secret' is not allowed"),
        ("$me.__class__", (1, 5), "'__class__'"),
        ("$me__x", (1, 1), "'me__x'"),
        ("$ me", (1, 1), "'$' must be followed"),
        ("TODAY", (1, 1), "must be called"),
        ("ROUND(1, 2, 3)", (1, 1), "1 to 2 arguments"),
        ("TODAY(1)", (1, 1), "0 arguments"),
        ("amount +", (1, 9), "syntax error"),
        ("a == 'open", (1, 6), "unterminated string"),
        ("a )", (1, 3), "unmatched"),
        ("0.12345678901", (1, 1), "decimal places"),
        ("99999999999999999999", (1, 1), "too large"),
        ("café > 1", (1, 1), "invalid name"),
        ("x == 1\n  and y[0]", (2, 7), "indexing"),
        ("", (1, 1), "empty"),
    ],
)
def test_forbidden_constructs_are_refused_with_their_position(source, position, fragment):
    error = _error(source)
    assert error.position == position, str(error)
    assert fragment in error.reason
    assert str(error).startswith(f"line {position[0]}, col {position[1]}: ")


def test_error_is_a_validation_failure_with_a_code_and_details():
    error = _error("amount +* 2 +")
    assert isinstance(error, ValidationFailed)
    assert error.code == "expression_invalid"
    assert error.details["line"] == 1 and "col" in error.details
    assert error.to_dict()["error"]["code"] == "expression_invalid"


TOO_DEEP = "nested too deeply"
TOO_LONG = "longer than 2000 characters"


@pytest.mark.parametrize(
    ("source", "limit"),
    [
        ("(" * 300 + "a" + ")" * 300, TOO_DEEP),
        ("[" * 300 + "]" * 300, TOO_DEEP),
        ("-" * 1999 + "a", TOO_DEEP),
        ("not " * 499 + "a", TOO_DEEP),
        ("a" + " + a" * 499, TOO_DEEP),
        ("a" + ".b" * 999, TOO_DEEP),
        ("x" * 1_000_000, TOO_LONG),
        ("'" + "a" * 1_000_000 + "'", TOO_LONG),
        ("IF(" * 200 + "1" + ")" * 200, TOO_DEEP),
    ],
)
def test_hostile_input_is_stopped_by_a_limit(source, limit):
    """Hostile input must hit the parser's own depth/length guard (cheap, early),
    never Python's recursion limit or a full scan; the message names the guard."""
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert limit in str(caught.value)


def test_long_but_reasonable_expressions_are_fine():
    assert isinstance(parse(" + ".join(["amount"] * 30)), Binary)
    assert isinstance(parse("x in [" + ", ".join(str(i) for i in range(300)) + "]"), In)


def test_non_text_source_is_refused():
    with pytest.raises(ExpressionError):
        parse(None)  # type: ignore[arg-type]


def test_no_eval_or_exec_anywhere_in_the_package():
    import ast
    import pathlib

    import runtime.metadata.expressions as package

    for path in pathlib.Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "__import__"}, path
