"""UI text in the user's language: templates write ``{{ _("Save") }}`` in English.

The English text is the key, so a missing translation shows English rather
than a blank or a message id. Catalogs are JSON files in ``translations/``;
tests/runtime/web/test_i18n.py keeps ``zh.json`` complete.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint

from runtime.web.labels import DEFAULT_LANGUAGE
from runtime.web.labels import LANGUAGES
from runtime.web.labels import user_language

__all__ = ["LANGUAGES", "catalog", "register", "translate"]

CATALOG_DIR = Path(__file__).resolve().parent / "translations"


@cache
def catalog(language: str) -> dict[str, str]:
    """English text -> text in ``language``; empty for English and for unknown codes."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return {}
    return json.loads((CATALOG_DIR / f"{language}.json").read_text("utf-8"))


def translate(text: str, language: str, **params) -> str:
    """``text`` in ``language`` (English when untranslated), with ``{name}`` params filled in."""
    found = catalog(language).get(text) or text
    return found.format(**params) if params else found


def register(bp: Blueprint) -> None:
    """Make ``{{ _("English text", name=value) }}`` available in every template."""

    @bp.app_template_global("_")
    def _gettext(text: str, **params) -> str:
        return translate(text, user_language(), **params)
