"""Training periods per official and year, the yearly minimum (a setting: FACTS.md section 7
marks the 40 periods uncertain), who is below it with the courses that would close the gap,
and one official's history. The rules are in ``domain.training``."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commune_desk.domain import training as rules
from commune_desk.domain.calendar import local_today
from commune_desk.domain.roles import Perm
from commune_desk.services.context import Ctx
from commune_desk.services.training import StaffRow, load_staff, sort_name, staff_row
from commune_desk.store.models import (
    Assessment,
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Staff,
    TrainingSession,
)

MINIMUM_KEY = "training.yearly_minimum_periods"


@dataclass(frozen=True)
class HoursRow:
    staff_id: uuid.UUID
    full_name: str
    position: str | None
    unit: str | None
    by_kind: dict[str, int]
    total: int
    minimum: int

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.total)


@dataclass(frozen=True)
class OfferRow:
    course_id: uuid.UUID
    code: str
    name: str
    start: dt.date
    end: dt.date
    remaining_periods: int
    enrolled: bool


@dataclass(frozen=True)
class ShortfallRow:
    staff_id: uuid.UUID
    full_name: str
    position: str | None
    unit: str | None
    done: int
    minimum: int
    missing: int
    suggestions: tuple[OfferRow, ...]
    covered: int
    closes_gap: bool


@dataclass(frozen=True)
class HistoryLine:
    course_id: uuid.UUID
    code: str
    name: str
    kind: str
    start: dt.date
    end: dt.date
    periods_by_year: dict[int, int]
    scheduled: int
    score: float | None
    passed: bool | None
    certificate_kind: str | None
    certificate_number: str | None
    certificate_date: dt.date | None

    @property
    def earned(self) -> int:
        return sum(self.periods_by_year.values())


@dataclass(frozen=True)
class YearLine:
    year: int
    by_kind: dict[str, int]
    total: int
    minimum: int

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.total)


@dataclass(frozen=True)
class PersonHistory:
    staff: StaffRow
    courses: tuple[HistoryLine, ...]
    years: tuple[YearLine, ...]


def yearly_minimum(ctx: Ctx, s: Session | None = None) -> int:
    return int(ctx.db.setting(MINIMUM_KEY, s))


def _facts(s: Session, *, year: int | None = None, staff_id: uuid.UUID | None = None) -> list[rules.AttendanceFact]:
    query = (select(Attendance.staff_id, TrainingSession.day, Course.kind, TrainingSession.periods,
                    Attendance.status, Attendance.periods_attended)
             .join(TrainingSession, TrainingSession.id == Attendance.session_id)
             .join(Course, Course.id == TrainingSession.course_id))
    if year is not None:
        query = query.where(TrainingSession.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if staff_id is not None:
        query = query.where(Attendance.staff_id == staff_id)
    return [rules.AttendanceFact(*row) for row in s.execute(query)]


def hours_for_year(ctx: Ctx, year: int) -> list[HoursRow]:
    """Every active official (and anyone who left but trained that year): periods by type."""
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        minimum = yearly_minimum(ctx, s)
        totals = rules.totals_for_year(_facts(s, year=year), year)
        people = [p for p in s.scalars(select(Staff)) if p.active or p.id in totals]
        rows = [HoursRow(p.id, p.full_name, p.position, p.unit,
                         dict(totals[p.id].by_kind) if p.id in totals else {},
                         totals[p.id].total if p.id in totals else 0, minimum) for p in people]
    return sorted(rows, key=lambda r: sort_name(r.full_name))


def _offers(s: Session, year: int, today: dt.date) -> list[rules.CourseOffer]:
    courses = list(s.scalars(select(Course).where(Course.end_date >= today,
                                                  Course.start_date <= dt.date(year, 12, 31))))
    if not courses:
        return []
    ids = [c.id for c in courses]
    plans: dict[uuid.UUID, list[rules.SessionPlan]] = {}
    for cid, day, periods in s.execute(select(TrainingSession.course_id, TrainingSession.day, TrainingSession.periods)
                                       .where(TrainingSession.course_id.in_(ids))):
        plans.setdefault(cid, []).append(rules.SessionPlan(day, periods))
    enrolled: dict[uuid.UUID, set[uuid.UUID]] = {}
    for cid, sid in s.execute(select(Enrolment.course_id, Enrolment.staff_id).where(Enrolment.course_id.in_(ids))):
        enrolled.setdefault(cid, set()).add(sid)
    out = []
    for c in courses:
        left = rules.remaining_periods(plans.get(c.id, []), planned_periods=c.planned_periods,
                                       course_start=c.start_date, course_end=c.end_date, year=year,
                                       today=today)
        if left > 0:
            out.append(rules.CourseOffer(c.id, c.code, c.name, c.start_date, c.end_date, left,
                                         frozenset(enrolled.get(c.id, set()))))
    return out


def below_minimum(ctx: Ctx, year: int, today: dt.date | None = None) -> list[ShortfallRow]:
    """Active officials below the yearly minimum, the largest gap first, each with the
    upcoming or running courses that would close it."""
    ctx.require(Perm.TRAINING)
    today = today or local_today()
    with ctx.db.read() as s:
        minimum = yearly_minimum(ctx, s)
        totals = rules.totals_for_year(_facts(s, year=year), year)
        people = {p.id: p for p in s.scalars(select(Staff).where(Staff.active.is_(True)))}
        offers = _offers(s, year, today) if today.year <= year else []
    out = []
    for gap in rules.shortfalls(people, totals, minimum):
        p = people[gap.staff_id]
        pick = rules.suggest_courses(gap.missing, offers, p.id)
        suggestions = tuple(OfferRow(o.course_id, o.code, o.name, o.start, o.end, o.remaining_periods,
                                     p.id in o.enrolled) for o in pick.courses)
        out.append(ShortfallRow(p.id, p.full_name, p.position, p.unit, gap.done, minimum, gap.missing,
                                suggestions, pick.covered, pick.closes_gap))
    out.sort(key=lambda r: (-r.missing, sort_name(r.full_name)))
    return out


def person_history(ctx: Ctx, staff_id: uuid.UUID, today: dt.date | None = None) -> PersonHistory:
    """Every course an official took part in, with periods per year, result and certificate."""
    ctx.require(Perm.TRAINING)
    today = today or local_today()
    with ctx.db.read() as s:
        person = load_staff(s, staff_id)
        minimum = yearly_minimum(ctx, s)
        course_ids = set(s.scalars(select(Enrolment.course_id).where(Enrolment.staff_id == staff_id)))
        facts_by_course: dict[uuid.UUID, dict[int, int]] = {}
        rows = s.execute(select(TrainingSession.course_id, TrainingSession.day, TrainingSession.periods,
                                Attendance.status, Attendance.periods_attended)
                         .join(Attendance, Attendance.session_id == TrainingSession.id)
                         .where(Attendance.staff_id == staff_id))
        for cid, day, periods, status, partial in rows:
            course_ids.add(cid)
            by_year = facts_by_course.setdefault(cid, {})
            by_year[day.year] = by_year.get(day.year, 0) + rules.credited_periods(status, periods, partial)
        lines = []
        for c in s.scalars(select(Course).where(Course.id.in_(course_ids)).order_by(Course.start_date)):
            scheduled = sum(s.scalars(select(TrainingSession.periods).where(TrainingSession.course_id == c.id)))
            mark = s.scalar(select(Assessment).where(Assessment.course_id == c.id, Assessment.staff_id == staff_id))
            cert = s.scalar(select(Certificate).where(Certificate.course_id == c.id,
                                                      Certificate.staff_id == staff_id))
            lines.append(HistoryLine(c.id, c.code, c.name, c.kind, c.start_date, c.end_date,
                                     {y: n for y, n in sorted(facts_by_course.get(c.id, {}).items()) if n},
                                     scheduled, mark.score if mark else None, mark.passed if mark else None,
                                     cert.kind if cert else None, cert.number if cert else None,
                                     cert.issued_on if cert else None))
        totals = rules.totals_by_person_year(_facts(s, staff_id=staff_id))
        years = sorted({y for (_sid, y) in totals} | {today.year})
        year_lines = tuple(YearLine(y, dict(totals[(staff_id, y)].by_kind) if (staff_id, y) in totals else {},
                                    totals[(staff_id, y)].total if (staff_id, y) in totals else 0, minimum)
                           for y in years)
        return PersonHistory(staff_row(person), tuple(lines), year_lines)
