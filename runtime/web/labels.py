"""Show metadata labels (``{"en": ..., "zh": ...}`` or a plain string) in the user's language."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint
from flask_login import current_user

__all__ = ["localize", "user_language"]

DEFAULT_LANGUAGE = "en"


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
    if getattr(current_user, "is_authenticated", False):
        return current_user.language or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def register(bp: Blueprint) -> None:
    """Make ``{{ label|localize }}`` and ``{{ lang }}`` available in every template."""

    @bp.app_template_filter("localize")
    def _localize_filter(label, fallback: str = "") -> str:
        return localize(label, user_language(), fallback)

    @bp.app_context_processor
    def _language():
        return {"lang": user_language()}
