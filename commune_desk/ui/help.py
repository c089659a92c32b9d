"""The Help menu: a short task-based user guide (Vietnamese or English) and About."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenu, QTextBrowser, QVBoxLayout, QWidget

from commune_desk.i18n import _, current_language
from commune_desk.paths import resource


def guide_path():
    lang = current_language()
    path = resource("guide", f"{lang}.md")
    return path if path.exists() else resource("guide", "vi.md")


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Hướng dẫn sử dụng"))
        self.resize(900, 680)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        path = guide_path()
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def fill_menu(window, menu: QMenu) -> None:
    guide = menu.addAction(_("Hướng dẫn sử dụng"))
    guide.setShortcut(QKeySequence.StandardKey.HelpContents)
    guide.triggered.connect(lambda: GuideDialog(window).exec())
    menu.addSeparator()
    about = menu.addAction(_("Giới thiệu commune_desk"))

    def show_about() -> None:
        from commune_desk.ui.about import AboutDialog, schema_versions
        from commune_desk.ui.tasks import run_task

        db = window.ctx.db
        run_task(lambda _ctl: schema_versions(db), parent=window,
                 on_success=lambda versions: AboutDialog(db, versions, window).exec())

    about.triggered.connect(show_about)
