"""The one error the expression language raises, always with a source position."""

from __future__ import annotations

from runtime.errors import ValidationFailed


class ExpressionError(ValidationFailed):
    """A bad expression: syntax, a forbidden construct, a type error or an evaluation failure.

    ``position`` is the 1-based ``(line, col)`` of the offending token, so the
    designer can underline it; the message starts with it for humans.
    """

    code = "expression_invalid"

    def __init__(self, message: str, position: tuple[int, int] = (1, 1)):
        line, col = position
        super().__init__(
            f"line {line}, col {col}: {message}",
            details={"line": line, "col": col, "reason": message},
        )
        self.position = (line, col)
        self.reason = message
