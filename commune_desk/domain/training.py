"""Training rules (FACTS.md section 7): periods (tiết) per person per year and type, the
yearly minimum, the courses that would close a gap, and what makes a course or a session
valid. Pure Python: the services feed plain facts in and get plain answers back.

How attendance turns into periods (the office's choice, documented here once):

- present (P) and late (L) earn the session's periods. Being late does not cost periods
  unless the trainer records a partial attendance: then the periods actually attended
  count (never more than the session's periods).
- a partial attendance may also be recorded for someone present (left early).
- excused (E) and absent (A) earn nothing: an excused absence is not held against the
  person, but it is not training either, so it does not count toward the minimum.
- periods count in the calendar year of the session, so a course running from December
  to January splits its periods between the two years.

Validation functions return problem keys (``(field, key)``); the services turn them into
translated messages, so this module stays free of any project import but ``text``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from commune_desk.domain.text import normalize


class CourseKind(StrEnum):
    """Types of course of Decree 101/2017 (as amended), FACTS.md section 7."""

    GRADE = "grade_standard"          # theo tiêu chuẩn ngạch công chức
    LEADERSHIP = "leadership"         # theo tiêu chuẩn chức vụ lãnh đạo, quản lý
    JOB_POSITION = "job_position"     # theo yêu cầu vị trí việc làm
    UPDATE = "knowledge_update"       # cập nhật kiến thức, kỹ năng


class Mode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    MIXED = "mixed"


class CertificateKind(StrEnum):
    CERTIFICATE = "chung_chi"             # chứng chỉ: the standard programmes
    COMPLETION = "giay_chung_nhan"        # giấy chứng nhận: the others


class Status(StrEnum):
    """Attendance of one person at one session; the value is the key the trainer presses."""

    PRESENT = "P"
    ABSENT = "A"
    EXCUSED = "E"
    LATE = "L"


# Topic tags a course can carry (keys; labels live with the services).
TOPICS = ("one_stop", "desk_situations", "digital_services", "communication", "law_update",
          "records_archives", "other")


def default_certificate_kind(kind: CourseKind | str) -> CertificateKind:
    """Standard programmes give a chứng chỉ, the others a giấy chứng nhận (FACTS.md 7)."""
    if CourseKind(kind) in (CourseKind.GRADE, CourseKind.LEADERSHIP):
        return CertificateKind.CERTIFICATE
    return CertificateKind.COMPLETION


def credited_periods(status: Status | str | None, session_periods: int,
                     periods_attended: int | None = None) -> int:
    """Periods one attendance earns (see the module docstring for the rule)."""
    if status is None:
        return 0
    status = Status(status)
    if status in (Status.ABSENT, Status.EXCUSED):
        return 0
    if periods_attended is not None:
        return max(0, min(int(periods_attended), session_periods))
    return session_periods


@dataclass(frozen=True)
class AttendanceFact:
    """One attendance row with what the rules need to know about its session and course."""

    staff_id: uuid.UUID
    day: dt.date
    course_kind: str
    session_periods: int
    status: str | None
    periods_attended: int | None = None

    @property
    def credited(self) -> int:
        return credited_periods(self.status, self.session_periods, self.periods_attended)


@dataclass
class YearTotals:
    """One person's periods in one year, by course type."""

    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def totals_by_person_year(facts: Iterable[AttendanceFact]) -> dict[tuple[uuid.UUID, int], YearTotals]:
    """(staff id, year of the session) -> periods by course type."""
    out: dict[tuple[uuid.UUID, int], YearTotals] = defaultdict(YearTotals)
    for fact in facts:
        earned = fact.credited
        if earned <= 0:
            continue
        totals = out[(fact.staff_id, fact.day.year)]
        totals.by_kind[fact.course_kind] = totals.by_kind.get(fact.course_kind, 0) + earned
    return dict(out)


def totals_for_year(facts: Iterable[AttendanceFact], year: int) -> dict[uuid.UUID, YearTotals]:
    return {sid: t for (sid, y), t in totals_by_person_year(facts).items() if y == year}


@dataclass(frozen=True)
class CourseOffer:
    """A course that still has periods to give in the year being checked."""

    course_id: uuid.UUID
    code: str
    name: str
    start: dt.date
    end: dt.date
    remaining_periods: int
    enrolled: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class SessionPlan:
    day: dt.date
    periods: int


def remaining_periods(sessions: Iterable[SessionPlan], *, planned_periods: int, course_start: dt.date,
                      course_end: dt.date, year: int, today: dt.date) -> int:
    """Periods a course can still give in ``year`` from ``today`` on.

    The periods of the sessions of that year not yet held (today's count), plus the planned
    periods no session has been scheduled for yet, when the course ends in that year and
    is not over.
    """
    sessions = list(sessions)
    future = sum(s.periods for s in sessions if s.day.year == year and s.day >= today)
    unscheduled = max(0, planned_periods - sum(s.periods for s in sessions))
    if course_end.year != year or course_end < today or course_start.year > year:
        unscheduled = 0
    return future + unscheduled


@dataclass(frozen=True)
class Suggestion:
    courses: tuple[CourseOffer, ...]
    covered: int          # periods these courses would add
    closes_gap: bool


def suggest_courses(missing: int, offers: Iterable[CourseOffer], staff_id: uuid.UUID | None = None) -> Suggestion:
    """Courses that would close a gap of ``missing`` periods.

    The smallest single course that closes it is preferred (a course the person is already
    enrolled in wins a tie); when none is enough alone, the largest are taken one after the
    other until the gap is closed or the offers run out.
    """
    pool = [o for o in offers if o.remaining_periods > 0]
    if missing <= 0 or not pool:
        return Suggestion((), 0, missing <= 0)

    def enrolled_first(o: CourseOffer) -> int:
        return 0 if staff_id is not None and staff_id in o.enrolled else 1

    enough = [o for o in pool if o.remaining_periods >= missing]
    if enough:
        best = min(enough, key=lambda o: (o.remaining_periods, enrolled_first(o), o.start, o.code))
        return Suggestion((best,), best.remaining_periods, True)
    chosen: list[CourseOffer] = []
    covered = 0
    for offer in sorted(pool, key=lambda o: (-o.remaining_periods, enrolled_first(o), o.start, o.code)):
        chosen.append(offer)
        covered += offer.remaining_periods
        if covered >= missing:
            break
    chosen.sort(key=lambda o: (o.start, o.code))
    return Suggestion(tuple(chosen), covered, covered >= missing)


@dataclass(frozen=True)
class Shortfall:
    staff_id: uuid.UUID
    done: int
    minimum: int

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.done)


def shortfalls(staff_ids: Iterable[uuid.UUID], totals: dict[uuid.UUID, YearTotals], minimum: int) -> list[Shortfall]:
    """Everyone below ``minimum`` periods, the largest gap first."""
    out = []
    for sid in staff_ids:
        done = totals[sid].total if sid in totals else 0
        if done < minimum:
            out.append(Shortfall(sid, done, minimum))
    out.sort(key=lambda s: (-s.missing, str(s.staff_id)))
    return out


# -- validation ---------------------------------------------------------------------------

MAX_PERIODS_PER_SESSION = 12
MAX_COURSE_PERIODS = 2000


@dataclass
class CourseSpec:
    code: str
    name: str
    kind: str
    start: dt.date | None
    end: dt.date | None
    planned_periods: int
    mode: str = Mode.IN_PERSON.value
    topics: list[str] = field(default_factory=list)


def course_problems(spec: CourseSpec) -> list[tuple[str, str]]:
    """(field, problem key) for everything wrong with a course."""
    problems: list[tuple[str, str]] = []
    if not normalize(spec.code):
        problems.append(("code", "code_missing"))
    elif len(normalize(spec.code)) > 40:
        problems.append(("code", "code_long"))
    if not normalize(spec.name):
        problems.append(("name", "name_missing"))
    if spec.kind not in {k.value for k in CourseKind}:
        problems.append(("kind", "kind_unknown"))
    if spec.mode not in {m.value for m in Mode}:
        problems.append(("mode", "mode_unknown"))
    if any(t not in TOPICS for t in spec.topics):
        problems.append(("topics", "topic_unknown"))
    if spec.start is None:
        problems.append(("start", "start_missing"))
    if spec.end is None:
        problems.append(("end", "end_missing"))
    if spec.start and spec.end and spec.end < spec.start:
        problems.append(("end", "end_before_start"))
    if not 0 < spec.planned_periods <= MAX_COURSE_PERIODS:
        problems.append(("planned_periods", "periods_range"))
    return problems


@dataclass
class SessionSpec:
    day: dt.date | None
    start: dt.time | None
    end: dt.time | None
    periods: int


def session_problems(spec: SessionSpec, course_start: dt.date, course_end: dt.date) -> list[tuple[str, str]]:
    """(field, problem key): the day inside the course's dates, end after start, periods > 0."""
    problems: list[tuple[str, str]] = []
    if spec.day is None:
        problems.append(("day", "day_missing"))
    elif not course_start <= spec.day <= course_end:
        problems.append(("day", "day_outside_course"))
    if spec.start is None or spec.end is None:
        problems.append(("start", "time_missing"))
    elif spec.end <= spec.start:
        problems.append(("end", "end_not_after_start"))
    if not 0 < spec.periods <= MAX_PERIODS_PER_SESSION:
        problems.append(("periods", "session_periods_range"))
    return problems


def sessions_outside(days: Iterable[dt.date], start: dt.date, end: dt.date) -> list[dt.date]:
    """Sessions a change of a course's dates would leave outside them."""
    return sorted(d for d in days if not start <= d <= end)


def pass_from_score(score: float, pass_mark: float = 5.0) -> bool:
    return score >= pass_mark


def certificate_number(seq: int, year: int, kind: CertificateKind | str) -> str:
    """'007/2026/GCN' (giấy chứng nhận) or '007/2026/CC' (chứng chỉ): the office's yearly sequence."""
    suffix = "CC" if CertificateKind(kind) == CertificateKind.CERTIFICATE else "GCN"
    return f"{seq:03d}/{year}/{suffix}"


def title_from_id(id_number: str | None) -> str:
    """'Ông' / 'Bà' from the century-and-sex digit of a 12-digit number, else 'Ông/Bà'."""
    if id_number and len(id_number) == 12 and id_number.isdigit():
        return "Bà" if int(id_number[3]) % 2 else "Ông"
    return "Ông/Bà"
