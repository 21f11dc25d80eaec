"""Sign in and sign out.

A failed sign-in always says the same thing, so the page never reveals whether
an email has an account. ``next`` is followed only to paths on this site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from runtime.security.login import CurrentUser
from runtime.security.users import authenticate

__all__ = ["LoginForm", "register", "safe_next"]

BAD_LOGIN = "Incorrect email or password."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1024)]
    )


def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("web.launcher"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        engine = current_app.extensions["metacrm"]["engine"]
        with engine.begin() as conn:  # begin: a needed rehash is written in the same step
            row = authenticate(conn, form.email.data, form.password.data)
        if row is not None:
            session.clear()  # drop anything an attacker may have planted before sign-in
            login_user(CurrentUser.from_row(row))
            return redirect(safe_next(request.args.get("next")) or url_for("web.launcher"))
        error = BAD_LOGIN
    return render_template("web/login.html", form=form, error=error)


def logout():
    logout_user()
    session.clear()
    flash("You have been signed out.", "success")
    return redirect(url_for("web.login"))


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
