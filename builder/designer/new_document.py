"""The "new …" page the editors share: a name (checked like every metadata name and unique in
its folder) and English/Chinese labels; POST creates the document in the draft and opens it."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from builder.designer.context import engine
from builder.designer.context import open_app_draft
from builder.drafts import save_document
from runtime.errors import MetacrmError
from runtime.metadata.names import name_problem

__all__ = ["new_document_page"]


def new_document_page(app: str, folder: str, noun: str, template: str,
                      build: Callable[[str, dict], dict], endpoint: str):
    """GET the form; POST saves ``build(name, labels)`` as ``<folder>/<name>.json`` and redirects
    to ``endpoint``, or shows the form again with why (422) and nothing saved."""
    draft = open_app_draft(app)
    form = {"name": "", "label_en": "", "label_zh": ""}
    error = None
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip()[:100] for key in form}
        path = f"{folder}/{form['name']}.json"
        error = name_problem(form["name"])
        if error is None and path in draft.documents:
            error = f"this app already has {noun} named {form['name']!r}"
        if error is None:
            labels = {k: form[f"label_{k}"] for k in ("en", "zh") if form[f"label_{k}"]}
            try:
                with engine().begin() as conn:
                    save_document(conn, app, path, build(form["name"], labels), None, current_user.id)
            except MetacrmError as err:  # e.g. created by someone else between the check and the save
                error = err.message
            else:
                return redirect(url_for(endpoint, app=app, name=form["name"]))
    return render_template(template, app=app, draft=draft, form=form, error=error), (
        422 if error else 200)
