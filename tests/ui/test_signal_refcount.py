"""Emitting signals from Python must not eat references to True (PySide6 6.12.0 does: a
long working day of background tasks would abort the window; ui/signal_fix.py)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

import commune_desk.ui  # noqa: F401 - installs the work-around when this PySide6 needs it
from commune_desk.ui.tasks import run_task, wait_idle


class Emitter(QObject):
    number = Signal(int)
    flag = Signal(bool)


@pytest.mark.usefixtures("qapp")
def test_thousands_of_emits_leave_true_and_false_alone():
    e = Emitter()
    seen = []
    e.flag.connect(seen.append)
    true_before, false_before = sys.getrefcount(True), sys.getrefcount(False)
    for k in range(3000):
        e.number.emit(k)
        e.flag.emit(k % 2 == 0)
    del seen[:]
    assert abs(sys.getrefcount(True) - true_before) < 20
    assert abs(sys.getrefcount(False) - false_before) < 20


def test_background_tasks_leave_true_alone(qtbot):
    done = []
    before = sys.getrefcount(True)
    for k in range(300):   # each task emits from its worker thread: succeeded, finished
        run_task(lambda _ctl, k=k: k, on_success=done.append)
    wait_idle()
    qtbot.waitUntil(lambda: len(done) == 300, timeout=10000)
    del done[:]
    assert abs(sys.getrefcount(True) - before) < 50
