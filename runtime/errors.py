"""One exception tree for the whole product.

Every error knows its stable ``code``, its HTTP status and its CLI exit code,
so the web handler, the API and the CLI render any of them the same way::

    MetacrmError
    ├── BadInput (exit 2)
    │   ├── ValidationFailed      422  bad record data, bad expression
    │   ├── MetadataInvalid       422  bad app metadata; details list every error
    │   └── UnsafeChange          409  a publish that would lose data
    ├── NotFound                  404
    ├── AccessDenied              403
    └── Conflict                  409  stale version, duplicate, concurrent edit
"""

from __future__ import annotations

from typing import Any


class MetacrmError(Exception):
    """Root of every error the product raises on purpose."""

    code = "error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, *, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        """The JSON body of DESIGN §4: ``{"error": {code, message, details}}``."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadInput(MetacrmError):
    """Something the caller sent is wrong; nothing was changed."""

    code = "bad_input"
    http_status = 400
    exit_code = 2


class ValidationFailed(BadInput):
    code = "validation_failed"
    http_status = 422


class MetadataInvalid(BadInput):
    """App metadata failed validation; ``details`` is a list of ``file: /pointer: message``."""

    code = "metadata_invalid"
    http_status = 422

    def __str__(self) -> str:
        lines = [self.message] + [f"  {d}" for d in (self.details or [])]
        return "\n".join(lines)


class UnsafeChange(BadInput):
    """A publish would lose data and the metadata gives no conversion."""

    code = "unsafe_change"
    http_status = 409


class NotFound(MetacrmError):
    code = "not_found"
    http_status = 404


class AccessDenied(MetacrmError):
    code = "access_denied"
    http_status = 403


class Conflict(MetacrmError):
    code = "conflict"
    http_status = 409


class StaleVersion(Conflict):
    """An update carried a version that is no longer current: someone saved first.

    412 because the API takes the version from ``If-Match``; the caller must
    reload and reapply instead of silently overwriting the other change.
    """

    code = "stale_version"
    http_status = 412
