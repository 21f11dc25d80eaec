"""Turn jsonschema errors into sentences a business admin can act on.

jsonschema's own messages are written for developers ("Additional properties
are not allowed ('lable' was unexpected)"); here each error becomes a pointer
to the exact key plus a plain sentence, with a "did you mean" where a typo is
likely. A schema may carry ``x-message`` to say what a valid value looks like.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from jsonschema.exceptions import ValidationError

from runtime.metadata.names import NAME_PATTERN
from runtime.metadata.names import syntax_problem

JSON_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object {...}",
    "array": "a list [...]",
    "null": "null",
}
_REQUIRED = re.compile(r"^(.*) is a required property$", re.DOTALL)

Finding = tuple[tuple, str]  # (path steps under the error's document, message)


def shown(value: Any, limit: int = 60) -> str:
    """A short rendering of a value for a message: Python-style quotes for text, JSON otherwise."""
    text = (
        repr(value)
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, default=str)
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(word: Any, choices) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def describe(error: ValidationError, what: str = "here") -> list[Finding]:
    """One or more (path, message) pairs for a jsonschema error; ``what`` names the object ("a text field")."""
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    handler = _HANDLERS.get(error.validator)
    if "propertyNames" in error.relative_schema_path:
        return [(path + (error.instance,), f"bad key: {_pattern_message(error.instance, schema)}")]
    if handler is not None:
        return handler(error, path, schema, what)
    return [(path, schema.get("x-message") and f"expected {schema['x-message']}" or error.message)]


def _additional(error, path, schema, what) -> list[Finding]:
    allowed = sorted(k for k in schema.get("properties", {}) if not k.startswith("$"))
    extras = sorted(k for k in error.instance if k not in allowed)
    what = what if not path else "here"
    return [(path + (key,), _unknown_key(key, allowed, what)) for key in extras]


def _unknown_key(key: str, allowed: list[str], what: str) -> str:
    hint = did_you_mean(key, allowed)
    if not hint and len(allowed) <= 12:
        hint = f" (allowed: {', '.join(allowed)})"
    where = "here" if what == "here" else f"for {what}"
    return f"unknown key {where}{hint}"


def _required(error, path, schema, what) -> list[Finding]:
    match = _REQUIRED.match(error.message)
    key = match.group(1) if match else error.message
    return [(path, f"missing required key {key}")]


def _pattern_message(value: Any, schema: dict) -> str:
    pattern = schema.get("pattern", "")
    if pattern == NAME_PATTERN or pattern.startswith(NAME_PATTERN[:-1]):
        if pattern == NAME_PATTERN:
            return syntax_problem(value) or f"{shown(value)} is not a valid name"
        parts = value.split(".") if isinstance(value, str) else [value]
        problems = [syntax_problem(p) for p in parts]
        reason = (
            next((p for p in problems if p), None) or "use at most one '.' between app and entity"
        )
        return f"{shown(value)} is not a valid reference: {reason}"
    if schema.get("x-message"):
        return f"{shown(value)} is not {schema['x-message']}"
    return f"{shown(value)} is not in the expected format ({pattern})"


def _pattern(error, path, schema, what) -> list[Finding]:
    return [(path, _pattern_message(error.instance, schema))]


def _enum(error, path, schema, what) -> list[Finding]:
    choices = error.validator_value
    return [
        (
            path,
            f"{shown(error.instance)} is not one of {list(choices)!r}{did_you_mean(error.instance, choices)}",
        )
    ]


def _const(error, path, schema, what) -> list[Finding]:
    return [(path, f"must be {shown(error.validator_value)}")]


def _type(error, path, schema, what) -> list[Finding]:
    wanted = error.validator_value
    wanted = wanted if isinstance(wanted, list) else [wanted]
    words = " or ".join(JSON_TYPES.get(t, t) for t in wanted)
    if schema.get("x-message"):
        words = schema["x-message"]
    return [(path, f"expected {words}, got {shown(error.instance)}")]


def _any_of(error, path, schema, what) -> list[Finding]:
    if schema.get("x-message"):
        return [(path, f"expected {schema['x-message']}, got {shown(error.instance)}")]
    reasons = []
    for sub in error.context or ():
        for _, message in describe(sub, what):
            if message not in reasons:
                reasons.append(message)
    return [(path, " or ".join(reasons) or error.message)]


def _not(error, path, schema, what) -> list[Finding]:
    if path and path[-1] == "default":
        return [(path, f"{what} takes no default")]
    return [(path, f"not allowed for {what}")]


def _length(error, path, schema, what) -> list[Finding]:
    limit, size = error.validator_value, len(error.instance)
    if error.validator == "minLength":
        return [
            (path, "must not be empty" if limit == 1 else f"must be at least {limit} characters")
        ]
    return [(path, f"is {size} characters long; at most {limit} allowed")]


def _format(error, path, schema, what) -> list[Finding]:
    examples = {
        "date": "a date like 2026-01-31",
        "date-time": "a date and time like 2026-01-31T09:30:00Z",
    }
    wanted = examples.get(error.validator_value, f"a valid {error.validator_value}")
    return [(path, f"{shown(error.instance)} is not {wanted}")]


def _bounds(error, path, schema, what) -> list[Finding]:
    return [(path, error.message.replace("should be non-empty", "must not be empty"))]


_HANDLERS = {
    "additionalProperties": _additional,
    "required": _required,
    "pattern": _pattern,
    "enum": _enum,
    "const": _const,
    "type": _type,
    "anyOf": _any_of,
    "oneOf": _any_of,
    "not": _not,
    "minItems": _bounds,
    "minLength": _length,
    "maxLength": _length,
    "format": _format,
    "maxItems": _bounds,
}
