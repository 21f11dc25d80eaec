"""Where each value of a JSON text starts, so validation errors show at the admin's line.

Errors name a file and a JSON pointer (``/fields/3/type``); the JSON view maps
the pointer to the line of the text the admin typed, whatever its layout.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring

__all__ = ["line_of", "pointer_lines", "pretty"]

INDENT = 2
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def pretty(document) -> str:
    return json.dumps(document, indent=INDENT, ensure_ascii=False)


def pointer_lines(text: str) -> dict[str, int]:
    """``{pointer: line}`` (1-based) for every value in ``text``, which must be valid JSON."""
    lines: dict[str, int] = {}
    _value(text, _skip(text, 0), "", lines)
    return lines


def line_of(lines: dict[str, int], pointer: str) -> int:
    """The line of ``pointer``, or of its nearest parent that exists (a missing key's object)."""
    while pointer and pointer not in lines:
        pointer = pointer.rsplit("/", 1)[0]
    return lines.get(pointer, 1)


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()


def _value(text: str, at: int, pointer: str, lines: dict[str, int]) -> int:
    lines[pointer] = text.count("\n", 0, at) + 1
    opener = text[at:at + 1]
    if opener == "{":
        return _container(text, at, "}", lines, lambda i, t, a: _member(t, a, pointer, lines))
    if opener == "[":
        return _container(text, at, "]", lines, lambda i, t, a: _value(t, a, f"{pointer}/{i}", lines))
    return _DECODER.raw_decode(text, at)[1]


def _container(text: str, at: int, closer: str, lines, item) -> int:
    at = _skip(text, at + 1)
    index = 0
    while text[at] != closer:
        at = _skip(text, item(index, text, at))
        index += 1
        if text[at] == ",":
            at = _skip(text, at + 1)
    return at + 1


def _member(text: str, at: int, pointer: str, lines: dict[str, int]) -> int:
    key, at = scanstring(text, at + 1)
    at = _skip(text, at)  # the colon
    escaped = key.replace("~", "~0").replace("/", "~1")
    return _value(text, _skip(text, at + 1), f"{pointer}/{escaped}", lines)
