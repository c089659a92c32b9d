"""Reporting periods: what people type, calendar and cut-off spans, and clear errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from commune_desk.errors import ValidationError
from commune_desk.i18n import set_language
from commune_desk.reports.periods import parse_period
from commune_desk.services import reports as service


@pytest.mark.parametrize(("text", "start", "end", "title"), [
    ("2027", date(2027, 1, 1), date(2027, 12, 31), "Năm 2027"),
    ("2027-Q1", date(2027, 1, 1), date(2027, 3, 31), "Quý I năm 2027"),
    ("q4/2027", date(2027, 10, 1), date(2027, 12, 31), "Quý IV năm 2027"),
    ("2027-03", date(2027, 3, 1), date(2027, 3, 31), "Tháng 03 năm 2027"),
    ("2/2028", date(2028, 2, 1), date(2028, 2, 29), "Tháng 02 năm 2028"),
    ("2027-H2", date(2027, 7, 1), date(2027, 12, 31), "6 tháng cuối năm 2027"),
    ("2027-01-15..2027-03-14", date(2027, 1, 15), date(2027, 3, 14), "Từ ngày 15/01/2027 đến ngày 14/03/2027"),
    ("15/01/2027-14/03/2027", date(2027, 1, 15), date(2027, 3, 14), "Từ ngày 15/01/2027 đến ngày 14/03/2027"),
])
def test_calendar_periods(text, start, end, title):
    period = parse_period(text)
    assert (period.start, period.end, period.title_vi()) == (start, end, title)
    assert parse_period(period.code) == period


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2027-Q1", date(2026, 12, 15), date(2027, 3, 14)),     # 15th of the month before .. 14th of the last month
    ("2027-Q3", date(2027, 6, 15), date(2027, 9, 14)),
    ("2027", date(2026, 12, 15), date(2027, 12, 14)),        # 15/12 of the previous year .. 14/12
    ("2027-03", date(2027, 2, 15), date(2027, 3, 14)),
    ("2027-H1", date(2026, 12, 15), date(2027, 6, 14)),
])
def test_cut_off_periods(text, start, end):
    period = parse_period(text, cutoff=True)
    assert (period.start, period.end, period.cutoff) == (start, end, True)
    assert period.span_vi() == f"(Số liệu từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y})"
    # its months are cut-off months too, and cover it exactly
    months = period.months()
    assert months[0].start == start and months[-1].end == end
    assert all(a.end.toordinal() + 1 == b.start.toordinal() for a, b in zip(months, months[1:], strict=False))


def test_a_period_is_whole_local_days_in_utc():
    start, end = parse_period("2027-Q1").utc_bounds()
    # midnight in Hà Nội is 17:00 the day before in UTC
    assert start == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert end == datetime(2027, 3, 31, 17, 0, tzinfo=UTC)


def test_trailing_months_end_with_the_period():
    months = parse_period("2027-Q1").trailing_months(12)
    assert len(months) == 12
    assert (months[0].start, months[-1].end) == (date(2026, 4, 1), date(2027, 3, 31))


@pytest.mark.parametrize("text", ["", "abc", "2027-Q5", "2027-Q0", "2027-13", "2027-H3", "Q1", "27-Q1",
                                  "2027-02-30..2027-03-01", "31/02/2027-01/03/2027"])
def test_a_period_that_does_not_parse_says_what_is_accepted(text):
    with pytest.raises(ValidationError) as err:
        parse_period(text)
    assert err.value.field == "period"
    assert "2027-Q1" in str(err.value) and "2027-03" in str(err.value)


@pytest.mark.parametrize("text", ["31/03/2027-01/01/2027", "2027-03-31..2027-01-01"])
def test_an_end_before_its_start_is_refused(text):
    with pytest.raises(ValidationError) as err:
        parse_period(text)
    assert str(err.value) == "Ngày kết thúc (01/01/2027) trước ngày bắt đầu (31/03/2027)."


def test_errors_are_translated():
    set_language("en")
    try:
        with pytest.raises(ValidationError) as err:
            parse_period("31/03/2027-01/01/2027")
        assert str(err.value).isascii() and "01/01/2027" in str(err.value)
    finally:
        set_language("vi")


def test_the_office_setting_chooses_cut_off_periods(admin_ctx):
    assert service.period_from_text(admin_ctx, "2027-Q1").start == date(2027, 1, 1)
    with admin_ctx.db.write() as s:
        admin_ctx.db.set_setting(s, "reports.cutoff_periods", True)
        admin_ctx.db.set_setting(s, "reports.cutoff_day", 20)
    period = service.period_from_text(admin_ctx, "2027-Q1")
    assert (period.start, period.end) == (date(2026, 12, 20), date(2027, 3, 19))
    # an explicit choice wins over the setting
    assert service.period_from_text(admin_ctx, "2027-Q1", cutoff=False).start == date(2027, 1, 1)
