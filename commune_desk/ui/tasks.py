"""Background work for the window (Anki's operation objects on a QThreadPool).

Every database call, PDF and file copy goes through :func:`run_task`, so the UI thread
never waits. Database work runs on one dedicated thread, one job at a time (SQLite has one
writer anyway); other work runs on the general pool. Results come back to the GUI thread
through a signal of an object that lives there.

    run_task(lambda ctl: dossiers.search(ctx, text), on_success=self.show_rows)

``fn`` receives a :class:`TaskControl` to report progress and to notice a cancel.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import isValid

from commune_desk.i18n import _


class Cancelled(Exception):
    """Raised inside a task when the user pressed Cancel."""


class TaskControl:
    def __init__(self, emitter: _Emitter) -> None:
        self._emitter = emitter
        self.cancelled = False

    def progress(self, done: int, total: int, label: str = "") -> None:
        if self.cancelled:
            raise Cancelled()
        self._emitter.progress.emit(done, total, label)

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()


class _Emitter(QObject):
    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)   # exception, formatted traceback
    cancelled = Signal()
    finished = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskControl], Any], emitter: _Emitter, control: TaskControl) -> None:
        super().__init__()
        self.fn, self.emitter, self.control = fn, emitter, control
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(self.control)
        except Cancelled:
            self._emit(self.emitter.cancelled)
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
            self._emit(self.emitter.failed, exc, traceback.format_exc())
        else:
            self._emit(self.emitter.succeeded, result)
        finally:
            self._emit(self.emitter.finished)

    @staticmethod
    def _emit(signal, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:
            pass  # the application is shutting down and took the emitter with it: nobody listens


_db_pool: QThreadPool | None = None
_live: set[_Emitter] = set()


def db_pool() -> QThreadPool:
    global _db_pool
    if _db_pool is None:
        _db_pool = QThreadPool()
        _db_pool.setMaxThreadCount(1)
    return _db_pool


class TaskHandle:
    def __init__(self, emitter: _Emitter, control: TaskControl) -> None:
        self.emitter = emitter
        self.control = control

    def cancel(self) -> None:
        self.control.cancelled = True


def show_error(parent: QWidget | None, exc: BaseException, details: str = "") -> None:
    """The default failure path: a plain message for known problems, a crash report for bugs."""
    from commune_desk.ui.errors import report_exception

    report_exception(parent, exc, details)


def run_task(
    fn: Callable[[TaskControl], Any],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    parent: QWidget | None = None,
    progress: str | None = None,
    cancellable: bool = True,
    database: bool = True,
) -> TaskHandle:
    """Run ``fn(control)`` off the UI thread; callbacks run on the UI thread.

    ``progress`` shows a progress dialog with that label (and a Cancel button when
    ``cancellable``); without it the work is silent (for quick queries).
    """
    emitter = _Emitter()
    control = TaskControl(emitter)
    _live.add(emitter)  # keep the emitter alive until the task ends
    dialog: QProgressDialog | None = None
    if progress:
        dialog = QProgressDialog(progress, _("Hủy") if cancellable else None, 0, 0, parent)
        dialog.setWindowTitle("commune_desk")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(lambda: setattr(control, "cancelled", True))

        def _progress(done: int, total: int, label: str) -> None:
            if not isValid(dialog):
                return
            dialog.setMaximum(max(total, 0))
            dialog.setValue(done)
            if label:
                dialog.setLabelText(label)

        emitter.progress.connect(_progress)
    def alive() -> bool:
        # a page closed while its task ran: its callbacks must not touch deleted widgets
        return parent is None or isValid(parent)

    if on_success:
        emitter.succeeded.connect(lambda result: on_success(result) if alive() else None)

    def _failed(exc: BaseException, tb: str) -> None:
        if on_failure and alive():
            on_failure(exc)
        elif not on_failure:
            show_error(parent if alive() else None, exc, tb)

    emitter.failed.connect(_failed)

    def _done() -> None:
        if dialog is not None and isValid(dialog):
            dialog.close()
            dialog.deleteLater()
        if on_finished and alive():
            on_finished()
        _live.discard(emitter)

    emitter.finished.connect(_done)
    pool = db_pool() if database else QThreadPool.globalInstance()
    pool.start(_Runnable(fn, emitter, control))
    return TaskHandle(emitter, control)


def wait_idle(timeout_ms: int = 30000) -> bool:
    """Tests and shutdown: wait until every queued task has run."""
    ok = db_pool().waitForDone(timeout_ms)
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and ok
