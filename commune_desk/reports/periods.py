"""Reporting periods: "2027-Q1", "2027-03", "2027", "2027-H1" and explicit date ranges,
as calendar periods or as the official cut-off periods (FACTS.md 4.5: the 15th of the month
before to the 14th of the last month; UNCERTAIN, so the day is a setting).

A period is a span of whole local (Asia/Ho_Chi_Minh) days, ``start`` and ``end`` both
included; :meth:`Period.utc_bounds` turns it into the half-open UTC range the SQL uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from commune_desk.domain.calendar import to_utc
from commune_desk.errors import ValidationError
from commune_desk.i18n import _

ROMAN = ("I", "II", "III", "IV")
MONTH, QUARTER, HALF, YEAR, RANGE = "month", "quarter", "half", "year", "range"

_YEAR = r"(?P<y>\d{4})"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (YEAR, re.compile(rf"^{_YEAR}$")),
    (QUARTER, re.compile(rf"^{_YEAR}\s*[-/ ]\s*Q(?P<n>\d)$|^Q(?P<n2>\d)\s*[-/ ]\s*(?P<y2>\d{{4}})$", re.I)),
    (HALF, re.compile(rf"^{_YEAR}\s*[-/ ]\s*H(?P<n>\d)$|^H(?P<n2>\d)\s*[-/ ]\s*(?P<y2>\d{{4}})$", re.I)),
    (MONTH, re.compile(rf"^{_YEAR}-(?P<n>\d{{1,2}})$|^(?P<n2>\d{{1,2}})/(?P<y2>\d{{4}})$")),
]
_ISO_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
_VN_DAY = r"\d{1,2}/\d{1,2}/\d{4}"
_RANGE = re.compile(rf"^(?P<a>{_ISO_DAY}|{_VN_DAY})\s*(?:\.\.|–|—|-|:|\s)\s*(?P<b>{_ISO_DAY}|{_VN_DAY})$")


@dataclass(frozen=True)
class Period:
    """Whole local days ``start``..``end`` (both included)."""

    start: date
    end: date
    kind: str = RANGE
    year: int | None = None
    number: int | None = None      # month 1–12, quarter 1–4, half 1–2
    cutoff: bool = False           # an official cut-off period rather than a calendar one

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in aware UTC: local midnight of ``start`` to local midnight after ``end``."""
        return (to_utc(datetime.combine(self.start, time())),
                to_utc(datetime.combine(self.end + timedelta(days=1), time())))

    @property
    def code(self) -> str:
        """The text that gives this period back through :func:`parse_period`."""
        if self.kind == YEAR:
            return f"{self.year}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.number}"
        if self.kind == HALF:
            return f"{self.year}-H{self.number}"
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def title_vi(self) -> str:
        """The official name, always Vietnamese (printed reports): 'Quý I năm 2027'."""
        if self.kind == YEAR:
            return f"Năm {self.year}"
        if self.kind == QUARTER:
            return f"Quý {ROMAN[(self.number or 1) - 1]} năm {self.year}"
        if self.kind == HALF:
            return f"6 tháng đầu năm {self.year}" if self.number == 1 else f"6 tháng cuối năm {self.year}"
        if self.kind == MONTH:
            return f"Tháng {self.number:02d} năm {self.year}"
        return f"Từ ngày {vn_day(self.start)} đến ngày {vn_day(self.end)}"

    def span_vi(self) -> str:
        """'(Số liệu từ ngày 15/12/2026 đến ngày 14/03/2027)'."""
        return f"(Số liệu từ ngày {vn_day(self.start)} đến ngày {vn_day(self.end)})"

    def label(self) -> str:
        """For the window (translated): 'Quý 1/2027 (01/01/2027 – 31/03/2027)'."""
        if self.kind == YEAR:
            name = _("Năm {year}").format(year=self.year)
        elif self.kind == QUARTER:
            name = _("Quý {n}/{year}").format(n=self.number, year=self.year)
        elif self.kind == HALF:
            name = _("6 tháng {n}/{year}").format(n=self.number, year=self.year)
        elif self.kind == MONTH:
            name = _("Tháng {n}/{year}").format(n=f"{self.number:02d}", year=self.year)
        else:
            name = _("Khoảng thời gian")
        return f"{name} ({vn_day(self.start)} – {vn_day(self.end)})"

    def months(self) -> list[Period]:
        """The months this period is made of (cut-off months when it is a cut-off period)."""
        out = []
        y, m = _first_month(self)
        while True:
            p = month_period(y, m, cutoff=self.cutoff, cutoff_day=_cutoff_day_of(self))
            if p.start > self.end:
                break
            out.append(p)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def trailing_months(self, count: int = 12) -> list[Period]:
        """``count`` months ending with this period's last month (for the trend chart)."""
        last = self.months()[-1] if self.kind != RANGE else month_period(self.end.year, self.end.month)
        y, m = last.year or self.end.year, last.number or self.end.month
        out = []
        for _i in range(count):
            out.append(month_period(y, m, cutoff=last.cutoff, cutoff_day=_cutoff_day_of(last)))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        return list(reversed(out))


def vn_day(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _first_month(p: Period) -> tuple[int, int]:
    if p.kind == RANGE:
        return p.start.year, p.start.month
    year = p.year or p.start.year
    if p.kind == QUARTER:
        return year, 3 * ((p.number or 1) - 1) + 1
    if p.kind == HALF:
        return year, 6 * ((p.number or 1) - 1) + 1
    if p.kind == MONTH:
        return year, p.number or 1
    return year, 1


def _cutoff_day_of(p: Period) -> int:
    # a cut-off period starts on its cut-off day in the month before its first month
    return p.start.day if p.cutoff else 1


def _span(year: int, first_month: int, months: int, cutoff: bool, cutoff_day: int) -> tuple[date, date]:
    last_month_index = first_month + months - 1          # 1-based, may pass 12
    ly, lm = year + (last_month_index - 1) // 12, (last_month_index - 1) % 12 + 1
    if not cutoff or cutoff_day <= 1:
        start = date(year, first_month, 1)
        ny, nm = (ly + 1, 1) if lm == 12 else (ly, lm + 1)
        return start, date(ny, nm, 1) - timedelta(days=1)
    py, pm = (year - 1, 12) if first_month == 1 else (year, first_month - 1)
    return date(py, pm, cutoff_day), date(ly, lm, cutoff_day - 1)


def month_period(year: int, month: int, *, cutoff: bool = False, cutoff_day: int = 15) -> Period:
    start, end = _span(year, month, 1, cutoff, cutoff_day)
    return Period(start, end, MONTH, year, month, cutoff and cutoff_day > 1)


def parse_period(text: str, *, cutoff: bool = False, cutoff_day: int = 15) -> Period:
    """Read a period typed by a person. ``cutoff`` makes months, quarters, halves and years
    official cut-off periods (from ``cutoff_day`` of the month before). Raises
    :class:`ValidationError` with a message saying what is accepted."""
    raw = (text or "").strip()
    if not 1 <= int(cutoff_day) <= 28:
        raise ValidationError(_("Ngày chốt số liệu phải từ 1 đến 28."), field="cutoff_day")
    bad = ValidationError(
        _("Không hiểu kỳ báo cáo “{text}”. Hãy nhập ví dụ 2027-Q1 (quý), 2027-03 (tháng), 2027 (năm), "
          "2027-H1 (6 tháng) hoặc 01/01/2027-31/03/2027.").format(text=raw), field="period")
    match = _RANGE.match(raw)
    if match:
        start, end = _day(match["a"], bad), _day(match["b"], bad)
        if end < start:
            raise ValidationError(_("Ngày kết thúc ({end}) trước ngày bắt đầu ({start}).")
                                  .format(end=vn_day(end), start=vn_day(start)), field="period")
        return Period(start, end)
    for kind, pattern in _PATTERNS:
        match = pattern.match(raw)
        if not match:
            continue
        year = int(match["y"] or match["y2"])
        number = None if kind == YEAR else int(match["n"] or match["n2"])
        if not 1900 <= year <= 2200:
            raise bad
        limits = {QUARTER: 4, HALF: 2, MONTH: 12}
        if number is not None and not 1 <= number <= limits[kind]:
            raise bad
        first, months = {YEAR: (1, 12), QUARTER: (3 * ((number or 1) - 1) + 1, 3),
                         HALF: (6 * ((number or 1) - 1) + 1, 6), MONTH: (number or 1, 1)}[kind]
        start, end = _span(year, first, months, cutoff, cutoff_day)
        return Period(start, end, kind, year, number, cutoff and cutoff_day > 1)
    raise bad


def _day(text: str, bad: ValidationError) -> date:
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
        else:
            y, m, d = (int(x) for x in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise bad from None
