"""Power-cut test harness: a child process saves dossiers through the real desk service and
prints each returned code (flushed); the parent kills it with SIGKILL at a random moment,
then checks that the database opens, passes ``PRAGMA integrity_check`` and holds every
dossier whose save had returned, with its outbox rows and an intact audit chain.

Used by ``tests/e2e/test_crash_kill.py`` (a short run) and ``tests/bench/crash_loop.py``
(the full 200-kill run). Run a child by hand with
``python tests/e2e/crash_harness.py child DATA_DIR SAVES ITERATION``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAVES_PER_CHILD = 1000
SAVES_PER_DAY = 400  # codes are numbered per day (999 per reception point): spread the saves over days


# -- the child ------------------------------------------------------------------------------

def child(data_dir: str, saves: int, iteration: int) -> None:
    from commune_desk.domain.roles import Role
    from commune_desk.services import intake
    from commune_desk.services.context import Actor, Ctx, Database

    db = Database.open(Path(data_dir))
    ctx = Ctx(db, Actor(None, "canbo", "Lê Thị Cán", Role.CLERK))
    proc = next(p for p in intake.load_procedures(ctx) if p.time_kind == "working_days" and p.time_value)
    lines = [dataclasses.replace(line, received=True) for line in intake.form_lines(proc)]
    names = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")
    base = dt.datetime.now(dt.UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    print("ready", flush=True)
    for k in range(saves):
        day = base - dt.timedelta(days=3 * iteration + k // SAVES_PER_DAY)
        form = intake.IntakeForm(procedure_code=proc.code, name=names[k % len(names)],
                                 id_number=f"0010920{(iteration * 1000 + k) % 100000:05d}", dob=dt.date(1992, 5, 1),
                                 phone="0912345678", address="Thôn Đồng Xe, xã Minh Tân", documents=lines,
                                 received_at=day + dt.timedelta(seconds=k))
        saved = intake.receive_dossier(ctx, form)
        sys.stdout.write(saved.code + "\n")
        sys.stdout.flush()
    db.close()
    print("done", flush=True)


# -- the parent -----------------------------------------------------------------------------

@dataclass
class Outcome:
    kills: int = 0
    killed_before_ready: int = 0
    finished_children: int = 0
    saves_returned: int = 0
    dossiers_stored: int = 0
    integrity_failures: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)     # returned to the clerk, missing after the kill
    outbox_missing: int = 0
    chain_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.integrity_failures or self.lost or self.outbox_missing or self.chain_problems)


def make_office(data_dir: Path) -> None:
    from commune_desk.services.context import Database
    from commune_desk.services.office import SetupRequest, setup_office

    db = Database.open(data_dir)
    try:
        setup_office(db, SetupRequest(role="commune", office_code="00919", office_name="Xã Minh Tân",
                                      hub_name="UBND tỉnh Tuyên Quang", unit_id="000.00.19.H56",
                                      admin_username="admin", admin_full_name="Quản Trị", admin_password="matkhau-123"))
    finally:
        db.close()


class Child:
    """A child process saving dossiers, its stdout read by a thread into ``lines``.

    On POSIX the child is forked from this (already imported) process, so a kill test does
    not spend its time importing Python modules; elsewhere it is a fresh interpreter."""

    def __init__(self, data_dir: Path, saves: int, iteration: int, *, fork: bool) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.stderr = ""
        self.proc: subprocess.Popen | None = None
        self._reaped = 0
        if fork:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: save, print, never return into the caller's code
                os.close(read_fd)
                code = 1
                try:
                    sys.stdout = os.fdopen(write_fd, "w", buffering=1, encoding="utf-8")
                    child(str(data_dir), saves, iteration)
                    code = 0
                except BaseException:  # noqa: BLE001
                    import traceback

                    traceback.print_exc()
                finally:
                    os._exit(code)
            os.close(write_fd)
            self.pid = pid
            stream = os.fdopen(read_fd, "r", encoding="utf-8")
        else:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "COMMUNE_DESK_LANG": "vi"}
            self.proc = subprocess.Popen([sys.executable, __file__, "child", str(data_dir), str(saves), str(iteration)],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, bufsize=1)
            self.pid = self.proc.pid
            stream = self.proc.stdout
        self.reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.reader.start()

    def _read(self, stream) -> None:
        with stream:
            for line in stream:
                line = line.strip()
                if line == "ready":
                    self.ready.set()
                elif line:
                    self.lines.append(line)

    def running(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self._reaped = os.waitstatus_to_exitcode(status)
        return False

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int:
        if self.proc is not None:
            code = self.proc.wait()
            self.stderr = self.proc.stderr.read() if self.proc.stderr else ""
            self.proc.stderr.close()  # type: ignore[union-attr]
        else:
            try:
                _pid, status = os.waitpid(self.pid, 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # already reaped by running()
                code = self._reaped
        self.reader.join(30)
        return code


def check_database(data_dir: Path, returned: set[str], outcome: Outcome, label: str) -> None:
    """What must hold after any kill."""
    from commune_desk.paths import DB_FILENAME

    path = data_dir / DB_FILENAME
    conn = sqlite3.connect(path, timeout=30)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            outcome.integrity_failures.append(f"{label}: {result[:3]}")
            return
        stored = {r[0] for r in conn.execute("SELECT code FROM dossier")}
        outcome.dossiers_stored = len(stored)
        outcome.lost.extend(sorted(returned - stored))
        outcome.outbox_missing += conn.execute(
            "SELECT count(*) FROM dossier d WHERE NOT EXISTS (SELECT 1 FROM change_log c "
            "WHERE c.entity = 'dossier' AND c.record_id = d.id)").fetchone()[0]
    finally:
        conn.close()


def check_chain(data_dir: Path, outcome: Outcome) -> None:
    from commune_desk.services.audit import verify_chain
    from commune_desk.services.context import Database

    db = Database.open(data_dir)
    try:
        with db.read() as s:
            report = verify_chain(s)
        outcome.chain_problems.extend(p.message for p in report.problems)
    finally:
        db.close()


def run_loop(data_dir: Path, kills: int, *, seed: int = 1, max_delay: float = 1.2, chain_every: int = 10,
             log=None, fork: bool | None = None) -> Outcome:
    """Kill ``kills`` children at random moments; check the database after each."""
    rng = random.Random(seed)
    outcome = Outcome()
    returned: set[str] = set()
    start = time.monotonic()
    fork = hasattr(os, "fork") if fork is None else fork
    for i in range(kills):
        proc = Child(data_dir, SAVES_PER_CHILD, i, fork=fork)
        if rng.random() < 0.1:
            time.sleep(rng.uniform(0.0, 0.3))  # sometimes while it opens the database
        elif not proc.ready.wait(120):
            proc.kill()
            proc.wait()
            raise RuntimeError("child did not start: " + proc.stderr)
        else:
            time.sleep(rng.uniform(0.0, max_delay))
        was_ready = proc.ready.is_set()
        if proc.running():
            proc.kill()
            outcome.kills += 1
            outcome.killed_before_ready += not was_ready
        else:
            outcome.finished_children += 1
        code = proc.wait()
        if code not in (0, -signal.SIGKILL):
            raise RuntimeError(f"child failed ({code}): {proc.stderr[-2000:]}")
        lines = proc.lines
        codes = [c for c in lines if c != "done"]
        returned.update(codes)
        outcome.saves_returned += len(codes)
        check_database(data_dir, returned, outcome, f"kill {i + 1}")
        if chain_every and ((i + 1) % chain_every == 0 or i + 1 == kills):
            check_chain(data_dir, outcome)
        if log:
            log(f"kill {i + 1}/{kills}: {len(codes)} saves returned, {outcome.dossiers_stored} stored, "
                f"ok={outcome.ok}")
        if not outcome.ok:
            break
    outcome.seconds = time.monotonic() - start
    return outcome


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        print(__doc__)
        sys.exit(2)
