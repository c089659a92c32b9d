"""The composition root of the window: QApplication, fonts, language, database, setup,
login, main window. Everything is passed down explicitly from here (no hidden globals).

Start-up order (issue 3, "start to a shown main window"):
1. QApplication, fonts, translations, then the main window's light shell is shown at once
   ("Đang mở cơ sở dữ liệu…"). Nothing imported before that loads SQLAlchemy, Alembic or
   the services (``python -X importtime -m commune_desk`` shows it).
2. Off the UI thread: the quick check of the database file, ``Database.open`` (lock,
   upgrade), the office identity.
3. Back on the UI thread: a damaged file, a newer database or a second copy running is
   said plainly and the app ends (exit code 1); otherwise the first-run setup when there is
   no office yet, then the login dialog, modal over the shown window; then the window is
   filled and only its first page built. The idle lock and the daily backup start, and old
   printouts are cleared in the background.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog

from commune_desk import __version__
from commune_desk.errors import KnownError
from commune_desk.i18n import _, current_language
from commune_desk.paths import resource
from commune_desk.ui.main_window import MainWindow

if TYPE_CHECKING:
    from commune_desk.services.context import Actor, Database


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
    from commune_desk.ui.gc_on_gui_thread import install as collect_on_gui_thread

    collect_on_gui_thread(app)
    return app


def install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons, dialogs) in the interface language."""
    lang = current_language()
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English,
                               QLocale.Country.Vietnam))
    translator = QTranslator(app)
    if translator.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


# Modules the first pages need, imported off the UI thread while the login dialog waits
# for a password, so the window fills quickly after sign-in.
WARM_MODULES = ("commune_desk.ui.pages.desk", "commune_desk.ui.pages.dossiers", "commune_desk.ui.idle_lock",
                "commune_desk.ui.daily_backup")


class Startup(QObject):
    """Shows the shell, opens the database off the UI thread, signs someone in, fills the window.

    ``sign_in(db) -> Actor``: replaces the login dialog, for benchmarks and tests (it runs on
    the UI thread once the database is open, so it may import the services). The command
    line never passes it (``run_gui`` from ``commune-desk``).
    ``first_area``: the page shown (and built) first, when the role has it.

    Signals:
        ready(MainWindow): signed in, the first page built.
        failed(str): the database could not be opened (the message was shown).
        ended(int): the application should end with this exit code (``run_gui`` quits the
            event loop; a refused login or setup is 0, an error 1).
    """

    ready = Signal(object)
    failed = Signal(str)
    ended = Signal(int)

    def __init__(self, data_dir: Path | None = None, db_url: str | None = None, *,
                 sign_in: Callable[[Database], Actor] | None = None, first_area: str | None = None,
                 open_database: Callable[[Path | None, str | None], Database] | None = None) -> None:
        super().__init__()
        self.data_dir, self.db_url = data_dir, db_url
        self.sign_in, self.first_area = sign_in, first_area
        self._open_database = open_database or _open_database
        self.db: Database | None = None       # set by the worker as soon as it is open
        self.exit_code = 0
        self.window = MainWindow()
        self._began = False
        self._warming = False
        self._signed_in_actor: Actor | None = None

    # -- 1. the shell ---------------------------------------------------------------------
    def start(self) -> MainWindow:
        """Show the shell now; the database work begins once it has been painted."""
        self.window.first_painted.connect(self._begin)
        self.window.show()
        QTimer.singleShot(200, self._begin)  # in case no paint event comes (a hidden screen)
        return self.window

    # -- 2. off the UI thread -------------------------------------------------------------
    def _begin(self) -> None:
        if self._began:
            return
        self._began = True
        from commune_desk.ui.tasks import run_task

        run_task(self._check_and_open, on_success=self._opened, on_failure=self._failed)

    def _check_and_open(self, _ctl) -> Any:
        from commune_desk.ui.startup_check import quick_check

        state = quick_check(self.data_dir, self.db_url)
        if state is not None and not state.ok:
            return state  # damaged: the user chooses on the UI thread
        self.db = self._open_database(self.data_dir, self.db_url)
        self.db.office  # noqa: B018 - read (and cache) the identity here, not on the UI thread
        return self.db

    # -- 3. back on the UI thread ---------------------------------------------------------
    def _opened(self, result: Any) -> None:
        from commune_desk.ui.startup_check import resolve_damaged

        if self.db is None or result is not self.db:  # a damaged file
            if resolve_damaged(self.data_dir, result, self.window):
                self._began = False
                self.window.set_waiting(_("Đang mở cơ sở dữ liệu…"))
                self._begin()
            else:
                self.finish(1)
            return
        from commune_desk.ui.errors import set_report_dir

        set_report_dir(self.db.data_dir / "crash-reports")
        if self.db.office is None:
            from commune_desk.ui.setup_dialog import SetupDialog

            self.window.set_waiting(_("Thiết lập lần đầu…"))
            setup = SetupDialog(self.db, self.window)
            setup.finished.connect(lambda result: self._sign_in() if result == QDialog.DialogCode.Accepted
                                   else self.finish(0))
            setup.open()
            return
        self._sign_in()

    def _sign_in(self) -> None:
        if self.sign_in is not None:
            self._signed_in(self.sign_in(self.db))
            return
        from commune_desk.ui.login_dialog import LoginDialog

        self.window.set_waiting(_("Đang chờ đăng nhập…"))
        login = LoginDialog(self.db, self.window)
        login.finished.connect(lambda result: self._signed_in(login.actor)
                               if result == QDialog.DialogCode.Accepted and login.actor is not None
                               else self.finish(0))
        login.open()  # window-modal over the shown shell; no nested event loop
        self._warm_up()

    def _warm_up(self) -> None:
        from commune_desk.ui.tasks import run_task

        def work(_ctl) -> None:
            for name in WARM_MODULES:
                importlib.import_module(name)

        self._warming = True
        run_task(work, on_failure=lambda _exc: None, on_finished=self._warmed, database=False)

    def _warmed(self) -> None:
        self._warming = False
        if self._signed_in_actor is not None:
            self._signed_in(self._signed_in_actor)

    def _signed_in(self, actor: Actor) -> None:
        if self._warming:  # build the pages once their modules are imported (never two importers)
            self._signed_in_actor = actor
            return
        self._signed_in_actor = None
        from commune_desk.services.context import Ctx
        from commune_desk.ui.daily_backup import install_daily_backup
        from commune_desk.ui.idle_lock import install_idle_lock
        from commune_desk.ui.startup_check import remove_old_printouts
        from commune_desk.ui.tasks import run_task

        ctx = Ctx(self.db, actor)
        self.window.attach(ctx, first_area=self.first_area)
        install_idle_lock(self.window, ctx)
        install_daily_backup(self.window, ctx)
        data_dir = self.db.data_dir
        run_task(lambda _ctl: remove_old_printouts(data_dir), on_failure=lambda _exc: None, database=False)
        self.ready.emit(self.window)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):  # a newer database, a second copy running, an unreadable file
            from PySide6.QtWidgets import QMessageBox

            self.window.set_waiting(str(exc))
            QMessageBox.critical(self.window, "commune_desk", str(exc))
        else:
            from commune_desk.ui.errors import report_exception

            report_exception(self.window, exc)
        self.failed.emit(str(exc))
        self.finish(1)

    def finish(self, code: int) -> None:
        """End the application with ``code`` (the event loop returns it)."""
        self.exit_code = code
        self.window.close()
        self.ended.emit(code)

    def close_database(self) -> None:
        from commune_desk.ui.tasks import wait_idle

        wait_idle(10000)
        if self.db is not None:
            self.db.close()
            self.db = None


def _open_database(data_dir: Path | None, db_url: str | None) -> Database:
    from commune_desk.services.context import Database

    return Database.open(data_dir, db_url)


def run_gui(data_dir: Path | None = None, db_url: str | None = None, *,
            sign_in: Callable[[Database], Actor] | None = None, first_area: str | None = None,
            on_started: Callable[[Startup], None] | None = None) -> int:
    """The window application. ``sign_in`` replaces the login dialog (benchmarks and tests
    only: the command line never passes it); ``on_started(startup)`` runs once the shell is
    shown, before the event loop (the start-up benchmark marks the time there)."""
    app = make_app()
    startup = Startup(data_dir, db_url, sign_in=sign_in, first_area=first_area)
    startup.ended.connect(app.exit)
    startup.start()
    if on_started is not None:
        on_started(startup)
    try:
        code = app.exec()
        return startup.exit_code or code
    finally:
        startup.close_database()
