"""The security audit log: who signed in, failed, got locked out or changed a credential.

Rows go in the caller's transaction, so an event is recorded exactly when its
effect is. Secrets (passwords, codes, tokens) are never passed here. Each row
says where it came from: the client address (as ``request.remote_addr`` gives
it, behind the configured proxy hops) or ``CLI`` for the command line.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import insert

from runtime.clock import utcnow
from runtime.storage.system import audit_log

__all__ = ["CLI", "EVENTS", "REFUSALS", "record"]

#: The "from" of an event done on the command line (where there is no client address).
CLI = "cli"
#: Requests refused for security reasons (``runtime.security.refusals`` writes them, flood-guarded).
REFUSALS = frozenset({"csrf_refused", "token_refused", "body_too_large", "rate_limited"})

EVENTS = frozenset({
    "login_ok", "login_failed", "locked", "logout_all", "2fa_enabled", "2fa_disabled",
    "2fa_reset", "password_changed", "password_reset",
    "app_published", "records_exported", "token_created", "token_revoked",
    "role_granted", "role_revoked", "department_changed", "view_as_started", "view_as_stopped",
    "2fa_requirement_changed", "recovery_codes_regenerated", "notice_sent", "notice_failed",
    "record_shared", "record_unshared", "session_revoked", "reauthenticated",
    "2fa_replayed",
}) | REFUSALS


def record(conn: Connection, event: str, user_id: int | None = None, email: str | None = None,
           ip: str | None = None, detail: dict | None = None, *, now: datetime | None = None) -> None:
    """Append one event; an unknown event name is a programming error."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    conn.execute(insert(audit_log).values(
        at=now or utcnow(), event=event, user_id=user_id, email=(email or None) and email[:254],
        ip=(ip or None) and ip[:45], detail=detail,
    ))
