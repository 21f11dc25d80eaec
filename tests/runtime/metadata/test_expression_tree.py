"""to_tree: the JSON tree the browser evaluates (static/js/expr.js), and what it refuses."""

from __future__ import annotations

import json

import pytest

from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions.tree import to_tree
from tests.runtime.metadata.conftest import SCOPE


def test_nodes_carry_their_checked_type():
    assert to_tree("d2 + 0.1 > 3", SCOPE) == {
        "op": ">",
        "t": "BOOLEAN",
        "args": [
            {
                "op": "+",
                "t": "DECIMAL(2)",
                "args": [{"field": "d2", "t": "DECIMAL(2)"}, {"lit": "0.1", "t": "DECIMAL(1)"}],
            },
            {"lit": "3", "t": "INTEGER"},
        ],
    }


@pytest.mark.parametrize(
    ("source", "literal"),
    [
        ("1.50", {"lit": "1.50", "t": "DECIMAL(2)"}),
        ("-7", {"lit": "-7", "t": "INTEGER"}),
        ("'x'", {"lit": "x", "t": "TEXT"}),
        ("True", {"lit": True, "t": "BOOLEAN"}),
        ("null", {"lit": None, "t": "NULL"}),
    ],
)
def test_literals_keep_exact_values_as_text(source, literal):
    assert to_tree(source, SCOPE) == literal


def test_a_text_literal_compared_with_a_date_becomes_a_date():
    tree = to_tree("dt1 > '2024-01-31' and ts1 < '2024-01-01'", SCOPE)
    assert tree["args"][0]["args"][1] == {"lit": "2024-01-31", "t": "DATE"}
    assert tree["args"][1]["args"][1] == {"lit": "2024-01-01T00:00:00.000000", "t": "DATETIME"}


def test_today_and_now_read_the_same_variables_as_on_the_server():
    tree = to_tree("TODAY() == $today and NOW() > $now", SCOPE)
    reads = [arg for part in tree["args"] for arg in part["args"]]
    assert [r["var"] for r in reads] == ["today", "today", "now", "now"]


def test_variables_through_the_user_keep_their_path():
    assert to_tree("$me.department", SCOPE) == {"var": "me.department", "t": "TEXT"}


@pytest.mark.parametrize(
    ("source", "op"),
    [
        ("t1 == null", "isnull"),
        ("t1 != null", "notnull"),
        ("i1 in [1, 2]", "in"),
        ("i1 not in [1, 2]", "notin"),
        ("not b1", "not"),
        ("-i1", "neg"),
        ("b1 or b1", "or"),
    ],
)
def test_operators(source, op):
    assert to_tree(source, SCOPE)["op"] == op


def test_functions_keep_their_arguments():
    tree = to_tree("IF(b1, CONCAT(t1, d4), null)", SCOPE)
    assert tree["fn"] == "IF" and tree["t"] == "TEXT"
    assert tree["args"][1] == {
        "fn": "CONCAT",
        "t": "TEXT",
        "args": [{"field": "t1", "t": "TEXT"}, {"field": "d4", "t": "DECIMAL(4)"}],
    }


def test_a_field_through_a_link_is_left_to_the_server():
    assert to_tree("account.city == 'Paris' or b1", SCOPE) is None


def test_a_field_without_an_input_on_the_form_is_left_to_the_server():
    assert to_tree("i1 > 2", SCOPE, inputs={"i2"}) is None
    assert to_tree("i1 > 2", SCOPE, inputs={"i1"}) is not None


def test_the_tree_is_plain_json():
    tree = to_tree("COALESCE(d2, 0) / 3 > 1.5 and dt1 + 1 <= $today", SCOPE)
    assert json.loads(json.dumps(tree)) == tree


@pytest.mark.parametrize("source", ["t1 +", "nope == 1", "t1 + 1"])
def test_bad_expressions_raise_like_check(source):
    with pytest.raises(ExpressionError):
        to_tree(source, SCOPE)
