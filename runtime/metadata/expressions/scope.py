"""A ready-made TypeScope from plain dictionaries, for tests and simple callers."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from .types import ExprType


@dataclass(frozen=True)
class StaticScope:
    """Field and variable types given up front: ``StaticScope({("amount",): decimal_type(2)})``."""

    fields: dict[tuple[str, ...], ExprType] = field(default_factory=dict)
    variables: dict[tuple[str, ...], ExprType] = field(default_factory=dict)

    def field_type(self, path: tuple[str, ...]) -> ExprType | None:
        return self.fields.get(path)

    def variable_type(self, path: tuple[str, ...]) -> ExprType | None:
        return self.variables.get(path)
