"""The automatic daily backup while the window is open: once at start, then a look every
few minutes so a window left open past midnight backs up the new day, and a USB stick
plugged in later still gets the day's copy. The work runs off the UI thread; the result
shows in the status bar (a failure as a warning the user can read)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from commune_desk.errors import KnownError
from commune_desk.i18n import _
from commune_desk.services import backups
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task

CHECK_EVERY_MS = 10 * 60 * 1000


class DailyBackup(QObject):
    def __init__(self, window: QMainWindow, ctx: Ctx) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.running = False
        self.last_problem: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.run)
        self.timer.start()

    def run(self) -> None:
        if self.running:
            return
        self.running = True
        run_task(lambda _ctl: backups.ensure_daily_backup(self.ctx.db), on_success=self._done,
                 on_failure=self._failed, on_finished=self._finished, parent=self.window)

    def _finished(self) -> None:
        self.running = False

    def _done(self, result: backups.BackupResult | None) -> None:
        if result is None:
            return
        self.window.statusBar().setStyleSheet("")
        text = _("Đã sao lưu tự động lúc {time}.").format(time=result.backup.taken_at.strftime("%H:%M"))
        if result.copy_problem:
            text += " " + result.copy_problem
        self.window.statusBar().showMessage(text, 15000)

    def _failed(self, exc: BaseException) -> None:
        # never a modal box in the middle of someone's work: the status bar says it, in red
        self.last_problem = str(exc) if isinstance(exc, KnownError) else repr(exc)
        self.window.statusBar().setStyleSheet("color: #b00020;")
        self.window.statusBar().showMessage(_("Sao lưu tự động không thành công: {problem}").format(
            problem=self.last_problem), 0)


def install_daily_backup(window: QMainWindow, ctx: Ctx, first_delay_ms: int = 20_000) -> DailyBackup:
    """The first look comes a little after start, so the clerk's first search is not queued
    behind the copy of a large file."""
    daily = DailyBackup(window, ctx)
    window.daily_backup = daily  # type: ignore[attr-defined]
    if first_delay_ms <= 0:
        daily.run()
    else:
        QTimer.singleShot(first_delay_ms, daily.run)
    return daily
