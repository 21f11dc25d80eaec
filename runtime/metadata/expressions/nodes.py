"""The small typed syntax tree every compiler walks.

Frozen dataclasses rather than Python's ``ast`` so that the compilers only ever
see constructs the whitelist admitted; ``pos`` is the 1-based (line, col).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Position = tuple[int, int]


@dataclass(frozen=True)
class Literal:
    value: Any  # int, Decimal, str, bool or None
    pos: Position


@dataclass(frozen=True)
class Field:
    path: tuple[str, ...]
    pos: Position


@dataclass(frozen=True)
class Variable:
    path: tuple[str, ...]  # without the "$": ("me", "department")
    pos: Position


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Expression
    pos: Position


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/"
    left: Expression
    right: Expression
    pos: Position


@dataclass(frozen=True)
class Compare:
    op: str  # "==", "!=", "<", "<=", ">", ">="
    left: Expression
    right: Expression
    pos: Position


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" or "or"
    operands: tuple[Expression, ...]
    pos: Position


@dataclass(frozen=True)
class IsNull:
    operand: Expression
    negated: bool  # True for "x != null"
    pos: Position


@dataclass(frozen=True)
class In:
    operand: Expression
    items: tuple[Expression, ...]
    negated: bool
    pos: Position


@dataclass(frozen=True)
class Call:
    name: str  # upper-case function name from the function table
    args: tuple[Expression, ...]
    pos: Position


Expression = Literal | Field | Variable | Unary | Binary | Compare | BoolOp | IsNull | In | Call


def children(node: Expression) -> tuple[Expression, ...]:
    """The direct sub-expressions of a node, in source order."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Binary, Compare)):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, IsNull):
        return (node.operand,)
    if isinstance(node, In):
        return (node.operand, *node.items)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Expression) -> Iterator[Expression]:
    """Every node of the tree, parents before children (iterative: trees are depth-limited anyway)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
