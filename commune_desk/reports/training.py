"""Training figures (FACTS.md section 7) from the training area's tables: officials trained,
periods per person in the year against the yearly minimum, courses by type and topic, and
how many desk staff have had one-stop training.

Periods follow ``domain.training.credited_periods`` (present or late earn the session's
periods, or the partial periods recorded; absent and excused earn nothing), written as SQL.
The year counts from 1 January to the period's last day. Guarded: an installation whose
database has no training tables yet gets ``Training(available=False)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import case, func, inspect, or_, select
from sqlalchemy.orm import Session

from commune_desk.domain.text import fold
from commune_desk.i18n import N_
from commune_desk.reports.model import Training

try:  # the training area's tables and labels (absent in an older build)
    from commune_desk.store.models.training import Attendance, Course, Enrolment, Staff, TrainingSession
except ImportError:  # pragma: no cover - depends on the build
    Attendance = Course = Enrolment = Staff = TrainingSession = None  # type: ignore[assignment,misc]

ONE_STOP_TOPICS = ("one_stop",)
# Words that mark a desk (one-stop) post in the staff registry (folded: no diacritics).
DESK_WORDS = ("mot cua", "tiep nhan", "phuc vu hanh chinh cong", "ttpvhcc", "bo phan mot cua")
EARNING = ("P", "L")


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    try:
        from commune_desk.services.training import KIND_LABELS, TOPIC_LABELS
    except ImportError:  # pragma: no cover
        return {}, {}
    return dict(KIND_LABELS), dict(TOPIC_LABELS)


def available(session: Session) -> bool:
    if Attendance is None:
        return False
    tables = set(inspect(session.connection()).get_table_names())
    return {"staff", "course", "training_session", "attendance", "enrolment"} <= tables


def _credited():
    a, s = Attendance.__table__, TrainingSession.__table__
    partial = case((a.c.periods_attended < 0, 0), (a.c.periods_attended > s.c.periods, s.c.periods),
                   else_=a.c.periods_attended)
    return case((a.c.status.in_(EARNING), case((a.c.periods_attended.is_(None), s.c.periods), else_=partial)),
                else_=0)


def _ordered(found: dict[str, list[int]], labels: dict[str, str]) -> list[str]:
    """The official order of the labels (the decree's list of course types), unknown keys last."""
    order = {key: i for i, key in enumerate(labels)}
    return sorted(found, key=lambda k: (order.get(k, len(order)), k))


def is_desk_post(*texts: str | None) -> bool:
    joined = " ".join(fold(t) for t in texts if t)
    return any(word in joined for word in DESK_WORDS)


def training_figures(session: Session, office_codes: Sequence[str] | None, until: date,
                     minimum: int) -> Training:
    if not available(session):
        return Training(available=False, year=until.year, minimum_periods=minimum,
                        notes=[N_("Chưa có dữ liệu bồi dưỡng (phần Bồi dưỡng chưa được dùng).")])
    year_start = date(until.year, 1, 1)
    st, a, s, c, e = (Staff.__table__, Attendance.__table__, TrainingSession.__table__, Course.__table__,
                      Enrolment.__table__)
    offices = [st.c.office_code.in_(list(office_codes))] if office_codes else []

    # periods earned per person this year (SQL), joined to the active staff registry
    earned_q = (select(a.c.staff_id, func.sum(_credited()).label("periods"))
                .select_from(a.join(s, s.c.id == a.c.session_id))
                .where(s.c.day >= year_start, s.c.day <= until).group_by(a.c.staff_id).subquery())
    active = or_(st.c.active.is_(True), st.c.left_on > until)   # still there at the period's end
    people_q = (select(st.c.id, st.c.full_name, st.c.position, st.c.unit, st.c.job_position,
                       func.coalesce(earned_q.c.periods, 0).label("periods"))
                .select_from(st.outerjoin(earned_q, earned_q.c.staff_id == st.c.id))
                .where(active, *offices).order_by(st.c.full_name))
    people = list(session.execute(people_q))

    # courses of the year: type, topics, participants
    course_offices = [c.c.office_code.in_(list(office_codes))] if office_codes else []
    participants = (select(e.c.course_id, func.count(func.distinct(e.c.staff_id)).label("n"))
                    .group_by(e.c.course_id).subquery())
    courses = list(session.execute(
        select(c.c.id, c.c.kind, c.c.topics, func.coalesce(participants.c.n, 0).label("n"))
        .select_from(c.outerjoin(participants, participants.c.course_id == c.c.id))
        .where(c.c.start_date <= until, c.c.end_date >= year_start, *course_offices)))
    kind_labels, topic_labels = _labels()
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in courses:
        by_kind[row.kind][0] += 1
        by_kind[row.kind][1] += int(row.n)
        for topic in row.topics or []:
            by_topic[topic][0] += 1
            by_topic[topic][1] += int(row.n)

    # desk staff who have had one-stop training (ever, up to the period's end)
    one_stop_courses = [row.id for row in session.execute(select(c.c.id, c.c.topics).where(c.c.start_date <= until))
                        if set(row.topics or []) & set(ONE_STOP_TOPICS)]
    one_stop_people: set = set()
    if one_stop_courses:
        one_stop_people = {sid for (sid,) in session.execute(
            select(a.c.staff_id).select_from(a.join(s, s.c.id == a.c.session_id))
            .where(s.c.course_id.in_(one_stop_courses), s.c.day <= until)
            .group_by(a.c.staff_id).having(func.sum(_credited()) > 0))}
    desk = [p for p in people if is_desk_post(p.position, p.unit, p.job_position)]

    return Training(
        available=True, year=until.year, minimum_periods=minimum,
        staff=len(people),
        trained=sum(1 for p in people if int(p.periods) > 0),
        meeting_minimum=sum(1 for p in people if int(p.periods) >= minimum),
        people=[(p.full_name, p.job_position or p.position or "", float(p.periods)) for p in people],
        by_type=[(kind_labels.get(k, k), *by_kind[k]) for k in _ordered(by_kind, kind_labels)],
        by_topic=[(topic_labels.get(k, k), *by_topic[k]) for k in _ordered(by_topic, topic_labels)],
        desk_staff=len(desk),
        desk_staff_one_stop=sum(1 for p in desk if p.id in one_stop_people),
    )
