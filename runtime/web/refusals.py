"""The request side of auditing refusals: who asked, from which address, on which route.

The address is ``request.remote_addr``, as for sign-in events (behind the configured
proxy hops, ``ProxyFix`` has already put the client's there). The writing and its
flood guard are ``runtime.security.refusals``.
"""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from runtime.security.refusals import record_refusal

__all__ = ["note_http_refusal", "note_refusal"]

_BY_STATUS = {413: "body_too_large", 429: "rate_limited"}


def note_refusal(event: str, detail: dict | None = None, *, user_id: int | None = None,
                 email: str | None = None) -> None:
    """Audit ``event`` for this request; the caller is the API or signed-in user unless
    ``user_id`` names someone (the owner of a refused token)."""
    if user_id is None:
        user_id, email = _caller()
    ext = current_app.extensions["metacrm"]
    where = {"method": request.method, "path": request.path[:200]}
    record_refusal(ext["engine"], ext["limiter"].limiter, event, ip=request.remote_addr,
                   user_id=user_id, email=email, detail={**where, **(detail or {})})


def note_http_refusal(exc: HTTPException) -> None:
    """The refusals Werkzeug and the extensions raise: a missing or forged CSRF token on a
    form, a body over the size limit (413), a rate-limit hit (429); other errors are not audited."""
    if isinstance(exc, CSRFError):
        note_refusal("csrf_refused", {"reason": exc.description})
    elif exc.code in _BY_STATUS:
        note_refusal(_BY_STATUS[exc.code], {"limit": exc.description} if exc.code == 429 else None)


def _caller() -> tuple[int | None, str | None]:
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user.id, None
    if current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, None
