"""Vietnamese text folding for search: case, diacritics and đ/Đ are ignored."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_D = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics, map đ to d and collapse white space.

    >>> fold("Nguyễn Thị  Đào")
    'nguyen thi dao'
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().translate(_D))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def normalize(text: str | None) -> str:
    """NFC and single spaces: what is stored for names typed at the desk."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def digits_only(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())
