"""The serif the forms are set in: a real Times New Roman when the system has one (Decree
30/2020 asks for it), else the shipped Liberation Serif 2.1 (metric-compatible, full
Vietnamese). Each face is registered under its own name and embedded in the PDF."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from commune_desk.paths import resource

FAMILY = "FormSerif"
FACES = {"regular": "", "bold": "-Bold", "italic": "-Italic", "bolditalic": "-BoldItalic"}

_TIMES_FILES = {
    "regular": ("times.ttf", "Times New Roman.ttf", "Times_New_Roman.ttf"),
    "bold": ("timesbd.ttf", "Times New Roman Bold.ttf", "Times_New_Roman_Bold.ttf"),
    "italic": ("timesi.ttf", "Times New Roman Italic.ttf", "Times_New_Roman_Italic.ttf"),
    "bolditalic": ("timesbi.ttf", "Times New Roman Bold Italic.ttf", "Times_New_Roman_Bold_Italic.ttf"),
}
_SHIPPED = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
}


def _system_font_dirs() -> list[Path]:
    if sys.platform.startswith("win"):
        return [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental")]
    return [Path("/usr/share/fonts/truetype/msttcorefonts"), Path("/usr/share/fonts/truetype/times"),
            Path.home() / ".fonts", Path("/usr/share/fonts/TTF")]


def _find_times() -> dict[str, Path] | None:
    if os.environ.get("COMMUNE_DESK_SHIPPED_FONT"):  # tests: always the shipped font
        return None
    found: dict[str, Path] = {}
    for face, names in _TIMES_FILES.items():
        for folder in _system_font_dirs():
            hit = next((folder / n for n in names if (folder / n).is_file()), None)
            if hit:
                found[face] = hit
                break
    return found if len(found) == 4 else None


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the four faces once; returns the family name to use in styles."""
    files = _find_times() or {face: resource("fonts", name) for face, name in _SHIPPED.items()}
    for face, suffix in FACES.items():
        pdfmetrics.registerFont(TTFont(FAMILY + suffix, str(files[face])))
    pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=FAMILY + "-Bold",
                                  italic=FAMILY + "-Italic", boldItalic=FAMILY + "-BoldItalic")
    return FAMILY


def font_name(face: str = "regular") -> str:
    register_fonts()
    return FAMILY + FACES[face]
