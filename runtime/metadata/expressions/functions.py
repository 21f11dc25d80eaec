"""The function table: for each function its arity, type rule, Python and SQL implementation.

One row per function so that adding one touches a single place, and so the
parser (arity), the checker (types) and both compilers read the same facts.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import implementations as impl
from .errors import ExpressionError
from .implementations import SqlArgs
from .implementations import SqlImpl
from .nodes import Call
from .nodes import Literal
from .types import BOOLEAN
from .types import DATE
from .types import DATETIME
from .types import INTEGER
from .types import MAX_SCALE
from .types import TEXT
from .types import ExprType
from .types import Kind
from .types import decimal_type
from .types import unify

TypeRule = Callable[[Call, Sequence[ExprType]], ExprType]

__all__ = ["FUNCTIONS", "FunctionSpec", "SqlArgs", "round_places"]


@dataclass(frozen=True)
class FunctionSpec:
    """``lazy`` impls receive zero-argument callables; ``strict`` ones return null on a null arg.

    ``convert_from`` is the first argument converted to the result type (IF's
    branches, COALESCE's values). ``variable`` makes the call read a caller-supplied
    variable (TODAY() is $today) so Python and SQL use the same clock.
    ``sql_copies`` is how often SQLite's SQL repeats a DECIMAL argument (for the
    size guard against exponential SQL).
    """

    name: str
    min_args: int
    max_args: int | None
    result: TypeRule
    python: Callable[..., Any] | None = None
    sql: SqlImpl | None = None
    strict: bool = True
    lazy: bool = False
    convert_from: int | None = None
    variable: tuple[str, ...] | None = None
    sql_copies: int = 1


def _arg(call: Call, types: Sequence[ExprType], i: int, *kinds: Kind) -> ExprType:
    t = types[i]
    if t.kind is not Kind.NULL and t.kind not in kinds:
        wanted = " or ".join(str(k) for k in kinds)
        raise ExpressionError(
            f"{call.name} argument {i + 1} must be {wanted}, not {t}", call.args[i].pos
        )
    return t


def _all(*kinds: Kind, result: ExprType) -> TypeRule:
    def rule(call: Call, types: Sequence[ExprType]) -> ExprType:
        for i in range(len(types)):
            _arg(call, types, i, *kinds)
        return result

    return rule


def _same_as_arg(*kinds: Kind) -> TypeRule:
    def rule(call: Call, types: Sequence[ExprType]) -> ExprType:
        t = _arg(call, types, 0, *kinds)
        return INTEGER if t.kind is Kind.NULL else t

    return rule


def _common(call: Call, types: Sequence[ExprType]) -> ExprType:
    result = types[0]
    for i, t in enumerate(types[1:], start=1):
        joined = unify(result, t)
        if joined is None:
            raise ExpressionError(f"{call.name} cannot mix {result} and {t}", call.args[i].pos)
        result = joined
    return result


def _if_type(call: Call, types: Sequence[ExprType]) -> ExprType:
    _arg(call, types, 0, Kind.BOOLEAN)
    joined = unify(types[1], types[2])
    if joined is None:
        raise ExpressionError(
            f"IF branches have different types {types[1]} and {types[2]}", call.args[2].pos
        )
    return joined


def round_places(call: Call) -> int:
    """ROUND's places must be a literal so the result type is known before running."""
    if len(call.args) < 2:
        return 0
    node = call.args[1]
    ok = isinstance(node, Literal) and type(node.value) is int and 0 <= node.value <= MAX_SCALE
    if not ok:
        raise ExpressionError(
            f"ROUND places must be a whole number from 0 to {MAX_SCALE}", node.pos
        )
    return node.value


def _round_type(call: Call, types: Sequence[ExprType]) -> ExprType:
    t = _arg(call, types, 0, Kind.INTEGER, Kind.DECIMAL)
    places = round_places(call)
    return INTEGER if t.kind is Kind.INTEGER else decimal_type(places)


def _add_days_type(call: Call, types: Sequence[ExprType]) -> ExprType:
    _arg(call, types, 0, Kind.DATE)
    _arg(call, types, 1, Kind.INTEGER)
    return DATE


_concat_type = _all(Kind.TEXT, Kind.INTEGER, Kind.DECIMAL, Kind.DATE, result=TEXT)
_dates_to_int = _all(Kind.DATE, Kind.DATETIME, result=INTEGER)


def _constant(t: ExprType) -> TypeRule:
    return lambda call, types: t


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec(
            "IF", 3, 3, _if_type, impl.py_if, impl.sql_if, strict=False, lazy=True, convert_from=1
        ),
        FunctionSpec(
            "COALESCE",
            1,
            None,
            _common,
            impl.py_coalesce,
            impl.sql_coalesce,
            strict=False,
            lazy=True,
            convert_from=0,
        ),
        FunctionSpec(
            "CONCAT",
            1,
            None,
            _concat_type,
            impl.py_concat,
            impl.sql_concat,
            strict=False,
            sql_copies=3,
        ),
        FunctionSpec("ROUND", 1, 2, _round_type, impl.py_round, impl.sql_round, sql_copies=2),
        FunctionSpec(
            "DAYS_BETWEEN", 2, 2, _dates_to_int, impl.py_days_between, impl.sql_days_between
        ),
        FunctionSpec("TODAY", 0, 0, _constant(DATE), variable=("today",)),
        FunctionSpec("NOW", 0, 0, _constant(DATETIME), variable=("now",)),
        FunctionSpec("LEN", 1, 1, _all(Kind.TEXT, result=INTEGER), len, impl.sql_len),
        FunctionSpec(
            "CONTAINS", 2, 2, _all(Kind.TEXT, result=BOOLEAN), impl.py_contains, impl.sql_contains
        ),
        FunctionSpec("LOWER", 1, 1, _all(Kind.TEXT, result=TEXT), impl.py_lower, impl.sql_lower),
        FunctionSpec("UPPER", 1, 1, _all(Kind.TEXT, result=TEXT), impl.py_upper, impl.sql_upper),
        FunctionSpec("ABS", 1, 1, _same_as_arg(Kind.INTEGER, Kind.DECIMAL), abs, impl.sql_abs),
        FunctionSpec("YEAR", 1, 1, _dates_to_int, impl.py_year, impl.sql_year),
        FunctionSpec("MONTH", 1, 1, _dates_to_int, impl.py_month, impl.sql_month),
        FunctionSpec("ADD_DAYS", 2, 2, _add_days_type, impl.py_add_days, impl.sql_add_days),
    )
}
