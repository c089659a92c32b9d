"""The training log (FACTS.md section 7): the commune's officials, courses and their
sessions, who takes part, attendance, results and certificates. Every table here travels
to the upper level (Sở Nội vụ keeps the training records), so each carries ``Synced``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commune_desk.store.base import Base, Synced

__all__ = ["Assessment", "Attendance", "Certificate", "Course", "Enrolment", "Staff", "TrainingSession"]


class Staff(Synced, Base):
    """An official of the commune (cán bộ, công chức). ``active`` is False once they left."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("office_code", "id_number", name="uq_staff_office_id_number"),)

    full_name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    id_number: Mapped[str | None] = mapped_column(String(12))
    dob: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[str | None] = mapped_column(String(200))       # chức vụ
    unit: Mapped[str | None] = mapped_column(String(200))           # đơn vị, bộ phận
    job_position: Mapped[str | None] = mapped_column(String(200))   # vị trí việc làm
    grade: Mapped[str | None] = mapped_column(String(200))          # ngạch công chức
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class Course(Synced, Base):
    """A training course (khóa bồi dưỡng). ``kind`` and ``mode`` hold domain.training keys;
    ``topics`` a list of topic keys."""

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("office_code", "code", name="uq_course_office_code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(500))
    name_folded: Mapped[str] = mapped_column(String(500), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    topics: Mapped[list] = mapped_column(default=list)
    organiser: Mapped[str | None] = mapped_column(String(300))
    trainers: Mapped[str | None] = mapped_column(String(500))
    mode: Mapped[str] = mapped_column(String(16), default="in_person")
    location: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date)
    planned_periods: Mapped[int] = mapped_column(Integer)
    funding_source: Mapped[str | None] = mapped_column(String(200))
    funding_vnd: Mapped[int | None] = mapped_column(Integer)
    certificate_kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)


class TrainingSession(Synced, Base):
    """One session (buổi học) of a course."""

    __tablename__ = "training_session"

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)
    periods: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str | None] = mapped_column(String(500))
    trainer: Mapped[str | None] = mapped_column(String(200))


class Enrolment(Synced, Base):
    """A participant of a course. ``walk_in``: added on the spot at a session."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("course_id", "staff_id", name="uq_enrolment_course_staff"),)

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)


class Attendance(Synced, Base):
    """One person at one session: ``status`` is P, A, E or L (domain.training.Status);
    ``periods_attended`` is set only for a partial attendance."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "staff_id", name="uq_attendance_session_staff"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_session.id"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(1))
    periods_attended: Mapped[int | None] = mapped_column(Integer)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(300))


class Assessment(Synced, Base):
    """A participant's result in a course: a score (0–10), pass/fail, or both."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("course_id", "staff_id", name="uq_assessment_course_staff"),)

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))


class Certificate(Synced, Base):
    """A chứng chỉ or giấy chứng nhận issued to a participant. Its number is unique in the office."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("office_code", "number", name="uq_certificate_office_number"),
        UniqueConstraint("course_id", "staff_id", name="uq_certificate_course_staff"),
    )

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[dt.date] = mapped_column(Date)
