"""Demo data: a commune's last three years of dossiers, fast enough for a million.

``commune-desk demo --dossiers N`` fills the data folder's database with dossiers that look
like a real office's: invented Vietnamese citizens (``demo_people``), the shipped
procedures in realistic proportions, receipts on working days during office hours, the
appointment from the office's working-day calendar, and a life for each dossier (hand-off,
supplement, apology, result, return, refusal, withdrawal, stop, closing) cut at "now", so
the statuses and the overdue ones come out as they would in an office. Codes follow
``domain.codes`` (one block of 999 numbers a day per reception point: a busy day spills
into the next points' blocks, as if the centre had several counters); the tracking book
numbers run through each year.

Speed: rows are built as plain tuples already in the stored form (UTC text times, hex
UUIDs, JSON text; ``tests/unit/test_demo_data.py`` reads them back through the models) and
written with the SQLAlchemy connection's ``executemany``, in transactions of a few thousand
dossiers with their events, change-log rows and counters. The search triggers are off during each batch and the index is filled for
the batch in one statement (``store.search_index.suspended``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import accumulate

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from commune_desk.domain import codes
from commune_desk.domain.calendar import LOCAL_TZ, DueRule, WorkCalendar, appointment, parse_hhmm
from commune_desk.domain.lifecycle import Status
from commune_desk.domain.roles import Perm, Role
from commune_desk.domain.timeliness import classify
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.services import accounts
from commune_desk.services.calendar import load_calendar
from commune_desk.services.context import Ctx, Database, OfficeInfo
from commune_desk.services.demo_people import PeopleMaker, Person
from commune_desk.store import search_index
from commune_desk.store.base import utcnow
from commune_desk.store.models import Procedure, SequenceCounter, User

DEMO_OFFICE = ("00919", "Xã Minh Tân", "000.00.19.H56", "UBND tỉnh Tuyên Quang")
DEMO_PASSWORD = "demo-1234"
MAX_DOSSIERS = 5_000_000
MAX_STAFF = 50
BATCH = 5000
FORGOTTEN_DAYS = 120   # open dossiers older than this were finished (late) in the demo's story
LOAD_CACHE_KIB = 512 * 1024
YEARS = 3

# How often each procedure is asked for at a commune (certifications and civil status dominate).
PROCEDURE_WEIGHTS = {
    "2.000815": 30, "2.000884": 9, "2.000942": 2, "2.001008": 1, "2.001035": 3, "2.001019": 0.5,
    "2.000913": 0.5, "2.001406": 1, "1.001193": 9, "1.000894": 3, "1.000656": 2.5, "2.000635": 10,
    "1.004873": 6, "1.004859": 2, "1.000689": 0.5, "1.004884": 0.5, "1.004746": 0.2, "1.005461": 0.2,
    "1.001022": 0.3, "1.004837": 0.2, "1.004845": 0.1, "1.000419": 0.1, "2.000806": 0.1, "2.001263": 0.05,
    "1.002211": 0.1, "1.001612": 1.5, "1.001699": 0.3, "1.013225": 1, "1.012812": 0.3, "1.013978": 3,
}
DEFAULT_WEIGHT = 0.2

REFUSAL_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của UBND xã.",
    "Người yêu cầu không đủ điều kiện theo quy định.",
    "Giấy tờ xuất trình có dấu hiệu giả mạo, đã lập biên bản.",
    "Nội dung yêu cầu chứng thực trái pháp luật, đạo đức xã hội.",
)
SUPPLEMENT_ITEMS = (
    "Bản sao Giấy chứng nhận quyền sử dụng đất", "Văn bản ủy quyền có chứng thực",
    "Giấy xác nhận tình trạng hôn nhân còn thời hạn", "Tờ khai ký đầy đủ họ tên", "Giấy chứng sinh",
    "Sơ đồ thửa đất", "Bản chính giấy tờ để đối chiếu",
)
WITHDRAWAL_REQUESTS = ("Công dân đề nghị rút hồ sơ để bổ sung giấy tờ sau.",
                       "Công dân không còn nhu cầu giải quyết.")
STOP_REASONS = ("Công dân có đơn đề nghị dừng giải quyết.", "Các bên đã thỏa thuận, đề nghị dừng.")
EXTENSION_REASONS = ("Cần xác minh thêm thông tin tại nơi cư trú trước đây.",
                     "Chờ ý kiến của cơ quan liên quan.", "Người ký có lịch công tác đột xuất.")
OBLIGATIONS = ("Nộp lệ phí trước bạ và thuế sử dụng đất phi nông nghiệp.", "Nộp tiền sử dụng đất.")
LEADERS = ("Nguyễn Văn Hùng", "Lê Thị Thu Hà", "Hoàng Đức Minh")
STAFF_NAMES = ("Trần Thị Mai", "Phạm Văn Dũng", "Lê Thị Hồng", "Nguyễn Đức Anh", "Vũ Thị Lan", "Đỗ Văn Nam",
               "Bùi Thị Hạnh", "Hoàng Văn Tuấn", "Ngô Thị Yến", "Đặng Quang Huy")

# Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975: a constant offset
# spares a zoneinfo lookup per time (checked at import against the zone itself).
UTC_OFFSET = dt.timedelta(hours=7)
assert LOCAL_TZ.utcoffset(dt.datetime(2024, 6, 1)) == UTC_OFFSET


@dataclass(frozen=True)
class DemoSummary:
    dossiers: int
    events: int
    change_rows: int
    staff_created: int
    seconds: float
    statuses: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def rows(self) -> int:
        return self.dossiers + self.events + self.change_rows

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


# -- the office ---------------------------------------------------------------------------
def ensure_demo_office(db: Database) -> bool:
    """Set up the demo commune 00919 Xã Minh Tân (admin / DEMO_PASSWORD) when the folder has
    no office yet. Returns True when it did."""
    if db.office is not None:
        return False
    from commune_desk.services.office import SetupRequest, setup_office

    code, name, unit_id, hub = DEMO_OFFICE
    setup_office(db, SetupRequest(role="commune", office_code=code, office_name=name, hub_name=hub,
                                  unit_id=unit_id, admin_username="admin", admin_full_name="Quản Trị Viên",
                                  admin_password=DEMO_PASSWORD))
    return True


def ensure_staff(ctx: Ctx, count: int) -> tuple[list[tuple[str, str, str]], int]:
    """Up to ``count`` demo staff accounts (canbo1, canbo2, …; password DEMO_PASSWORD).
    Returns every active clerk/leader as (hex id, full name, id text) and how many were created."""
    created = 0
    with ctx.db.write() as s:
        existing = {u.username for u in s.scalars(select(User))}
        for i in range(1, count + 1):
            username = f"canbo{i}"
            if username in existing:
                continue
            accounts.add_user(s, username=username, full_name=STAFF_NAMES[(i - 1) % len(STAFF_NAMES)],
                              role=Role.CLERK, password=DEMO_PASSWORD)
            created += 1
        users = s.scalars(select(User).where(User.active.is_(True)).order_by(User.username)).all()
        staff = [(u.id.hex, u.full_name, str(u.id)) for u in users if u.role in (Role.CLERK, Role.LEADER)]
        if not staff:
            staff = [(u.id.hex, u.full_name, str(u.id)) for u in users]
    return staff, created


# -- stored forms -------------------------------------------------------------------------
def _json(value: object) -> str:
    """JSON text as stored (Vietnamese kept as UTF-8: a third smaller than \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _ts(local: dt.datetime) -> str:
    """A naive local time as the stored UTC text (UTCDateTime on SQLite)."""
    return (local - UTC_OFFSET).isoformat(" ", "microseconds")


def _iso(local: dt.datetime) -> str:
    """A naive local time as the aware UTC ISO text the lifecycle keeps in event data."""
    return (local - UTC_OFFSET).isoformat() + "+00:00"


_EPOCH_LOCAL = dt.datetime(1970, 1, 1) + UTC_OFFSET
_MS = dt.timedelta(milliseconds=1)
_VERSION_BITS = 0x7 << 76 | 0b10 << 62


def _uuid7_at(rng: random.Random, local: dt.datetime) -> str:
    """A time-ordered UUID (version 7) for the moment ``local``: rows land in key order.
    74 random bits make a collision between two rows of the same millisecond negligible (and
    the primary key would refuse one)."""
    ms = (local - _EPOCH_LOCAL) // _MS
    rand = rng.getrandbits(74)
    value = ms << 80 | _VERSION_BITS | (rand >> 62) << 64 | (rand & ((1 << 62) - 1))
    return f"{value:032x}"



# Column lists of the bulk inserts: the values are already in their stored form.
_DOSSIER_COLS = (
    "id", "office_code", "created_at", "updated_at", "version", "code", "book_year", "book_number",
    "rules_set", "procedure_id", "procedure_code", "procedure_name", "field", "applicant_name",
    "applicant_folded", "applicant_id_number", "applicant_dob", "applicant_phone", "applicant_address",
    "applicant_email", "documents", "sets_count", "channel", "fee_vnd", "result_delivery", "received_at",
    "due_at", "original_due_at", "status", "receiver_id", "receiver_name", "handler_id", "handler_name",
    "supplement_count", "supplement_requested_at", "supplement_paused_seconds", "extension_count",
    "result_ready_at", "returned_at", "finished_at", "outcome", "slip_issued_at", "anonymised_at", "note",
)
_EVENT_COLS = ("id", "office_code", "created_at", "updated_at", "version", "dossier_id", "kind", "at",
               "actor_id", "actor_name", "from_status", "to_status", "data", "note")
_CHANGE_COLS = ("entity", "record_id", "op", "version", "changed_at", "bundle_seq", "acked")


def _insert_sql(conn: Connection, name: str, cols: tuple[str, ...]) -> str:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"


# -- procedures and the calendar ----------------------------------------------------------
@dataclass(frozen=True)
class _Proc:
    id_hex: str
    code: str
    name: str
    field: str
    rule: DueRule
    documents_json: str
    fees: tuple[tuple[str, int | None], ...]
    same_day: bool
    land: bool


def _procedures(s: Session) -> list[_Proc]:
    out = []
    for p in s.scalars(select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.code)):
        rule = DueRule.of(p)
        if rule.time_kind != "same_day" and rule.time_value is None:
            continue  # no legal processing time known: the office must set it before receiving
        docs = [{"name": d.get("name", ""), "form": d.get("form") or "bản chính", "count": int(d.get("count") or 1),
                 "required": bool(d.get("required", True)), "received": True}
                for d in p.documents or [] if d.get("required", True)]
        fees = tuple((f.get("name", ""), f.get("amount_vnd")) for f in p.fees or [])
        out.append(_Proc(p.id.hex, p.code, p.name, p.field, rule, _json(docs), fees,
                         rule.time_kind == "same_day", p.field == "Đất đai"))
    return out


class _Due:
    """Appointments from the office calendar, cached per (day, after cut-off, rule)."""

    def __init__(self, cal: WorkCalendar, cutoff: dt.time, moves: bool, at: dt.time) -> None:
        self.cal, self.cutoff, self.moves, self.at = cal, cutoff, moves, at
        self.cache: dict[tuple, dt.datetime] = {}

    def __call__(self, received: dt.datetime, rule: DueRule) -> dt.datetime:
        late = received.time() > self.cutoff
        key = (received.date(), late, rule)
        due = self.cache.get(key)
        if due is None:
            probe = dt.datetime.combine(received.date(), dt.time(16, 0) if late else dt.time(8, 0))
            due = self.cache[key] = appointment(self.cal, probe, rule, cutoff=self.cutoff,
                                                cutoff_moves_multi_day=self.moves, appointment_time=self.at)
        if due <= received:  # received after the printed hour on the due day (never with office hours)
            due = dt.datetime.combine(self.cal.next_working_day(due.date()), self.at)
        return due


# -- one dossier's life -------------------------------------------------------------------
@dataclass
class _Life:
    status: str = Status.RECEIVED.value
    due: dt.datetime | None = None
    original_due: dt.datetime | None = None
    handler: tuple[str, str, str] | None = None
    supplement_count: int = 0
    supplement_requested_at: dt.datetime | None = None
    paused: int = 0
    extension_count: int = 0
    result_ready_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    outcome: str | None = None
    events: list[tuple] = field(default_factory=list)   # (kind, at, actor, from, to, data)


class _Story:
    """Writes the events of one dossier, stopping at ``now`` (later steps have not happened)."""

    FINISH = {Status.RESULT_READY.value, Status.RETURNED.value, Status.REFUSED.value, Status.STOPPED.value,
              Status.WITHDRAWN.value, Status.CLOSED.value}

    min_gap_seconds = 60

    def __init__(self, life: _Life, now: dt.datetime) -> None:
        self.life, self.now, self.last = life, now, None

    def step(self, kind: str, at: dt.datetime, actor: tuple[str, str, str] | None, to: str | None,
             data: dict) -> bool:
        life = self.life
        if self.last is not None and at <= self.last:  # steps are strictly ordered in time
            at = self.last + dt.timedelta(seconds=self.min_gap_seconds)
        if at > self.now:
            return False
        before = life.status
        target = to or before
        if target in self.FINISH and life.finished_at is None:
            end = at
            if before == Status.SUPPLEMENT_REQUESTED.value and life.supplement_requested_at is not None:
                life.paused += int((at - life.supplement_requested_at).total_seconds())
                end = life.supplement_requested_at
            life.finished_at = at
            if life.due is not None:
                life.outcome = classify(end, life.due, supplement_count=life.supplement_count).value
                data = {**data, "outcome": life.outcome}
        life.status = target
        life.events.append((kind, at, actor, before, target, data))
        self.last = at
        return True


def _work_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of office hours (07:30–11:30, 13:30–17:00)."""
    minute = rng.randrange(450)
    start = 7 * 60 + 30 if minute < 240 else 13 * 60 + 30 - 240
    m = start + minute
    return dt.datetime(day.year, day.month, day.day, m // 60, m % 60, rng.randrange(60))


class _Lives:
    def __init__(self, rng: random.Random, cal: WorkCalendar, due: _Due, staff: list[tuple[str, str, str]],
                 now: dt.datetime) -> None:
        self.rng, self.cal, self.due, self.staff, self.now = rng, cal, due, staff, now
        self._days: dict[tuple[dt.date, int], dt.date] = {}

    def working_day(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = self.cal.add_working_days(start, days)
        return day

    def later_working(self, start: dt.datetime, days: int) -> dt.datetime:
        return _work_time(self.rng, self.working_day(start.date(), days))

    def make(self, proc: _Proc, received: dt.datetime, receiver: tuple[str, str, str], channel: str) -> _Life:
        rng, now = self.rng, self.now
        due = self.due(received, proc.rule)
        life = _Life(due=due, original_due=due)
        story = _Story(life, now)
        handler = rng.choice(self.staff)
        story.step("received", received, receiver, Status.RECEIVED.value, {})
        if channel == "online" or (not proc.same_day and rng.random() < 0.15):
            at = self.later_working(received, 1)  # handed over the next working day
        else:
            at = received + dt.timedelta(minutes=rng.randrange(5, 30 if proc.same_day else 180))
        if not story.step("assign", at, receiver, Status.PROCESSING.value,
                          {"to_name": handler[1], "to_id": handler[2], "deadline": _iso(due),
                           "from_name": None}):
            return life
        life.handler = handler
        roll = rng.random()
        if roll < 0.012:
            return self._refuse(story, proc, handler, received, due)
        if roll < 0.020:
            return self._withdraw(story, handler, received, due)
        if roll < 0.025:
            return self._stop(story, handler, received, due)
        if not proc.same_day and roll < 0.075:
            if not self._supplement(story, proc, handler, received):
                return life
        if proc.land and rng.random() < 0.3:
            at = self.later_working(story.last, 2)
            if not story.step("request_obligation", at, handler, Status.FINANCIAL_OBLIGATION.value,
                              {"description": rng.choice(OBLIGATIONS)}):
                return life
            if not story.step("obligation_done", self.later_working(at, rng.randrange(1, 6)), handler,
                              Status.PROCESSING.value, {"receipt": f"BL{rng.randrange(10**6):06d}"}):
                return life
        if rng.random() < 0.01 and (now - received).days < FORGOTTEN_DAYS:
            return life  # stuck with its handler: stays open (and overdue once its date passes)
        if not proc.same_day and rng.random() < 0.02 and life.due is not None:
            self._extend(story, handler)
        return self._result(story, proc, handler)

    def _refuse(self, story: _Story, proc: _Proc, handler, received, due) -> _Life:
        at = received + (due - received) * self.rng.uniform(0.1, 0.8)
        story.step("refuse", at, handler, Status.REFUSED.value, {"reason": self.rng.choice(REFUSAL_REASONS)})
        return story.life

    def _withdraw(self, story: _Story, handler, received, due) -> _Life:
        at = received + (due - received) * self.rng.uniform(0.05, 0.6)
        if story.step("request_withdrawal", at, handler, Status.WITHDRAWAL_REQUESTED.value,
                      {"request": self.rng.choice(WITHDRAWAL_REQUESTS)}):
            story.step("withdraw", at + dt.timedelta(hours=self.rng.uniform(0.5, 30)), handler,
                       Status.WITHDRAWN.value, {"returned_to": "Người nộp hồ sơ"})
        return story.life

    def _stop(self, story: _Story, handler, received, due) -> _Life:
        at = received + (due - received) * self.rng.uniform(0.1, 0.7)
        story.step("stop", at, handler, Status.STOPPED.value,
                   {"reason": self.rng.choice(STOP_REASONS), "signer_name": self.rng.choice(LEADERS)})
        return story.life

    def _supplement(self, story: _Story, proc: _Proc, handler, received) -> bool:
        """A supplement request; the citizen completes it (new appointment) or it is closed."""
        rng, life = self.rng, story.life
        at = self.later_working(received, rng.randrange(1, 3))
        items = rng.sample(SUPPLEMENT_ITEMS, rng.randrange(1, 3))
        complete_by = (at.date() + dt.timedelta(days=15)).isoformat()
        if not story.step("request_supplement", at, handler, Status.SUPPLEMENT_REQUESTED.value,
                          {"items": items, "reason": "Hồ sơ chưa đủ thành phần theo quy định.",
                           "notice_late": False, "complete_by": complete_by}):
            return False
        life.supplement_count += 1
        life.supplement_requested_at = at
        if rng.random() < 0.1:  # never completed: closed by the software on the 16th day
            closed = dt.datetime.combine(at.date() + dt.timedelta(days=16), dt.time(7, 0))
            story.step("close", closed, None, Status.CLOSED.value, {"complete_by": complete_by})
            return False
        back = self.later_working(at, rng.randrange(1, 9))
        new_due = max(self.due(back, proc.rule), life.due) if life.due else self.due(back, proc.rule)
        old_due = life.due
        paused = int((back - at).total_seconds())
        if not story.step("receive_supplement", back, handler, Status.PROCESSING.value,
                          {"paused_seconds": paused, "old_due": _iso(old_due) if old_due else None,
                           "new_due": _iso(new_due)}):
            return False
        life.paused += paused
        life.due = new_due
        return True

    def _extend(self, story: _Story, handler) -> None:
        life = story.life
        assert life.due is not None
        day = self.working_day(story.last.date(), 1)
        if day >= life.due.date():
            return
        new_due = dt.datetime.combine(self.working_day(life.due.date(), self.rng.randrange(2, 6)),
                                      life.due.time())
        if story.step("extend", _work_time(self.rng, day), handler, None,
                      {"reason": self.rng.choice(EXTENSION_REASONS), "new_due": _iso(new_due),
                       "signer_name": self.rng.choice(LEADERS), "old_due": _iso(life.due)}):
            life.due = new_due
            life.extension_count += 1

    def _result(self, story: _Story, proc: _Proc, handler) -> _Life:
        rng, life = self.rng, story.life
        due = life.due or story.last
        start = story.last
        lateness = rng.random()
        if proc.same_day:
            ready = min(start + dt.timedelta(minutes=rng.randrange(20, 180)), due)
            if lateness < 0.01:
                ready = self.later_working(due, 1)
        elif lateness < 0.80:  # early: a working day before the appointment day
            span = max(self.cal.working_days_between(start.date(), due.date()) - 1, 0)
            ready = self.later_working(start, rng.randrange(0, span + 1)) if span else start + dt.timedelta(hours=2)
        elif lateness < 0.94:  # on the appointment day
            ready = dt.datetime.combine(due.date(), dt.time(rng.randrange(8, 16), rng.randrange(60)))
        else:  # late
            ready = self.later_working(due, rng.randrange(1, 6))
        if ready <= start:  # the same day as the previous step: a little later that day
            ready = start + dt.timedelta(minutes=rng.randrange(20, 240))
        year = ready.year
        if not story.step("result_ready", max(ready, start), handler, Status.RESULT_READY.value,
                          {"result_number": f"{rng.randrange(1, 2000)}/{year}/{proc.code[-3:]}",
                           "signer_name": rng.choice(LEADERS)}):
            return life
        life.result_ready_at = story.last
        if rng.random() < 0.02:
            return life  # the citizen has not come for the result
        back = story.last + (dt.timedelta(minutes=rng.randrange(10, 120)) if proc.same_day or rng.random() < 0.3
                             else dt.timedelta(days=rng.randrange(1, 8), hours=rng.uniform(0, 5)))
        if story.step("return_result", back, handler, Status.RETURNED.value, {"received_by": "Người nộp hồ sơ"}):
            life.returned_at = story.last
        return life


# -- dates and numbers --------------------------------------------------------------------
def _receipt_days(cal: WorkCalendar, today: dt.date) -> tuple[list[dt.date], list[float]]:
    """Working days of the last three years before today, weighted: Mondays busier,
    Fridays quieter, a slow growth over the years."""
    start = today.replace(year=today.year - YEARS)
    days, weights = [], []
    day = start
    total = (today - start).days
    while day < today:
        if cal.is_working_day(day):
            days.append(day)
            weights.append((1.25 if day.weekday() == 0 else 0.9 if day.weekday() == 4 else 1.0)
                           * (0.8 + 0.4 * (day - start).days / total))
        day += dt.timedelta(days=1)
    return days, weights


class _Numbers:
    """Codes and tracking-book entries, continuing the counters already in the database."""

    def __init__(self, s: Session, office: OfficeInfo) -> None:
        self.office = office
        self.counters = {c.name: c.value for c in s.scalars(select(SequenceCounter))}
        self.used: dict[str, int] = {}

    def _next(self, name: str) -> int:
        value = self.used.get(name, self.counters.get(name, 0)) + 1
        self.used[name] = value
        return value

    def code(self, day: dt.date) -> str:
        key = codes.day_key(day)
        own = self.office.reception_point
        for point in (own, *(p for p in range(10) if p != own)):
            name = f"dossier:{key}" if point == own else f"dossier:{key}:{point}"
            n = self.used.get(name, self.counters.get(name, 0)) + 1
            if n < codes.PER_POINT:
                self.used[name] = n
                return f"{self.office.unit_id}-{key}-{codes.sequence_number(point, n):04d}"
        raise KnownError(_("Ngày {day} đã dùng hết số hồ sơ của mọi điểm tiếp nhận.").format(
            day=day.strftime("%d/%m/%Y")))

    def book(self, year: int) -> int:
        return self._next(f"book:{year}")

    def save(self, conn: Connection) -> None:
        """Write the counters this batch moved (inside the batch's transaction)."""
        table = SequenceCounter.__table__
        known = set(conn.execute(select(table.c.name).where(table.c.name.in_(list(self.used)))).scalars())
        updates = [{"n": k, "v": v} for k, v in self.used.items() if k in known]
        inserts = [{"name": k, "value": v} for k, v in self.used.items() if k not in known]
        if updates:
            conn.execute(update(table).where(table.c.name == bindparam("n")).values(value=bindparam("v")), updates)
        if inserts:
            conn.execute(insert(table), inserts)
        self.counters.update(self.used)
        self.used.clear()


# -- the whole run -------------------------------------------------------------------------
def check_request(dossiers: int, staff: int) -> None:
    """Refuse impossible numbers before anything is opened or written."""
    if not 0 <= dossiers <= MAX_DOSSIERS:
        raise ValidationError(_("Số hồ sơ mẫu từ 0 đến {n}.").format(n=f"{MAX_DOSSIERS:,}".replace(",", ".")),
                              field="dossiers")
    if not 0 <= staff <= MAX_STAFF:
        raise ValidationError(_("Số cán bộ mẫu từ 0 đến {n}.").format(n=MAX_STAFF), field="staff")


def fill_demo(ctx: Ctx, *, dossiers: int, staff: int = 4, seed: int | None = None,
              progress: Callable[[int, int], None] | None = None, now: dt.datetime | None = None) -> DemoSummary:
    """Add ``dossiers`` demo dossiers (with events and change-log rows) to a commune's database."""
    ctx.require(Perm.SETTINGS)
    check_request(dossiers, staff)
    office = ctx.db.require_office()
    if office.is_hub:
        raise KnownError(_("Dữ liệu mẫu chỉ dành cho Trung tâm cấp xã: cấp trên nhận hồ sơ qua đồng bộ."))
    started = time.perf_counter()
    rng = random.Random(seed if seed is not None else int.from_bytes(os.urandom(8), "big"))
    staff_rows, staff_created = ensure_staff(ctx, staff)
    now_utc = now or utcnow()
    now_local = (now_utc.astimezone(dt.UTC).replace(tzinfo=None) + UTC_OFFSET)
    db = ctx.db
    with db.read() as s:
        procs = _procedures(s)
        cal = load_calendar(db, s)
        due = _Due(cal, parse_hhmm(db.setting("calendar.cutoff_hour", s)),
                   bool(db.setting("calendar.cutoff_moves_multi_day", s)),
                   parse_hhmm(db.setting("calendar.appointment_time", s)))
        numbers = _Numbers(s, office)
        switch = dt.date.fromisoformat(str(db.setting("rules.switch_date", s)))
        default_set = str(db.setting("rules.default_set", s))
    if not procs:
        raise KnownError(_("Danh mục chưa có thủ tục nào có thời hạn giải quyết: không tạo được hồ sơ mẫu."))
    days, day_weights = _receipt_days(cal, now_local.date())
    day_of = sorted(rng.choices(days, cum_weights=list(accumulate(day_weights)), k=dossiers))
    proc_cum = list(accumulate(PROCEDURE_WEIGHTS.get(p.code, DEFAULT_WEIGHT) for p in procs))
    people = PeopleMaker(rng, office.office_name, _province_label(office))
    lives = _Lives(rng, cal, due, staff_rows, now_local)
    changed_at = _ts(now_local)
    statuses: dict[str, int] = {}
    totals = {"events": 0, "changes": 0, "overdue": 0}
    for start in range(0, dossiers, BATCH):
        batch_days = day_of[start:start + BATCH]
        receipts = sorted(_work_time(rng, d) for d in batch_days)
        d_rows, e_rows, c_rows = [], [], []
        for received in receipts:
            proc = procs[_pick(rng, proc_cum)]
            person = people.person(received.date())
            receiver = rng.choice(staff_rows)
            channel = "online" if rng.random() < 0.15 else "post" if rng.random() < 0.03 else "counter"
            life = lives.make(proc, received, receiver, channel)
            d_id = _uuid7_at(rng, received)
            code = numbers.code(received.date())
            book = numbers.book(received.year)
            d_rows.append(_dossier_row(d_id, office, code, book, proc, person, people.folded(person.name),
                                       received, life, receiver,
                                       channel, "2018" if received.date() < switch else default_set, rng))
            c_rows.append(("dossier", d_id, "upsert", 1, changed_at, None, 0))
            for kind, at, actor, before, after, data in life.events:
                e_id = _uuid7_at(rng, at)
                if kind == "received":
                    data = {"code": code, "book_year": received.year, "book_number": book,
                            "time_kind": proc.rule.time_kind, "time_value": proc.rule.time_value,
                            "channel": channel, "result_delivery": channel}
                e_rows.append((e_id, office.office_code, _ts(at), _ts(at), 1, d_id, kind, _ts(at),
                               _uuid_hex(actor), actor[1] if actor else "Phần mềm (tự động theo quy định)",
                               None if kind == "received" else before, after, _json(data), None))
                c_rows.append(("dossier_event", e_id, "upsert", 1, changed_at, None, 0))
            statuses[life.status] = statuses.get(life.status, 0) + 1
            if life.due is not None and life.status in _CLOCK and life.due < now_local:
                totals["overdue"] += 1
        _write_batch(db, d_rows, e_rows, c_rows, numbers)
        totals["events"] += len(e_rows)
        totals["changes"] += len(c_rows)
        if progress:
            progress(min(start + BATCH, dossiers), dossiers)
    with db.engine.begin() as conn:
        if search_index.available(conn) and dossiers >= 10 * BATCH:
            search_index.optimize(conn)
    return DemoSummary(dossiers, totals["events"], totals["changes"], staff_created,
                       time.perf_counter() - started, statuses, totals["overdue"])


_CLOCK = {Status.RECEIVED.value, Status.PROCESSING.value, Status.FINANCIAL_OBLIGATION.value,
          Status.WITHDRAWAL_REQUESTED.value}


def _pick(rng: random.Random, cum: list[float]) -> int:
    import bisect

    return bisect.bisect_right(cum, rng.random() * cum[-1])


def _uuid_hex(actor: tuple[str, str, str] | None) -> str | None:
    return actor[0] if actor else None


def _province_label(office: OfficeInfo) -> str | None:
    if not office.province_name:
        return None
    name = office.province_name
    return name if name.lower().startswith(("tỉnh", "thành phố")) else f"tỉnh {name}"


def _dossier_row(d_id: str, office: OfficeInfo, code: str, book: int, proc: _Proc, person: Person, folded: str,
                 received: dt.datetime, life: _Life, receiver: tuple[str, str, str], channel: str, rules_set: str,
                 rng: random.Random) -> tuple:
    known = [a for _n, a in proc.fees if a is not None]
    fee = rng.choice(known) if known else 0
    last = life.events[-1][1] if life.events else received
    t = _ts
    return (
        d_id, office.office_code, t(received), t(last), 1 + max(len(life.events) - 1, 0), code,
        received.year, book, rules_set, proc.id_hex, proc.code, proc.name, proc.field, person.name,
        folded, person.id_number or None, person.dob.isoformat(), person.phone or None,
        person.address, person.email or None, proc.documents_json, 1, channel, fee, channel,
        t(received), t(life.due) if life.due else None, t(life.original_due) if life.original_due else None,
        life.status, receiver[0], receiver[1],
        life.handler[0] if life.handler else None, life.handler[1] if life.handler else None,
        life.supplement_count, t(life.supplement_requested_at) if life.supplement_requested_at else None,
        life.paused, life.extension_count,
        t(life.result_ready_at) if life.result_ready_at else None,
        t(life.returned_at) if life.returned_at else None,
        t(life.finished_at) if life.finished_at else None, life.outcome,
        t(received) if channel == "counter" else None, None, None,
    )


def _write_batch(db: Database, d_rows: list[tuple], e_rows: list[tuple], c_rows: list[tuple],
                 numbers: _Numbers) -> None:
    """One transaction: the batch's dossiers, events, change-log rows, counters and index."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # the random-order indexes (names, numbers) stay in memory
            conn.exec_driver_sql(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
        with search_index.suspended(conn) if search_index.available(conn) else nullcontext():
            conn.exec_driver_sql(_insert_sql(conn, "dossier", _DOSSIER_COLS), d_rows)
            conn.exec_driver_sql(_insert_sql(conn, "dossier_event", _EVENT_COLS), e_rows)
            conn.exec_driver_sql(_insert_sql(conn, "change_log", _CHANGE_COLS), c_rows)
        numbers.save(conn)
