"""Demo data that a clerk would believe: valid ID numbers, unique codes, book numbers that
run through the year, statuses and histories that follow the lifecycle, overdue ones."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from commune_desk.domain import codes
from commune_desk.domain.applicant import phone_problem
from commune_desk.domain.calendar import to_local
from commune_desk.domain.idnumber import check_id_number
from commune_desk.domain.lifecycle import CLOCK_RUNNING, Status
from commune_desk.domain.text import fold
from commune_desk.errors import KnownError, ValidationError
from commune_desk.services import demo
from commune_desk.services.calendar import load_calendar
from commune_desk.services.context import Actor, Ctx, Database
from commune_desk.store import search_index
from commune_desk.store.models import ChangeLog, Dossier, DossierEvent, SequenceCounter, User

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, commune_template):
    import shutil

    from commune_desk.paths import DB_FILENAME

    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(commune_template, folder / DB_FILENAME)
    db = Database.open(folder)
    summary = demo.fill_demo(Ctx(db, Actor.system()), dossiers=1500, staff=2, seed=11, now=NOW)
    yield db, summary
    db.close()


def dossiers(db) -> list[Dossier]:
    with db.read() as s:
        rows = s.scalars(select(Dossier)).all()
        for r in rows:
            s.expunge(r)
        return rows


def test_summary_counts_what_was_written(demo_db):
    db, summary = demo_db
    with db.read() as s:
        assert s.scalar(select(func.count(Dossier.id))) == summary.dossiers == 1500
        events = s.scalar(select(func.count(DossierEvent.id)))
        assert events == summary.events and events > 3 * 1500
        logged = s.scalar(select(func.count(ChangeLog.seq)).where(ChangeLog.entity.in_(("dossier", "dossier_event"))))
        assert logged == summary.change_rows == summary.dossiers + summary.events
        assert s.scalar(select(func.count(User.id)).where(User.username.in_(("canbo1", "canbo2")))) == 2
    assert summary.staff_created == 2 and summary.rows_per_second > 0


def test_applicants_look_real_and_their_numbers_validate(demo_db):
    rows = dossiers(demo_db[0])
    for d in rows:
        assert d.applicant_folded == fold(d.applicant_name)
        assert len(d.applicant_name.split()) >= 3
        assert d.applicant_id_number and check_id_number(d.applicant_id_number, d.applicant_dob).ok, d.applicant_id_number
        assert d.applicant_phone is None or phone_problem(d.applicant_phone) is None
        assert "Xã Minh Tân" in d.applicant_address
        assert 17 <= (to_local(d.received_at).date() - d.applicant_dob).days / 365.25 <= 86
    families = Counter(d.applicant_name.split()[0] for d in rows)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert len(families) > 12
    assert sum(1 for d in rows if d.applicant_name != fold(d.applicant_name)) == len(rows)  # diacritics everywhere


def test_codes_are_unique_and_follow_the_receipt_date(demo_db):
    rows = dossiers(demo_db[0])
    assert len({d.code for d in rows}) == len(rows)
    for d in rows:
        unit, day, _seq = codes.parse_code(d.code)
        assert unit == "000.00.19.H56"
        assert day == to_local(d.received_at).date()


def test_book_numbers_run_through_each_year_and_counters_continue(demo_db):
    db, _summary = demo_db
    rows = dossiers(db)
    by_year: dict[int, list[int]] = {}
    for d in sorted(rows, key=lambda d: d.received_at):
        by_year.setdefault(d.book_year, []).append(d.book_number)
    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))
    with db.read() as s:
        counters = {c.name: c.value for c in s.scalars(select(SequenceCounter))}
    for year, numbers in by_year.items():
        assert counters[f"book:{year}"] == len(numbers)
    per_day = Counter(codes.day_key(to_local(d.received_at).date()) for d in rows)
    for key, n in per_day.items():
        assert counters[f"dossier:{key}"] == n


def test_dates_are_working_days_within_three_years_and_appointments_follow_the_calendar(demo_db):
    db, _summary = demo_db
    cal = load_calendar(db)
    for d in dossiers(db):
        local = to_local(d.received_at)
        assert cal.is_working_day(local.date())
        assert dt.time(7, 30) <= local.time() <= dt.time(17, 0)
        assert NOW - dt.timedelta(days=3 * 366) <= d.received_at < NOW
        assert d.original_due_at is not None and d.original_due_at > d.received_at
        assert cal.is_working_day(to_local(d.original_due_at).date())


def test_statuses_are_a_realistic_mix_with_overdue_ones(demo_db):
    db, summary = demo_db
    rows = dossiers(db)
    statuses = Counter(d.status for d in rows)
    assert statuses["returned"] / len(rows) > 0.8
    assert {"refused", "withdrawn", "stopped", "result_ready", "processing"} <= set(statuses)
    assert set(statuses) <= {s.value for s in Status}
    running = {s.value for s in CLOCK_RUNNING}
    overdue = [d for d in rows if d.status in running and d.due_at < NOW]
    assert overdue and len(overdue) == summary.overdue
    assert all(d.finished_at is not None and d.outcome for d in rows if d.status in ("returned", "refused"))


def test_each_history_follows_the_lifecycle(demo_db):
    db, _summary = demo_db
    with db.read() as s:
        events = s.execute(select(DossierEvent.dossier_id, DossierEvent.kind, DossierEvent.at,
                                  DossierEvent.from_status, DossierEvent.to_status)
                           .order_by(DossierEvent.dossier_id, DossierEvent.at, DossierEvent.id)).all()
        status_of = dict(s.execute(select(Dossier.id, Dossier.status)).all())
    chains: dict = {}
    for e in events:
        chains.setdefault(e.dossier_id, []).append(e)
    assert set(chains) == set(status_of)
    for dossier_id, chain in chains.items():
        assert chain[0].kind == "received" and chain[0].to_status == "received"
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status, (dossier_id, before.kind, after.kind)
            assert after.at >= before.at
        assert chain[-1].to_status == status_of[dossier_id]
        assert all(e.at <= NOW for e in chain)


def test_the_search_index_covers_every_demo_dossier(demo_db):
    db, _summary = demo_db
    with db.engine.connect() as conn:
        assert search_index.status(conn) == (1500, 1500)
        assert search_index.total(conn) == 1500
        triggers = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert set(search_index.TRIGGERS) <= triggers


def test_same_seed_gives_the_same_people(commune_dir, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(commune_dir, other)
    names = []
    for folder in (commune_dir, other):
        db = Database.open(folder)
        demo.fill_demo(Ctx(db, Actor.system()), dossiers=30, staff=0, seed=5, now=NOW)
        with db.read() as s:
            names.append(s.scalars(select(Dossier.applicant_name).order_by(Dossier.code)).all())
        db.close()
    assert names[0] == names[1] and len(names[0]) == 30


def test_a_second_run_adds_without_clashing(db):
    ctx = Ctx(db, Actor.system())
    demo.fill_demo(ctx, dossiers=200, staff=0, seed=1, now=NOW)
    demo.fill_demo(ctx, dossiers=200, staff=0, seed=2, now=NOW)
    rows = dossiers(db)
    assert len(rows) == 400 and len({d.code for d in rows}) == 400
    assert len({(d.book_year, d.book_number) for d in rows}) == 400


def test_bad_requests_are_refused_and_write_nothing(db, hub_db, clerk_ctx):
    with pytest.raises(ValidationError, match="Số hồ sơ mẫu"):
        demo.fill_demo(Ctx(db, Actor.system()), dossiers=-5)
    with pytest.raises(KnownError, match="cấp xã"):
        demo.fill_demo(Ctx(hub_db, Actor.system()), dossiers=10)
    from commune_desk.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        demo.fill_demo(clerk_ctx, dossiers=10)
    with db.read() as s:
        assert s.scalar(select(func.count(Dossier.id))) == 0


def test_an_empty_folder_gets_the_demo_commune(data_dir):
    db = Database.open(data_dir)
    try:
        assert demo.ensure_demo_office(db) is True
        assert db.office.office_code == "00919" and db.office.unit_id == "000.00.19.H56"
        assert demo.ensure_demo_office(db) is False
    finally:
        db.close()
