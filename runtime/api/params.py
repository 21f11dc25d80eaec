"""What the API reads from a request: the record body, list parameters and ``If-Match``.

Each problem becomes a 4xx that names the parameter or field, before the
record service or the database sees anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runtime.errors import BadInput
from runtime.errors import MetacrmError
from runtime.errors import ValidationFailed

MAX_LIMIT = 500  # as runtime.records.queries
DEFAULT_LIMIT = 50
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class PreconditionRequired(MetacrmError):
    """A change without ``If-Match``: the API never overwrites blindly."""

    code = "precondition_required"
    http_status = 428


def read_json(raw: bytes) -> Any:
    """Strict JSON (no NaN/Infinity); anything unparsable is a 400 that says so."""
    if not raw.strip():
        raise BadInput('The body is empty; send JSON like {"data": {...}}.')
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BadInput(f"The body is not valid JSON: {exc}"[:300]) from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def data_object(body: Any) -> dict:
    """``{"data": {...}}`` -> the inner object; any other shape is a 422 naming the problem."""
    if not isinstance(body, Mapping):
        raise ValidationFailed('The body must be a JSON object like {"data": {...}}.',
                               details={"body": "expected an object"})
    extra = {k: "unknown key; put field values inside 'data'" for k in body if k != "data"}
    if "data" not in body:
        extra["data"] = "required"
    elif not isinstance(body["data"], Mapping):
        extra["data"] = "expected an object of field values"
    if extra:
        raise ValidationFailed('The body must be a JSON object like {"data": {...}}.', details=extra)
    _check_text(body["data"])
    return dict(body["data"])


def _check_text(data: Any) -> None:
    """NUL characters and lone surrogates cannot be stored by every database: refuse them here."""
    errors = {}
    stack = [(k, v) for k, v in data.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and not _storable(value):
            errors[path] = "text may not contain NUL characters or unpaired surrogates"
        elif isinstance(value, dict):
            for k, v in value.items():
                if not _storable(k):
                    errors[path] = "keys may not contain NUL characters or unpaired surrogates"
                stack.append((f"{path}.{k}", v))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
    for key in data:
        if not _storable(key):
            errors[key.encode("utf-8", "replace").decode()] = "not a valid field name"
    if errors:
        raise ValidationFailed("Some values contain characters that cannot be stored.", details=errors)


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def list_params(args: Mapping[str, str]) -> dict:
    """``where``, ``order``, ``limit``, ``cursor``, ``search``, ``count`` as ``list_records`` takes them."""
    errors = {}
    params: dict[str, Any] = {}
    for name in ("where", "order", "cursor", "search"):
        value = args.get(name)
        if value is not None and not _storable(value):
            errors[name] = "may not contain NUL characters"
        params[name] = value or None
    params["limit"] = _limit(args.get("limit"), errors)
    params["count"] = _flag(args.get("count"), "count", errors)
    if errors:
        raise ValidationFailed("Invalid list parameters.", details=errors)
    return params


def _limit(raw: str | None, errors: dict) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        errors["limit"] = f"expected a whole number from 1 to {MAX_LIMIT}"
        return DEFAULT_LIMIT
    return int(raw)


def _flag(raw: str | None, name: str, errors: dict) -> bool:
    if raw is None:
        return False
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        errors[name] = "expected true or false"
    return False


def parse_version(header: str | None, *, required: bool) -> int | None:
    """``If-Match: 3`` (or the ETag form ``"3"``) -> 3; missing -> 428 when required."""
    if header is None or not header.strip():
        if required:
            raise PreconditionRequired(
                "Send If-Match with the record's version (its ETag) so a concurrent change is not overwritten.")
        return None
    text = header.strip()
    text = text.removeprefix("W/")
    text = text.strip('"')
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise BadInput("If-Match must be the record's version, e.g. If-Match: \"3\".",
                       details={"If-Match": "expected a version number"})
    return int(text)
