"""Python's cycle collector runs on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate when a threshold
is crossed; in a background task (ui/tasks.py) it then finalises unreachable PySide6
wrappers, and a Qt object destroyed outside the GUI thread can crash the process (seen as a
segmentation fault "Garbage-collecting" inside a database task). Anki does the same: the
automatic collector is switched off and the GUI thread collects on a timer, by the same
thresholds Python would use.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QTimer

INTERVAL_MS = 500


def collect_due() -> int:
    """Collect the oldest generation whose threshold is crossed (what automatic GC would do)."""
    counts = gc.get_count()
    thresholds = [t or default for t, default in zip(gc.get_threshold(), (700, 10, 10), strict=True)]
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            return gc.collect(generation)
    return 0


def install(app: QCoreApplication) -> QTimer:
    """Switch automatic collection off and collect on ``app``'s thread instead."""
    gc.disable()
    timer = QTimer(app)
    timer.setObjectName("gc_on_gui_thread")
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(collect_due)
    timer.start()
    return timer
