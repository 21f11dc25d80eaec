"""Pins the public surface other packages code against (httpx's test_exported_members idea)."""

from __future__ import annotations

import inspect

from runtime.errors import ValidationFailed
from runtime.metadata import expressions


def test_exported_names():
    assert sorted(expressions.__all__) == sorted(
        [
            "BOOLEAN", "DATE", "DATETIME", "FUNCTIONS", "INTEGER", "NULL", "TEXT",
            "ExprType", "Expression", "ExpressionError", "Kind", "StaticScope", "TypeScope",
            "check", "compile_python", "compile_sql", "decimal_type", "fields_used",
            "list_type", "parse", "truthy", "variables_used",
        ]
    )  # fmt: skip
    for name in expressions.__all__:
        assert getattr(expressions, name) is not None


def test_signatures():
    sig = inspect.signature
    assert list(sig(expressions.parse).parameters) == ["source"]
    assert list(sig(expressions.check).parameters) == ["expr", "scope", "expect"]
    assert list(sig(expressions.fields_used).parameters) == ["expr"]
    assert list(sig(expressions.compile_python).parameters) == ["expr", "scope"]
    assert list(sig(expressions.compile_sql).parameters) == [
        "expr", "scope", "columns", "variables", "dialect",
    ]  # fmt: skip


def test_error_contract():
    assert issubclass(expressions.ExpressionError, ValidationFailed)
    assert expressions.ExpressionError.code == "expression_invalid"
    error = expressions.ExpressionError("unknown field 'amout'", (1, 7))
    assert str(error) == "line 1, col 7: unknown field 'amout'"
    assert error.position == (1, 7)


def test_variables_used_includes_clock_functions():
    expr = expressions.parse("owner == $me and due < TODAY() and $me.department == 'x'")
    assert expressions.variables_used(expr) == {("me",), ("today",), ("me", "department")}


def test_every_function_has_both_implementations_or_is_a_variable():
    for spec in expressions.FUNCTIONS.values():
        assert spec.name.isupper()
        assert spec.variable is not None or (spec.python and spec.sql), spec.name
