"""One translation mechanism for every layer (widgets, CLI messages, services).

Source strings are Vietnamese with full diacritics: Vietnamese is the first language and
needs no catalog. English lives in gettext ``.po`` catalogs under
``resources/translations/en/`` (one file per area, so translators can use Poedit or Weblate),
read with Babel at start when ``--lang en`` is chosen. Official printed forms are always
Vietnamese and do not go through ``_()``.

``tests/unit/test_i18n.py`` checks that every literal passed to ``_()`` or ``N_()`` has an
English translation.
"""

from __future__ import annotations

import os
from pathlib import Path

from commune_desk.paths import resource

LANGUAGES = ("vi", "en")
_current = "vi"
_catalog: dict[str, str] = {}


def _(text: str) -> str:
    """Translate ``text`` (a Vietnamese source string) into the current language."""
    if _current == "vi":
        return text
    return _catalog.get(text) or text


def N_(text: str) -> str:
    """Mark a string for translation without translating it now (for tables of labels)."""
    return text


def current_language() -> str:
    return _current


def load_catalog(lang: str, folder: Path | None = None) -> dict[str, str]:
    """Every msgid -> msgstr of the ``.po`` files of ``lang`` (empty translations skipped)."""
    from babel.messages.pofile import read_po

    folder = folder or resource("translations", lang)
    merged: dict[str, str] = {}
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string:
                merged[message.id] = message.string
    return merged


def set_language(lang: str | None) -> str:
    """Switch the language for the whole process; ``None`` reads ``COMMUNE_DESK_LANG``."""
    global _current, _catalog
    lang = (lang or os.environ.get("COMMUNE_DESK_LANG") or "vi").lower()
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    _catalog = load_catalog(lang) if lang != "vi" else {}
    _current = lang
    return lang
