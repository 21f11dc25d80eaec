"""Show metadata labels (``{"en": ..., "zh": ...}`` or a plain string) in the user's language.

This module also decides what that language is: the signed-in user's choice
(``users.language``), or before sign-in the browser's ``Accept-Language``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint
from flask import has_request_context
from flask import request
from flask_login import current_user

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "html_lang", "localize", "user_language"]

DEFAULT_LANGUAGE = "en"
#: language code -> its name in that language (what a language picker shows).
LANGUAGES = {"en": "English", "zh": "中文"}
#: code -> BCP 47 tag for ``<html lang>``: "zh" is Simplified Chinese as used in mainland China.
_HTML_LANG = {"en": "en", "zh": "zh-CN"}
# Browser tags best_match compares with; any Chinese match counts as "zh".
_ACCEPTED = ["en", "zh", "zh-CN", "zh-Hans"]


def localize(label, language: str | None = None, fallback: str = "") -> str:
    """Pick ``language``, then English, then any language, then ``fallback``."""
    if isinstance(label, str):
        return label or fallback
    if not isinstance(label, Mapping) or not label:
        return fallback
    for lang in (language, DEFAULT_LANGUAGE):
        if lang and label.get(lang):
            return str(label[lang])
    return next((str(v) for v in label.values() if v), fallback)


def user_language() -> str:
    """The signed-in user's language; before sign-in (login, offline, error pages) the browser's.
    Worked out once per request: a list page asks a few hundred times."""
    if not has_request_context():
        return _language()
    cached = request.environ.get("metacrm.language")  # per request, unlike g (shared by app contexts)
    if cached is None:
        cached = request.environ["metacrm.language"] = _language()
    return cached


def _language() -> str:
    if getattr(current_user, "is_authenticated", False):
        return current_user.language if current_user.language in LANGUAGES else DEFAULT_LANGUAGE
    if has_request_context():
        best = request.accept_languages.best_match(_ACCEPTED) or DEFAULT_LANGUAGE
        return "zh" if best.startswith("zh") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def html_lang(language: str) -> str:
    return _HTML_LANG.get(language, DEFAULT_LANGUAGE)


def register(bp: Blueprint) -> None:
    """Make ``{{ label|localize }}``, the UI language (``lang``: "en"/"zh"; ``html_lang``:
    its tag for ``<html lang>``, "zh-CN") and the ``languages`` to choose from available."""

    @bp.app_template_filter("localize")
    def _localize_filter(label, fallback: str = "") -> str:
        return localize(label, user_language(), fallback)

    @bp.app_context_processor
    def _language():
        language = user_language()
        return {"lang": language, "html_lang": html_lang(language), "languages": LANGUAGES}
