"""Property: for random well-typed expressions and records, SQL and Python agree exactly.

The expressions, records and variables come from expr_strategies.py. Every value
is compared with its type and, for decimals, its scale. Nested products can still
leave SQLite's 64-bit scaled integers, so examples whose scaled intermediates
reach 2**62 are discarded (``_fits``) — the same bound the module docs state for SQLite.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume

from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import check
from runtime.metadata.expressions import compile_python
from runtime.metadata.expressions import parse
from runtime.metadata.expressions.checker import annotate
from runtime.metadata.expressions.nodes import Binary
from runtime.metadata.expressions.nodes import walk
from runtime.metadata.expressions.types import MAX_SCALE
from runtime.metadata.expressions.types import Kind
from runtime.metadata.expressions.types import scale_of
from tests.runtime.metadata.conftest import SCOPE
from tests.runtime.metadata.conftest import evaluate
from tests.runtime.metadata.conftest import get_field
from tests.runtime.metadata.expr_strategies import random_cases

LIMIT = 2**62


# -- the overflow guard ---------------------------------------------------------


def _fits(expression, rows, variables_) -> bool:
    """Whether every scaled intermediate stays below 2**62 on every row (see module docs)."""
    types = annotate(expression, SCOPE)
    numeric = [n for n in walk(expression) if types[id(n)].kind in (Kind.INTEGER, Kind.DECIMAL)]
    fns = {id(n): compile_python(n, SCOPE) for n in numeric}
    for row in rows:
        values = {key: fn(get_field(row), variables_.__getitem__) for key, fn in fns.items()}
        for node in numeric:
            value = values[id(node)]
            if value is not None and abs(value) * 10**MAX_SCALE >= LIMIT:
                return False
            if isinstance(node, Binary) and not _binary_fits(node, types, values):
                return False
    return True


def _binary_fits(node: Binary, types, values) -> bool:
    a, b = values.get(id(node.left)), values.get(id(node.right))
    if a is None or b is None:
        return True
    sa, sb = scale_of(types[id(node.left)]), scale_of(types[id(node.right)])
    if node.op == "*":
        return abs(a * b) * 10 ** (sa + sb) < LIMIT
    if node.op == "/":
        s = scale_of(types[id(node)])
        return 2 * abs(a) * 10 ** (s + sb) + abs(b) * 10**sb < LIMIT
    return True


def _key(value):
    """Equality that also compares types and decimal scales (Decimal('1.0') != Decimal('1.00'))."""
    return (type(value).__name__, str(value) if isinstance(value, Decimal) else value)


@random_cases(150)
def test_sql_and_python_agree(expr_db, source, rows, variables_):
    """Every sub-expression, not only the whole, gives the same value per row in SQL and Python."""
    expression = parse(source)
    check(expression, SCOPE)
    parts = list(dict.fromkeys(walk(expression)))
    try:
        expected = [evaluate(part, rows, variables_) for part in parts]
        assume(_fits(expression, rows, variables_))
    except ExpressionError:  # a date pushed out of range: the backends cannot agree on that
        assume(False)
    try:
        got = expr_db.run_all(parts, rows, variables_)
    except ExpressionError as error:
        assert "too complex" in error.reason
        assume(False)
    for i, part in enumerate(parts):
        sql_values = [_key(row[i]) for row in got]
        python_values = [_key(v) for v in expected[i]]
        assert sql_values == python_values, (
            f"{source}\nat {part}\nsql: {sql_values}\npy:  {python_values}"
        )
