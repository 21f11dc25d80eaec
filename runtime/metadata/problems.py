"""One metadata problem = file + JSON pointer + a sentence a business admin can act on.

Every checker (loader, schemas, cross-checks, expressions) returns a list of
these instead of raising, so one run reports every error at once; ``raise_all``
turns the list into the single ``MetadataInvalid`` the CLI, API and designer show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from runtime.errors import MetadataInvalid


@dataclass(frozen=True)
class Problem:
    """Where (file + pointer) and what, in words; ``str()`` is the line users see."""

    file: str
    pointer: str  # RFC 6901 pointer into the file; "" means the whole file
    message: str

    def __str__(self) -> str:
        if self.pointer:
            return f"{self.file}: {self.pointer}: {self.message}"
        return f"{self.file}: {self.message}"

    def sort_key(self) -> tuple:
        """By file, then pointer with array indexes compared as numbers (/fields/10 after /fields/9)."""
        steps = tuple(
            (0, int(s), "") if s.isdigit() else (1, 0, s) for s in self.pointer.split("/")[1:]
        )
        return (self.file, steps, self.message)


def pointer(*parts: object) -> str:
    """Build a JSON pointer from path steps, escaping ``~`` and ``/`` as RFC 6901 says."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """Distinct problems in reading order: by file, then position in the file."""
    return sorted(set(problems), key=Problem.sort_key)


def raise_all(problems: Iterable[Problem], subject: str) -> None:
    """Raise one MetadataInvalid listing every problem; do nothing if there are none."""
    found = ordered(problems)
    if not found:
        return
    noun = "error" if len(found) == 1 else "errors"
    raise MetadataInvalid(f"{subject} has {len(found)} {noun}", details=[str(p) for p in found])
