"""The periodic table in SQL: one GROUP BY over the dossiers of the period with CASE sums,
on SQLite and PostgreSQL alike (SQLAlchemy Core, no dialect-specific SQL).

The rules (FACTS.md 4.3, Decision 766), on the columns the lifecycle keeps up to date:

- handled in the period = received during it, or received before and still open at its start
  (``finished_at`` empty or not before the start): "carried over";
- finished in the period = ``finished_at`` inside it (``finished_at`` is the first terminal
  time, "result ready" first). With a result (``result_ready``/``returned``) it is "resolved",
  split by ``outcome``; any other terminal status is "returned or withdrawn";
- open at the end and waiting for the citizen's supplement (requested before the end):
  "waiting"; on time if the request came before the appointment;
- open at the end otherwise: "in progress", overdue if its appointment is before the period's
  end (or before now, for a period not over yet);
- more than one supplement request counts as overdue; ``due_at`` already carries the clock
  restart after a supplement and the single extension, so paused time is not subtracted again.

The scope is written as three disjoint, index-friendly parts (received in the period; received
before and finished after its start; received before and still open) so that SQLite and
PostgreSQL can use the ``received_at`` and ``finished_at`` indexes instead of a full scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from commune_desk.reports.model import COUNT_KEYS, Counts
from commune_desk.store.models import Dossier

RESULT_STATUSES = ("result_ready", "returned")
ONTIME_OUTCOMES = ("early", "on_time")

d = Dossier.__table__


def scope(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Dossiers handled in [start, end): new in the period, or carried over into it."""
    return or_(
        and_(d.c.received_at >= start, d.c.received_at < end),
        and_(d.c.finished_at >= start, d.c.received_at < start),
        and_(d.c.finished_at.is_(None), d.c.received_at < start),
    )


def _flag(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return case((cond, 1), else_=0)


def due_expr() -> ColumnElement[datetime]:
    return func.coalesce(d.c.due_at, d.c.original_due_at)


def outcome_expr() -> ColumnElement[str]:
    """``outcome`` as the lifecycle set it; for rows without one (imported from an older
    system), judged from the columns: more than one supplement, or finished after the appointment, is late."""
    due = due_expr()
    return case(
        (d.c.outcome.is_not(None), d.c.outcome),
        (func.coalesce(d.c.supplement_count, 0) > 1, literal("late")),
        (or_(due.is_(None), d.c.finished_at <= due), literal("on_time")),
        else_=literal("late"),
    )


def count_conditions(start: datetime, end: datetime, as_of: datetime) -> dict[str, ColumnElement[bool] | None]:
    """The condition of every field of :class:`Counts` for a dossier already in the period's
    scope (``None`` for "received": every dossier in scope)."""
    ref = min(end, as_of)                         # an unfinished period is judged as of now
    due = due_expr()
    supplements = func.coalesce(d.c.supplement_count, 0)
    is_new = d.c.received_at >= start
    channel = func.coalesce(d.c.channel, "counter")
    finished_in = and_(d.c.finished_at.is_not(None), d.c.finished_at < end)
    open_end = or_(d.c.finished_at.is_(None), d.c.finished_at >= end)
    waiting = and_(open_end, d.c.supplement_requested_at.is_not(None), d.c.supplement_requested_at < end)
    running = and_(open_end, or_(d.c.supplement_requested_at.is_(None), d.c.supplement_requested_at >= end))
    result = d.c.status.in_(RESULT_STATUSES)
    outcome = outcome_expr()
    late_running = or_(supplements > 1, and_(due.is_not(None), due < ref))
    late_waiting = or_(supplements > 1, and_(due.is_not(None), due < d.c.supplement_requested_at))
    on_time = or_(and_(finished_in, outcome.in_(ONTIME_OUTCOMES)),
                  and_(running, not_(late_running)),
                  and_(waiting, not_(late_waiting)))
    flags: dict[str, ColumnElement[bool] | None] = {
        "received": None,
        "new_online": and_(is_new, channel == "online"),
        "new_counter": and_(is_new, channel.not_in(("online", "post"))),
        "new_post": and_(is_new, channel == "post"),
        "carried": not_(is_new),
        "resolved": and_(finished_in, result),
        "early": and_(finished_in, result, outcome == "early"),
        "on_time": and_(finished_in, result, outcome == "on_time"),
        "late": and_(finished_in, result, outcome == "late"),
        "open": running,
        "open_within": and_(running, not_(late_running)),
        "open_overdue": and_(running, late_running),
        "waiting": waiting,
        "withdrawn": and_(finished_in, not_(result)),
        "on_time_num": on_time,
        "online_overdue": and_(channel == "online", not_(on_time)),
    }
    assert tuple(flags) == COUNT_KEYS
    return flags


def count_expressions(start: datetime, end: datetime, as_of: datetime) -> dict[str, ColumnElement[int]]:
    """``SUM(CASE …)`` for every field of :class:`Counts`, keyed by field name (the query's
    WHERE must be :func:`scope` of the same period)."""
    return {key: (func.count() if cond is None else func.sum(_flag(cond))).label(key)
            for key, cond in count_conditions(start, end, as_of).items()}


def in_period(start: datetime, end: datetime) -> ColumnElement[bool]:
    """:func:`scope` as one plain condition, for a CASE inside a wider scan."""
    return and_(d.c.received_at < end, or_(d.c.finished_at.is_(None), d.c.finished_at >= start))


def plain(column: ColumnElement[str]) -> ColumnElement[str]:
    """``column`` as an expression no planner can answer from the column's own index.

    At a commune every row has the same ``office_code``; SQLite without ANALYZE statistics
    (the normal case in an office) prefers an equality, or a GROUP BY, on an indexed column
    to the date ranges, and then walks the whole table through ``ix_dossier_office_code``
    (or ``ix_dossier_field``). COALESCE keeps such a column a plain value: the period's
    date indexes lead, on SQLite and PostgreSQL alike.
    """
    return func.coalesce(column, "")


def office_filter(office_codes: Sequence[str] | None) -> list[ColumnElement[bool]]:
    """``office_code IN (…)`` as a filter, not as the way in (see :func:`plain`)."""
    if not office_codes:
        return []
    return [plain(d.c.office_code).in_(list(office_codes))]


def grouped_counts(session: Session, start: datetime, end: datetime, as_of: datetime,
                   office_codes: Sequence[str] | None) -> list[tuple[str, str, str, str, Counts]]:
    """(office_code, field, procedure_code, procedure_name, Counts) per group, one query."""
    exprs = count_expressions(start, end, as_of)
    keys = [plain(d.c.office_code).label("office_code"), plain(d.c.field).label("field"),
            plain(d.c.procedure_code).label("procedure_code")]
    query = (select(*keys, func.max(d.c.procedure_name).label("procedure_name"), *exprs.values())
             .where(scope(start, end), *office_filter(office_codes))
             .group_by(*keys))
    out = []
    for row in session.execute(query):
        counts = Counts(**{k: int(getattr(row, k) or 0) for k in COUNT_KEYS})
        out.append((row.office_code, row.field or "", row.procedure_code or "", row.procedure_name or "",
                    counts))
    return out


NONE = 15   # "no such date" in a packed month number (months are 0..13)


def bucket(column: ColumnElement[datetime], bounds: Sequence[datetime]) -> ColumnElement[int]:
    """How many of the sorted ``bounds`` are ≤ ``column`` (NULL stays NULL), as a balanced
    nest of CASEs: about log2(len(bounds)) comparisons a row."""
    def part(lo: int, hi: int) -> ColumnElement[int]:
        # the answer lies in lo..hi
        if lo == hi:
            return literal(lo)
        mid = (lo + hi + 1) // 2            # is column >= bounds[mid - 1]?
        return case((column < bounds[mid - 1], part(lo, mid - 1)), else_=part(mid, hi))
    return case((column.is_(None), None), else_=part(0, len(bounds)))


def monthly_on_time(session: Session, months: Sequence[tuple[datetime, datetime]], as_of: datetime,
                    office_codes: Sequence[str] | None) -> list[tuple[int, int]]:
    """(handled, on-time numerator) of each of the consecutive ``months``, in one scan.

    Each dossier of the months' joint scope is reduced in SQL to the months its dates fall
    in (receipt, end, supplement request, appointment) and a few flags, and counted by
    those; the rules of :func:`count_conditions` are then applied month by month to the
    few hundred groups that come back, instead of evaluating them twelve times a row.
    """
    if not months:
        return []
    bounds = [months[0][0]] + [m_end for _m_start, m_end in months]
    due = due_expr()
    supplements = func.coalesce(d.c.supplement_count, 0)
    columns = {
        # the month (1..12; 0 before, 13 after; NONE without a date) of each date
        "rb": bucket(d.c.received_at, bounds),
        "fb": bucket(d.c.finished_at, bounds),
        "sb": bucket(d.c.supplement_requested_at, bounds),
        "db": bucket(due, bounds),
        # and the facts that do not depend on the month
        "ok": _flag(outcome_expr().in_(ONTIME_OUTCOMES)),
        "many": _flag(supplements > 1),
        "late_wait": _flag(and_(due.is_not(None), due < d.c.supplement_requested_at)),
        "due_before_now": _flag(and_(due.is_not(None), due < as_of)),
    }
    keys = [func.coalesce(expr, NONE).label(name) for name, expr in columns.items()]
    query = (select(*keys, func.count().label("n"))
             .where(scope(bounds[0], bounds[-1]), *office_filter(office_codes)).group_by(*keys))
    out = [[0, 0] for _m in months]
    for g in session.execute(query):
        for m in range(1, len(months) + 1):
            if g.rb > m or g.fb < m:
                continue                                   # not handled in month m (fb NONE: open)
            out[m - 1][0] += g.n
            if g.fb == m:                                  # finished in month m
                on_time = bool(g.ok)
            elif g.sb <= m:                                # waiting for the citizen at its end
                on_time = not (g.many or g.late_wait)
            else:                                          # still running at its end
                before_ref = g.db <= m if bounds[m] <= as_of else bool(g.due_before_now)
                on_time = not (g.many or before_ref)
            out[m - 1][1] += g.n if on_time else 0
    return [(received, on_time) for received, on_time in out]
