"""The working-day calendar and appointment dates (pure: no database, no Qt).

A working day is Monday to Friday, minus Vietnam's legal holidays (Labour Code art. 112, as
the ``holidays`` library computes them, with its known swapped days and make-up Saturdays),
minus the office's extra days off, plus the office's make-up working days. The office's
table (``overrides``: date -> "off" | "work") always wins over the legal calendar, because
each year's swaps are decided by the Prime Minister and the library may not know them.

Times handed to :func:`appointment` are naive local times (Asia/Ho_Chi_Minh); the database
keeps aware UTC. :func:`to_local` / :func:`to_utc` convert.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFF = "off"
WORK = "work"
KINDS = (OFF, WORK)
TIME_KINDS = ("working_days", "same_day", "calendar_days")
_ONE = timedelta(days=1)
_SEARCH_LIMIT = 3660  # no office closes for ten years: a longer search means a broken table


def to_local(dt_utc: datetime) -> datetime:
    """An aware datetime (naive is taken as UTC) as a naive Vietnamese local time."""
    if dt_utc.tzinfo is None:
        dt_utc = dt_utc.replace(tzinfo=UTC)
    return dt_utc.astimezone(LOCAL_TZ).replace(tzinfo=None)


def local_now() -> datetime:
    """The wall-clock time in Vietnam, naive: what the office's clock shows, whatever zone
    the machine is set to (a PC left on UTC still dates its day in Vietnam)."""
    return datetime.now(LOCAL_TZ).replace(tzinfo=None)


def local_today() -> date:
    return local_now().date()


def to_utc(naive_local: datetime) -> datetime:
    """A naive Vietnamese local time (aware is kept as is) as an aware UTC datetime."""
    if naive_local.tzinfo is None:
        naive_local = naive_local.replace(tzinfo=LOCAL_TZ)
    return naive_local.astimezone(UTC)


def parse_hhmm(text: str | time) -> time:
    """"15:00" -> time(15, 0). Raises ValueError on anything else."""
    if isinstance(text, time):
        return text
    hours, _sep, minutes = str(text).strip().partition(":")
    return time(int(hours), int(minutes or 0))


@lru_cache(maxsize=256)
def _legal_year(year: int, language: str) -> tuple[dict[date, str], frozenset[date]]:
    """(holidays of ``year`` with their names, make-up working weekend days of ``year``)."""
    # Imported here: the library loads every country's module (0.15 s), which start-up need not wait for.
    from holidays.countries.vietnam import Vietnam

    lang = "vi" if language == "vi" else "en_US"
    try:
        table = Vietnam(years=year, language=lang)
    except (NotImplementedError, ValueError):  # years the library cannot compute
        return {}, frozenset()
    names = {d: str(n) for d, n in table.items() if d.year == year}
    workdays = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    return names, workdays


@dataclass(frozen=True)
class DayEntry:
    """One line of a year's table, as the calendar window shows it."""

    day: date
    kind: str      # off | work
    name: str
    source: str    # "law" (holidays library) | "office" (the office's table)


@dataclass(frozen=True)
class _Year:
    off_weekdays: tuple[date, ...]    # Monday–Friday dates that are days off (sorted)
    work_weekends: tuple[date, ...]   # Saturday/Sunday dates that are working days (sorted)


class WorkCalendar:
    """Working days of one office: the legal calendar with the office's table on top."""

    def __init__(self, overrides: dict[date, str] | None = None, *,
                 notes: dict[date, str] | None = None, language: str = "vi") -> None:
        # read-only after construction: the per-year tables below are cached from it
        self.overrides: dict[date, str] = {}
        for day, kind in (overrides or {}).items():
            if kind not in KINDS:
                raise ValueError(f"calendar override for {day} must be 'off' or 'work', not {kind!r}")
            self.overrides[day] = kind
        self.notes = dict(notes or {})
        self.language = language
        self._years: dict[int, _Year] = {}

    # -- one day ---------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        kind = self.overrides.get(d)
        if kind is not None:
            return kind == WORK
        legal, workdays = _legal_year(d.year, self.language)
        if d in workdays:
            return True
        if d.weekday() >= 5:
            return False
        return d not in legal

    def legal_holiday(self, d: date) -> str | None:
        """The legal holiday's name on ``d`` (whatever the office's table says)."""
        return _legal_year(d.year, self.language)[0].get(d)

    # -- moving through days ----------------------------------------------------------
    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _i in range(_SEARCH_LIMIT):
            d += _ONE
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within ten years after {d}")

    def working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (3 from a Monday is the Thursday).

        A start on a day off counts as if it were the next working day (a dossier received
        on Saturday counts from Monday). ``n == 0`` gives that start itself.
        """
        if n < 0:
            raise ValueError("the number of working days cannot be negative")
        day = self.working_day_on_or_after(start)
        for _i in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b is before a (working days in (b, a])."""
        if b < a:
            return -self.working_days_between(b, a)
        weekdays = _weekdays_in(a, b)
        off = work = 0
        for year in range(a.year, b.year + 1):
            table = self._year(year)
            off += _count_in(table.off_weekdays, a, b)
            work += _count_in(table.work_weekends, a, b)
        return weekdays - off + work

    # -- the year's table --------------------------------------------------------------
    def days_off(self, year: int) -> list[tuple[date, str]]:
        """Holidays and days off of ``year`` with their names (weekends omitted unless named)."""
        return [(e.day, e.name) for e in self.entries(year) if e.kind == OFF]

    def entries(self, year: int) -> list[DayEntry]:
        """The year's table: legal holidays, the library's make-up days and the office's rows."""
        legal, workdays = _legal_year(year, self.language)
        out: dict[date, DayEntry] = {}
        for day, name in legal.items():
            out[day] = DayEntry(day, OFF, name, "law")
        for day in workdays:
            out[day] = DayEntry(day, WORK, self._default_work_name(), "law")
        for day, kind in self.overrides.items():
            if day.year != year:
                continue
            name = self.notes.get(day) or legal.get(day) or (
                self._default_work_name() if kind == WORK else self._default_off_name())
            out[day] = DayEntry(day, kind, name, "office")
        return sorted(out.values(), key=lambda e: e.day)

    def _default_work_name(self) -> str:
        return "Ngày làm việc bù" if self.language == "vi" else "Make-up working day"

    def _default_off_name(self) -> str:
        return "Ngày nghỉ" if self.language == "vi" else "Day off"

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            legal, workdays = _legal_year(year, self.language)
            candidates = set(legal) | set(workdays) | {d for d in self.overrides if d.year == year}
            off = sorted(d for d in candidates if d.weekday() < 5 and not self.is_working_day(d))
            work = sorted(d for d in candidates if d.weekday() >= 5 and self.is_working_day(d))
            cached = self._years[year] = _Year(tuple(off), tuple(work))
        return cached


def _weekdays_in(a: date, b: date) -> int:
    """Monday–Friday dates in (a, b], for a <= b."""
    return _weekdays_upto(b) - _weekdays_upto(a)


def _weekdays_upto(d: date) -> int:
    """Monday–Friday dates from an arbitrary epoch Monday up to and including ``d``."""
    n = d.toordinal()  # ordinal 1 (0001-01-01) is a Monday
    weeks, rest = divmod(n - 1, 7)
    return weeks * 5 + min(rest + 1, 5)


def _count_in(days: tuple[date, ...], a: date, b: date) -> int:
    """How many of the sorted ``days`` lie in (a, b]."""
    return bisect.bisect_right(days, b) - bisect.bisect_right(days, a)


@dataclass(frozen=True)
class DueRule:
    """How a procedure's processing time is counted."""

    time_kind: str            # working_days | same_day | calendar_days
    time_value: int | None
    cutoff_next_day: bool     # same-day work received after the cut-off is due the next working day

    @classmethod
    def of(cls, procedure: Any) -> DueRule:
        """From anything with ``time_kind``, ``time_value`` and ``cutoff_next_day`` (a catalog row or spec)."""
        return cls(procedure.time_kind, procedure.time_value, bool(procedure.cutoff_next_day))


def appointment(cal: WorkCalendar, received: datetime, rule: DueRule, *, cutoff: time = time(15, 0),
                cutoff_moves_multi_day: bool = False, appointment_time: time = time(17, 0)) -> datetime:
    """The appointment (naive local) for a dossier received at ``received`` (naive local).

    - same day: the day of receipt, or the next working day when received after ``cutoff``
      and the procedure has the cut-off rule;
    - N working days: the N-th working day after the day of receipt (Decree 118/2025 counts
      from the receipt; ``cutoff_moves_multi_day`` is the office's choice to count late
      receipts from the next working day);
    - N calendar days: the day of receipt + N days, moved to the next working day if it
      lands on a day off.
    A receipt on a day off counts as a receipt at the start of the next working day.
    """
    if rule.time_kind not in TIME_KINDS:
        raise ValueError(f"unknown processing time kind {rule.time_kind!r}")
    if rule.time_kind != "same_day" and rule.time_value is None:
        raise ValueError("a multi-day procedure needs its number of days")
    if rule.time_value is not None and rule.time_value < 0:
        raise ValueError("the processing time cannot be negative")
    received_day = received.date()
    on_working_day = cal.is_working_day(received_day)
    late = on_working_day and received.time() > cutoff
    start = received_day if on_working_day else cal.next_working_day(received_day)

    if rule.time_kind == "same_day":
        due = cal.next_working_day(start) if late and rule.cutoff_next_day else start
    elif rule.time_kind == "working_days":
        if late and cutoff_moves_multi_day:
            start = cal.next_working_day(start)
        due = cal.add_working_days(start, int(rule.time_value or 0))
    else:  # calendar_days
        base = received_day + _ONE if late and cutoff_moves_multi_day else received_day
        due = cal.working_day_on_or_after(base + timedelta(days=int(rule.time_value or 0)))
    result = datetime.combine(due, appointment_time)
    # received after the printed hour on the due day itself: the next working day, never the past
    while result <= received:
        result = datetime.combine(cal.next_working_day(result.date()), appointment_time)
    return result
