"""Benchmark of the reports (run on demand, not by pytest):

    python tests/bench/bench_reports.py                      # SQLite, 1,000,000 dossiers
    python tests/bench/bench_reports.py --rows 200000        # a smaller run
    python tests/bench/bench_reports.py --pg postgresql+psycopg://postgres@127.0.0.1:54329/bench \
        --rows 5000000 --offices 100                         # a hub on PostgreSQL

Rows are generated with a fast raw load (sqlite3 executemany / PostgreSQL COPY) into a database
migrated by the application, with the secondary indexes dropped during the load and rebuilt
after it exactly as the migration defines them. Then the quarterly report is timed beside a
hand-written SQL query of the same totals, in the same run, and a table of figures is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text  # noqa: E402

from commune_desk.reports.build import Issuer, build_report, trend_of  # noqa: E402
from commune_desk.reports.periodic import grouped_counts, monthly_on_time  # noqa: E402
from commune_desk.reports.periods import parse_period  # noqa: E402
from commune_desk.services.context import Database  # noqa: E402
from commune_desk.services.office import SetupRequest, setup_office  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2027, 7, 1, tzinfo=UTC)          # the data runs up to "now" = 1 July 2027
AS_OF = END
FMT = "%Y-%m-%d %H:%M:%S.%f"
COLUMNS = ("id", "office_code", "created_at", "updated_at", "version", "code", "book_year", "book_number",
           "rules_set", "procedure_id", "procedure_code", "procedure_name", "field", "applicant_name",
           "applicant_folded", "documents", "sets_count", "channel", "fee_vnd", "result_delivery", "received_at",
           "due_at", "original_due_at", "status", "handler_name", "supplement_count", "supplement_requested_at",
           "supplement_paused_seconds", "extension_count", "result_ready_at", "returned_at", "finished_at",
           "outcome")
EVENT_COLUMNS = ("id", "office_code", "created_at", "updated_at", "version", "dossier_id", "kind", "at",
                 "from_status", "to_status", "data")
OFFICERS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")

# The hand-written baseline: the same totals, plain SQL, no GROUP BY, no index-friendly rewrite.
RAW_TOTALS = """
SELECT COUNT(*),
  SUM(CASE WHEN received_at >= :s AND channel = 'online' THEN 1 ELSE 0 END),
  SUM(CASE WHEN received_at >= :s AND channel NOT IN ('online', 'post') THEN 1 ELSE 0 END),
  SUM(CASE WHEN received_at >= :s AND channel = 'post' THEN 1 ELSE 0 END),
  SUM(CASE WHEN received_at < :s THEN 1 ELSE 0 END),
  SUM(CASE WHEN finished_at < :e AND status IN ('result_ready', 'returned') THEN 1 ELSE 0 END),
  SUM(CASE WHEN finished_at < :e AND status IN ('result_ready', 'returned') AND outcome = 'early' THEN 1 ELSE 0 END),
  SUM(CASE WHEN finished_at < :e AND status IN ('result_ready', 'returned') AND outcome = 'on_time' THEN 1 ELSE 0 END),
  SUM(CASE WHEN finished_at < :e AND status IN ('result_ready', 'returned') AND outcome = 'late' THEN 1 ELSE 0 END),
  SUM(CASE WHEN (finished_at IS NULL OR finished_at >= :e) AND NOT {waiting} THEN 1 ELSE 0 END),
  SUM(CASE WHEN (finished_at IS NULL OR finished_at >= :e) AND {waiting} THEN 1 ELSE 0 END),
  SUM(CASE WHEN finished_at < :e AND status NOT IN ('result_ready', 'returned') THEN 1 ELSE 0 END)
FROM dossier
WHERE received_at < :e AND (finished_at IS NULL OR finished_at >= :s) {offices}
"""
# waiting for the citizen at the end: more supplement requests than resubmissions before it
WAITING = """(supplement_requested_at IS NOT NULL AND
  (SELECT COUNT(*) FROM dossier_event v WHERE v.dossier_id = dossier.id AND v.kind = 'request_supplement' AND v.at < :e)
  > (SELECT COUNT(*) FROM dossier_event v WHERE v.dossier_id = dossier.id AND v.kind = 'receive_supplement'
     AND v.at < :e))"""


def ts(moment: datetime | None) -> str | None:
    """The text SQLAlchemy writes for a UTC datetime on SQLite (naive, microseconds)."""
    return None if moment is None else moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def generate(rng: random.Random, n: int, offices: list[str], procedures: list[tuple], first_id: int,
             start: datetime = START, end: datetime = END):
    """Yield ``n`` (dossier row in COLUMNS order, its events in EVENT_COLUMNS order) with a
    realistic mix of outcomes, received between ``start`` and ``end`` (the data's "now") in
    time order, as a desk inserts them (so rows received together sit together in the file).
    A dossier with supplements has its requests and resubmissions in ``dossier_event`` (the
    history the report reads for periods that ended before the resubmission); the other
    steps' events are not generated (the report never reads them)."""
    span = (end - start).total_seconds()
    for i in range(n):
        office = offices[i % len(offices)]
        proc_id, code, name, field, days = procedures[rng.randrange(len(procedures))]
        received = start + timedelta(seconds=(i + rng.random()) * span / n)
        due = received + timedelta(days=days or 1)
        original_due = due
        channel = rng.choices(("counter", "online", "post"), (70, 25, 5))[0]
        supplements = rng.choices((0, 1, 2), (90, 9, 1))[0]
        requested = None
        paused = 0
        roll = rng.random()
        took = timedelta(days=(days or 1) * rng.uniform(0.2, 1.3))
        steps = []
        if supplements:
            pause = timedelta(days=rng.uniform(1, 10))
            at = received + took * 0.3
            for _k in range(supplements):
                back = at + pause / supplements
                steps += [("request_supplement", at, None), ("receive_supplement", back, due)]
                requested, at = at, back + timedelta(hours=4)
            due = due + pause
            paused = int(pause.total_seconds())
        finished = received + took + timedelta(seconds=paused)
        status, outcome = "returned", None
        if roll < 0.04:
            status = rng.choice(("withdrawn", "refused", "stopped"))
            finished = received + took * 0.5
        if finished > end:
            finished = None
            status = "processing"
            if supplements and rng.random() < 0.5:
                status, steps = "supplement_requested", steps[:-1]     # the last one not back yet
        steps = [step for step in steps if step[1] <= (finished or end)]
        if steps and steps[-1][0] == "request_supplement":
            status = "supplement_requested" if finished is None else status
        if finished is not None:
            if supplements > 1 or finished > due:
                outcome = "late"
            elif finished.date() < due.date():
                outcome = "early"
            else:
                outcome = "on_time"
        number = first_id + i
        events = [(f"{(1 << 120) + 4 * number + k:032x}", office, ts(at), ts(at), 1, f"{number:032x}", kind, ts(at),
                   None, None, json.dumps({"old_due": old.isoformat()} if old else {}))
                  for k, (kind, at, old) in enumerate(steps)]
        yield events, (f"{number:032x}", office, ts(received), ts(finished or received), 1,
               f"B{office}-{number:09d}", received.year, number, "2025", proc_id, code, name, field,
               "Nguyễn Văn A", "nguyen van a", "[]", 1, channel, 0, "counter", ts(received), ts(due),
               ts(original_due), status, OFFICERS[number % len(OFFICERS)], supplements, ts(requested), paused, 0,
               ts(finished), ts(finished), ts(finished), outcome)


def fresh_postgres_database(url: str, name: str) -> str:
    """A new empty database ``name`` on the server of ``url`` (dropped first if it exists)."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


def make_database(folder: Path, url: str | None, offices: list[str]) -> Database:
    db = Database.open(folder, url)
    role = "hub" if len(offices) > 1 else "commune"
    setup_office(db, SetupRequest(role=role, office_code="08" if role == "hub" else offices[0],
                                  office_name="UBND tỉnh Tuyên Quang" if role == "hub" else "Xã Minh Tân",
                                  hub_name=None if role == "hub" else "UBND tỉnh Tuyên Quang",
                                  unit_id=None if role == "hub" else "000.00.19.H56"))
    return db


def procedures_of(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, code, name, field, time_value FROM procedure")).all()
    out = []
    for pid, code, name, field, days in rows:
        out.append((pid.hex if hasattr(pid, "hex") else pid, code, name, field, days or 1))
    return out


def load_sqlite(db: Database, n: int, offices: list[str], seed: int) -> float:
    path = db.engine.url.database
    procs = procedures_of(db)
    db.engine.dispose()
    con = sqlite3.connect(path)
    # a throwaway bulk load: no journal, no fsync, a big cache; the app's settings come back after
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-524288")
    con.execute("PRAGMA temp_store=MEMORY")
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type='index' "
                          "AND tbl_name IN ('dossier', 'dossier_event') AND sql IS NOT NULL").fetchall()
    t0 = time.perf_counter()
    for name, _sql in indexes:
        con.execute(f'DROP INDEX "{name}"')
    rng = random.Random(seed)
    sql = f"INSERT INTO dossier ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    event_sql = (f"INSERT INTO dossier_event ({', '.join(EVENT_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})")
    batch = 50_000
    rows = generate(rng, n, offices, procs, 1)
    while True:
        chunk = [row for _i, row in zip(range(batch), rows, strict=False)]
        if not chunk:
            break
        con.executemany(sql, [row for _events, row in chunk])
        con.executemany(event_sql, [event for events, _row in chunk for event in events])
    t1 = time.perf_counter()
    for _name, sql_text in indexes:
        con.execute(sql_text)
    con.commit()
    print(f"  rows {t1 - t0:.1f} s, indexes {time.perf_counter() - t1:.1f} s", flush=True)
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    return time.perf_counter() - t0


def load_postgres(db: Database, n: int, offices: list[str], seed: int) -> float:
    import psycopg

    procs = procedures_of(db)
    dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    db.engine.dispose()
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossier' "
                               "AND indexname NOT IN ('pk_dossier')").fetchall()
        constraints = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'dossier'::regclass "
            "AND contype = 'u'").fetchall()
        for name, _definition in constraints:
            conn.execute(f'ALTER TABLE dossier DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            if name not in {c for c, _d in constraints}:
                conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        rng = random.Random(seed)
        history = []
        with conn.cursor().copy(f"COPY dossier ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for events, row in generate(rng, n, offices, procs, 1):
                copy.write_row(row)
                history += events
        with conn.cursor().copy(f"COPY dossier_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for event in history:
                copy.write_row(event)
        conn.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in constraints:
            conn.execute(f'ALTER TABLE dossier ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            if name not in {c for c, _d in constraints}:
                conn.execute(definition)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE dossier")
    return time.perf_counter() - t0


def freshness_of_all(db: Database, offices: list[str]):
    from commune_desk.reports import offices as office_data

    with db.read() as s:
        known = office_data.known_communes(s, "08")
        return office_data.freshness(s, offices, known)


def clear_peers(db: Database) -> None:
    from commune_desk.store.models.sync import SyncPeer

    with db.write() as s:
        s.query(SyncPeer).delete()


def enrol_all(db: Database, offices: list[str]) -> None:
    """The hub's side of enrolment, as after each commune has sent bundles."""
    import uuid

    from commune_desk.store.models.sync import SyncPeer

    with db.write() as s:
        for i, code in enumerate(offices):
            s.add(SyncPeer(role="commune", office_code=code, office_name=f"Xã {code}", installation_id=uuid.uuid4(),
                           sign_public=b"k", box_public=b"k", fingerprint=f"{i:040d}",
                           last_bundle_at=END - timedelta(days=i % 9)))


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    """(first run, median and best of the following runs, result) in seconds. The best run
    is the least disturbed by other work on a shared machine."""
    times, result = [], None
    for _i in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    rest = times[1:] if len(times) > 1 else times
    return times[0], statistics.median(rest), min(rest), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--offices", type=int, default=1)
    parser.add_argument("--pg", default=None, help="PostgreSQL server URL (a hub; a fresh database is made on "
                                                   "it); default: SQLite in a temp folder")
    parser.add_argument("--period", default="2027-Q1")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the SQLite folder here")
    parser.add_argument("--without-index", default=None, metavar="NAME",
                        help="time without this index (dropped before, rebuilt after), e.g. "
                             "ix_dossier_finished_received, to measure what it brings")
    parser.add_argument("--reuse", action="store_true",
                        help="time the data a previous run loaded: PostgreSQL (same --rows/--offices) or the "
                             "SQLite folder given with --keep")
    args = parser.parse_args()

    offices = [f"{919 + k:05d}" for k in range(args.offices)]
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    engine_name = "PostgreSQL" if args.pg else "SQLite"
    name = f"bench_reports_{args.rows}_{args.offices}"
    if args.reuse and args.pg:
        from sqlalchemy.engine import make_url

        args.pg = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        load = float("nan")
    elif args.reuse and args.keep:
        folder, args.keep = args.keep, None
        load = float("nan")
    else:
        if args.pg:
            args.pg = fresh_postgres_database(args.pg, name)
        db = make_database(folder, args.pg, offices)
        print(f"loading {args.rows:,} dossiers from {len(offices)} office(s) into {engine_name} …", flush=True)
        load = (load_postgres if args.pg else load_sqlite)(db, args.rows, offices, args.seed)
        db.close()
    db = Database.open(folder, args.pg)
    dropped = None
    if args.without_index:
        with db.engine.begin() as conn:
            if args.pg:
                dropped = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                                       {"n": args.without_index}).scalar_one()
            else:
                dropped = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"),
                                       {"n": args.without_index}).scalar_one()
            conn.execute(text(f'DROP INDEX "{args.without_index}"'))
        print(f"timing without {args.without_index}", flush=True)
    results = []
    if len(offices) > 1:
        # a hub that has not recorded any bundle: each commune's date is its newest record
        clear_peers(db)
        results.append(("freshness without bundle records (newest updated_at of each commune)",
                        *timed(lambda: freshness_of_all(db, offices), args.repeat)))
        enrol_all(db, offices)
    period = parse_period(args.period)
    start, end = period.utc_bounds()
    issuer = (Issuer("hub", "08", "UBND tỉnh Tuyên Quang", "", "UBND TỈNH TUYÊN QUANG", "Tuyên Quang")
              if len(offices) > 1 else Issuer("commune", offices[0], "Xã Minh Tân", "UBND XÃ MINH TÂN",
                                              "TRUNG TÂM PHỤC VỤ\nHÀNH CHÍNH CÔNG", "Minh Tân"))
    office_filter = None if len(offices) == 1 else offices

    def table():
        with db.read() as s:
            return grouped_counts(s, start, end, AS_OF, office_filter)

    def whole():
        with db.read() as s:
            return build_report(s, issuer, period, as_of=AS_OF)

    def without_trend():
        with db.read() as s:
            return build_report(s, issuer, period, as_of=AS_OF, trend_months=0)

    def trend():
        with db.read() as s:
            return monthly_on_time(s, [m.utc_bounds() for m in trend_of(period)], AS_OF, office_filter)

    def one_commune():
        with db.read() as s:
            return build_report(s, issuer, period, requested=[offices[0]], as_of=AS_OF)

    raw_sql = RAW_TOTALS.format(offices="", waiting=WAITING)
    params = {"s": start.replace(tzinfo=None).strftime(FMT), "e": end.replace(tzinfo=None).strftime(FMT)}

    def raw():
        if args.pg:
            with db.engine.connect() as conn:
                return tuple(conn.execute(text(raw_sql), {"s": start.replace(tzinfo=None), "e": end.replace(tzinfo=None)}).one())
        con = sqlite3.connect(db.engine.url.database)
        try:
            return tuple(con.execute(raw_sql, params).fetchone())
        finally:
            con.close()

    results = [("hand-written SQL totals (baseline)", *timed(raw, args.repeat)), *results,
               ("report table (GROUP BY field, procedure)", *timed(table, args.repeat)),
               ("whole report (table, ratings, scores, training, trend)", *timed(whole, args.repeat)),
               ("  of which: report without the trend chart", *timed(without_trend, args.repeat)),
               (f"  of which: on-time rate of {len(trend_of(period))} months (trend chart)",
                *timed(trend, args.repeat))]
    if len(offices) > 1:
        results.append((f"whole report, one commune of {len(offices)}", *timed(one_commune, args.repeat)))
        results.append(("freshness from the hub's bundle records (sync_peer)",
                        *timed(lambda: freshness_of_all(db, offices), args.repeat)))

    # the two computations must agree
    report = next(r[4] for r in results if r[0].startswith("whole report ("))
    t = report.total
    mine = (t.received, t.new_online, t.new_counter, t.new_post, t.carried, t.resolved, t.early, t.on_time,
            t.late, t.open, t.waiting, t.withdrawn)
    baseline = tuple(int(x or 0) for x in results[0][4])
    agree = "yes" if mine == baseline else f"NO: {mine} vs {baseline}"

    load_text = "reused" if load != load else f"{load:,.1f} s"
    print()
    events = 0
    with db.engine.connect() as conn:
        events = conn.execute(text("SELECT COUNT(*) FROM dossier_event")).scalar_one()
    print(f"{engine_name}, {args.rows:,} dossiers ({events:,} supplement events), {len(offices)} office(s), period {period.code} "
          f"({period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}), {t.received:,} dossiers in the period")
    print(f"load (generate + insert + rebuild indexes): {load_text}")
    best_base = results[0][3]
    print(f"{'what':<66} {'first':>8} {'median':>8} {'best':>8} {'x baseline':>11}")
    for name, first, median, best, _result in results:
        print(f"{name:<66} {first:>7.3f}s {median:>7.3f}s {best:>7.3f}s {best / best_base:>10.2f}x")
    print(f"report totals equal the hand-written SQL: {agree}")
    if dropped:
        with db.engine.begin() as conn:
            conn.execute(text(dropped))
    db.close()
    if args.keep and not args.pg:
        shutil.copytree(folder, args.keep, dirs_exist_ok=True)
    if folder.name.startswith("bench-reports-"):      # never a folder given with --keep --reuse
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if agree == "yes" else 1


if __name__ == "__main__":
    sys.exit(main())
