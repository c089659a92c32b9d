"""Cycles are collected on the GUI thread, by Python's own thresholds, never in a task."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from commune_desk.ui.gc_on_gui_thread import collect_due
from commune_desk.ui.tasks import run_task, wait_idle


class Node:
    def __init__(self) -> None:
        self.me = self   # a reference cycle: only the collector frees it


@pytest.mark.usefixtures("qapp")
def test_the_automatic_collector_is_off_and_the_gui_thread_collects():
    assert not gc.isenabled()
    timers = [t for t in QApplication.instance().findChildren(QTimer) if t.objectName() == "gc_on_gui_thread"]
    assert timers, "the GUI thread collects on a timer"
    node = Node()
    gone = weakref.ref(node)
    del node
    young = [[] for _ in range(gc.get_threshold()[0] + 10)]   # cross the youngest generation's threshold
    assert gone() is not None, "nothing collects on its own"
    collect_due()   # what the timer runs
    assert gone() is None
    del young


def test_a_background_task_never_collects(qtbot):
    collected_in: list[str] = []

    def note(phase: str, _info: dict) -> None:
        if phase == "start":
            collected_in.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        def churn(_ctl) -> int:
            for _ in range(50_000):
                Node()   # plenty of garbage cycles made inside the task
            return 1

        done = []
        run_task(churn, on_success=done.append)
        wait_idle()
        qtbot.waitUntil(lambda: done == [1], timeout=10000)
        assert collected_in == [] or set(collected_in) == {threading.main_thread().name}
        collect_due()
    finally:
        gc.callbacks.remove(note)
