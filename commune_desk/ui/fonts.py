"""Make sure the window has a font with every Vietnamese letter, even on a bare system."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from commune_desk.paths import resource

UI_FONTS = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")


def install_fonts(app: QApplication) -> None:
    families: list[str] = []
    for name in UI_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(resource("fonts", name)))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if not families:
        return
    font = QFont(app.font())
    # keep the system's UI font where it covers Vietnamese; fall back to the shipped one
    font.setFamilies([font.family(), families[0]] if _covers_vietnamese(font.family()) else [families[0]])
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)


def _covers_vietnamese(family: str) -> bool:
    return QFontDatabase.WritingSystem.Vietnamese in QFontDatabase.writingSystems(family)
