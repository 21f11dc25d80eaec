"""Sign in (password, then the 2FA code when it is on) and sign out.

A failed sign-in always says the same thing, whether the email is unknown, the
password wrong or the account locked, so the page never reveals which emails
have accounts. ``next`` is followed only to paths on this site. Between the two
steps the session holds only the user id, the step's deadline and the user's
session generation, never a credential. Signing in starts a server-side session
record (``runtime.security.sessions``); signing out revokes it.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from runtime.security import audit
from runtime.security import sessions
from runtime.security.lockout import is_locked
from runtime.security.login import ENDED
from runtime.security.login import CurrentUser
from runtime.security.login import clock
from runtime.security.login import timeouts
from runtime.security.twofactor import is_enabled
from runtime.security.twofactor import requires_2fa
from runtime.security.twofactor import verify_login_code
from runtime.security.users import authenticate
from runtime.security.users import get_user
from runtime.security.users import note_failure
from runtime.web import security_pages
from runtime.web.i18n import translate
from runtime.web.labels import user_language

__all__ = ["CodeForm", "LoginForm", "register", "safe_next"]

BAD_LOGIN = "Incorrect email or password."
CODE_STEP_SECONDS = 300  # the code must follow the password within five minutes
_PENDING = "pending_2fa"


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)]
    )
    remember = BooleanField("Keep me signed in on this device")


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Enter the code."), Length(max=64)])


def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("web.launcher"))
    if session.pop(ENDED, False):
        flash(translate("Your session has ended; please sign in again.", user_language()), "warning")
    if request.method == "POST" and "code" in request.form:
        return _code_step()
    session.pop(_PENDING, None)
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        engine = current_app.extensions["metacrm"]["engine"]
        remember = form.remember.data and timeouts().remember_enabled
        with engine.begin() as conn:  # begin: failure counts, audit rows and rehashes commit together
            row = authenticate(conn, form.email.data, form.password.data, now=clock(),
                               ip=request.remote_addr)
            if row is not None and is_enabled(row):
                return _start_code_step(row, remember)
            if row is not None:
                return _finish(conn, row, remember, "password")
        error = translate("Incorrect email or password.", user_language())
    return _login_page(form, error)


def _login_page(form: LoginForm, error: str | None):
    """The sign-in form; "keep me signed in" only while remember-me is allowed."""
    return render_template("web/login.html", form=form, error=error,
                           offer_remember=timeouts().remember_enabled)


def _start_code_step(row, remember: bool):
    """Password accepted, 2FA on: a fresh session that only knows whose code to expect."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # new session, new token
    session[_PENDING] = {"uid": row.id, "gen": row.session_generation,
                         "until": int(time.time()) + CODE_STEP_SECONDS, "remember": bool(remember)}
    return render_template("web/login_code.html", form=CodeForm(formdata=None), error=None)


def _code_step():
    pending = session.get(_PENDING) or {}
    if pending.get("until", 0) < time.time():
        session.pop(_PENDING, None)
        flash(translate("The sign-in took too long. Please start again.", user_language()), "warning")
        return redirect(url_for("web.login", next=request.args.get("next")))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        engine = current_app.extensions["metacrm"]["engine"]
        now = clock()
        with engine.begin() as conn:
            row = get_user(conn, pending["uid"])
            if _still_valid(row, pending, now):
                method = verify_login_code(conn, row, form.code.data, _secret_key(), now,
                                           request.remote_addr)
                if method:
                    return _finish(conn, row, pending.get("remember", False), method)
                note_failure(conn, row, now, request.remote_addr, "2fa")
            else:
                session.pop(_PENDING, None)
                error = translate("Incorrect email or password.", user_language())
                return _login_page(LoginForm(formdata=None), error)
        error = translate("That code did not work. Try the current one.", user_language())
    return render_template("web/login_code.html", form=form, error=error), 200


def _still_valid(row, pending: dict, now) -> bool:
    return (row is not None and row.is_active and not is_locked(row, now)
            and row.session_generation == pending.get("gen") and is_enabled(row))


def _finish(conn, row, remember: bool, method: str):
    """Both factors done: rotate the session, start its record, sign in, audit, and go on."""
    session.clear()  # a new session: nothing planted before sign-in survives it
    record = sessions.start(conn, row, remember=remember, now=clock(), ip=request.remote_addr,
                            user_agent=request.user_agent.string, timeouts=timeouts())
    user = CurrentUser.from_row(row, session=record, must_enroll_2fa=requires_2fa(conn, row))
    login_user(user, remember=bool(remember))
    audit.record(conn, "login_ok", row.id, row.email, request.remote_addr, {"method": method})
    if user.must_enroll_2fa:
        return redirect(url_for("web.two_factor"))
    return redirect(safe_next(request.args.get("next")) or url_for("web.launcher"))


def _secret_key() -> str:
    return current_app.config["SECRET_KEY"]


def logout():
    """End this browser's session record, then its cookies (remember-me included)."""
    if current_user.is_authenticated and current_user.session:
        with current_app.extensions["metacrm"]["engine"].begin() as conn:
            sessions.revoke(conn, current_user.session.id, clock())
    session.clear()
    logout_user()  # after the clear: it leaves the note that deletes the remember cookie
    flash(translate("You have been signed out.", user_language()), "success")
    return redirect(url_for("web.login"))


@login_required
def confirm():
    """"Confirm it's you" (step-up, ``runtime.security.freshness``): the password, and the code
    when 2FA is on, checked like a sign-in (failures count towards the lockout), then back."""
    target = safe_next(request.values.get("next")) or url_for("web.launcher")
    if request.method == "POST":
        now, ip = clock(), request.remote_addr
        with current_app.extensions["metacrm"]["engine"].begin() as conn:  # failures commit too
            row = authenticate(conn, current_user.email, request.form.get("password", ""), now=now, ip=ip)
            method = row and _second_factor(conn, row, now, ip)
            if method:
                sessions.mark_authenticated(conn, current_user.session.id, now)
                audit.record(conn, "reauthenticated", row.id, row.email, ip, {"method": method}, now=now)
                return redirect(target)
        error = translate("That did not work. Check what you entered and try again.", user_language())
        return render_template("web/confirm.html", next=target, error=error), 422
    return render_template("web/confirm.html", next=target, error=None)


def _second_factor(conn, row, now, ip: str | None) -> str | None:
    """``"password"`` when 2FA is off, else how the posted code passed; a bad code counts."""
    if not is_enabled(row):
        return "password"
    method = verify_login_code(conn, row, request.form.get("code", ""), _secret_key(), now, ip)
    if method is None:
        note_failure(conn, row, now, ip, "2fa")
    return method


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else ``None`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])
    bp.add_url_rule("/me/confirm", "confirm", confirm, methods=["GET", "POST"])
    security_pages.register(bp)
