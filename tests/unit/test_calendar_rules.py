"""Explicit cases of the working-day calendar around Vietnam's real holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from commune_desk.domain.calendar import DueRule, WorkCalendar, appointment, parse_hhmm, to_local, to_utc

# The office table shipped for 2026 (resources/calendar/2026.csv), as the desk sees it after setup.
OFFICE_2026 = {date(2026, 1, 2): "off", date(2026, 1, 10): "work",
               **{date(2026, 2, d): "off" for d in range(14, 23)}}

WORKING_3 = DueRule("working_days", 3, False)
SAME_DAY_15H = DueRule("same_day", None, True)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(OFFICE_2026)


def test_tet_2026_is_nine_days_off(cal):
    for day in range(14, 23):
        assert not cal.is_working_day(date(2026, 2, day)), day
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))


def test_tet_2026_legal_days_known_without_the_office_table():
    legal = WorkCalendar()
    assert [d for d in range(16, 21) if legal.is_working_day(date(2026, 2, d))] == []


def test_new_year_2026_swap_and_make_up_saturday(cal):
    assert not cal.is_working_day(date(2026, 1, 1))
    assert not cal.is_working_day(date(2026, 1, 2))     # swapped day off (Friday)
    assert cal.is_working_day(date(2026, 1, 5))
    assert cal.is_working_day(date(2026, 1, 10))        # make-up Saturday
    assert not cal.is_working_day(date(2026, 1, 11))    # the Sunday after stays off
    # the library alone does not know the swap: the office table is what makes it right
    legal = WorkCalendar()
    assert legal.is_working_day(date(2026, 1, 2)) and not legal.is_working_day(date(2026, 1, 10))


def test_make_up_saturday_counts_as_a_working_day(cal):
    # received Friday 9 Jan 2026: 1 working day later is the make-up Saturday 10 Jan
    assert cal.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert cal.next_working_day(date(2026, 1, 1)) == date(2026, 1, 5)


def test_tet_2027():
    cal = WorkCalendar()
    for day in range(4, 11):     # 29 Tết (Thu 4 Feb) to mùng 5 (Wed 10 Feb 2027)
        assert not cal.is_working_day(date(2027, 2, day)), day
    assert cal.is_working_day(date(2027, 2, 3)) and cal.is_working_day(date(2027, 2, 11))
    assert cal.add_working_days(date(2027, 2, 3), 3) == date(2027, 2, 15)


def test_30_april_1_may(cal):
    assert not cal.is_working_day(date(2026, 4, 30)) and not cal.is_working_day(date(2026, 5, 1))
    assert cal.add_working_days(date(2026, 4, 29), 3) == date(2026, 5, 6)
    # 2027: 1 May is a Saturday, the Monday after is off in its place (Labour Code art. 111.3)
    assert not WorkCalendar().is_working_day(date(2027, 5, 3))


def test_national_day(cal):
    assert not cal.is_working_day(date(2026, 9, 2)) and not cal.is_working_day(date(2026, 9, 1))
    two_days_2027 = [date(2027, 9, 2), date(2027, 9, 3)]
    assert not any(WorkCalendar().is_working_day(d) for d in two_days_2027)


def test_three_working_days_from_monday_is_thursday(cal):
    assert cal.add_working_days(date(2026, 3, 9), 3) == date(2026, 3, 12)
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 12)) == 3


def test_receipt_on_a_day_off_counts_from_the_next_working_day(cal):
    # Saturday 7 March 2026 counts as Monday 9 March: 3 working days later is Thursday 12
    assert cal.add_working_days(date(2026, 3, 7), 3) == date(2026, 3, 12)
    due = appointment(cal, datetime(2026, 3, 7, 9, 0), WORKING_3)
    assert due == datetime(2026, 3, 12, 17, 0)


def test_friday_before_tet_after_the_cut_off_three_working_days(cal):
    received = datetime(2026, 2, 13, 15, 30)
    assert appointment(cal, received, WORKING_3) == datetime(2026, 2, 25, 17, 0)   # 23, 24, 25
    # the office may choose to count late receipts from the next working day
    assert appointment(cal, received, WORKING_3, cutoff_moves_multi_day=True) == datetime(2026, 2, 26, 17, 0)


def test_same_day_procedure_after_the_cut_off_is_due_the_next_working_day(cal):
    assert appointment(cal, datetime(2026, 2, 13, 15, 30), SAME_DAY_15H) == datetime(2026, 2, 23, 17, 0)
    assert appointment(cal, datetime(2026, 2, 13, 14, 59), SAME_DAY_15H) == datetime(2026, 2, 13, 17, 0)
    # without the 15:00 rule the same-day work is still due the same day
    no_rule = DueRule("same_day", None, False)
    assert appointment(cal, datetime(2026, 2, 13, 15, 30), no_rule) == datetime(2026, 2, 13, 17, 0)
    # a later cut-off hour is the office's setting
    assert appointment(cal, datetime(2026, 2, 13, 15, 30), SAME_DAY_15H,
                       cutoff=time(16, 0)) == datetime(2026, 2, 13, 17, 0)


def test_received_after_the_printed_hour_never_gets_an_appointment_in_the_past(cal):
    no_rule = DueRule("same_day", None, False)
    assert appointment(cal, datetime(2026, 3, 9, 17, 30), no_rule) == datetime(2026, 3, 10, 17, 0)


def test_calendar_days_move_to_the_next_working_day(cal):
    # Monday 2 Feb 2026 + 15 days = Tuesday 17 Feb (Tết) -> Monday 23 Feb
    rule = DueRule("calendar_days", 15, False)
    assert appointment(cal, datetime(2026, 2, 2, 8, 0), rule) == datetime(2026, 2, 23, 17, 0)
    assert appointment(cal, datetime(2026, 3, 2, 8, 0), rule) == datetime(2026, 3, 17, 17, 0)


def test_appointment_hour_is_the_office_setting(cal):
    due = appointment(cal, datetime(2026, 3, 9, 8, 0), WORKING_3, appointment_time=time(16, 30))
    assert due == datetime(2026, 3, 12, 16, 30)


def test_bad_rules_are_refused(cal):
    with pytest.raises(ValueError):
        appointment(cal, datetime(2026, 3, 9, 8, 0), DueRule("working_days", None, False))
    with pytest.raises(ValueError):
        appointment(cal, datetime(2026, 3, 9, 8, 0), DueRule("calendar_days", None, False))
    with pytest.raises(ValueError):
        appointment(cal, datetime(2026, 3, 9, 8, 0), DueRule("weeks", 2, False))
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 9), -1)
    with pytest.raises(ValueError):
        WorkCalendar({date(2026, 3, 9): "holiday"})


def test_days_off_table_of_2026(cal):
    table = dict(cal.days_off(2026))
    assert date(2026, 1, 2) in table and date(2026, 2, 17) in table and date(2026, 9, 2) in table
    assert table[date(2026, 1, 2)] == "Ngày nghỉ"       # an office row without a note
    noted = WorkCalendar(OFFICE_2026, notes={date(2026, 1, 2): "Nghỉ Tết Dương lịch (hoán đổi)"})
    assert dict(noted.days_off(2026))[date(2026, 1, 2)] == "Nghỉ Tết Dương lịch (hoán đổi)"
    assert date(2026, 1, 10) not in table
    entries = {e.day: e for e in cal.entries(2026)}
    assert entries[date(2026, 1, 10)].kind == "work" and entries[date(2026, 1, 10)].source == "office"
    assert entries[date(2026, 4, 30)].source == "law"


def test_overrides_win_over_the_legal_calendar():
    cal = WorkCalendar({date(2026, 4, 30): "work", date(2026, 3, 10): "off"})
    assert cal.is_working_day(date(2026, 4, 30))
    assert not cal.is_working_day(date(2026, 3, 10))


def test_local_time_conversions():
    assert to_utc(datetime(2026, 2, 25, 17, 0)) == datetime(2026, 2, 25, 10, 0, tzinfo=UTC)
    assert to_local(datetime(2026, 2, 25, 10, 0, tzinfo=UTC)) == datetime(2026, 2, 25, 17, 0)
    assert to_local(datetime(2026, 2, 25, 20, 0, tzinfo=UTC)) == datetime(2026, 2, 26, 3, 0)
    assert parse_hhmm("15:00") == time(15, 0) and parse_hhmm("7:30") == time(7, 30)
