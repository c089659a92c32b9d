"""Finding dossiers: search, the list's filters and keyset pages, one dossier's details.

Everything returns plain dataclasses (the window's table model and the CLI use them from
any thread). Nothing here ever loads the table: a page is one indexed range query.

Paging is keyset ("seek"), never OFFSET: a page is the ``limit`` rows after (or before) the
sort key of a row already shown, so page 5,000 costs what page 1 costs. The table model
reaches an arbitrary row through :func:`bookmarks` (the key of every N-th row, one index
walk in the background) and from there by keyset again.

Search (``text`` in the filter) uses the FTS5 index of ``store.search_index`` on SQLite:
results come newest first (the index is walked backwards), and the sort order of the list
does not apply. Elsewhere (a PostgreSQL hub) it is a LIKE on the folded columns and the
list keeps its sort.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Engine,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from commune_desk.domain.calendar import to_local, to_utc
from commune_desk.domain.idnumber import mask
from commune_desk.domain.lifecycle import (
    CLOCK_RUNNING,
    FIELD_LABELS,
    STATUS_LABELS,
    Status,
    is_overdue,
    status_label,
)
from commune_desk.domain.roles import Perm
from commune_desk.domain.timeliness import Outcome
from commune_desk.errors import NotFound, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services.context import Ctx
from commune_desk.services.relay import relay_line
from commune_desk.store import search_index
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier, Procedure

MAX_LIMIT = 1000
SEARCH = "search"   # the order of search results: newest first through the index

_CLOCK = tuple(s.value for s in CLOCK_RUNNING)


# -- what is asked ------------------------------------------------------------------------
@dataclass(frozen=True)
class DossierFilter:
    """What the clerk narrowed the list to. Dates are local calendar days, both included."""

    text: str = ""
    statuses: tuple[str, ...] = ()
    procedure_id: uuid.UUID | None = None
    field: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue: bool = False

    @property
    def searching(self) -> bool:
        return bool(search_index.tokens(self.text) or search_index.joined_number(self.text))


@dataclass(frozen=True)
class SortSpec:
    key: str
    label: str        # N_() text
    nullable: bool

    @property
    def column(self):
        return _SORT_COLUMNS[self.key]


_SORT_COLUMNS = {
    "received": Dossier.received_at,
    "due": Dossier.due_at,
    "code": Dossier.code,
    "applicant": Dossier.applicant_folded,
}
SORTS: dict[str, SortSpec] = {
    "received": SortSpec("received", N_("Ngày tiếp nhận"), False),
    "due": SortSpec("due", N_("Ngày hẹn trả"), True),
    "code": SortSpec("code", N_("Mã hồ sơ"), False),
    "applicant": SortSpec("applicant", N_("Người nộp"), False),
}


# -- what comes back ----------------------------------------------------------------------
@dataclass(frozen=True)
class DossierRow:
    """One line of the list (or of a search)."""

    id: uuid.UUID
    code: str
    applicant_name: str
    id_number_masked: str
    phone: str
    procedure_code: str
    procedure_name: str
    field: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    handler_name: str | None
    overdue: bool
    key: tuple = ()            # the sort key of the row (keyset paging)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "applicant_name": self.applicant_name, "id_number": self.id_number_masked,
                "phone": self.phone, "procedure_code": self.procedure_code, "procedure_name": self.procedure_name,
                "field": self.field, "status": self.status, "status_label": self.status_label,
                "received_at": self.received_at.isoformat(), "due_at": self.due_at.isoformat() if self.due_at else None,
                "handler_name": self.handler_name, "overdue": self.overdue}


_ROW_COLUMNS = (Dossier.id, Dossier.code, Dossier.applicant_name, Dossier.applicant_id_number,
                Dossier.applicant_phone, Dossier.procedure_code, Dossier.procedure_name, Dossier.field,
                Dossier.status, Dossier.received_at, Dossier.due_at, Dossier.handler_name)


def _row(r, now: dt.datetime, key: tuple) -> DossierRow:
    return DossierRow(r[0], r[1], r[2], mask(r[3]), r[4] or "", r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                      is_overdue(r[8], r[10], now), key)


# -- the WHERE of a filter ----------------------------------------------------------------
def _day_start(day: dt.date) -> dt.datetime:
    return to_utc(dt.datetime.combine(day, dt.time(0, 0)))


def _conditions(flt: DossierFilter, now: dt.datetime, *, with_text: bool) -> list:
    out: list = []
    if flt.statuses:
        out.append(Dossier.status.in_(list(flt.statuses)))
    if flt.procedure_id is not None:
        out.append(Dossier.procedure_id == flt.procedure_id)
    if flt.field:
        out.append(Dossier.field == flt.field)
    if flt.received_from is not None:
        out.append(Dossier.received_at >= _day_start(flt.received_from))
    if flt.received_to is not None:
        out.append(Dossier.received_at < _day_start(flt.received_to + dt.timedelta(days=1)))
    if flt.overdue:
        out.append(overdue_where(now))
    if with_text and flt.searching:
        out.append(_like_text(flt.text))
    return out


def _like_text(query: str):
    """The search without the FTS index (PostgreSQL): folded name, code, ID number, phone."""
    esc = search_index.like_pattern
    words = " ".join(search_index.tokens(query))
    raw = esc(query.strip().lower())
    conds = []
    if words:
        conds.append(Dossier.applicant_folded.like(f"%{esc(words)}%", escape="\\"))
    if raw:
        conds.append(func.lower(Dossier.code).like(f"%{raw}%", escape="\\"))
    number = search_index.joined_number(query)
    if number:
        conds += [Dossier.applicant_id_number.like(f"{number}%", escape="\\"),
                  Dossier.applicant_phone.like(f"{number}%", escape="\\")]
    return or_(*conds) if conds else literal_column("1") == 0


def _check(flt: DossierFilter) -> None:
    if flt.received_from and flt.received_to and flt.received_from > flt.received_to:
        raise ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."), field="received_from")
    unknown = [s for s in flt.statuses if s not in {st.value for st in Status}]
    if unknown:
        raise ValidationError(_("Trạng thái không hợp lệ: {value}").format(value=", ".join(unknown)), field="status")


# -- the FTS side -------------------------------------------------------------------------
_FTS = table("dossier_fts", column("rowid", Integer))
_KEY = table("dossier_fts_key", column("n", Integer), column("dossier_id"))


_FTS_HERE: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def uses_index(s: Session) -> bool:
    """Whether search runs on the FTS index here (SQLite with the index); asked once per engine."""
    engine = s.get_bind()
    cached = _FTS_HERE.get(engine)
    if cached is None:
        cached = _FTS_HERE[engine] = search_index.available(s.connection())
    return cached


def _fts_select(flt: DossierFilter, now: dt.datetime, expr: str, cols) -> Select:
    return (select(*cols)
            .select_from(_FTS.join(_KEY, _KEY.c.n == _FTS.c.rowid).join(Dossier, Dossier.id == _KEY.c.dossier_id))
            .where(text("dossier_fts MATCH :m").bindparams(m=expr), *_conditions(flt, now, with_text=False)))


def _match(s: Session, flt: DossierFilter, now: dt.datetime) -> str | None:
    """The FTS expression of the filter's text: the words in order, the last one a prefix;
    when nothing (within the other filters) matches that way, the words in any order."""
    phrase = search_index.match_phrase(flt.text)
    if phrase is None:
        return None
    any_order = search_index.match_any_order(flt.text)
    if any_order is None:
        return phrase
    probe = _fts_select(flt, now, phrase, (_FTS.c.rowid,)).limit(1)
    return phrase if s.connection().execute(probe).first() is not None else any_order


# -- pages --------------------------------------------------------------------------------
def _segments(spec: SortSpec, desc: bool, forward: bool, key: tuple | None) -> list[tuple[list, list]]:
    """The (conditions, order) of the queries that give rows after ``key`` (``forward``, in
    the list's order) or before it (nearest first). A nullable column puts its empty values
    last whatever the direction, so it is walked as two segments."""
    col = spec.column
    up = desc == forward            # walking this way means descending values
    cmp = (lambda a, b: a < b) if up else (lambda a, b: a > b)
    order_full = [col.desc(), Dossier.id.desc()] if up else [col.asc(), Dossier.id.asc()]
    order_id = [Dossier.id.desc()] if up else [Dossier.id.asc()]
    filled: list = [col.is_not(None)] if spec.nullable else []
    empty: list = [col.is_(None)]
    segs: list[tuple[list, list]] = []
    if key is None:
        segs.append((filled, order_full))
        if spec.nullable:
            segs.append((empty, order_id))
        return segs if forward else list(reversed(segs))
    value, ident = key
    if value is None:
        segs.append((empty + [cmp(Dossier.id, ident)], order_id))
        if not forward:
            segs.append((filled, order_full))
        return segs
    segs.append((filled + [cmp(tuple_(col, Dossier.id), tuple_(value, ident))], order_full))
    if forward and spec.nullable:
        segs.append((empty, order_id))
    return segs


def fetch_page(ctx: Ctx, flt: DossierFilter, sort: str = "received", descending: bool = True, *,
               after: tuple | None = None, before: tuple | None = None, from_end: bool = False,
               limit: int = 100, now: dt.datetime | None = None) -> list[DossierRow]:
    """``limit`` rows in the list's order: the first ones; those after the row whose key is
    ``after``; the ``limit`` rows just before ``before``; or the last ones (``from_end``)."""
    ctx.require(Perm.DOSSIERS)
    _check(flt)
    limit = max(1, min(int(limit), MAX_LIMIT))
    now = now or utcnow()
    forward = before is None and not from_end
    with ctx.db.read() as s:
        if flt.searching and uses_index(s):
            rows = _fts_page(s, flt, now, forward, after if forward else before, limit)
        else:
            rows = _sorted_page(s, flt, SORTS[_sort_key(sort)], descending, now, forward,
                                after if forward else before, limit)
    return rows if forward else list(reversed(rows))


def _sort_key(sort: str) -> str:
    return sort if sort in SORTS else "received"


def _sorted_page(s: Session, flt: DossierFilter, spec: SortSpec, desc: bool, now: dt.datetime, forward: bool,
                 key: tuple | None, limit: int) -> list[DossierRow]:
    base = _conditions(flt, now, with_text=True)
    out: list[DossierRow] = []
    for conds, order in _segments(spec, desc, forward, key):
        q = select(*_ROW_COLUMNS, spec.column).where(*base, *conds).order_by(*order).limit(limit - len(out))
        out += [_row(r, now, (r[-1], r[0])) for r in s.connection().execute(q)]
        if len(out) >= limit:
            break
    return out


def _fts_page(s: Session, flt: DossierFilter, now: dt.datetime, forward: bool, key: tuple | None,
              limit: int) -> list[DossierRow]:
    if forward and key is None:  # the first page tries the phrase itself instead of probing first
        phrase = search_index.match_phrase(flt.text)
        if phrase is None:
            return []
        rows = _fts_rows(s, flt, now, phrase, forward, key, limit)
        any_order = search_index.match_any_order(flt.text)
        return rows if rows or any_order is None else _fts_rows(s, flt, now, any_order, forward, key, limit)
    expr = _match(s, flt, now)
    return [] if expr is None else _fts_rows(s, flt, now, expr, forward, key, limit)


def _fts_rows(s: Session, flt: DossierFilter, now: dt.datetime, expr: str, forward: bool, key: tuple | None,
              limit: int) -> list[DossierRow]:
    if key is None and forward and flt == DossierFilter(text=flt.text):  # find: a statement built once
        rows = s.connection().execute(_plain_search(), {"m": expr, "n": limit})
        return [_row(r, now, (r[-1],)) for r in rows]
    q = _fts_select(flt, now, expr, (*_ROW_COLUMNS, _FTS.c.rowid))
    if key is not None:
        q = q.where(_FTS.c.rowid < key[0] if forward else _FTS.c.rowid > key[0])
    q = q.order_by(_FTS.c.rowid.desc() if forward else _FTS.c.rowid.asc()).limit(limit)
    return [_row(r, now, (r[-1],)) for r in s.connection().execute(q)]


@cache
def _plain_search() -> Select:
    """The newest matches of a text with no other filter (``find``, the search box)."""
    return (select(*_ROW_COLUMNS, _FTS.c.rowid)
            .select_from(_FTS.join(_KEY, _KEY.c.n == _FTS.c.rowid).join(Dossier, Dossier.id == _KEY.c.dossier_id))
            .where(text("dossier_fts MATCH :m")).order_by(_FTS.c.rowid.desc()).limit(bindparam("n")))


def count(ctx: Ctx, flt: DossierFilter, now: dt.datetime | None = None) -> int:
    """How many dossiers the filter gives (the list's row count; run it in the background)."""
    ctx.require(Perm.DOSSIERS)
    _check(flt)
    now = now or utcnow()
    with ctx.db.read() as s:
        if flt.searching and uses_index(s):
            expr = _match(s, flt, now)
            if expr is None:
                return 0
            if flt == DossierFilter(text=flt.text):  # no other filter: the index alone counts
                return int(s.execute(select(func.count()).select_from(_FTS).where(text("dossier_fts MATCH :m")),
                                     {"m": expr}).scalar_one())
            return int(s.execute(_fts_select(flt, now, expr, (func.count(),))).scalar_one())
        if flt == DossierFilter() and uses_index(s):  # the whole list: the number the triggers keep
            return search_index.total(s.connection())
        return int(s.execute(select(func.count()).select_from(Dossier)
                             .where(*_conditions(flt, now, with_text=True))).scalar_one())


def quick_count(ctx: Ctx, flt: DossierFilter) -> int | None:
    """The row count when it costs nothing (the whole list, on SQLite: the number the search
    triggers keep); None when it has to be counted (:func:`count`, in the background)."""
    ctx.require(Perm.DOSSIERS)
    if flt != DossierFilter():
        return None
    with ctx.db.read() as s:
        return search_index.total(s.connection()) if uses_index(s) else None


def bookmarks(ctx: Ctx, flt: DossierFilter, sort: str = "received", descending: bool = True, *,
              every: int = 200, now: dt.datetime | None = None, after: tuple | None = None,
              count: int | None = None) -> list[tuple]:
    """The keys of rows every-1, 2*every-1, … of the list (0-based): the page starting at row
    ``i * every`` is the page after ``bookmarks[i - 1]``. With ``after`` (a bookmark already
    known) the walk goes on from there; ``count`` stops it early.

    Each step reads only the index: the row ``every`` places further (LIMIT 1 OFFSET
    every-1 from the previous bookmark), so a bookmark costs the same anywhere in the list."""
    ctx.require(Perm.DOSSIERS)
    _check(flt)
    now = now or utcnow()
    every = max(1, int(every))
    out: list[tuple] = []
    with ctx.db.read() as s:
        conn = s.connection()
        if flt.searching and uses_index(s):
            expr = _match(s, flt, now)
            if expr is None:
                return []
            base = _fts_select(flt, now, expr, (_FTS.c.rowid,)).order_by(_FTS.c.rowid.desc())
            key = after
            while count is None or len(out) < count:
                q = base if key is None else base.where(_FTS.c.rowid < key[0])
                row = conn.execute(q.limit(1).offset(every - 1)).first()
                if row is None:
                    break
                key = (row[0],)
                out.append(key)
            return out
        spec = SORTS[_sort_key(sort)]
        walker = _Walker(spec, descending, _conditions(flt, now, with_text=True))
        key = after
        while count is None or len(out) < count:
            key = walker.hop(conn, key, every - 1)
            if key is None:
                break
            out.append(key)
        return out


class _Walker:
    """Hops along the list's order by reading the index only: the statements are built once
    (with the key as parameters) so a hop costs one indexed query."""

    def __init__(self, spec: SortSpec, desc: bool, conditions: list) -> None:
        self.spec, self.desc, self.conditions = spec, desc, conditions
        self.value = bindparam("kv", type_=spec.column.type)
        self.ident = bindparam("ki", type_=Dossier.id.type)
        self._plans: dict[str, list[tuple[Select, Select]]] = {}

    def _plan(self, shape: str) -> list[tuple[Select, Select]]:
        plan = self._plans.get(shape)
        if plan is None:
            key = None if shape == "start" else (None if shape == "empty" else self.value, self.ident)
            plan = []
            for conds, order in _segments(self.spec, self.desc, True, key):
                q = select(self.spec.column, Dossier.id).where(*self.conditions, *conds).order_by(*order)
                rest = select(func.count()).select_from(q.limit(bindparam("n", type_=Integer)).subquery())
                plan.append((q.limit(1).offset(bindparam("skip", type_=Integer)), rest))
            plan = self._plans[shape] = plan
        return plan

    def hop(self, conn, key: tuple | None, skip: int) -> tuple | None:
        """The key of the row ``skip + 1`` places after ``key`` (the start when None), or None."""
        shape = "start" if key is None else "empty" if key[0] is None else "value"
        params = {} if key is None else {"kv": key[0], "ki": key[1]}
        for q, rest in self._plan(shape):
            row = conn.execute(q, {**params, "skip": skip}).first()
            if row is not None:
                return (row[0], row[1])
            if skip:  # this segment ends first: the rest of the way is in the next one
                skip -= conn.execute(rest, {**params, "n": skip}).scalar_one()
        return None


def search(ctx: Ctx, query: str, limit: int = 50, now: dt.datetime | None = None) -> list[DossierRow]:
    """``find``: dossiers by applicant name, code, ID number or phone, newest first."""
    flt = DossierFilter(text=query)
    if not flt.searching:
        raise ValidationError(_("Hãy nhập tên, mã hồ sơ, số định danh hoặc số điện thoại cần tìm."), field="text")
    return fetch_page(ctx, flt, "received", True, limit=limit, now=now)


# -- the filters' choices -------------------------------------------------------------------
@dataclass(frozen=True)
class ProcedureOption:
    id: uuid.UUID
    code: str
    name: str
    field: str


@dataclass(frozen=True)
class FilterOptions:
    procedures: list[ProcedureOption]
    fields: list[str]
    statuses: list[tuple[str, str]]      # (value, translated label)


def filter_options(ctx: Ctx) -> FilterOptions:
    ctx.require(Perm.DOSSIERS)
    with ctx.db.read() as s:
        procs = [ProcedureOption(*r) for r in s.execute(select(Procedure.id, Procedure.code, Procedure.name,
                                                                Procedure.field)
                                                         .order_by(Procedure.field, Procedure.name))]
    fields = sorted({p.field for p in procs})
    return FilterOptions(procs, fields, [(st.value, _(label)) for st, label in STATUS_LABELS.items()])


# -- one dossier ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    label: str
    actor_name: str
    from_status: str
    to_status: str
    details: str


@dataclass(frozen=True)
class DocumentLine:
    name: str
    form: str
    count: int
    received: bool


@dataclass(frozen=True)
class DossierDetails:
    id: uuid.UUID
    code: str
    status: str
    status_label: str
    overdue: bool
    procedure_code: str
    procedure_name: str
    field: str
    applicant_name: str
    id_number_masked: str
    dob: dt.date | None
    phone: str
    address: str
    email: str
    documents: list[DocumentLine]
    sets_count: int
    channel: str
    fee_vnd: int
    result_delivery: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    receiver_name: str
    handler_name: str
    book_year: int
    book_number: int
    supplement_count: int
    extension_count: int
    result_ready_at: dt.datetime | None
    returned_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    note: str
    history: list[HistoryLine] = field(default_factory=list)
    relay: tuple[str, str] = ("", "")   # ("Nhận hộ cho", "Xã Thuận Hoà (00922)") / ("Nhận tại", "Xã Minh Tân (00919)")


OUTCOME_LABELS = {Outcome.EARLY.value: N_("Trước hạn"), Outcome.ON_TIME.value: N_("Đúng hạn"),
                  Outcome.LATE.value: N_("Quá hạn")}
EXTRA_LABELS = {
    "deadline": N_("Hạn xử lý"), "new_due": N_("Ngày hẹn trả mới"), "old_due": N_("Ngày hẹn cũ"),
    "outcome": N_("Kết quả đúng hạn"), "book_number": N_("Số vào sổ"), "complete_by": N_("Hạn bổ sung"),
    "signer_title": N_("Chức vụ người ký"), "amount_vnd": N_("Số tiền (đồng)"), "receipt": N_("Biên lai"),
    "issued_on": N_("Ngày ban hành"), "from_agency": N_("Cơ quan trả kết quả"), "to_agency": N_("Cơ quan nhận"),
    "request_date": N_("Ngày đề nghị"), "documents": N_("Giấy tờ bổ sung"), "contact_name": N_("Người liên hệ"),
    "contact_phone": N_("Điện thoại liên hệ"),
}
_SHOWN = tuple(dict.fromkeys((*FIELD_LABELS, *EXTRA_LABELS)))


def _when(value: Any) -> str:
    """ISO times kept in event data, shown as local time."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if "T" not in value and " " not in value:
            return moment.strftime("%d/%m/%Y")
        return to_local(moment).strftime("%H:%M %d/%m/%Y")
    return str(value)


def _event_details(data: dict[str, Any]) -> str:
    parts = []
    for key in _SHOWN:
        value = data.get(key)
        if value in (None, "", [], {}):
            continue
        if key == "outcome":
            value = _(OUTCOME_LABELS.get(str(value), str(value)))
        elif isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        else:
            value = _when(value)
        label = FIELD_LABELS.get(key) or EXTRA_LABELS[key]
        parts.append(f"{_(label)}: {value}")
    return " · ".join(parts)


def details(ctx: Ctx, dossier_id: uuid.UUID | str, now: dt.datetime | None = None) -> DossierDetails:
    """Everything about one dossier for the screen, the ID number masked, with its history."""
    ctx.require(Perm.DOSSIERS)
    from commune_desk.services import intake, lifecycle

    now = now or utcnow()
    with ctx.db.read() as s:
        if isinstance(dossier_id, uuid.UUID):
            d = s.get(Dossier, dossier_id)
        else:
            d = s.scalar(select(Dossier).where(Dossier.code == str(dossier_id).strip().upper()))
        if d is None:
            raise NotFound(_("Không tìm thấy hồ sơ {code}.").format(code=dossier_id))
        docs = [DocumentLine(str(x.get("name", "")), str(x.get("form") or ""), int(x.get("count") or 1),
                             bool(x.get("received", True))) for x in d.documents or []]
        info = DossierDetails(
            d.id, d.code, d.status, status_label(d.status), is_overdue(d.status, d.due_at, now), d.procedure_code,
            d.procedure_name, d.field, d.applicant_name, mask(d.applicant_id_number), d.applicant_dob,
            d.applicant_phone or "", d.applicant_address or "", d.applicant_email or "", docs, d.sets_count,
            _(intake.CHANNELS.get(d.channel, d.channel)), d.fee_vnd,
            _(intake.DELIVERIES.get(d.result_delivery, d.result_delivery)), d.received_at, d.due_at,
            d.original_due_at, d.receiver_name or "", d.handler_name or "", d.book_year, d.book_number,
            d.supplement_count or 0, d.extension_count or 0, d.result_ready_at, d.returned_at, d.finished_at,
            _(OUTCOME_LABELS[d.outcome]) if d.outcome in OUTCOME_LABELS else "", d.note or "",
            relay=relay_line(ctx.db.require_office(), d.office_code, d.competent_office_code))
    history = [HistoryLine(e.at, e.label, e.actor_name or "", status_label(e.from_status) if e.from_status else "",
                           status_label(e.to_status) if e.to_status else "", _event_details(e.data))
               for e in lifecycle.history(ctx, info.id)]
    return replace(info, history=history)


def overdue_where(now: dt.datetime):
    """The SQL of "overdue" (for other areas' queries): the clock runs and the date passed."""
    return and_(Dossier.status.in_(_CLOCK), Dossier.due_at.is_not(None), Dossier.due_at < now)
