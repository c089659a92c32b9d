"""How fast the training log answers (run on demand: python tests/bench/bench_training.py).

- one attendance key press = one write transaction through the service, against a raw
  sqlite3 INSERT + COMMIT of one row on the same kind of file (synchronous=FULL, WAL);
- "Chưa đủ giờ" for a commune-sized registry and a big one, against a raw SQL sum;
- the XLSX import of the registry.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from training_data import person  # noqa: E402

from commune_desk.domain.roles import Role  # noqa: E402
from commune_desk.services import staff_io  # noqa: E402
from commune_desk.services import training as T  # noqa: E402
from commune_desk.services import training_hours as H  # noqa: E402
from commune_desk.services.context import Actor, Ctx, Database  # noqa: E402
from commune_desk.services.office import SetupRequest, setup_office  # noqa: E402


def timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def raw_commit_ms(folder: Path, n: int = 60) -> float:
    conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, session TEXT, staff TEXT, status TEXT)")
    times = []
    for i in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (session, staff, status) VALUES (?, ?, ?)", ("s", f"p{i}", "P"))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return statistics.median(times)


def setup(folder: Path, people: int, courses: int) -> Ctx:
    db = Database.open(folder)
    setup_office(db, SetupRequest(role="commune", office_code="00919", office_name="Xã Minh Tân"))
    ctx = Ctx(db, Actor(None, "bench", "Bench", Role.TRAINER))
    with db.write() as s:
        staff = [T.save_staff_in(s, person(i)) for i in range(people)]
        staff_ids = [p.id for p in staff]
    from commune_desk.store.models import Attendance, Enrolment

    for c in range(courses):
        start = dt.date(2026, 1, 5) + dt.timedelta(days=7 * c)
        course = T.save_course(ctx, T.CourseInput(f"BD-{c:03d}", f"Khóa {c}", "job_position", start,
                                                  start + dt.timedelta(days=2), 12))
        sessions = [T.save_session(ctx, course.id, T.SessionInput(start + dt.timedelta(days=k), dt.time(8),
                                                                   dt.time(11, 30), 4)) for k in range(3)]
        members = staff_ids[(c * 7) % people:][:40] or staff_ids[:40]
        with db.write() as s:
            for sid in members:
                s.add(Enrolment(course_id=course.id, staff_id=sid))
                for t in sessions:
                    s.add(Attendance(session_id=t.id, staff_id=sid, status="P"))
    return ctx


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw = raw_commit_ms(folder)
        ctx = setup(folder / "small", 30, 4)
        course = T.list_courses(ctx)[0]
        session = T.course_detail(ctx, course.id).sessions[0]
        people = [p.staff_id for p in T.course_detail(ctx, course.id).participants]
        keys = timed(lambda: None, 0)
        for i, sid in enumerate(people):
            keys += timed(lambda sid=sid, i=i: T.set_attendance(ctx, session.id, sid, "PALE"[i % 4]))
        key_ms = statistics.median(keys)
        rows.append(("attendance key press (service, 1 tx)", key_ms, raw, "raw sqlite3 INSERT+COMMIT"))
        ctx.db.close()

        for people_n, courses_n in ((30, 4), (1000, 60)):
            ctx = setup(folder / f"big{people_n}", people_n, courses_n)
            below = statistics.median(timed(lambda ctx=ctx: H.below_minimum(ctx, 2026, dt.date(2026, 1, 1)), 5))
            conn = sqlite3.connect(ctx.db.data_dir / "commune_desk.sqlite3")
            sql = ("SELECT a.staff_id, SUM(s.periods) FROM attendance a JOIN training_session s ON s.id = a.session_id "
                   "WHERE a.status IN ('P','L') AND s.day BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY a.staff_id")
            base = statistics.median(timed(lambda conn=conn, sql=sql: conn.execute(sql).fetchall(), 5))
            conn.close()
            rows.append((f"'Chưa đủ giờ' {people_n} people, {courses_n} courses", below, base, "raw SQL sum"))
            if people_n == 1000:
                path = folder / "staff.xlsx"
                export = timed(lambda ctx=ctx, path=path: staff_io.export_staff_xlsx(ctx, path))[0]
                again = timed(lambda ctx=ctx, path=path: staff_io.import_staff_xlsx(ctx, path))[0]
                rows.append(("XLSX export, 1000 officials", export, None, ""))
                rows.append(("XLSX import (all unchanged), 1000 officials", again, None, ""))
            ctx.db.close()
    print(f"{'measure':48} {'ms':>9} {'baseline ms':>12} {'ratio':>7}  baseline")
    for name, ms, base, what in rows:
        ratio = f"{ms / base:7.1f}" if base else "      -"
        print(f"{name:48} {ms:9.1f} {base if base is not None else float('nan'):12.2f} {ratio}  {what}")


if __name__ == "__main__":
    main()
