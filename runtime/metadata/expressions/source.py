"""Raw source text: limits, the ``$variable`` rewrite and position bookkeeping.

``$`` is not Python, so before ``ast`` sees the text each ``$name`` outside a
string literal becomes ``_name`` (same length, so every column stays right) and
we remember where those were: a leading underscore anywhere else is refused.
Cheap scans here stop hostile input before the Python parser spends effort on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ExpressionError

MAX_SOURCE = 2000
MAX_BRACKETS = 30

_OPEN = "([{"
_CLOSE = ")]}"


@dataclass(frozen=True)
class Prepared:
    """The rewritten text plus the (line, col) of every ``$`` we replaced."""

    text: str
    lines: tuple[str, ...]
    variable_starts: frozenset[tuple[int, int]]

    def char_col(self, lineno: int, byte_offset: int) -> int:
        """``ast`` columns are UTF-8 byte offsets; users count characters (1-based)."""
        if not 1 <= lineno <= len(self.lines):
            return byte_offset + 1
        line = self.lines[lineno - 1].encode("utf-8")
        return len(line[:byte_offset].decode("utf-8", errors="ignore")) + 1


def prepare(source: str) -> Prepared:
    """Check size and nesting, then rewrite ``$name`` to ``_name`` outside strings."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be text")
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"expression is longer than {MAX_SOURCE} characters")
    if not source.strip():
        raise ExpressionError("expression is empty")
    scanner = _Scanner(source)
    scanner.run()
    text = "".join(scanner.out)
    return Prepared(text, tuple(text.split("\n")), frozenset(scanner.variables))


class _Scanner:
    """One pass over the characters, tracking strings, comments and bracket depth."""

    def __init__(self, source: str):
        self.src = source
        self.out = list(source)
        self.i = 0
        self.line = 1
        self.col = 1
        self.open: list[tuple[int, int]] = []
        self.variables: set[tuple[int, int]] = set()

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.src[self.i] == "\n":
                self.line, self.col = self.line + 1, 1
            else:
                self.col += 1
            self.i += 1

    def run(self) -> None:
        src = self.src
        while self.i < len(src):
            ch = src[self.i]
            if ch in "'\"":
                self.skip_string(ch)
            elif ch == "#":
                while self.i < len(src) and src[self.i] != "\n":
                    self.advance()
            elif ch == "$":
                self.variable()
            else:
                self.bracket(ch)
                self.advance()
        if self.open:
            raise ExpressionError("bracket is never closed", self.open[-1])

    def bracket(self, ch: str) -> None:
        here = (self.line, self.col)
        if ch in _OPEN:
            self.open.append(here)
            if len(self.open) > MAX_BRACKETS:
                raise ExpressionError("expression is nested too deeply", here)
        elif ch in _CLOSE:
            if not self.open:
                raise ExpressionError(f"unmatched '{ch}'", here)
            self.open.pop()

    def variable(self) -> None:
        nxt = self.src[self.i + 1] if self.i + 1 < len(self.src) else ""
        if not (nxt.isascii() and nxt.isalpha()):
            raise ExpressionError("'$' must be followed by a variable name", (self.line, self.col))
        self.out[self.i] = "_"
        self.variables.add((self.line, self.col))
        self.advance()

    def skip_string(self, quote: str) -> None:
        """Skip a literal, honouring triple quotes and backslash escapes."""
        src = self.src
        start = (self.line, self.col)
        delim = quote * 3 if src.startswith(quote * 3, self.i) else quote
        self.advance(len(delim))
        while self.i < len(src):
            if src[self.i] == "\\":
                self.advance(min(2, len(src) - self.i))
            elif src.startswith(delim, self.i):
                self.advance(len(delim))
                return
            elif src[self.i] == "\n" and len(delim) == 1:
                break
            else:
                self.advance()
        raise ExpressionError("unterminated string", start)
