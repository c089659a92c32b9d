"""Cycles are collected on the GUI thread, by Python's own thresholds, never in a task."""

from __future__ import annotations

import gc
import threading
import weakref

from commune_desk.ui.gc_on_gui_thread import collect_due
from commune_desk.ui.tasks import run_task, wait_idle


class Node:
    def __init__(self) -> None:
        self.me = self   # a reference cycle: only the collector frees it


def test_the_automatic_collector_is_off_and_the_timer_collects(qtbot):
    assert not gc.isenabled()
    node = Node()
    gone = weakref.ref(node)
    del node
    young = [[] for _ in range(gc.get_threshold()[0] + 10)]   # cross the youngest generation's threshold
    qtbot.waitUntil(lambda: gone() is None, timeout=5000)   # the GUI thread's timer collected
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
