"""Waiting for the sync and hub pages' background work in pytest-qt tests."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from commune_desk.ui.tasks import wait_idle


def settle(qtbot, until=None, timeout=15000) -> None:
    """Run queued tasks and deliver their results until ``until()`` holds."""
    def ready() -> bool:
        wait_idle()
        QApplication.processEvents()
        return bool(until()) if until else True
    qtbot.waitUntil(ready, timeout=timeout)
