"""Calendar figures: appointment and working-day counts, against day-by-day baselines.

    python tests/bench/bench_calendar.py
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from commune_desk.domain.calendar import DueRule, WorkCalendar, appointment  # noqa: E402

OFFICE = {date(2026, 1, 2): "off", date(2026, 1, 10): "work", **{date(2026, 2, d): "off" for d in range(14, 23)}}


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    rng = random.Random(7)
    cal = WorkCalendar(OFFICE)
    starts = [date(2025, 1, 1) + timedelta(days=rng.randrange(1500)) for _ in range(10_000)]
    spans = [rng.randrange(1, 400) for _ in starts]
    received = [datetime.combine(d, datetime.min.time()) + timedelta(hours=rng.uniform(7, 18)) for d in starts]
    rules = [DueRule("working_days", rng.randrange(1, 25), False) for _ in starts]
    cal.working_days_between(date(2024, 12, 31), date(2029, 12, 31))  # warm the per-year tables

    def brute() -> None:
        for a, n in zip(starts, spans, strict=True):
            sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, n + 1))

    def fast() -> None:
        for a, n in zip(starts, spans, strict=True):
            cal.working_days_between(a, a + timedelta(days=n))

    def appointments() -> None:
        for r, rule in zip(received, rules, strict=True):
            appointment(cal, r, rule)

    rows = [("working_days_between, 10k spans of 1–400 days", timed(fast, 3), timed(brute, 1)),
            ("appointment(), 10k dossiers of 1–24 working days", timed(appointments, 3), None)]

    # the service: load_calendar cached vs rebuilt on each call
    from commune_desk.services import calendar as cal_service
    from commune_desk.services.context import Database
    from commune_desk.services.office import SetupRequest, setup_office

    folder = Path(tempfile.mkdtemp())
    db = Database.open(folder)
    setup_office(db, SetupRequest(role="commune", office_code="00919", office_name="Xã Minh Tân"))
    proc = DueRule("working_days", 3, False)
    now = datetime(2026, 2, 13, 8, 30, tzinfo=UTC)

    def cached() -> None:
        for _ in range(1000):
            cal_service.appointment_for(db, proc, now)

    def uncached() -> None:
        for _ in range(1000):
            cal_service.invalidate(db)
            cal_service.appointment_for(db, proc, now)

    rows.append(("appointment_for(db), 1k calls, calendar cached", timed(cached, 3), timed(uncached, 3)))
    db.close()
    shutil.rmtree(folder, ignore_errors=True)

    print(f"{'what':52} {'ours (s)':>10} {'baseline (s)':>13} {'ratio':>7}")
    for what, ours, base in rows:
        ratio = f"{base / ours:6.1f}x" if base else "     —"
        base_text = f"{base:13.3f}" if base else f"{'—':>13}"
        print(f"{what:52} {ours:10.3f} {base_text} {ratio}")
    print("baselines: counting day by day with is_working_day; rebuilding the calendar on every call")


if __name__ == "__main__":
    main()
