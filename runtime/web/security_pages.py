"""Account security pages: password change, "log out everywhere", 2FA enrollment and
recovery codes, password reset by email, and the admins' user list (2FA state, require, reset).
The sensitive ones need a recent sign-in (``fresh_required``: step-up re-authentication).

The pages only translate between HTTP and the services in ``runtime.security``;
every write happens in one ``engine.begin()`` with its audit row, and a credential
change then sends its owner a notice (``credential_notices.notify``).
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select

from runtime.errors import NotFound
from runtime.security import sessions
from runtime.security import twofactor
from runtime.security.freshness import fresh_required
from runtime.security.login import CurrentUser
from runtime.security.login import clock
from runtime.security.login import timeouts
from runtime.security.passwords import password_problems
from runtime.security.passwords import verify_password
from runtime.security.recovery import remaining_codes
from runtime.security.reset import complete_reset
from runtime.security.reset import find_token
from runtime.security.reset import request_reset
from runtime.security.reset import send_reset_link
from runtime.security.users import bump_session_generation
from runtime.security.users import get_user
from runtime.security.users import set_password
from runtime.storage.system import role_policy
from runtime.storage.system import user_roles
from runtime.storage.system import users
from runtime.web import session_pages
from runtime.web.credential_notices import notify
from runtime.web.i18n import translate
from runtime.web.labels import user_language

__all__ = ["register"]

#: What a user who must enroll in 2FA can still reach (besides static files); enrolling may
#: first need "Confirm it's you".
_OPEN_TO_ENROLLING = {"web.two_factor", "web.confirm", "web.logout", "web.login", "web.manifest",
                      "web.service_worker", "web.offline"}


def _engine():
    return current_app.extensions["metacrm"]["engine"]


def _t(text: str) -> str:
    return translate(text, user_language())


def _ip() -> str | None:
    return request.remote_addr


def _relogin(conn, authenticated_at) -> None:
    """Keep this browser signed in after the generation moved on: a new session record (and
    key, so a copy of the old cookie stays dead) with the same remember-me choice."""
    row, remember = get_user(conn, current_user.id), current_user.session.remember
    record = sessions.start(conn, row, remember=remember, now=clock(), ip=_ip(),
                            user_agent=request.user_agent.string, authenticated_at=authenticated_at,
                            timeouts=timeouts())
    session.clear()
    login_user(CurrentUser.from_row(row, session=record, must_enroll_2fa=twofactor.requires_2fa(conn, row)),
               remember=remember)


# --- the user's own security page --------------------------------------------------------


@login_required
def security():
    with _engine().connect() as conn:
        codes_left = remaining_codes(conn, current_user.id) if current_user.has_2fa else 0
    return render_template("web/security.html", problems=[], codes_left=codes_left, devices=session_pages.devices())


@login_required
def change_password():
    form = request.form
    with _engine().begin() as conn:
        row = get_user(conn, current_user.id)
        if not verify_password(row.password_hash, form.get("current_password", "")):
            return _security_error(_t("Your current password is not correct."))
        if form.get("new_password", "") != form.get("confirm_password", ""):
            return _security_error(_t("The two new passwords do not match."))
        problems = password_problems(form.get("new_password"), email=row.email,
                                     name=row.display_name or "")
        if problems:
            return _security_error(None, problems)
        set_password(conn, row.id, form.get("new_password", ""), ip=_ip())
        _relogin(conn, clock())  # the current password was just checked
    notify(row.id, "password_changed", clock())
    flash(_t("Password changed. Your other sessions were signed out."), "success")
    return redirect(url_for("web.security"))


def _security_error(error: str | None, problems: list[str] | None = None):
    page = render_template("web/security.html", error=error, problems=problems or [],
                           codes_left=0, devices=session_pages.devices())
    return page, 422


@login_required
@fresh_required
def logout_everywhere():
    with _engine().begin() as conn:
        bump_session_generation(conn, current_user.id, ip=_ip())
        _relogin(conn, current_user.authenticated_at)
    flash(_t("Signed out of every other session."), "success")
    return redirect(url_for("web.security"))


# --- 2FA enrollment ------------------------------------------------------------------------


@login_required
@fresh_required
def two_factor():
    """GET shows the QR code and the key; POST confirms with a code and shows recovery codes."""
    key, now = current_app.config["SECRET_KEY"], clock()
    with _engine().begin() as conn:
        row = get_user(conn, current_user.id)
        if twofactor.is_enabled(row):
            return redirect(url_for("web.security"))
        error, codes = None, None
        if request.method == "POST":
            codes = twofactor.confirm_enrollment(conn, row, request.form.get("code", ""), key, now,
                                                 ip=_ip())
            if codes is None:
                error = _t("That code did not work. Check the time on your phone and try the current one.")
        secret = None if codes else twofactor.pending_secret(conn, row, key)
    if codes:
        notify(row.id, "2fa_enabled", now)
        return render_template("web/two_factor.html", recovery_codes=codes)
    uri = twofactor.provisioning_uri(secret, row.email)
    page = render_template("web/two_factor.html", recovery_codes=None, secret=secret,
                           qr_svg=twofactor.qr_svg(uri), error=error)
    return page, 422 if error else 200


@login_required
@fresh_required
def disable_two_factor():
    done = False
    with _engine().begin() as conn:
        row = get_user(conn, current_user.id)
        if not twofactor.is_enabled(row):  # nothing to turn off: no audit row, no notice
            return redirect(url_for("web.security"))
        if twofactor.requires_2fa(conn, row):
            flash(_t("Your administrator requires two-step verification for your account."), "danger")
        elif not verify_password(row.password_hash, request.form.get("current_password", "")):
            flash(_t("Your current password is not correct."), "danger")
        else:
            twofactor.disable(conn, row.id, ip=_ip())
            flash(_t("Two-step verification is off."), "success")
            done = True
    if done:
        notify(row.id, "2fa_disabled", clock())
    return redirect(url_for("web.security"))


@login_required
@fresh_required
def regenerate_recovery_codes():
    """New recovery codes (the old ones stop working), behind the current password."""
    with _engine().begin() as conn:
        row = get_user(conn, current_user.id)
        if not twofactor.is_enabled(row):
            return redirect(url_for("web.two_factor"))
        if not verify_password(row.password_hash, request.form.get("current_password", "")):
            flash(_t("Your current password is not correct."), "danger")
            return redirect(url_for("web.security"))
        codes = twofactor.regenerate_codes(conn, row, ip=_ip())
    notify(row.id, "recovery_codes_regenerated", clock())
    return render_template("web/two_factor.html", recovery_codes=codes, regenerated=True)


def enrollment_guard():
    """A user who must use 2FA but has not set it up can do nothing else until they have."""
    if not (current_user.is_authenticated and current_user.must_enroll_2fa):
        return None
    if request.endpoint in _OPEN_TO_ENROLLING or request.endpoint == "static":
        return None
    if request.path.startswith("/api/"):
        body = {"error": {"code": "2fa_required", "message": "Set up two-step verification first.",
                          "details": None}}
        return jsonify(body), 403
    return redirect(url_for("web.two_factor"))


# --- password reset by email ---------------------------------------------------------------


def forgot_password():
    """Always the same answer, so the page does not reveal which emails have accounts."""
    if request.method == "GET":
        return render_template("web/forgot.html", sent=False)
    email = request.form.get("email", "")[:254]
    with _engine().begin() as conn:
        found = request_reset(conn, email, clock())
    if found is not None:
        user, token = found
        link = url_for("web.reset_password", token=token, _external=True)
        send_reset_link(current_app.extensions["metacrm"]["settings"].smtp_url, user.email, link)
    return render_template("web/forgot.html", sent=True)


def reset_password(token: str):
    with _engine().connect() as conn:
        found = find_token(conn, token, clock())
        user = found and get_user(conn, found.user_id)
    if not found:
        return render_template("web/reset.html", valid=False, problems=[]), 404
    if request.method == "GET":
        return render_template("web/reset.html", valid=True, problems=[])
    password = request.form.get("new_password", "")
    problems = password_problems(password, email=user.email, name=user.display_name or "")
    if password != request.form.get("confirm_password", ""):
        error = _t("The two new passwords do not match.")
        return render_template("web/reset.html", valid=True, problems=[], error=error), 422
    if problems:
        return render_template("web/reset.html", valid=True, problems=problems), 422
    with _engine().begin() as conn:
        done = complete_reset(conn, token, password, clock(), ip=_ip())
    if not done:
        return render_template("web/reset.html", valid=False, problems=[]), 404
    notify(user.id, "password_reset", clock())
    flash(_t("Your password was reset. Sign in with the new one."), "success")
    return redirect(url_for("web.login"))


# --- admins: users and their 2FA -----------------------------------------------------------


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


@login_required
def admin_users():
    _admin_only()
    required = twofactor.required_clause(users.c.id, users.c.require_2fa, users.c.is_admin)
    columns = (users.c.id, users.c.email, users.c.display_name, users.c.is_admin, users.c.is_active,
               users.c.require_2fa, users.c.totp_enabled_at, users.c.locked_until,
               required.label("two_factor_required"))
    missing = and_(required, users.c.totp_enabled_at.is_(None), users.c.is_active)
    with _engine().connect() as conn:
        rows = conn.execute(select(*columns).order_by(users.c.email).limit(500)).all()
        not_enrolled = conn.execute(select(func.count()).select_from(users).where(missing)).scalar()
        by_role: dict[int, list[str]] = {}
        for user_id, role in conn.execute(
                select(user_roles.c.user_id, user_roles.c.role)
                .join(role_policy, role_policy.c.role == user_roles.c.role)
                .where(role_policy.c.require_2fa).order_by(user_roles.c.role)):
            by_role.setdefault(user_id, []).append(role)
    return render_template("web/admin_users.html", rows=rows, now=clock(), by_role=by_role,
                           not_enrolled=not_enrolled)


@login_required
@fresh_required
def admin_reset_two_factor(user_id: int):
    _admin_only()
    with _engine().begin() as conn:
        row = get_user(conn, user_id)
        if row is None:
            abort(404)
        was_on = twofactor.is_enabled(row)
        twofactor.disable(conn, user_id, event="2fa_reset", ip=_ip(), actor_id=current_user.id)
    if was_on:
        notify(user_id, "2fa_reset", clock())
    flash(_t("Two-step verification was reset. The user sets it up again at next sign-in."), "success")
    return redirect(url_for("web.admin_users"))


@login_required
@fresh_required
def admin_require_two_factor(user_id: int):
    _admin_only()
    required = request.form.get("require") == "1"
    try:
        with _engine().begin() as conn:
            twofactor.set_user_requirement(conn, user_id, required, actor_id=current_user.id, ip=_ip())
    except NotFound:
        abort(404)
    flash(_t("Saved"), "success")
    return redirect(url_for("web.admin_users"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/me/security", "security", security)
    bp.add_url_rule("/me/password", "change_password", change_password, methods=["POST"])
    bp.add_url_rule("/me/sessions/revoke", "logout_everywhere", logout_everywhere, methods=["POST"])
    bp.add_url_rule("/me/two-factor", "two_factor", two_factor, methods=["GET", "POST"])
    bp.add_url_rule("/me/two-factor/disable", "disable_two_factor", disable_two_factor,
                    methods=["POST"])
    bp.add_url_rule("/me/two-factor/recovery-codes", "regenerate_recovery_codes",
                    regenerate_recovery_codes, methods=["POST"])
    bp.add_url_rule("/forgot", "forgot_password", forgot_password, methods=["GET", "POST"])
    bp.add_url_rule("/reset/<token>", "reset_password", reset_password, methods=["GET", "POST"])
    bp.add_url_rule("/admin/users", "admin_users", admin_users)
    bp.add_url_rule("/admin/users/<id32:user_id>/reset-2fa", "admin_reset_two_factor",
                    admin_reset_two_factor, methods=["POST"])
    bp.add_url_rule("/admin/users/<id32:user_id>/require-2fa", "admin_require_two_factor",
                    admin_require_two_factor, methods=["POST"])
    bp.before_app_request(enrollment_guard)
    session_pages.register(bp)
