"""Benchmark: start to a shown main window, against a bare PySide6 script (a plain script).

    python tests/bench/bench_startup.py                        # a 2,000-dossier demo folder
    python tests/bench/bench_startup.py --data /tmp/b1m        # any data folder (e.g. a million)
    python tests/bench/bench_startup.py --runs 7

Each run is a fresh process (cold imports, warm disk cache), timed from just before the
process is started to the moment the window has been shown and painted once:
- bare: ``import PySide6.QtWidgets``, a QApplication and an empty QMainWindow;
- commune_desk: the application's own start, ``run_gui`` as ``commune-desk`` runs it:
  ``make_app`` (fonts, translations, error hook) and the main window's shell shown
  ("shown"); then, off the UI thread, the file check, the database opened and checked for
  upgrades; an administrator signed in through ``run_gui(sign_in=...)`` (the hook that
  replaces the login dialog, never used by the command line); the dossier list as first
  page until its first rows are on screen ("first data"). Target: shown within 1.5x of bare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1366, 768); w.show()
app.processEvents(); w.repaint()
print("shown", time.time(), flush=True)
"""

APP = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from commune_desk.ui.app import run_gui


def admin(_db):  # the login dialog skipped (run_gui's sign_in hook); the services are loaded by now
    from commune_desk.domain.roles import Role
    from commune_desk.services.context import Actor

    return Actor(None, "admin", "Quản Trị Viên", Role.ADMIN)


def started(startup):
    w = startup.window
    QApplication.processEvents(); w.repaint()
    print("shown", time.time(), flush=True)
    startup.ready.connect(ready)


def ready(window):
    page = window.page("dossiers")
    poll = QTimer(window)

    def check():
        if page.model.row_at(0) is not None:
            poll.stop()
            page.table.viewport().repaint()
            print("data", time.time(), flush=True)
            window.close()

    poll.timeout.connect(check)
    poll.start(1)


sys.exit(run_gui(sys.argv[1], sign_in=admin, first_area="dossiers", on_started=started))
"""


PYCACHE = Path(tempfile.gettempdir()) / "commune-desk-bench-pycache"


def run(code: str, *args: str) -> dict[str, float]:
    # An installed application has its bytecode compiled: keep .pyc files (outside the source
    # tree) even where PYTHONDONTWRITEBYTECODE is set, so both sides start as installed.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300,
                         check=True)
    marks = {}
    for line in out.stdout.splitlines():
        name, _sep, value = line.partition(" ")
        if value:
            marks[name] = (float(value) - start) * 1000
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = args.data
    if data is None:
        data = Path(tempfile.mkdtemp(prefix="bench-start-"))
        subprocess.run([sys.executable, "-m", "commune_desk", "--data-dir", str(data), "demo", "--dossiers", "2000",
                        "--seed", "1", "--json"], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    run(BARE)                        # warm the disk cache of both
    run(APP, str(data))
    bare, shown, first = [], [], []
    for _ in range(args.runs):
        bare.append(run(BARE)["shown"])
        marks = run(APP, str(data))
        shown.append(marks["shown"])
        first.append(marks["data"])
    b, s, f = statistics.median(bare), statistics.median(shown), statistics.median(first)
    print(f"commune_desk start-up — {args.runs} runs each, medians, data folder {data}")
    print(f"{'measure':<44}{'ms':>10}{'ratio':>8}  target")
    print(f"{'bare PySide6: empty QMainWindow shown':<44}{b:>10.0f}{1:>8.2f}")
    verdict = "OK" if s <= 1.5 * b else "MISSED"
    print(f"{'commune_desk: main window shown':<44}{s:>10.0f}{s / b:>8.2f}  <= 1.5x {verdict}")
    print(f"{'commune_desk: first dossiers on screen':<44}{f:>10.0f}{f / b:>8.2f}")
    # each app run follows its bare run: the ratio of the pair is steadier on a busy machine
    pair_shown = statistics.median(x / y for x, y in zip(shown, bare, strict=True))
    pair_first = statistics.median(x / y for x, y in zip(first, bare, strict=True))
    print(f"  median of the per-run ratios: shown {pair_shown:.2f}, first data {pair_first:.2f}")
    print(f"  runs (bare / shown / data): {[round(x) for x in bare]} / {[round(x) for x in shown]} / "
          f"{[round(x) for x in first]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
