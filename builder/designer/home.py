"""The builder's own pages: the list of apps, a new app, an app's overview, publish and discard."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.designer.context import publisher
from builder.designer.context import ui
from builder.drafts import create_app_draft
from builder.drafts import discard_draft
from builder.drafts import load_draft
from builder.preview import draft_problems
from builder.preview import preview_publish
from builder.publish import publish
from runtime.errors import MetacrmError
from runtime.metadata.model import label_of
from runtime.security.freshness import fresh_required
from runtime.storage.catalog import installed_apps
from runtime.storage.system import drafts

__all__ = ["register"]


def index():
    with engine().connect() as conn:
        installed = installed_apps(conn)
        drafted = {r.app: r.updated_at for r in conn.execute(select(drafts.c.app, drafts.c.updated_at))}
    names = {a["name"] for a in installed}
    new_apps = [{"name": n, "label": {"en": n}, "entities": [], "new": True} for n in sorted(drafted) if n not in names]
    return render_template("builder/index.html", apps=installed + new_apps, drafted=drafted)


def new_app():
    name = request.form.get("name", "").strip().lower()
    label = {k: v for k in ("en", "zh") if (v := request.form.get(f"label_{k}", "").strip()[:100])}
    try:
        with engine().begin() as conn:
            create_app_draft(conn, name, label or {"en": name}, current_user.id)
    except MetacrmError as err:
        flash(ui(err.message), "danger")
        return redirect(url_for("builder.index"))
    return redirect(url_for("builder.overview", app=name))


def overview(app: str):
    draft = open_app_draft(app)
    with engine().connect() as conn:
        problems = draft_problems(conn, app, draft.source)
    return render_template("builder/overview.html", app=app, draft=draft, problems=problems,
                           manifest=draft.documents.get("app.json", {}), label_of=label_of)


@fresh_required  # publishing changes the database: a recent sign-in first
def publish_page(app: str):
    draft = open_app_draft(app)
    preview = preview_publish(engine(), app, draft.source)
    if request.method == "POST" and preview.can_publish and _same_draft(app, draft):
        result = publish(engine(), draft.source, **publisher())
        with engine().begin() as conn:
            discard_draft(conn, app)
        flash(ui("Published {app} version {version}.", app=app, version=result.version), "success")
        return redirect(url_for("builder.overview", app=app))
    if request.method == "POST":
        flash(ui("Nothing was published: fix the problems below first."), "danger")
    return render_template("builder/publish.html", app=app, draft=draft, preview=preview)


def discard(app: str):
    with engine().begin() as conn:
        discard_draft(conn, app)
    flash(ui("The draft of {app} was discarded.", app=app), "success")
    return redirect(url_for("builder.index"))


def _same_draft(app: str, draft) -> bool:
    """Publish exactly what the admin previewed: refuse if the draft changed since the page loaded."""
    with engine().connect() as conn:
        latest = load_draft(conn, app)
    expected = request.form.get("draft", "")
    return latest is not None and latest.fingerprint == expected == draft.fingerprint


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/", "index", index)
    bp.add_url_rule("/apps", "new_app", new_app, methods=["POST"])
    bp.add_url_rule("/<app>", "overview", overview)
    bp.add_url_rule("/<app>/publish", "publish", publish_page, methods=["GET", "POST"])
    bp.add_url_rule("/<app>/discard", "discard", discard, methods=["POST"])
