"""The serif the forms are set in: a real Times New Roman when the system has one (Decree
30/2020 asks for it), else the shipped Liberation Serif 2.1 (metric-compatible, full
Vietnamese). Each face is registered under its own name and embedded in the PDF.

A document can start from one fixed subset of each face (:func:`seed_form_fonts`): every
letter of Vietnamese in both cases, the digits, ASCII punctuation and the forms' marks,
coded the same way in every PDF. That subset's embedded font program and its ToUnicode
map are then cut from the font and compressed once per process instead of once per PDF,
which was a third of a receipt's time. A character outside the set (a foreign name) gets a
second subset, made for that PDF as usual."""

from __future__ import annotations

import os
import sys
import threading
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas

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


def _vietnamese_letters() -> str:
    """The letters of Vietnamese beyond ASCII, lower and upper case (134)."""
    marks = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng
    lower = [unicodedata.normalize("NFC", base + mark) for base in "aăâeêioôơuưy" for mark in marks] + ["đ"]
    letters = [ch for ch in lower if not ch.isascii()]
    return "".join(letters) + "".join(ch.upper() for ch in letters)


# the fixed subset: ASCII first (it keeps its own codes), then Vietnamese, then the forms' marks
FORM_CHARACTERS = ("".join(chr(c) for c in range(32, 127)) + _vietnamese_letters()
                   + "…–—‘’“”•·°×\u2003")


class _FlateOnce:
    """The Flate filter for the fixed subset's streams: each distinct stream is compressed
    once per process (a handful: one font program and one map per face)."""

    pdfname = "FlateDecode"

    def __init__(self) -> None:
        self._done: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def encode(self, data: bytes | str) -> bytes:
        if isinstance(data, str):
            data = data.encode("utf8")
        with self._lock:
            hit = self._done.get(data)
        if hit is None:
            hit = zlib.compress(data)
            with self._lock:
                if len(self._done) > 32:  # fonts swapped under a running process: start over
                    self._done.clear()
                self._done[data] = hit
        return hit


_FLATE_ONCE = _FlateOnce()


class FormFont(TTFont):
    """A TrueType face whose documents can be seeded with :data:`FORM_CHARACTERS`."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._fixed: tuple[int, ...] | None = None      # the seeded first subset, as ReportLab lists it
        self._fixed_program: bytes | None = None
        self._make_subset = self.face.makeSubset
        self.face.makeSubset = self._subset_program

    def seed(self, doc) -> None:
        """Give ``doc`` the fixed subset before any text is set (a no-op once text is set)."""
        state = self._assignState(doc)
        if state.nextCode == 1 and not state.frozen:
            self.splitString(FORM_CHARACTERS, doc)
            if self._fixed is None:
                self._fixed = tuple(state.subsets[0])

    def _subset_program(self, subset: list[int]) -> bytes:
        if self._fixed is not None and tuple(subset) == self._fixed:
            if self._fixed_program is None:
                self._fixed_program = self._make_subset(subset)
            return self._fixed_program
        return self._make_subset(subset)

    def addObjects(self, doc) -> None:
        state = self.state.get(doc)  # ReportLab drops it once the objects are made
        super().addObjects(doc)
        if not doc.compression or state is None or self._fixed is None or not state.subsets \
                or tuple(state.subsets[0]) != self._fixed:
            return
        # the fixed subset's two streams: compressed once, not for every document
        base = (b"".join((SUBSETN(0), b"+", self.face.name, self.face.subfontNameX))).decode("pdfdoc")
        for key in (f"fontFile:{self.face.filename}({base})", f"toUnicodeCMap:{base}"):
            stream = doc.idToObject.get(key)
            if isinstance(stream, pdfdoc.PDFStream) and stream.filters == [pdfdoc.PDFZCompress]:
                stream.filters = [_FLATE_ONCE]


def seed_form_fonts(canvas: Canvas) -> None:
    """Start ``canvas``'s document from the fixed subset of every face (see the module's note)."""
    for face in FACES:
        font = pdfmetrics.getFont(font_name(face))
        if isinstance(font, FormFont):
            font.seed(canvas._doc)


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the four faces once; returns the family name to use in styles."""
    files = _find_times() or {face: resource("fonts", name) for face, name in _SHIPPED.items()}
    for face, suffix in FACES.items():
        pdfmetrics.registerFont(FormFont(FAMILY + suffix, str(files[face])))
    pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=FAMILY + "-Bold",
                                  italic=FAMILY + "-Italic", boldItalic=FAMILY + "-BoldItalic")
    return FAMILY


def font_name(face: str = "regular") -> str:
    register_fonts()
    return FAMILY + FACES[face]
