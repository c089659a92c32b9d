"""The rules of time of a dossier's life (pure: no database, no Qt).

Sources: Decree 118/2025 art. 11, 16, 17, 19 (FACTS.md section A), TT 01/2018 art. 13
index 1 (FACTS.md 2.3) and Decision 766 (FACTS.md 4.3). Every number is an office setting
(``lifecycle.*``), handed in as :class:`TimeRules`.

Times: the database keeps aware UTC; these functions take *naive local* times
(Asia/Ho_Chi_Minh), as :mod:`commune_desk.domain.calendar` does.

Early, on time, late (decided once, here; the reports aggregate the stored result)
-------------------------------------------------------------------------------------
``end`` is the moment the office finished: "result ready" when it exists, else the first
terminal state (refused, stopped, withdrawn, closed). When a dossier ends while it waits
for the citizen's supplement, its end is the moment the supplement was requested (the
office had done its part; Decision 766). The appointment compared with is the dossier's
appointment at that moment: after a supplement the clock restarted from zero with a new
appointment, after an apology the re-set appointment. Then, in local time:

- **early**   (trước hạn): ``end`` falls on a calendar day before the appointment's day;
- **on_time** (đúng hạn): ``end`` is on the appointment's day, no later than its hour and
  minute (e.g. 17:00 printed on the receipt);
- **late**    (quá hạn):  anything after the appointment; and, whatever the dates, a dossier
  that received **more than one** supplement request (Decision 766), even when an office
  raised ``lifecycle.max_supplements`` above the legal one.

The same scale scores each hand-off step against that step's deadline.

Supplement pause
----------------
A supplement request stops the clock; the pause is ``resubmitted - requested`` (exact
seconds), added to the dossier's ``supplement_paused_seconds``. The complete resubmission
restarts the processing time from zero: the new appointment is computed from the
resubmission as if the dossier had just been received, and never earlier than the
appointment already promised (the citizen keeps the later date). A dossier that ends
while waiting (closed, stopped, refused) pauses until that end.

Closing an unanswered supplement (art. 19.5: "15 days", calendar days as written): the
days are counted from the day after the request (civil-law counting); the citizen may
still complete on the 15th day; the dossier is closed from the 16th day on.

Supplement notice: the request must go out within ``supplement_notice_days`` working days
after the handling agency received the dossier. A later request is still recorded (the
dossier cannot be left incomplete) and is marked late in its event.

Apology and extension (art. 19.6, 12.5): no later than ``apology_min_days_before`` working
day(s) before the appointment's day, i.e. at least that many working days lie in
(today, appointment day]; only ``max_extensions`` time(s); the new appointment is a
working day, not before today and after the current appointment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from commune_desk.domain.calendar import WorkCalendar


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


# What the printed forms say (TT 01/2018 Mẫu 05 column "trước hạn / đúng hạn / quá hạn").
OUTCOME_PRINTED = {Outcome.EARLY: "Trước hạn", Outcome.ON_TIME: "Đúng hạn", Outcome.LATE: "Quá hạn"}
# TT 01/2018 art. 13 index 1: 2 points early, 1 on time, 0 late.
OUTCOME_POINTS = {Outcome.EARLY: 2, Outcome.ON_TIME: 1, Outcome.LATE: 0}


@dataclass(frozen=True)
class TimeRules:
    """The office's numbers (settings ``lifecycle.*``; defaults: Decree 118/2025)."""

    max_supplements: int = 1
    supplement_notice_days: int = 3
    supplement_close_days: int = 15
    apology_min_days_before: int = 1
    max_extensions: int = 1

    @classmethod
    def from_settings(cls, setting: Callable[[str], Any]) -> TimeRules:
        return cls(
            max_supplements=int(setting("lifecycle.max_supplements")),
            supplement_notice_days=int(setting("lifecycle.supplement_notice_days")),
            supplement_close_days=int(setting("lifecycle.supplement_close_days")),
            apology_min_days_before=int(setting("lifecycle.apology_min_days_before")),
            max_extensions=int(setting("lifecycle.max_extensions")),
        )


def classify(end: datetime, due: datetime, *, supplement_count: int = 0) -> Outcome:
    """Early / on time / late of an ``end`` against the appointment ``due`` (naive local)."""
    if supplement_count > 1:
        return Outcome.LATE
    if end.date() < due.date():
        return Outcome.EARLY
    if end <= due:
        return Outcome.ON_TIME
    return Outcome.LATE


def pause_seconds(requested: datetime, resumed: datetime) -> int:
    """Seconds the clock stood still for one supplement (whole seconds, never negative)."""
    return max(0, int((resumed - requested).total_seconds()))


def effective_seconds(received: datetime, end: datetime, paused_seconds: int) -> int:
    """Processing time the statistics count: end - receipt - supplement pauses."""
    return max(0, int((end - received).total_seconds()) - int(paused_seconds))


# -- supplements -------------------------------------------------------------------------
def supplement_last_day(requested: datetime, rules: TimeRules) -> date:
    """The last day on which the citizen may still complete the dossier."""
    return requested.date() + timedelta(days=rules.supplement_close_days)


def supplement_expired(requested: datetime, now: datetime, rules: TimeRules) -> bool:
    """True once the supplement window is over (the dossier is to be closed)."""
    return now.date() > supplement_last_day(requested, rules)


def supplement_notice_deadline(cal: WorkCalendar, agency_received: datetime, rules: TimeRules) -> date:
    """The last day the supplement request may go out (N working days after receipt)."""
    return cal.add_working_days(agency_received.date(), rules.supplement_notice_days)


def restart_appointment(new_appointment: datetime, current_due: datetime | None) -> datetime:
    """After a complete resubmission: the new appointment, never earlier than the promised one."""
    if current_due is None:
        return new_appointment
    return max(new_appointment, current_due)


# -- apology and extension ---------------------------------------------------------------
def apology_last_day(cal: WorkCalendar, due_day: date, rules: TimeRules) -> date:
    """The last day on which the apology may still be issued for an appointment on ``due_day``."""
    day = due_day
    for _i in range(3660):
        day -= timedelta(days=1)
        if cal.working_days_between(day, due_day) >= rules.apology_min_days_before:
            return day
    raise ValueError(f"no day before {due_day} leaves {rules.apology_min_days_before} working days")


def apology_in_time(cal: WorkCalendar, today: date, due_day: date, rules: TimeRules) -> bool:
    return cal.working_days_between(today, due_day) >= rules.apology_min_days_before


def new_appointment_problem(cal: WorkCalendar, today: date, current_due: datetime | None,
                            new_due: datetime) -> str | None:
    """Why ``new_due`` cannot be the re-set appointment: ``before_today``, ``not_later`` (not
    after the current appointment), ``day_off``; None when it can."""
    if new_due.date() < today:
        return "before_today"
    if current_due is not None and new_due <= current_due:
        return "not_later"
    if not cal.is_working_day(new_due.date()):
        return "day_off"
    return None


# -- hand-offs (Mẫu 05/06: the processing control slip) -----------------------------------
def forwarding_deadline(cal: WorkCalendar, received: datetime, *, cutoff: time, work_end: time) -> datetime:
    """The desk's own step (art. 18.2): forward the paper dossier the same working day, or at
    the start of the next working day when received after the cut-off. Counted per day: the
    deadline is the end of that working day."""
    day = received.date()
    if not cal.is_working_day(day):
        day = cal.next_working_day(day)
    elif received.time() > cutoff:
        day = cal.next_working_day(day)
    return datetime.combine(day, work_end)


@dataclass(frozen=True)
class Step:
    """One holder's turn with the dossier: given at ``start``, passed on at ``end`` (None while
    still held), against ``deadline``."""

    number: int
    holder: str
    agency: str | None
    given_by: str
    start: datetime
    deadline: datetime | None
    end: datetime | None = None
    passed_to: str | None = None
    note: str | None = None

    @property
    def outcome(self) -> Outcome | None:
        if self.end is None or self.deadline is None:
            return None
        return classify(self.end, self.deadline)
