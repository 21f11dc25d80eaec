"""Strict JSON for metadata files: UTF-8, no duplicate keys, no NaN, bounded depth.

``json.loads`` silently keeps the last of two equal keys, so a field's second
``"type"`` would win without anyone noticing; here duplicates are found with
their JSON pointer. Syntax errors carry line and column, as editors show them.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer

MAX_DEPTH = 64

_HINTS = {
    "Expecting property name enclosed in double quotes": " (a trailing comma, or a key without double quotes?)",
    "Expecting value": " (a trailing comma, a missing value, or single quotes instead of double?)",
    "Extra data": " (a second value after the end: a missing '[' or an extra '}'?)",
}


class _Object(dict):
    """A parsed JSON object that remembers which of its keys appeared twice."""

    duplicates: tuple[str, ...] = ()


class _TooDeep(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    seen = []
    for key, value in pairs:
        if key in obj:
            seen.append(key)
        obj[key] = value
    obj.duplicates = tuple(seen)
    return obj


def _no_constants(word: str) -> Any:
    raise ValueError(f"{word} is not allowed in JSON; use a number or null")


def _plain(node: Any, steps: tuple, found: list, depth: int = 0) -> Any:
    """Rebuild the tree with plain dicts, collecting (steps, key) for every duplicate key."""
    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(node, dict):
        for key in getattr(node, "duplicates", ()):
            found.append((steps + (key,), key))
        return {k: _plain(v, steps + (k,), found, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, steps + (i,), found, depth + 1) for i, v in enumerate(node)]
    return node


def decode_text(path: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a leading BOM, as Windows editors write, is dropped) or a problem."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        where = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        return None, [Problem(path, "", f"is not UTF-8 text ({where}); save the file as UTF-8")]


def parse_json(path: str, raw: bytes) -> tuple[Any, list[Problem]]:
    """Parse one file; on failure return (None, problems) instead of raising."""
    text, problems = decode_text(path, raw)
    if text is None:
        return None, problems
    try:
        tree = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        hint = _HINTS.get(exc.msg, "")
        return None, [Problem(path, "", f"line {exc.lineno}, column {exc.colno}: {exc.msg}{hint}")]
    except RecursionError:
        return None, [Problem(path, "", f"is nested more than {MAX_DEPTH} levels deep")]
    except ValueError as exc:
        return None, [Problem(path, "", f"is not valid JSON: {exc}")]
    found: list = []
    try:
        doc = _plain(tree, (), found)
    except _TooDeep:
        return None, [Problem(path, "", f"is nested more than {MAX_DEPTH} levels deep")]
    problems = [
        Problem(path, pointer(*steps), f"duplicate key {key!r} in the same object")
        for steps, key in found
    ]
    return (None if problems else doc), problems
