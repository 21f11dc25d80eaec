"""``validate_app``: the one gate every app passes before it is stored or published.

Order: JSON Schemas (shape of every document and field), reserved names,
cross-checks between documents, expressions and dependency cycles. All stages
run even when an earlier one found problems (later ones skip what is broken),
so the admin sees every error at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.metadata.crosscheck import structure_problems
from runtime.metadata.crosscheck_docs import document_problems
from runtime.metadata.docschema import schema_problems
from runtime.metadata.exprcheck import cycle_problems
from runtime.metadata.exprcheck import expression_problems
from runtime.metadata.layout import usable_layout
from runtime.metadata.model import App
from runtime.metadata.model import build_app
from runtime.metadata.namecheck import name_problems
from runtime.metadata.problems import Problem
from runtime.metadata.problems import raise_all
from runtime.metadata.reportcheck import report_problems

STAGES = (structure_problems, document_problems, expression_problems, cycle_problems, report_problems)


def _subject(source: Mapping[str, Any]) -> str:
    manifest = source.get("app.json")
    name = manifest.get("name") if isinstance(manifest, dict) else None
    return f"app {name}" if isinstance(name, str) and name and len(name) <= 60 else "app"


def app_problems(
    source: Mapping[str, Any], installed: Mapping[str, App] | None = None
) -> list[Problem]:
    """Every problem in ``source``, unsorted; empty when the app is valid."""
    found = schema_problems(source)
    found += name_problems(source)
    layout = usable_layout(source, found, installed or {})
    for stage in STAGES:
        found += stage(layout)
    return found


def validate_app(source: Mapping[str, Any], installed: Mapping[str, App] | None = None) -> App:
    """The typed ``App`` for ``source``; raises MetadataInvalid listing every error otherwise.

    ``installed`` maps app name -> App for the apps this one may link to
    (``crm_customers.account``); each must also be listed in app.json ``requires``.
    """
    raise_all(app_problems(source, installed), _subject(source))
    return build_app(source)
