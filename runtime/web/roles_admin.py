"""``/admin/roles``: admins set each user's department, grant or revoke roles, and mark
roles whose holders (or all administrators) must use two-step verification. Every change
needs a recent sign-in (step-up: ``fresh_required``).

Only HTTP in and out here; the changes and their audit rows are
``runtime.security.role_grants``, shared with the command line.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select

from runtime.errors import MetacrmError
from runtime.security.freshness import fresh_required
from runtime.security.role_grants import Actor
from runtime.security.role_grants import grant_role
from runtime.security.role_grants import installed_roles
from runtime.security.role_grants import revoke_role
from runtime.security.role_grants import role_holders
from runtime.security.role_grants import roles_requiring_2fa
from runtime.security.role_grants import set_department
from runtime.security.role_grants import set_role_requires_2fa
from runtime.security.twofactor import ADMINS
from runtime.storage.system import user_roles
from runtime.storage.system import users
from runtime.web.i18n import translate
from runtime.web.labels import user_language

__all__ = ["admin_only", "register"]

MAX_USERS = 500


def admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _engine():
    return current_app.extensions["metacrm"]["engine"]


def _actor() -> Actor:
    return Actor(current_user.id, current_user.email, request.remote_addr)


@login_required
def roles_page():
    admin_only()
    with _engine().connect() as conn:
        rows = conn.execute(select(users.c.id, users.c.email, users.c.display_name, users.c.department,
                                   users.c.is_admin).order_by(users.c.email).limit(MAX_USERS)).all()
        held: dict[int, list[str]] = {}
        for user_id, role in conn.execute(select(user_roles.c.user_id, user_roles.c.role)
                                          .order_by(user_roles.c.role)):
            held.setdefault(user_id, []).append(role)
        roles = installed_roles(conn, user_language())
        requiring = roles_requiring_2fa(conn)
        holders = role_holders(conn)
    policies = [{"name": name, "label": roles.get(name, name), "installed": name in roles,
                 "requires_2fa": name in requiring, "holders": holders.get(name, (0, 0))}
                for name in sorted(roles.keys() | (requiring - {ADMINS}))]
    return render_template("web/admin_roles.html", rows=rows, held=held, roles=roles, policies=policies,
                           admins=ADMINS, admins_require_2fa=ADMINS in requiring)


@login_required
@fresh_required
def change(user_id: int, what: str):
    """One change from the page: ``department``, ``grant`` or ``revoke``."""
    admin_only()
    form = request.form
    try:
        with _engine().begin() as conn:
            if what == "department":
                set_department(conn, user_id, form.get("department", ""), _actor())
            elif what == "grant":
                grant_role(conn, user_id, form.get("role", ""), _actor())
            else:
                revoke_role(conn, user_id, form.get("role", ""), _actor())
    except MetacrmError as err:
        return _refused(err)
    return _saved()


@login_required
@fresh_required
def require_two_factor():
    """Mark (``require=1``) or unmark a role whose holders must use two-step verification
    (``role=*admins*``: every administrator)."""
    admin_only()
    try:
        with _engine().begin() as conn:
            set_role_requires_2fa(conn, request.form.get("role", ""), request.form.get("require") == "1",
                                  _actor())
    except MetacrmError as err:
        return _refused(err)
    return _saved()


def _refused(err: MetacrmError):
    if err.http_status == 404:
        abort(404)
    flash(translate("Not saved: {error}", user_language(), error=err.message), "danger")
    return redirect(url_for("web.admin_roles"))


def _saved():
    flash(translate("Saved", user_language()), "success")
    return redirect(url_for("web.admin_roles"))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/roles", "admin_roles", roles_page)
    bp.add_url_rule("/admin/roles/<id32:user_id>/<any(department, grant, revoke):what>", "admin_roles_change",
                    change, methods=["POST"])
    bp.add_url_rule("/admin/roles/two-factor", "admin_roles_two_factor", require_two_factor, methods=["POST"])
