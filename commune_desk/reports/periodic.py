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

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select, text
from sqlalchemy.orm import Session

from commune_desk.reports.model import COUNT_KEYS, Counts, Group, ScoreSums
from commune_desk.store.base import UTCDateTime
from commune_desk.store.models import Dossier, Rating

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


def no_jit(session: Session) -> None:
    """PostgreSQL compiles a query this wide with LLVM (JIT) and spends longer compiling than
    running it (16 s of compiling for a 4 s query at 5 million rows): off for this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


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


def plain(column: ColumnElement[str], session: Session) -> ColumnElement[str]:
    """On SQLite, ``column`` as an expression the planner cannot answer from its own index.

    At a commune every row has the same ``office_code``; SQLite without ANALYZE statistics
    (the normal case in an office) prefers an equality, or a GROUP BY, on an indexed column
    to the date ranges, and then walks the whole table through ``ix_dossier_office_code``
    (or ``ix_dossier_field``). COALESCE keeps such a column a plain value so the period's
    date indexes lead. PostgreSQL keeps its statistics (autovacuum) and plans well with the
    bare column; wrapping it there would only spoil its estimates (a sort instead of a hash).
    """
    return func.coalesce(column, "") if session.get_bind().dialect.name == "sqlite" else column


def office_filter(office_codes: Sequence[str] | None, session: Session) -> list[ColumnElement[bool]]:
    """``office_code IN (…)`` as a filter, not as the way in (see :func:`plain`)."""
    if not office_codes:
        return []
    return [plain(d.c.office_code, session).in_(list(office_codes))]


def grouped_counts(session: Session, start: datetime, end: datetime, as_of: datetime,
                   office_codes: Sequence[str] | None) -> list[Group]:
    """One scan of the period: per (office, field, procedure, officer) the :class:`Counts`
    and the TT 01/2018 index sums of the dossiers resolved in it."""
    no_jit(session)
    exprs = count_expressions(start, end, as_of)
    rt = Rating.__table__
    negative = select(rt.c.dossier_id).where(or_(rt.c.complaint.is_(True), rt.c.dislike.is_(True)),
                                             rt.c.rated_at < end, rt.c.dossier_id.is_not(None))
    resolved = count_conditions(start, end, as_of)["resolved"]
    outcome = outcome_expr()
    supplements = func.coalesce(d.c.supplement_count, 0)
    score_exprs = [
        func.sum(case((resolved, case((outcome == "early", 2), (outcome == "on_time", 1), else_=0)),
                      else_=0)).label("index1"),
        func.sum(case((resolved, case((supplements == 0, 2), (supplements == 1, 1), else_=0)),
                      else_=0)).label("index3"),
        func.sum(_flag(and_(resolved, d.c.id.in_(negative)))).label("negative"),
    ]
    # bare columns where possible, so PostgreSQL can estimate the groups and hash them (the
    # field follows from the procedure; the officer scored is the handler)
    keys = [plain(d.c.office_code, session).label("office_code"),
            plain(d.c.procedure_code, session).label("procedure_code"),
            d.c.handler_name.label("handler")]
    query = (select(*keys, func.max(d.c.field).label("field"), func.max(d.c.procedure_name).label("procedure_name"),
                    *exprs.values(), *score_exprs)
             .where(scope(start, end), *office_filter(office_codes, session))
             .group_by(*keys))
    out = []
    for row in session.execute(query):
        counts = Counts(**{k: int(getattr(row, k) or 0) for k in COUNT_KEYS})
        sums = ScoreSums(counts.resolved, int(row.index1 or 0), int(row.index3 or 0), int(row.negative or 0))
        out.append(Group(row.office_code, row.field or "", row.procedure_code or "", row.procedure_name or "",
                         row.handler or "", counts, sums))
    return out


NONE = 15   # "no such date" in a packed month number (months are 0..13)


def bucket(column: ColumnElement[datetime], bounds: Sequence[datetime], session: Session) -> ColumnElement[int]:
    """How many of the sorted ``bounds`` are ≤ ``column`` (NULL stays NULL): PostgreSQL's
    ``width_bucket`` (a binary search in one call), elsewhere a balanced nest of CASEs
    (about log2(len(bounds)) comparisons a row)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import array

        return func.width_bucket(column, array([literal(b, UTCDateTime()) for b in bounds]))

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
    no_jit(session)
    bounds = [months[0][0]] + [m_end for _m_start, m_end in months]
    due = due_expr()
    supplements = func.coalesce(d.c.supplement_count, 0)
    # the month of each date (1..12; 0 before, 13 after; NONE without one), four bits each
    months_of = [bucket(column, bounds, session)
                 for column in (d.c.received_at, d.c.finished_at, d.c.supplement_requested_at, due)]
    # and the facts that do not depend on the month
    facts = [outcome_expr().in_(ONTIME_OUTCOMES), supplements > 1,
             and_(due.is_not(None), due < d.c.supplement_requested_at), and_(due.is_not(None), due < as_of)]
    # packed into one integer: cheaper to group by than eight columns, and an estimate
    # PostgreSQL can hash instead of sorting hundreds of thousands of rows
    key = literal(0)
    for i, month in enumerate(months_of):
        key = key + func.coalesce(month, NONE) * (16 ** i)
    for i, fact in enumerate(facts):
        key = key + _flag(fact) * (16 ** 4 * 2 ** i)
    query = (select(key.label("k"), func.count().label("n"))
             .where(scope(bounds[0], bounds[-1]), *office_filter(office_codes, session)).group_by(key))
    out = [[0, 0] for _m in months]
    for packed, n in session.execute(query):
        rb, fb, sb, db = ((packed >> (4 * i)) & 15 for i in range(4))
        ok, many, late_wait, due_before_now = ((packed >> (16 + i)) & 1 for i in range(4))
        for m in range(1, len(months) + 1):
            if rb > m or fb < m:
                continue                                   # not handled in month m (fb NONE: open)
            out[m - 1][0] += n
            if fb == m:                                    # finished in month m
                on_time = bool(ok)
            elif sb <= m:                                  # waiting for the citizen at its end
                on_time = not (many or late_wait)
            else:                                          # still running at its end
                before_ref = db <= m if bounds[m] <= as_of else bool(due_before_now)
                on_time = not (many or before_ref)
            out[m - 1][1] += n if on_time else 0
    return [(received, on_time) for received, on_time in out]
