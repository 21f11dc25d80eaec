"""The words of the credential-change notices, in the user's language, for the pages that
make those changes; ``runtime.security.notices`` sends them and audits the outcome.

Call ``notify`` only after the change's transaction has committed.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask import request
from flask import url_for

from runtime.security.notices import send_notice
from runtime.security.users import get_user
from runtime.web.i18n import translate

__all__ = ["notify"]

#: What changed, one sentence per audit event; the subject and the first line of the mail.
#: Each is a literal ``_t(...)`` call, so tests/runtime/web/test_i18n.py sees every key.
_WHAT = {
    "password_changed": lambda _t: _t("Your metacrm password was changed"),
    "password_reset": lambda _t: _t("Your metacrm password was reset"),
    "2fa_enabled": lambda _t: _t("Two-step verification was turned on for your metacrm account"),
    "2fa_disabled": lambda _t: _t("Two-step verification was turned off for your metacrm account"),
    "2fa_reset": lambda _t: _t("An administrator reset two-step verification for your metacrm account"),
    "recovery_codes_regenerated": lambda _t: _t("New recovery codes were made for your metacrm account"),
}


def notify(user_id: int, about: str, now: datetime) -> None:
    """Tell the user ``user_id`` that ``about`` (an audit event in ``_WHAT``) just happened."""
    ext = current_app.extensions["metacrm"]
    with ext["engine"].connect() as conn:
        row = get_user(conn, user_id)
    language = row.language or "en"

    def _t(text: str, **params) -> str:
        return translate(text, language, **params)

    what = _WHAT[about](_t)
    body = "\n".join([
        what + ".", "",
        _t("Account: {email}", email=row.email),
        _t("Time: {when} UTC", when=now.strftime("%Y-%m-%d %H:%M")),
        _t("IP address: {ip}", ip=request.remote_addr or "-"), "",
        _t("If you did not expect this change, reset your password now and tell your administrator:"),
        url_for("web.forgot_password", _external=True), "",
    ])
    send_notice(ext["engine"], ext["settings"].smtp_url, row.id, row.email, about, what, body, now=now)
