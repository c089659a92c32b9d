"""The composition root of the window: QApplication, fonts, language, database, setup,
login, main window. Everything is passed down explicitly from here (no hidden globals)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from commune_desk import __version__
from commune_desk.errors import KnownError
from commune_desk.i18n import current_language
from commune_desk.paths import resource
from commune_desk.services.context import Ctx, Database


def make_app(argv: list[str] | None = None) -> QApplication:
    from commune_desk.ui.errors import install_excepthook
    from commune_desk.ui.fonts import install_fonts

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("commune_desk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("commune_desk")
    app.setWindowIcon(QIcon(str(resource("icons", "commune_desk.png"))))
    install_fonts(app)
    install_qt_translations(app)
    install_excepthook()
    return app


def install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons, dialogs) in the interface language."""
    lang = current_language()
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English,
                               QLocale.Country.Vietnam))
    translator = QTranslator(app)
    if translator.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def run_gui(data_dir: Path | None = None, db_url: str | None = None) -> int:
    app = make_app()
    from commune_desk.ui.errors import set_report_dir
    from commune_desk.ui.startup_check import check_before_open

    if not check_before_open(data_dir, db_url):  # a damaged file: say so, offer the newest good backup
        return 1
    try:
        # Start-up migration is the one wait before the window exists (STYLE.md pitfall 1).
        db = Database.open(data_dir, db_url)
    except KnownError as exc:
        QMessageBox.critical(None, "commune_desk", str(exc))
        return 1
    set_report_dir(db.data_dir / "crash-reports")
    try:
        if db.office is None:
            from commune_desk.ui.setup_dialog import SetupDialog

            setup = SetupDialog(db)
            if setup.exec() != QDialog.DialogCode.Accepted:
                return 0
        from commune_desk.ui.login_dialog import LoginDialog

        login = LoginDialog(db)
        if login.exec() != QDialog.DialogCode.Accepted or login.actor is None:
            return 0
        from commune_desk.ui.main_window import MainWindow

        window = MainWindow(Ctx(db, login.actor))
        window.show()
        from commune_desk.ui.daily_backup import install_daily_backup
        from commune_desk.ui.idle_lock import install_idle_lock

        install_idle_lock(window, window.ctx)
        install_daily_backup(window, window.ctx)
        return app.exec()
    finally:
        from commune_desk.ui.tasks import wait_idle

        wait_idle(10000)
        db.close()
