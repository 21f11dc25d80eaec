"""The browser evaluator (static/js/expr.js) gives compile_python's answer on every input.

Each expression goes through ``to_tree`` and is evaluated in Chromium; results
are compared with their kind and, for decimals, their scale. Hand-picked edge
cases come first, then random expressions and records drawn by the strategies
the Python-vs-SQL agreement test uses too (expr_strategies.py) (sub-expressions through links are skipped:
to_tree leaves those to the server). No 64-bit guard is needed here: Python
ints and JS BigInts are both unbounded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume

from runtime.metadata.expressions import FUNCTIONS
from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import compile_python
from runtime.metadata.expressions import parse
from runtime.metadata.expressions.nodes import walk
from runtime.metadata.expressions.tree import to_tree
from tests.runtime.metadata.conftest import SCOPE
from tests.runtime.metadata.conftest import get_field
from tests.runtime.metadata.expr_strategies import random_cases

pytestmark = pytest.mark.e2e

ORIGIN = "http://metacrm.test"
STATIC = Path(__file__).resolve().parents[2] / "static"

# Runs in the page: evaluate each case and tag the result with its kind.
RUN = """cases => cases.map(({tree, values, vars}) => {
  const {evaluate, Dec, ExprError} = window.expr;
  let value;
  try { value = evaluate(tree, values, vars); }
  catch (error) { if (error instanceof ExprError) return ["error"]; throw error; }
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "bigint") return ["int", value.toString()];
  if (value instanceof Dec) return ["dec", value.toString()];
  const kind = {DATE: "date", DATETIME: "datetime"}[tree.t] || "text";
  return [kind, value];
})"""


def serve_static(route) -> None:
    """A tiny origin for module imports: /static/* from the repo, anything else a blank page."""
    path = route.request.url.removeprefix(ORIGIN)
    if path.startswith("/static/"):
        route.fulfill(
            path=str(STATIC / path.removeprefix("/static/")), content_type="text/javascript"
        )
    else:
        route.fulfill(body="<!doctype html><title>expr</title>", content_type="text/html")


@pytest.fixture(scope="module")
def expr_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.route(f"{ORIGIN}/**", serve_static)
    page.goto(f"{ORIGIN}/")
    page.evaluate("async () => { window.expr = await import('/static/js/expr.js'); }")
    yield page
    context.close()


def _wire(value):
    """A record or variable value as a form sends it: exact numbers and dates as text."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _tagged(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, Decimal):
        return ["dec", format(value, "f")]
    if isinstance(value, dt.datetime):
        return ["datetime", value.isoformat(timespec="microseconds")]
    if isinstance(value, dt.date):
        return ["date", value.isoformat()]
    return ["text", value]


def python_result(expr, record: dict, vars_: dict):
    try:
        value = compile_python(expr, SCOPE)(get_field(record), lambda path: vars_.get(path))
    except ExpressionError:
        return ["error"]
    return _tagged(value)


def case(tree, record: dict, vars_: dict) -> dict:
    values = {k: _wire(v) for k, v in record.items() if k != "account"}
    return {
        "tree": tree,
        "values": values,
        "vars": {".".join(p): _wire(v) for p, v in vars_.items()},
    }


def run_in_browser(page, cases: list[dict]) -> list:
    return page.evaluate(RUN, cases)


VARS = {
    ("me",): 7,
    ("me", "department"): "Sales",
    ("role",): "rep",
    ("today",): dt.date(2026, 1, 31),
    ("now",): dt.datetime(2026, 1, 31, 9, 30),
}
D = Decimal
EDGE_CASES = [
    # exact decimals and rounding half away from zero
    ("0.1 + 0.2 == 0.3", {}),
    ("d2 + d4", {"d2": D("0.10"), "d4": D("0.2000")}),
    ("1 / 3", {}),
    ("-2 / 3", {}),
    ("d2 / 0", {"d2": D("1.00")}),
    ("i1 / i2", {"i1": 1, "i2": 0}),
    ("i1 / i2", {"i1": 7, "i2": -2}),
    ("ROUND(2.5)", {}),
    ("ROUND(-2.5)", {}),
    ("ROUND(d4, 2)", {"d4": D("0.0050")}),
    ("ROUND(d4, 2)", {"d4": D("-0.0050")}),
    ("ROUND(d4, 3)", {"d4": D("1.2345")}),
    ("d2 * d4", {"d2": D("1.25"), "d4": D("-0.0005")}),
    ("d4 * d4 * d4", {"d4": D("0.0005")}),
    ("d4 * d4 * d4", {"d4": D("-1.2345")}),
    ("CONCAT(d2)", {"d2": D("-0.001")}),
    ("-d2", {"d2": D("0.00")}),
    ("ABS(-d2)", {"d2": D("-3.10")}),
    ("IF(b1, 1, 2.5)", {"b1": True}),
    ("COALESCE(d2, i1)", {"d2": None, "i1": 3}),
    ("d2 in [1, 2.50]", {"d2": D("2.5")}),
    ("d0 / 7 * 7 == d0", {"d0": D("10")}),
    ("i1 * i1 * i1 * i1", {"i1": 10**6}),
    # nulls and three-valued logic
    ("i1 + 1", {"i1": None}),
    ("i1 > 1", {"i1": None}),
    ("not (i1 > 1)", {"i1": None}),
    ("i1 > 1 or True", {"i1": None}),
    ("i1 > 1 and False", {"i1": None}),
    ("i1 > 1 and True", {"i1": None}),
    ("i1 == null", {"i1": None}),
    ("t1 != null", {"t1": ""}),
    ("IF(i1 > 1, 'a', 'b')", {"i1": None}),
    ("COALESCE(i1, i2, 3)", {"i1": None, "i2": None}),
    ("i1 in [1, 2.5]", {"i1": None}),
    ("i1 not in [1, null]", {"i1": 2}),
    ("i1 not in [2, null]", {"i1": 2}),
    ("not b1", {"b1": None}),
    ("b1 < True", {"b1": False}),
    # text: case-sensitive, code point order, ASCII-only case mapping
    ("t1 == 'abc'", {"t1": "ABC"}),
    ("t1 < t2", {"t1": "a", "t2": "B"}),
    ("t1 < t2", {"t1": "é", "t2": "z"}),
    ("t1 < t2", {"t1": "\U0001f600", "t2": "\uffff"}),
    ("LEN(t1)", {"t1": "\U0001f600a"}),
    ("LOWER(t1)", {"t1": "STRAßE Élan"}),
    ("UPPER(t1)", {"t1": "straße élan"}),
    ("CONTAINS(t1, 'ß')", {"t1": "Straße"}),
    ("CONTAINS(t1, t2)", {"t1": "abc", "t2": ""}),
    ("t1 in ['a', 'b']", {"t1": "A"}),
    ("CONCAT(t1, d2, dt1, i1)", {"t1": None, "d2": D("5.00"), "dt1": None, "i1": -4}),
    # dates and datetimes
    ("DAYS_BETWEEN(dt1, $today)", {"dt1": dt.date(2025, 12, 25)}),
    ("TODAY() - 1", {}),
    ("dt1 + 1", {"dt1": dt.date(2024, 2, 28)}),
    ("ADD_DAYS(dt1, -365)", {"dt1": dt.date(2024, 3, 1)}),
    ("dt1 - 1", {"dt1": dt.date(1, 1, 1)}),
    ("dt1 + 3000000", {"dt1": dt.date(2024, 1, 1)}),
    ("ADD_DAYS(dt1, 9999999999)", {"dt1": dt.date(2024, 1, 1)}),
    ("YEAR(ts1) * 100 + MONTH(ts1)", {"ts1": dt.datetime(1999, 12, 31, 23, 59, 59, 999999)}),
    ("dt1 > '2024-01-31'", {"dt1": dt.date(2024, 2, 1)}),
    ("ts1 >= '2026-01-31'", {"ts1": dt.datetime(2026, 1, 30, 23, 59, 59)}),
    (
        "DAYS_BETWEEN(ts1, ts2)",
        {"ts1": dt.datetime(2026, 1, 1, 23, 59), "ts2": dt.datetime(2026, 1, 2)},
    ),
    ("NOW() > ts1", {"ts1": dt.datetime(2026, 1, 31, 9, 29, 59, 1)}),
    ("ts1 == ts2", {"ts1": dt.datetime(2026, 1, 1), "ts2": dt.datetime(2026, 1, 1, 0, 0, 0, 1)}),
    ("CONCAT(dt1)", {"dt1": dt.date(33, 5, 6)}),
    # session variables
    ("$me == 7 and $me.department == 'Sales'", {}),
    ("$role in ['rep', 'admin']", {}),
]


@pytest.mark.parametrize(("source", "record"), EDGE_CASES)
def test_edge_cases_agree(expr_page, source, record):
    expr = parse(source)
    expected = python_result(expr, record, VARS)
    [got] = run_in_browser(expr_page, [case(to_tree(expr, SCOPE), record, VARS)])
    assert got == expected, source


# One call per function: a function added on the server without a browser twin fails here.
FUNCTION_SAMPLES = {
    "IF": "IF(i1 > 1, d2, 0)",
    "COALESCE": "COALESCE(t1, t2, 'none')",
    "CONCAT": "CONCAT(t1, ' ', i1, ' ', d2, ' ', dt1)",
    "ROUND": "ROUND(d4, 1)",
    "DAYS_BETWEEN": "DAYS_BETWEEN(dt1, ts1)",
    "TODAY": "TODAY()",
    "NOW": "NOW()",
    "LEN": "LEN(t1)",
    "CONTAINS": "CONTAINS(t1, 'b')",
    "LOWER": "LOWER(t1)",
    "UPPER": "UPPER(t1)",
    "ABS": "ABS(d4)",
    "YEAR": "YEAR(dt1)",
    "MONTH": "MONTH(ts1)",
    "ADD_DAYS": "ADD_DAYS(dt1, i1)",
}
SAMPLE_RECORD = {
    "t1": "abc",
    "t2": None,
    "i1": 40,
    "d2": D("12.34"),
    "d4": D("-0.0550"),
    "dt1": dt.date(2024, 2, 29),
    "ts1": dt.datetime(2025, 3, 1, 0, 0, 1),
}


def test_every_function_has_a_sample():
    assert set(FUNCTION_SAMPLES) == set(FUNCTIONS)


@pytest.mark.parametrize("source", FUNCTION_SAMPLES.values())
@pytest.mark.parametrize("record", [SAMPLE_RECORD, dict.fromkeys(SAMPLE_RECORD)])
def test_every_function_agrees(expr_page, source, record):
    expr = parse(source)
    [got] = run_in_browser(expr_page, [case(to_tree(expr, SCOPE), record, VARS)])
    assert got == python_result(expr, record, VARS)


@pytest.mark.parametrize(
    ("source", "wire", "expected"),
    [
        ("ts1 == '2026-01-30T20:00:00'", "2026-01-31T01:00:00+05:00", True),
        ("ts1 < '2026-02-01'", "2026-01-31T23:30", True),
        ("d2 == 1234.5", "1,234.50", True),
        ("b1", "yes", True),
        ("i1 == 3", "3.0", True),
        ("dt1 == '2026-01-31'", "2026-02-30", ["error"]),
        ("d2 > 0", "1e999999999", ["error"]),
    ],
)
def test_form_text_is_read_as_the_server_reads_it(expr_page, source, wire, expected):
    tree = to_tree(source, SCOPE)
    field = tree["args"][0]["field"] if "args" in tree else tree["field"]
    [got] = run_in_browser(expr_page, [{"tree": tree, "values": {field: wire}, "vars": {}}])
    assert got == expected


@random_cases(300)
def test_browser_and_python_agree(expr_page, source, rows, variables_):
    """Every sub-expression the browser may evaluate gives Python's value on every row."""
    expression = parse(source)
    parts = [(p, to_tree(p, SCOPE)) for p in dict.fromkeys(walk(expression))]
    parts = [(p, tree) for p, tree in parts if tree is not None]
    assume(parts)
    cases, expected = [], []
    for part, tree in parts:
        for row in rows:
            cases.append(case(tree, row, variables_))
            expected.append(python_result(part, row, variables_))
    got = run_in_browser(expr_page, cases)
    for i, (want, have) in enumerate(zip(expected, got)):
        part, row = parts[i // len(rows)][0], rows[i % len(rows)]
        assert have == want, f"{source}\nat {part}\nrow {row}"
