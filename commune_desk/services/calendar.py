"""The office's working-day calendar: the yearly table (calendar_day), appointments, and
CSV/XLSX import and export of the table.

``load_calendar`` is cheap to call often: the built calendar is cached per database and
rebuilt only when the table's fingerprint (row count, newest change, version sum) moves,
so edits made by this process, by the sync importer or by another process are all seen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commune_desk import settings as settings_registry
from commune_desk.domain.calendar import (
    KINDS,
    DayEntry,
    DueRule,
    WorkCalendar,
    appointment,
    parse_hhmm,
    to_local,
    to_utc,
)
from commune_desk.domain.roles import Perm
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import _, current_language
from commune_desk.paths import resource
from commune_desk.services import tabular
from commune_desk.services.context import Ctx, Database
from commune_desk.store.models import CalendarDay, Setting

COLUMNS = ("date", "kind", "note")
NOTE_MAX = 300

_cache: WeakKeyDictionary[Database, tuple[tuple, WorkCalendar]] = WeakKeyDictionary()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class CalendarRow:
    """One row of the office's table (plain data for widgets and the CLI)."""

    day: date
    kind: str
    note: str | None


# -- reading -------------------------------------------------------------------------
@cache
def fingerprint_columns() -> tuple:
    """The table's fingerprint as three scalar subqueries, so a caller that queries anyway
    (a save reads its procedure) fetches it in the same statement (built once)."""
    return (select(func.count(CalendarDay.id)).scalar_subquery().label("calendar_count"),
            select(func.max(CalendarDay.updated_at)).scalar_subquery().label("calendar_changed"),
            select(func.sum(CalendarDay.version)).scalar_subquery().label("calendar_versions"))


def _fingerprint(s: Session) -> tuple:
    return tuple(s.execute(select(*fingerprint_columns())).one())


def load_calendar(db: Database, session: Session | None = None, *, fingerprint: tuple | None = None) -> WorkCalendar:
    """The office's calendar: the legal one with the ``calendar_day`` table on top
    (``fingerprint``: the :func:`fingerprint_columns` values already read in ``session``)."""
    language = current_language()

    def build(s: Session) -> WorkCalendar:
        stamp = (*(fingerprint if fingerprint is not None else _fingerprint(s)), language)
        with _cache_lock:
            cached = _cache.get(db)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        rows = s.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.note)).all()
        cal = WorkCalendar({r.day: r.kind for r in rows if r.kind in KINDS},
                           notes={r.day: r.note for r in rows if r.note}, language=language)
        with _cache_lock:
            _cache[db] = (stamp, cal)
        return cal

    if session is not None:
        return build(session)
    with db.read() as s:
        return build(s)


def invalidate(db: Database) -> None:
    with _cache_lock:
        _cache.pop(db, None)


APPOINTMENT_SETTINGS = ("calendar.cutoff_hour", "calendar.cutoff_moves_multi_day", "calendar.appointment_time")
_APPOINTMENT_SETTINGS = APPOINTMENT_SETTINGS


def _settings(s: Session, keys: tuple[str, ...]) -> dict[str, object]:
    """Several settings in one query (appointments are computed often)."""
    stored = {k: v for k, v in s.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys)))}
    return {k: stored.get(k, settings_registry.default(k)) for k in keys}


def appointment_for(db: Database, procedure, received_utc: datetime, session: Session | None = None, *,
                    values: dict[str, object] | None = None, fingerprint: tuple | None = None) -> datetime:
    """The appointment (aware UTC) of a dossier of ``procedure`` (a catalog row or spec)
    received at ``received_utc``, with the office's cut-off and printed hour.

    A save passes what it already read in ``session``: ``values`` (APPOINTMENT_SETTINGS among
    other settings) and the calendar's ``fingerprint``, sparing two queries.
    Raises KnownError when the procedure has no processing time yet (the office fills it in)."""
    if session is None:
        with db.read() as s:
            return appointment_for(db, procedure, received_utc, s, values=values, fingerprint=fingerprint)
    cal = load_calendar(db, session, fingerprint=fingerprint)
    if values is None:
        values = _settings(session, APPOINTMENT_SETTINGS)
    try:
        local = appointment(
            cal, to_local(received_utc), DueRule.of(procedure),
            cutoff=parse_hhmm(values["calendar.cutoff_hour"]),
            cutoff_moves_multi_day=bool(values["calendar.cutoff_moves_multi_day"]),
            appointment_time=parse_hhmm(values["calendar.appointment_time"]),
        )
    except ValueError as exc:
        code = getattr(procedure, "code", "")
        raise KnownError(_("Thủ tục {code} chưa có thời hạn giải quyết hợp lệ; hãy cập nhật trong Danh mục thủ tục.")
                         .format(code=code)) from exc
    return to_utc(local)


def year_entries(ctx: Ctx, year: int) -> list[DayEntry]:
    """The year's table as the calendar window shows it (legal days and the office's rows)."""
    return load_calendar(ctx.db).entries(year)


def list_days(ctx: Ctx, year: int | None = None) -> list[CalendarRow]:
    """The office's own rows (of one year, or all)."""
    with ctx.db.read() as s:
        q = select(CalendarDay).order_by(CalendarDay.day)
        if year is not None:
            q = q.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        return [CalendarRow(r.day, r.kind, r.note) for r in s.scalars(q)]


# -- editing -------------------------------------------------------------------------
def _check_row(kind: str, note: str | None) -> tuple[str, str | None]:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise ValidationError(_("Loại ngày phải là 'off' (nghỉ) hoặc 'work' (làm việc bù)."), field="kind")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise ValidationError(_("Ghi chú dài quá {n} ký tự.").format(n=NOTE_MAX), field="note")
    return kind, note


def _upsert(s: Session, day: date, kind: str, note: str | None) -> str:
    """Insert or update one row; returns created | updated | unchanged."""
    row = s.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        s.add(CalendarDay(day=day, kind=kind, note=note))
        return "created"
    if row.kind == kind and row.note == note:
        return "unchanged"
    row.kind, row.note = kind, note
    return "updated"


def set_day(ctx: Ctx, day: date, kind: str, note: str | None = None) -> CalendarRow:
    """Add or change a day off / make-up working day of the office's table."""
    ctx.require(Perm.CALENDAR_EDIT)
    kind, note = _check_row(kind, note)
    with ctx.db.write() as s:
        _upsert(s, day, kind, note)
    invalidate(ctx.db)
    return CalendarRow(day, kind, note)


def delete_day(ctx: Ctx, day: date) -> None:
    ctx.require(Perm.CALENDAR_EDIT)
    with ctx.db.write() as s:
        row = s.scalar(select(CalendarDay).where(CalendarDay.day == day))
        if row is None:
            raise NotFound(_("Ngày {day} không có trong lịch của đơn vị.").format(day=day.strftime("%d/%m/%Y")))
        s.delete(row)
    invalidate(ctx.db)


# -- files ---------------------------------------------------------------------------
def parse_rows(table: tabular.Table) -> list[CalendarRow]:
    """Check every row of an imported table; raises one ValidationError naming each bad row."""
    problems = tabular.header_problems(table, required=COLUMNS, allowed=COLUMNS)
    out: list[CalendarRow] = []
    seen: dict[date, int] = {}
    for number, cells in table.rows:
        if problems and problems[0][0] == tabular.HEADER_ROW:
            break
        row_errors: list[str] = []
        day = tabular.parse_date(cells.get("date", ""))
        if day is None:
            row_errors.append(_("ngày '{value}' không hợp lệ (dạng YYYY-MM-DD hoặc DD/MM/YYYY)")
                              .format(value=cells.get("date", "")))
        elif day in seen:
            row_errors.append(_("ngày {day} trùng với dòng {other}").format(day=day.isoformat(), other=seen[day]))
        kind = (cells.get("kind") or "").strip().lower()
        if kind not in KINDS:
            row_errors.append(_("loại '{value}' không hợp lệ (off hoặc work)").format(value=cells.get("kind", "")))
        note = (cells.get("note") or "").strip() or None
        if note and len(note) > NOTE_MAX:
            row_errors.append(_("ghi chú dài quá {n} ký tự").format(n=NOTE_MAX))
        if row_errors:
            problems.append((number, "; ".join(row_errors)))
            continue
        seen[day] = number
        out.append(CalendarRow(day, kind, note))
    tabular.raise_problems(problems)
    return out


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def import_file(ctx: Ctx, path: Path) -> ImportSummary:
    """Import a table of days (CSV/XLSX: date, kind, note). Any bad row: nothing is written."""
    ctx.require(Perm.CALENDAR_EDIT)
    rows = parse_rows(tabular.read_table(Path(path)))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with ctx.db.write() as s:
        for row in rows:
            counts[_upsert(s, row.day, row.kind, row.note)] += 1
            s.flush()
    invalidate(ctx.db)
    return ImportSummary(**counts)


def export_file(ctx: Ctx, path: Path, year: int | None = None) -> int:
    """Write the office's table to CSV or XLSX; returns the number of rows."""
    rows = list_days(ctx, year)
    tabular.write_table(Path(path), COLUMNS,
                        [(r.day.isoformat(), r.kind, r.note or "") for r in rows])
    return len(rows)


def shipped_rows() -> list[CalendarRow]:
    """The yearly tables shipped in resources/calendar/ (announced swaps and Tết breaks)."""
    out: list[CalendarRow] = []
    for path in sorted(resource("calendar").glob("*.csv")):
        out.extend(parse_rows(tabular.read_table(path)))
    return out


def seed_shipped_calendar(session: Session) -> int:
    """Put the shipped tables into a new office's calendar (inside setup's transaction)."""
    created = 0
    for row in shipped_rows():
        created += _upsert(session, row.day, row.kind, row.note) == "created"
        session.flush()
    return created
