"""The expression language: one small, safe, typed language for every rule in an app.

Formulas, validation rules, visibility, workflow routing, row permissions,
report filters and REST ``where=`` all go through here::

    expr = parse("amount * probability / 100")      # syntax + whitelist
    result_type = check(expr, scope, expect)         # publish-time type check
    fn = compile_python(expr, scope)                 # preview / validation
    clause = compile_sql(expr, scope, columns, variables, "postgresql")

Both compilations have SQL's semantics and agree on every input.
"""

from .checker import TypeScope
from .checker import check
from .errors import ExpressionError
from .functions import FUNCTIONS
from .nodes import Expression
from .nodes import Field
from .nodes import Variable
from .nodes import walk
from .parser import parse
from .scope import StaticScope
from .to_python import compile_python
from .to_python import truthy
from .to_sql import compile_sql
from .types import BOOLEAN
from .types import DATE
from .types import DATETIME
from .types import INTEGER
from .types import NULL
from .types import TEXT
from .types import ExprType
from .types import Kind
from .types import decimal_type
from .types import list_type

__all__ = [
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "FUNCTIONS",
    "INTEGER",
    "NULL",
    "TEXT",
    "ExprType",
    "Expression",
    "ExpressionError",
    "Kind",
    "StaticScope",
    "TypeScope",
    "check",
    "compile_python",
    "compile_sql",
    "decimal_type",
    "fields_used",
    "list_type",
    "parse",
    "truthy",
    "variables_used",
]


def fields_used(expr: Expression) -> set[tuple[str, ...]]:
    """Field paths the expression reads, for dependency order and cycle checks."""
    return {node.path for node in walk(expr) if isinstance(node, Field)}


def variables_used(expr: Expression) -> set[tuple[str, ...]]:
    """Variable paths (without "$"), so callers know what a session must supply."""
    found = {node.path for node in walk(expr) if isinstance(node, Variable)}
    for node in walk(expr):
        spec = FUNCTIONS.get(getattr(node, "name", ""))
        if spec is not None and spec.variable is not None:
            found.add(spec.variable)
    return found
