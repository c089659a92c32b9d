"""Property tests: the fast calendar arithmetic agrees with counting day by day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from commune_desk.domain.calendar import DueRule, WorkCalendar, appointment

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
near_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
overrides = st.dictionaries(near_days, st.sampled_from(["off", "work"]), max_size=25)
counts = st.integers(min_value=0, max_value=60)


def brute_count(cal: WorkCalendar, a: date, b: date) -> int:
    return sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


@given(overrides, near_days, st.integers(min_value=0, max_value=400))
def test_working_days_between_matches_counting_day_by_day(table, a, span):
    cal = WorkCalendar(table)
    b = a + timedelta(days=span)
    assert cal.working_days_between(a, b) == brute_count(cal, a, b)
    assert cal.working_days_between(b, a) == -brute_count(cal, a, b)


@given(overrides, near_days, counts)
def test_add_working_days_lands_on_a_working_day_n_days_later(table, start, n):
    cal = WorkCalendar(table)
    due = cal.add_working_days(start, n)
    assert cal.is_working_day(due)
    first = cal.working_day_on_or_after(start)
    assert cal.working_days_between(first, due) == n
    assert cal.add_working_days(start, n + 1) > due


@given(overrides, days)
def test_next_working_day_skips_only_days_off(table, d):
    cal = WorkCalendar(table)
    nxt = cal.next_working_day(d)
    assert nxt > d and cal.is_working_day(nxt)
    assert all(not cal.is_working_day(d + timedelta(days=i)) for i in range(1, (nxt - d).days))


@given(overrides, near_days, near_days, near_days)
def test_counting_is_additive(table, a, b, c):
    a, b, c = sorted((a, b, c))
    cal = WorkCalendar(table)
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


@given(overrides)
def test_overrides_always_win(table):
    cal = WorkCalendar(table)
    for day, kind in table.items():
        assert cal.is_working_day(day) == (kind == "work")


received_times = st.builds(datetime.combine, near_days,
                           st.times(min_value=time(6, 0), max_value=time(21, 0)))
rules = st.one_of(
    st.builds(DueRule, st.just("working_days"), st.integers(0, 30), st.booleans()),
    st.builds(DueRule, st.just("calendar_days"), st.integers(0, 45), st.booleans()),
    st.builds(DueRule, st.just("same_day"), st.none(), st.booleans()),
)


@given(overrides, received_times, rules, st.booleans())
def test_appointment_is_after_receipt_on_a_working_day(table, received, rule, moves):
    cal = WorkCalendar(table)
    due = appointment(cal, received, rule, cutoff_moves_multi_day=moves)
    assert due > received
    assert cal.is_working_day(due.date())
    assert due.time() == time(17, 0)
    if rule.time_kind == "working_days":
        # never earlier than N working days, never more than one working day later than that
        counted = cal.working_days_between(cal.working_day_on_or_after(received.date()), due.date())
        assert rule.time_value <= counted <= rule.time_value + 1
    if rule.time_kind == "calendar_days":
        assert due.date() >= received.date() + timedelta(days=rule.time_value)


@given(overrides, received_times, st.integers(1, 20))
def test_later_receipt_never_gives_an_earlier_appointment(table, received, n):
    cal = WorkCalendar(table)
    rule = DueRule("working_days", n, False)
    later = received + timedelta(hours=5)
    assert appointment(cal, later, rule) >= appointment(cal, received, rule)
