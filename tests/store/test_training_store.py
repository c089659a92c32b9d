"""The training tables: the database itself refuses the same person twice in one session and
a certificate number used twice in one office; every change writes its change-log row; the
migration goes down and up again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from training_data import add_course, add_staff

from commune_desk.services import training as T
from commune_desk.store import migrate
from commune_desk.store.models import Attendance, Certificate, ChangeLog, Enrolment, Staff
from commune_desk.store.models import training as models

SYNCED = {"staff", "course", "training_session", "enrolment", "attendance", "assessment", "certificate"}


def test_every_training_table_travels_with_the_synced_columns():
    tables = {getattr(models, name).__tablename__ for name in models.__all__}
    assert tables == SYNCED
    for name in models.__all__:
        columns = set(getattr(models, name).__table__.columns.keys())
        assert {"id", "office_code", "created_at", "updated_at", "version"} <= columns


def test_same_person_twice_in_one_session_is_refused_by_the_database(trainer_ctx):
    person, = add_staff(trainer_ctx, 1)
    course, sessions = add_course(trainer_ctx, sessions=1)
    T.enrol(trainer_ctx, course.id, [person.id])
    T.set_attendance(trainer_ctx, sessions[0].id, person.id, "P")
    with pytest.raises(IntegrityError), trainer_ctx.db.write() as s:
        s.add(Attendance(session_id=sessions[0].id, staff_id=person.id, status="L"))
    with trainer_ctx.db.read() as s:
        assert s.scalar(select(func.count(Attendance.id))) == 1


def test_certificate_number_once_per_office_in_the_database(trainer_ctx):
    a, b = add_staff(trainer_ctx, 2)
    course, _ = add_course(trainer_ctx, sessions=1)
    with trainer_ctx.db.write() as s:
        s.add(Certificate(course_id=course.id, staff_id=a.id, kind="giay_chung_nhan", number="001/2026/GCN",
                          issued_on=dt.date(2026, 3, 7)))
    with pytest.raises(IntegrityError), trainer_ctx.db.write() as s:
        s.add(Certificate(course_id=course.id, staff_id=b.id, kind="giay_chung_nhan", number="001/2026/GCN",
                          issued_on=dt.date(2026, 3, 7)))
    # another office's certificate may carry the same number (the hub holds both)
    with trainer_ctx.db.write() as s:
        s.add(Certificate(course_id=course.id, staff_id=b.id, kind="giay_chung_nhan", number="001/2026/GCN",
                          issued_on=dt.date(2026, 3, 7), office_code="00920"))
    with trainer_ctx.db.read() as s:
        assert s.scalar(select(func.count(Certificate.id))) == 2


def test_one_enrolment_per_person_and_course(trainer_ctx):
    person, = add_staff(trainer_ctx, 1)
    course, _ = add_course(trainer_ctx, sessions=0)
    T.enrol(trainer_ctx, course.id, [person.id])
    with pytest.raises(IntegrityError), trainer_ctx.db.write() as s:
        s.add(Enrolment(course_id=course.id, staff_id=person.id))


def test_changes_are_logged_for_sync_and_stamped_with_the_office(trainer_ctx):
    person, = add_staff(trainer_ctx, 1)
    course, sessions = add_course(trainer_ctx, sessions=1)
    T.enrol(trainer_ctx, course.id, [person.id])
    T.set_attendance(trainer_ctx, sessions[0].id, person.id, "P")
    T.set_attendance(trainer_ctx, sessions[0].id, person.id, "L")
    with trainer_ctx.db.read() as s:
        entities = [e for (e,) in s.execute(select(ChangeLog.entity).order_by(ChangeLog.seq))]
        staff = s.scalar(select(Staff))
        mark = s.scalar(select(Attendance))
    assert {"staff", "course", "training_session", "enrolment", "attendance"} <= set(entities)
    assert entities.count("attendance") == 2
    assert staff.office_code == "00919" and mark.office_code == "00919"
    assert mark.version == 2


def test_training_migration_downgrades_and_upgrades(db):
    from alembic import command

    engine = db.engine
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with engine.connect() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("select name from sqlite_master where type='table'")}
    assert not tables & SYNCED
    migrate.upgrade(engine)
    with engine.connect() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("select name from sqlite_master where type='table'")}
    assert SYNCED <= tables
