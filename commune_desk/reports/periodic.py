"""The periodic table in SQL: one GROUP BY over the dossiers of the period with CASE sums,
on SQLite and PostgreSQL alike (SQLAlchemy Core, no dialect-specific SQL).

The rules (FACTS.md 4.3, Decision 766), on the columns the lifecycle keeps up to date:

- handled in the period = received during it, or received before and still open at its start
  (``finished_at`` empty or not before the start): "carried over";
- finished in the period = ``finished_at`` inside it (``finished_at`` is the first terminal
  time, "result ready" first). With a result (``result_ready``/``returned``) it is "resolved",
  split by ``outcome``; any other terminal status is "returned or withdrawn";
- open at the end and waiting for the citizen's supplement at that moment: "waiting"; on time
  if the request came before the appointment as it then stood;
- open at the end otherwise: "in progress", overdue if its appointment as it stood at the
  period's end is before that end (or before now, for a period not over yet);
- more than one supplement request before the end counts as overdue; the appointment already
  carries the clock restart after a supplement and the single extension, so paused time is
  not subtracted again.

Open dossiers are judged as they stood at the period's end, not as they stand now (a report
for Q1 made in Q3): see :func:`state_at`. Only a dossier that ever had a supplement request
can differ (the request and the resubmission move it between "waiting" and "in progress" and
restart its appointment; an extension made after the end only moves an appointment that was
still ahead then), so the history (``dossier_event``) is read, by correlated subqueries
behind a CASE, for those few rows only. Rows without events (imported from an older
system) keep the columns' reading: waiting if a request was made before the end.

The scope is written as three disjoint, index-friendly parts (received in the period; received
before and finished after its start; received before and still open) so that SQLite and
PostgreSQL can use the ``received_at`` and ``finished_at`` indexes instead of a full scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    ColumnElement,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    text,
)
from sqlalchemy import type_coerce as coerce
from sqlalchemy.orm import Session

from commune_desk.reports.model import COUNT_KEYS, Counts, Group, ScoreSums
from commune_desk.store.base import UTCDateTime
from commune_desk.store.models import Dossier, DossierEvent, Rating

RESULT_STATUSES = ("result_ready", "returned")
ONTIME_OUTCOMES = ("early", "on_time")
REQUEST, RECEIVE, EXTEND = "request_supplement", "receive_supplement", "extend"

d = Dossier.__table__
e = DossierEvent.__table__


def scope(start: datetime, end: datetime, dialect: str = "postgresql") -> ColumnElement[bool]:
    """Dossiers handled in [start, end): new in the period, or carried over into it.

    On SQLite the middle part (received before, finished after the start) is found by rowid
    from ``ix_dossier_finished_received`` alone: written plainly, SQLite walks
    ``ix_dossier_finished_at`` and reads every dossier finished since the start (for a
    past quarter, every later one: 140,000 rows to keep 4,000 at 1 million dossiers).
    """
    carried_finished: ColumnElement[bool] = and_(d.c.finished_at >= start, d.c.received_at < start)
    if dialect == "sqlite":
        inner = d.alias("carried")
        carried_finished = literal_column("dossier.rowid").in_(
            select(literal_column("carried.rowid")).select_from(inner)
            .where(inner.c.finished_at >= start, inner.c.received_at < start))
    return or_(
        and_(d.c.received_at >= start, d.c.received_at < end),
        carried_finished,
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


def json_moment(value: ColumnElement[str], dialect: str) -> ColumnElement[datetime]:
    """An ISO UTC time kept in an event's JSON data ("2025-03-27T10:00:00+00:00") as a value
    comparable with the UTC datetime columns (naive UTC on both databases)."""
    if dialect == "postgresql":
        moment = cast(func.substr(value, 1, 19), TIMESTAMP())
    else:   # SQLite keeps datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'
        moment = func.replace(func.substr(value, 1, 19), "T", " ") + ".000000"
    return coerce(moment, UTCDateTime())


def _events(kind: str, cutoff: datetime, aggregate) -> ColumnElement:
    """``aggregate`` over this dossier's events of ``kind`` before ``cutoff`` (correlated)."""
    return (select(aggregate).where(e.c.dossier_id == d.c.id, e.c.kind == kind, e.c.at < cutoff)
            .scalar_subquery())


def with_history() -> ColumnElement[bool]:
    """The dossier had a supplement request and its history records it."""
    return and_(d.c.supplement_requested_at.is_not(None),
                exists().where(e.c.dossier_id == d.c.id, e.c.kind == REQUEST))


@dataclass(frozen=True)
class StateAt:
    """A dossier open at ``cutoff`` as it stood then (SQL expressions over ``dossier``)."""

    waiting: ColumnElement[bool]            # waiting for the citizen's supplement
    many: ColumnElement[bool]               # more than one supplement request so far
    due: ColumnElement[datetime]            # the appointment then
    requested: ColumnElement[datetime]      # the latest supplement request then


def state_at(cutoff: datetime, dialect: str, known_history: bool = False) -> StateAt:
    """How an open dossier stood at ``cutoff``.

    From the history when the dossier has one (some ``request_supplement`` event): requests
    and resubmissions before the cutoff say whether it was waiting and how many requests were
    made; the appointment then is the ``old_due`` of the first appointment change (a
    resubmission or an extension) at or after the cutoff, else the current one. Without a
    supplement ever requested nothing of this can have changed; without events, the columns
    (the latest request, the current count and appointment) are all there is. The
    subqueries sit behind a CASE so they run only for the rows that need them.
    ``known_history``: the caller has already checked :func:`with_history` (no CASE).
    """
    requested_ever = d.c.supplement_requested_at.is_not(None)
    has_history = with_history()
    change = (select(json_moment(e.c.data["old_due"].as_string(), dialect))
              .where(e.c.dossier_id == d.c.id, e.c.kind.in_((RECEIVE, EXTEND)), e.c.at >= cutoff)
              .order_by(e.c.at).limit(1).scalar_subquery())
    due = due_expr()
    requests = _events(REQUEST, cutoff, func.count())
    if known_history:
        return StateAt(waiting=requests > _events(RECEIVE, cutoff, func.count()), many=requests > 1,
                       due=func.coalesce(change, due), requested=_events(REQUEST, cutoff, func.max(e.c.at)))
    return StateAt(
        waiting=case((has_history, requests > _events(RECEIVE, cutoff, func.count())),
                     else_=and_(requested_ever, d.c.supplement_requested_at < cutoff)),
        many=case((has_history, requests > 1), else_=func.coalesce(d.c.supplement_count, 0) > 1),
        due=case((has_history, func.coalesce(change, due)), else_=due),
        requested=case((has_history, _events(REQUEST, cutoff, func.max(e.c.at))),
                       else_=d.c.supplement_requested_at),
    )


def open_at(end: datetime) -> ColumnElement[bool]:
    return or_(d.c.finished_at.is_(None), d.c.finished_at >= end)


def row_facts(start: datetime, end: datetime, as_of: datetime, dialect: str = "sqlite",
              known_history: bool = False) -> dict[str, ColumnElement]:
    """What the figures of a dossier in the period's scope are made of, each fact once.

    ``late_running`` and ``late_waiting`` only matter (and the history is only read) for a
    dossier still open at the end: see how :func:`count_conditions` combines them."""
    ref = min(end, as_of)                         # an unfinished period is judged as of now
    open_end = open_at(end)
    then = state_at(end, dialect, known_history)
    return {
        "is_new": d.c.received_at >= start,
        "channel": func.coalesce(d.c.channel, "counter"),
        "finished_in": and_(d.c.finished_at.is_not(None), d.c.finished_at < end),
        "result": d.c.status.in_(RESULT_STATUSES),
        "outcome": outcome_expr(),
        # "open_end" first: the history is read only for dossiers still open at the end
        "waiting": and_(open_end, then.waiting),
        "running": and_(open_end, not_(then.waiting)),
        "late_running": or_(then.many, and_(then.due.is_not(None), then.due < ref)),
        "late_waiting": or_(then.many, and_(then.due.is_not(None), then.due < then.requested)),
    }


FACTS = ("is_new", "channel", "finished_in", "result", "outcome", "waiting", "running", "late_running",
         "late_waiting")


def count_conditions(start: datetime, end: datetime, as_of: datetime, dialect: str = "sqlite",
                     facts: dict[str, ColumnElement] | None = None,
                     known_history: bool = False) -> dict[str, ColumnElement[bool] | None]:
    """The condition of every field of :class:`Counts` for a dossier already in the period's
    scope (``None`` for "received": every dossier in scope). ``facts``: :func:`row_facts`
    already computed (the columns of an inner query); ``known_history``: see :func:`state_at`."""
    f = facts if facts is not None else row_facts(start, end, as_of, dialect, known_history)
    is_new, channel, finished_in, result, outcome = (f[k] for k in ("is_new", "channel", "finished_in", "result",
                                                                     "outcome"))
    waiting, running, late_running, late_waiting = (f[k] for k in ("waiting", "running", "late_running",
                                                                    "late_waiting"))
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


def count_expressions(start: datetime, end: datetime, as_of: datetime,
                      dialect: str = "sqlite") -> dict[str, ColumnElement[int]]:
    """``SUM(CASE …)`` for every field of :class:`Counts`, keyed by field name (the query's
    WHERE must be :func:`scope` of the same period)."""
    return {key: (func.count() if cond is None else func.sum(_flag(cond))).label(key)
            for key, cond in count_conditions(start, end, as_of, dialect).items()}


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


# criterion (đ) of Decree 61 art. 31: as the ratings service stores it, and "đ" as imported;
# SQLite before 3.45 matches a JSON key as written, and Python's json writes "đ" as "\u0111"
ATTITUDE_KEYS = ("dd", "đ", "\\u0111")


def attitude_score(end: datetime) -> ColumnElement[int]:
    """The citizen's score (0, 1 or 2) for the officials' attitude in the latest rating of
    this dossier given before ``end`` (correlated; NULL when none rated it). Ratings on
    another scale (1–5, imported) are not TT 01/2018 points and are left out."""
    rt = Rating.__table__
    score = func.coalesce(*(rt.c.scores[key].as_integer() for key in ATTITUDE_KEYS))
    return (select(score).where(rt.c.dossier_id == d.c.id, rt.c.rated_at < end, score.in_((0, 1, 2)))
            .order_by(rt.c.rated_at.desc()).limit(1).scalar_subquery())


def grouped_counts(session: Session, start: datetime, end: datetime, as_of: datetime,
                   office_codes: Sequence[str] | None) -> list[Group]:
    """One scan of the period: per (office, field, procedure, officer) the :class:`Counts`
    and the TT 01/2018 index sums of the dossiers resolved in it.

    The dossiers are first counted by their :func:`row_facts` (each worked out once a row,
    as a grouping key), then the fields of :class:`Counts` are summed over those few
    thousand groups. Written inline in every sum, the facts would be worked out again for
    each field (the appointment's CASE half a dozen times, the supplement history a dozen
    times a dossier). The lateness facts are computed only for dossiers still open at the
    end, the only ones whose figures use them."""
    no_jit(session)
    dialect = session.get_bind().dialect.name
    facts = row_facts(start, end, as_of, dialect)
    open_end = open_at(end)
    for key in ("late_running", "late_waiting"):
        facts[key] = case((open_end, facts[key]), else_=null())
    rt = Rating.__table__
    negative = select(rt.c.dossier_id).where(or_(rt.c.complaint.is_(True), rt.c.dislike.is_(True)),
                                             rt.c.rated_at < end, rt.c.dossier_id.is_not(None))
    supplements = func.coalesce(d.c.supplement_count, 0)
    resolved_row = and_(facts["finished_in"], facts["result"])
    per_row = [*(expr.label(key) for key, expr in facts.items()),
               case((supplements == 0, 2), (supplements == 1, 1), else_=0).label("index3_points"),
               case((resolved_row, func.coalesce(attitude_score(end), case((d.c.id.in_(negative), 0), else_=2))),
                    else_=null()).label("index7_points")]
    keys = [d.c.office_code, d.c.procedure_code, d.c.handler_name]
    rows = (select(*keys, d.c.field, d.c.procedure_name, *per_row)
            .where(scope(start, end, dialect), *office_filter(office_codes, session)).subquery("period_rows"))
    r = rows.c
    fact_keys = [r[k] for k in (*FACTS, "index3_points", "index7_points")]
    by_facts = (select(r.office_code, r.procedure_code, r.handler_name, *fact_keys, func.count().label("n"),
                       func.max(r.field).label("field"),
                       func.max(r.procedure_name).label("procedure_name"))
                .group_by(r.office_code, r.procedure_code, r.handler_name, *fact_keys).subquery("by_facts"))
    g = by_facts.c
    conditions = count_conditions(start, end, as_of, dialect, {key: g[key] for key in FACTS})
    n = g.n

    def total(cond: ColumnElement[bool] | None, value: ColumnElement[int] = n) -> ColumnElement[int]:
        return func.sum(value if cond is None else case((cond, value), else_=0))

    resolved = conditions["resolved"]
    outcome_points = case((g.outcome == "early", 2), (g.outcome == "on_time", 1), else_=0)
    query = (select(g.office_code, g.procedure_code, g.handler_name.label("handler"),
                    func.max(g.field).label("field"), func.max(g.procedure_name).label("procedure_name"),
                    *(total(cond).label(key) for key, cond in conditions.items()),
                    total(resolved, n * outcome_points).label("index1"),
                    total(resolved, n * g.index3_points).label("index3"),
                    total(resolved, n * g.index7_points).label("index7"))
             .group_by(g.office_code, g.procedure_code, g.handler_name))
    out = []
    for row in session.execute(query):
        counts = Counts(**{k: int(getattr(row, k) or 0) for k in COUNT_KEYS})
        sums = ScoreSums(counts.resolved, int(row.index1 or 0), int(row.index3 or 0), int(row.index7 or 0))
        out.append(Group(row.office_code or "", row.field or "", row.procedure_code or "", row.procedure_name or "",
                         row.handler or "", counts, sums))
    return out


NONE = 15   # "no such date" in a packed month number (months are 0..13)
HISTORY_BIT = 20   # above the four months (16 bits) and four facts of the packed key


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
    The few dossiers whose supplement history can move them between months' states (see
    :func:`state_at`) carry, in the same scan, one bit per month: :func:`count_conditions`'
    verdict for that month (at most 12 months: 4 + 4×4 + 1 + 12 bits, a BIGINT).
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
    key = literal(0, BigInteger())
    for i, month in enumerate(months_of):
        key = key + func.coalesce(month, NONE) * (16 ** i)
    for i, fact in enumerate(facts):
        key = key + _flag(fact) * (16 ** 4 * 2 ** i)
    # a dossier with a supplement history carries its own verdict for each month (bit
    # HISTORY_BIT + m), read from the history only while it is open at that month's end
    dialect = session.get_bind().dialect.name
    verdicts = literal(2 ** HISTORY_BIT, BigInteger())
    for m, (m_start, m_end) in enumerate(months, start=1):
        # in_period first: a dossier not yet received is "open" at that month's end too
        on_time_m = and_(in_period(m_start, m_end), count_conditions(m_start, m_end, as_of, dialect,
                                                                   known_history=True)["on_time_num"])
        verdicts = verdicts + _flag(on_time_m) * literal(2 ** (HISTORY_BIT + m), BigInteger())
    # only a dossier open at the end of some month of the chart (received by then, finished
    # after it) can be judged differently from the history: others are judged by their
    # outcome in the month they finished, as without history (and their events are not read)
    received_month, finished_month = months_of[0], func.coalesce(months_of[1], len(months) + 1)
    open_at_a_month_end = finished_month > case((received_month < 1, 1), else_=received_month)
    key = key + case((and_(d.c.supplement_requested_at.is_not(None), open_at_a_month_end, with_history()),
                      verdicts), else_=literal(0, BigInteger()))
    query = (select(key.label("k"), func.count().label("n"))
             .where(scope(bounds[0], bounds[-1], dialect), *office_filter(office_codes, session)).group_by(key))
    out = [[0, 0] for _m in months]
    for packed, n in session.execute(query):
        rb, fb, sb, db = ((packed >> (4 * i)) & 15 for i in range(4))
        ok, many, late_wait, due_before_now = ((packed >> (16 + i)) & 1 for i in range(4))
        history = (packed >> HISTORY_BIT) & 1
        for m in range(1, len(months) + 1):
            if rb > m or fb < m:
                continue                                   # not handled in month m (fb NONE: open)
            out[m - 1][0] += n
            if history:
                on_time = bool((packed >> (HISTORY_BIT + m)) & 1)
            elif fb == m:                                  # finished in month m
                on_time = bool(ok)
            elif sb <= m:                                  # waiting for the citizen at its end
                on_time = not (many or late_wait)
            else:                                          # still running at its end
                before_ref = db <= m if bounds[m] <= as_of else bool(due_before_now)
                on_time = not (many or before_ref)
            out[m - 1][1] += n if on_time else 0
    return [(received, on_time) for received, on_time in out]
