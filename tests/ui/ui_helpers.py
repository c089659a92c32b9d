"""What the window tests share: the main window at the size of a commune office's screen,
and a wait for background work and the callbacks it queues."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from commune_desk.services.context import Ctx
from commune_desk.ui.main_window import MainWindow
from commune_desk.ui.tasks import wait_idle


def settle(qtbot, rounds: int = 4) -> None:
    """Let queued tasks run and their callbacks (which may queue more) arrive."""
    for _ in range(rounds):
        wait_idle()
        QApplication.processEvents()
        qtbot.wait(5)


def open_window(qtbot, ctx: Ctx) -> MainWindow:
    """The main window signed in as ``ctx``'s user, shown at 1366x768."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window
