"""Training rules: periods per person and year, excused absences, partial attendance, the
yearly minimum and the courses that would close a gap, course and session validation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from commune_desk.domain import training as rules
from commune_desk.domain.training import AttendanceFact, CourseOffer, SessionPlan, Status

AN, BINH = uuid.uuid4(), uuid.uuid4()
JOB, UPDATE = rules.CourseKind.JOB_POSITION.value, rules.CourseKind.UPDATE.value


def fact(who, day, status, periods=4, partial=None, kind=JOB):
    return AttendanceFact(who, day, kind, periods, status, partial)


@pytest.mark.parametrize(("status", "partial", "expected"), [
    ("P", None, 4), ("L", None, 4),          # late counts in full
    ("L", 2, 2), ("P", 3, 3),                # partial attendance: the periods attended
    ("L", 9, 4),                             # never more than the session gives
    ("E", None, 0), ("A", None, 0),          # an excused absence is not training
    ("E", 3, 0),                             # a stray partial on an absence earns nothing
    (None, None, 0),
])
def test_credited_periods(status, partial, expected):
    assert rules.credited_periods(status, 4, partial) == expected


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        rules.credited_periods("X", 4)


def test_periods_count_in_the_year_of_the_session():
    # a course from December 2025 to January 2026: its periods split between the two years
    facts = [fact(AN, dt.date(2025, 12, 29), "P"), fact(AN, dt.date(2025, 12, 30), "L"),
             fact(AN, dt.date(2026, 1, 5), "P", periods=6)]
    totals = rules.totals_by_person_year(facts)
    assert totals[(AN, 2025)].total == 8
    assert totals[(AN, 2026)].total == 6
    assert rules.totals_for_year(facts, 2026)[AN].by_kind == {JOB: 6}


def test_totals_by_type_with_excused_and_partial():
    facts = [fact(AN, dt.date(2026, 3, 2), "P"), fact(AN, dt.date(2026, 3, 3), "E"),
             fact(AN, dt.date(2026, 3, 4), "L", partial=1),
             fact(AN, dt.date(2026, 5, 4), "P", periods=8, kind=UPDATE),
             fact(BINH, dt.date(2026, 3, 2), "A")]
    totals = rules.totals_for_year(facts, 2026)
    assert totals[AN].by_kind == {JOB: 5, UPDATE: 8}
    assert totals[AN].total == 13
    assert BINH not in totals  # nothing earned: no row, counted as 0 below


def test_shortfalls_largest_gap_first_and_nobody_at_the_minimum():
    totals = rules.totals_for_year([fact(AN, dt.date(2026, 1, 5), "P", periods=12)] * 3, 2026)  # 36
    carl = uuid.uuid4()
    done = rules.totals_for_year([fact(carl, dt.date(2026, 1, 5), "P", periods=10)] * 4, 2026)  # 40
    totals.update(done)
    gaps = rules.shortfalls([AN, BINH, carl], totals, 40)
    assert [(g.staff_id, g.done, g.missing) for g in gaps] == [(BINH, 0, 40), (AN, 36, 4)]
    assert rules.shortfalls([AN], totals, 30) == []  # the minimum is a setting


def offer(code, periods, start=dt.date(2026, 6, 1), enrolled=()):
    return CourseOffer(uuid.uuid4(), code, code, start, start + dt.timedelta(days=4), periods, frozenset(enrolled))


def test_smallest_single_course_that_closes_the_gap():
    pick = rules.suggest_courses(6, [offer("A", 40), offer("B", 8), offer("C", 4)])
    assert [o.code for o in pick.courses] == ["B"]
    assert pick.closes_gap and pick.covered == 8


def test_an_enrolled_course_wins_a_tie():
    pick = rules.suggest_courses(6, [offer("A", 8), offer("B", 8, enrolled=[AN])], AN)
    assert [o.code for o in pick.courses] == ["B"]


def test_several_courses_when_none_is_enough_alone():
    pick = rules.suggest_courses(20, [offer("A", 8, dt.date(2026, 9, 1)), offer("B", 12), offer("C", 4)])
    assert [o.code for o in pick.courses] == ["B", "A"]  # in date order
    assert pick.closes_gap and pick.covered == 20


def test_gap_that_cannot_be_closed_says_so():
    pick = rules.suggest_courses(30, [offer("A", 8), offer("B", 4)])
    assert not pick.closes_gap and pick.covered == 12
    assert rules.suggest_courses(30, []) == rules.Suggestion((), 0, False)
    assert rules.suggest_courses(0, [offer("A", 8)]).closes_gap


def test_remaining_periods_of_a_course():
    sessions = [SessionPlan(dt.date(2026, 3, 2), 4), SessionPlan(dt.date(2026, 3, 3), 4),
                SessionPlan(dt.date(2026, 3, 4), 4)]
    kw = dict(planned_periods=20, course_start=dt.date(2026, 3, 2), course_end=dt.date(2026, 3, 10), year=2026)
    # today's session still counts; 8 planned periods have no session yet
    assert rules.remaining_periods(sessions, today=dt.date(2026, 3, 3), **kw) == 4 + 4 + 8
    assert rules.remaining_periods(sessions, today=dt.date(2026, 3, 11), **kw) == 0
    assert rules.remaining_periods([], today=dt.date(2026, 1, 1), **kw) == 20
    # a course ending next year gives only this year's sessions to this year
    across = dict(kw, course_end=dt.date(2027, 1, 20))
    assert rules.remaining_periods(sessions + [SessionPlan(dt.date(2027, 1, 5), 6)], today=dt.date(2026, 3, 1),
                                   **across) == 12


def test_course_validation():
    good = rules.CourseSpec("BD-01", "Kỹ năng một cửa", JOB, dt.date(2026, 3, 2), dt.date(2026, 3, 6), 24)
    assert rules.course_problems(good) == []
    bad = rules.CourseSpec(" ", "", "nope", dt.date(2026, 3, 6), dt.date(2026, 3, 2), 0, mode="tv",
                           topics=["astrology"])
    keys = dict(rules.course_problems(bad))
    assert keys == {"code": "code_missing", "name": "name_missing", "kind": "kind_unknown", "mode": "mode_unknown",
                    "topics": "topic_unknown", "end": "end_before_start", "planned_periods": "periods_range"}


@pytest.mark.parametrize(("day", "start", "end", "periods", "problem"), [
    (dt.date(2026, 3, 1), dt.time(7, 30), dt.time(11), 4, ("day", "day_outside_course")),
    (dt.date(2026, 3, 7), dt.time(7, 30), dt.time(11), 4, ("day", "day_outside_course")),
    (dt.date(2026, 3, 3), dt.time(11), dt.time(7, 30), 4, ("end", "end_not_after_start")),
    (dt.date(2026, 3, 3), dt.time(11), dt.time(11), 4, ("end", "end_not_after_start")),
    (dt.date(2026, 3, 3), dt.time(7, 30), dt.time(11), 0, ("periods", "session_periods_range")),
    (None, dt.time(7, 30), dt.time(11), 4, ("day", "day_missing")),
])
def test_session_validation(day, start, end, periods, problem):
    spec = rules.SessionSpec(day, start, end, periods)
    assert rules.session_problems(spec, dt.date(2026, 3, 2), dt.date(2026, 3, 6)) == [problem]


def test_session_on_first_and_last_day_is_fine():
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 6)):
        spec = rules.SessionSpec(day, dt.time(13, 30), dt.time(17), 4)
        assert rules.session_problems(spec, dt.date(2026, 3, 2), dt.date(2026, 3, 6)) == []


def test_certificate_kind_number_and_title():
    assert rules.default_certificate_kind(rules.CourseKind.GRADE) == rules.CertificateKind.CERTIFICATE
    assert rules.default_certificate_kind(UPDATE) == rules.CertificateKind.COMPLETION
    assert rules.certificate_number(7, 2026, "giay_chung_nhan") == "007/2026/GCN"
    assert rules.certificate_number(12, 2026, "chung_chi") == "012/2026/CC"
    assert rules.title_from_id("001192001234") == "Bà"
    assert rules.title_from_id("001092001234") == "Ông"
    assert rules.title_from_id("123456789") == "Ông/Bà"
    assert Status("L") is Status.LATE
