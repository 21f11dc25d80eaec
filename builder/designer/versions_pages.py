"""Version history pages: every published version, the difference between any two, and rollback.

Rollback is confirmed on a page showing what it would do (a real publish dry
run of the older version), then goes through the ordinary publish path, so a
lossy rollback is refused exactly like a lossy publish.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from builder.designer.context import engine
from builder.designer.context import publisher
from builder.designer.context import ui
from builder.drafts import Draft
from builder.drafts import discard_draft
from builder.drafts import load_draft
from builder.preview import preview_publish
from builder.versions import diff_versions
from builder.versions import list_versions
from builder.versions import rollback
from builder.versions import version_source
from runtime.clock import utcnow
from runtime.errors import BadInput
from runtime.errors import MetacrmError
from runtime.errors import NotFound
from runtime.security.freshness import fresh_required
from runtime.storage.catalog import current_metadata

__all__ = ["describe_item", "register"]

# Lists of named objects that json_diff matches by name: "/fields/price/type" reads "Field price: type".
NAMED = {"fields": "Field", "options": "Option", "steps": "Step", "actions": "Action", "measures": "Measure",
         "rules": "Rule", "entities": "Entity"}
SHORT = 140


def frame_draft(app: str) -> tuple[Draft, int | None]:
    """The draft for the sidebar, or a read-only view of the version in force: looking at the
    history must not start a draft. Also returns the number of the version in force."""
    with engine().connect() as conn:
        found = load_draft(conn, app)
        current = current_metadata(conn, app)
    if found is None and current is None:
        raise NotFound(f"no app {app!r}")
    number = current[0] if current else None
    return found or Draft(app, number, current[1], {}, utcnow()), number


def changed_draft(app: str) -> Draft | None:
    """The draft if it holds anything other than the version in force (a plain copy is not worth a warning)."""
    with engine().connect() as conn:
        found = load_draft(conn, app)
        current = current_metadata(conn, app)
    if found is None or (current is not None and found.source == current[1]):
        return None
    return found


def versions(app: str):
    draft, current = frame_draft(app)
    with engine().connect() as conn:
        rows = list_versions(conn, app)
    return render_template("builder/versions.html", app=app, draft=draft, versions=rows, current=current)


def version_diff(app: str):
    old, new = request.args.get("old", type=int), request.args.get("new", type=int)
    if old is None or new is None:
        raise BadInput("choose two versions to compare", details={"old": old, "new": new})
    draft, current = frame_draft(app)
    with engine().connect() as conn:
        diff = diff_versions(conn, app, old, new)
        rows = {v["number"]: v for v in list_versions(conn, app)}
    documents = [{**d, "items": [describe_item(i) for i in d["items"]]} for d in diff["documents"]]
    return render_template("builder/version_diff.html", app=app, draft=draft, current=current,
                           old=rows[old], new=rows[new], documents=documents, changes=diff["changes"])


@fresh_required  # a rollback publishes: a recent sign-in first, like publish
def rollback_page(app: str, number: int):
    """GET: what rolling back would do. POST: do it, if the version in force is still the one previewed."""
    draft, current = frame_draft(app)
    with engine().connect() as conn:
        target = {v["number"]: v for v in list_versions(conn, app)}.get(number)
        if target is None:
            raise NotFound(f"{app} has no version {number}")
        source = version_source(conn, app, number)
    preview = preview_publish(engine(), app, source)
    if request.method == "POST":
        if preview.can_publish and request.form.get("current", type=int) == current:
            return _roll_back(app, number)
        flash(ui("Nothing was rolled back: the app changed since the preview, or the rollback is refused."), "danger")
    return render_template("builder/rollback.html", app=app, draft=draft, current=current, target=target,
                           preview=preview, stale_draft=changed_draft(app))


def _roll_back(app: str, number: int):
    """Publish the old version; a draft that only copied the replaced version would revive it, so it goes."""
    with engine().connect() as conn:
        replaced = current_metadata(conn, app)
    try:
        result = rollback(engine(), app, number, **publisher())
    except MetacrmError as err:
        flash(ui(err.message), "danger")
        return redirect(url_for("builder.rollback", app=app, number=number))
    with engine().begin() as conn:
        found = load_draft(conn, app)
        if found is not None and replaced is not None and found.source == replaced[1]:
            discard_draft(conn, app)
    flash(ui("Rolled back {app} to version {number}: it is now version {version}.", app=app, number=number,
             version=result.version), "success")
    return redirect(url_for("builder.versions", app=app))


def discard_for_rollback(app: str, number: int):
    """Discard the draft from the rollback page and come back to it."""
    with engine().begin() as conn:
        discard_draft(conn, app)
    flash(ui("The draft of {app} was discarded.", app=app), "success")
    return redirect(url_for("builder.rollback", app=app, number=number))


def describe_item(item: dict) -> dict:
    """``{pointer, old, new}`` -> ``{subject, attribute, action, old, new}`` in words:
    ``/fields/price/type`` becomes subject "Field price", attribute "type"."""
    steps = [s.replace("~1", "/").replace("~0", "~") for s in item["pointer"].split("/")[1:]]
    subject, attribute = [], []
    while steps:
        step = steps.pop(0)
        if step in NAMED and steps and not attribute:
            subject.append((NAMED[step], steps.pop(0)))
        else:
            attribute.append(step)
    old, new = item["old"], item["new"]
    action = "added" if old is None else "removed" if new is None else "changed"
    return {"subject": subject, "attribute": ".".join(attribute), "action": action,
            "old": compact(old), "new": compact(new)}


def compact(value: Any) -> dict | None:
    """A value as one short line (strings bare), with the full text for a tooltip when cut."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return {"short": text if len(text) <= SHORT else text[:SHORT - 1] + "…", "full": text}


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/<app>/versions", "versions", versions)
    bp.add_url_rule("/<app>/versions/diff", "version_diff", version_diff)
    bp.add_url_rule("/<app>/versions/<id32:number>/rollback", "rollback", rollback_page, methods=["GET", "POST"])
    bp.add_url_rule("/<app>/versions/<id32:number>/discard-draft", "discard_for_rollback", discard_for_rollback,
                    methods=["POST"])
