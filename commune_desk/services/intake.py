"""The desk: receiving a citizen's dossier (FACTS.md 2.2, 3).

- the procedure picker: every active procedure loaded once, filtered as the clerk types
  (folded name words, or a code prefix);
- the live appointment: :func:`load_desk_rules` once (off the UI thread), then
  :func:`preview_appointment` on every keystroke without touching the database;
- :func:`find_returning_citizen`: the latest dossier with that ID number fills the form;
- :func:`receive_dossier`: ONE transaction writes the dossier, its "received" event, its
  change-log rows (automatic), the day's code sequence and the year's tracking-book number;
- drafts (``intake_draft``): autosaved as the clerk types, recovered after a crash.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, Update, bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from commune_desk.domain import codes
from commune_desk.domain.applicant import check_applicant, clean_id_number
from commune_desk.domain.calendar import DueRule, WorkCalendar, appointment, parse_hhmm, to_local
from commune_desk.domain.lifecycle import Status
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import fold, normalize
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services import audit, documents, relay
from commune_desk.services.calendar import (
    APPOINTMENT_SETTINGS,
    appointment_for,
    fingerprint_columns,
    load_calendar,
)
from commune_desk.services.context import Ctx, OfficeInfo
from commune_desk.store.base import utcnow, uuid7
from commune_desk.store.models import Dossier, DossierEvent, IntakeDraft, Procedure, SequenceCounter

RECEIVED = Status.RECEIVED.value
CHANNELS: dict[str, str] = {
    "counter": N_("Trực tiếp tại Trung tâm"),
    "post": N_("Qua dịch vụ bưu chính công ích"),
    "online": N_("Trực tuyến"),
}
DELIVERIES: dict[str, str] = {
    "counter": N_("Tại Trung tâm Phục vụ hành chính công"),
    "post": N_("Gửi qua dịch vụ bưu chính công ích"),
    "online": N_("Trực tuyến (bản điện tử)"),
}
MAX_SETS = 99
MAX_DOC_COUNT = 99
MAX_DAYS = 365
MAX_FEE_VND = 100_000_000
DRAFT_MAX_BYTES = 200_000
_CODE_PREFIX = re.compile(r"^[\d.]+$")
_NOISE = re.compile(r"^thu tuc ")  # most catalog names start with "Thủ tục": it tells nothing apart


# -- the catalog as the desk sees it ---------------------------------------------------
@dataclass(frozen=True)
class DocumentItem:
    name: str
    form: str = "bản chính"       # bản chính | bản sao | xuất trình
    count: int = 1
    required: bool = True
    note: str | None = None


@dataclass(frozen=True)
class FeeItem:
    name: str
    amount_vnd: int | None        # None: the province sets it (the clerk types it)
    note: str | None = None


@dataclass(frozen=True)
class ProcedureChoice:
    """One procedure, as plain data for the picker and the form."""

    id: uuid.UUID
    code: str
    name: str
    field: str
    time_kind: str
    time_value: int | None
    cutoff_next_day: bool
    returns_on_spot: bool
    documents: tuple[DocumentItem, ...]
    fees: tuple[FeeItem, ...]
    result: str | None
    name_folded: str

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def time_label(self) -> str:
        return time_label(self.time_kind, self.time_value)

    @property
    def known_fee_total(self) -> int:
        return sum(f.amount_vnd for f in self.fees if f.amount_vnd is not None)


def time_label(kind: str, value: int | None) -> str:
    """The processing time as people say it (translated: for the window)."""
    if kind == "same_day":
        return _("trong ngày")
    if kind == "calendar_days":
        return _("{n} ngày").format(n=value)
    return _("{n} ngày làm việc").format(n=value)


def _choice(p: Procedure) -> ProcedureChoice:
    docs = tuple(DocumentItem(d.get("name", ""), d.get("form") or "bản chính", int(d.get("count") or 1),
                              bool(d.get("required", True)), d.get("note")) for d in p.documents or [])
    fees = tuple(FeeItem(f.get("name", ""), f.get("amount_vnd"), f.get("note")) for f in p.fees or [])
    return ProcedureChoice(p.id, p.code, p.name, p.field, p.time_kind, p.time_value, bool(p.cutoff_next_day),
                           bool(p.returns_on_spot), docs, fees, p.result, p.name_folded or fold(p.name))


def load_procedures(ctx: Ctx) -> list[ProcedureChoice]:
    """Every active procedure (the catalog is small: the picker filters it in memory)."""
    ctx.require(Perm.DESK)
    with ctx.db.read() as s:
        rows = s.scalars(select(Procedure).where(Procedure.active.is_(True))
                         .order_by(Procedure.field, Procedure.name))
        return [_choice(p) for p in rows]


def match_procedures(choices: list[ProcedureChoice], text: str, limit: int = 50) -> list[ProcedureChoice]:
    """Procedures whose code starts with ``text``, or with a name word starting with each
    word of it, ignoring case, diacritics and đ ("ket hon" finds "Đăng ký kết hôn"). Best
    first: exact code, then names holding the words side by side, then shorter names."""
    query = fold(text)
    if not query:
        return list(choices[:limit])
    code_query = query.replace(" ", "")
    words = query.split()
    ranked: list[tuple[tuple[int, int, int], ProcedureChoice]] = []
    for choice in choices:
        if _CODE_PREFIX.match(code_query) and choice.code.startswith(code_query):
            ranked.append(((0 if choice.code == code_query else 1, 0, len(choice.name)), choice))
            continue
        name = _NOISE.sub("", choice.name_folded)
        name_words = name.split()
        if all(any(nw.startswith(w) for nw in name_words) for w in words):
            phrase = 0 if f" {query}" in f" {name}" else 1
            ranked.append(((2, phrase, len(name)), choice))
        elif all(any(fw.startswith(w) for fw in fold(choice.field).split()) for w in words):
            ranked.append(((3, 0, len(name)), choice))
    ranked.sort(key=lambda r: r[0])
    return [c for _rank, c in ranked[:limit]]


def search_procedures(ctx: Ctx, text: str, limit: int = 20) -> list[ProcedureChoice]:
    return match_procedures(load_procedures(ctx), text, limit)


def procedure_by_code(ctx: Ctx, code: str) -> ProcedureChoice:
    with ctx.db.read() as s:
        row = s.scalar(select(Procedure).where(Procedure.code == code.strip()))
    if row is None or not row.active:
        raise NotFound(_("Không có thủ tục mã {code} trong danh mục.").format(code=code))
    return _choice(row)


# -- the live appointment --------------------------------------------------------------
@dataclass(frozen=True)
class DeskRules:
    """Everything the live appointment needs, loaded once off the UI thread."""

    calendar: WorkCalendar
    cutoff: dt.time
    cutoff_moves_multi_day: bool
    appointment_time: dt.time


def load_desk_rules(ctx: Ctx) -> DeskRules:
    db = ctx.db
    with db.read() as s:
        return DeskRules(load_calendar(db, s), parse_hhmm(db.setting("calendar.cutoff_hour", s)),
                         bool(db.setting("calendar.cutoff_moves_multi_day", s)),
                         parse_hhmm(db.setting("calendar.appointment_time", s)))


def needs_time_value(procedure: Any) -> bool:
    """The catalog does not say how many days this procedure takes (the clerk types it)."""
    return procedure.time_kind != "same_day" and procedure.time_value is None


def due_rule(procedure: Any, time_value: int | None = None) -> DueRule:
    """The procedure's rule; ``time_value`` fills in a number of days the catalog lacks."""
    value = procedure.time_value if procedure.time_value is not None else time_value
    return DueRule(procedure.time_kind, value, bool(procedure.cutoff_next_day))


def preview_appointment(rules: DeskRules, procedure: ProcedureChoice, received_local: dt.datetime | None = None,
                        time_value: int | None = None) -> dt.datetime | None:
    """The appointment (naive local time) the receipt will print if saved at ``received_local``
    (default: now); None while the number of days is unknown. Pure: safe on the UI thread."""
    rule = due_rule(procedure, time_value)
    if rule.time_kind != "same_day" and rule.time_value is None:
        return None
    received_local = received_local or to_local(utcnow())
    return appointment(rules.calendar, received_local.replace(second=0, microsecond=0), rule,
                       cutoff=rules.cutoff, cutoff_moves_multi_day=rules.cutoff_moves_multi_day,
                       appointment_time=rules.appointment_time)


# -- a returning citizen ---------------------------------------------------------------
@dataclass(frozen=True)
class ReturningCitizen:
    name: str
    id_number: str
    dob: dt.date | None
    phone: str
    address: str
    email: str
    last_code: str
    last_received_at: dt.datetime


def find_returning_citizen(ctx: Ctx, id_number: str) -> ReturningCitizen | None:
    """What the latest dossier with this ID number says about its applicant."""
    ctx.require(Perm.DESK)
    number = clean_id_number(id_number)
    if not number.isdigit() or len(number) not in (9, 12):
        return None
    with ctx.db.read() as s:
        row = s.scalar(select(Dossier).where(Dossier.applicant_id_number == number,
                                             Dossier.anonymised_at.is_(None))
                       .order_by(Dossier.received_at.desc()).limit(1))
        if row is None:
            return None
        return ReturningCitizen(row.applicant_name, number, row.applicant_dob, row.applicant_phone or "",
                                row.applicant_address or "", row.applicant_email or "", row.code, row.received_at)


# -- the intake form -------------------------------------------------------------------
@dataclass
class DocumentLine:
    """A line of the checklist: the catalog's document and what the clerk ticked."""

    name: str
    form: str = "bản chính"
    count: int = 1
    required: bool = True
    received: bool = False


@dataclass
class IntakeForm:
    procedure_code: str
    name: str = ""
    id_number: str = ""
    dob: dt.date | None = None
    phone: str = ""
    address: str = ""
    email: str = ""
    documents: list[DocumentLine] = field(default_factory=list)
    sets_count: int = 1
    channel: str = "counter"
    fees: list[FeeItem] = field(default_factory=list)
    result_delivery: str = "counter"
    note: str = ""
    received_at: dt.datetime | None = None   # aware UTC; None = now
    draft_id: uuid.UUID | None = None        # deleted with the save
    time_value: int | None = None            # days, when the catalog has no processing time
    competent_office_code: str = ""          # another commune of the province settles it ("" = this office)

    @property
    def fee_total(self) -> int:
        return sum(f.amount_vnd or 0 for f in self.fees)


def form_lines(procedure: ProcedureChoice) -> list[DocumentLine]:
    """The checklist of a procedure, nothing ticked yet."""
    return [DocumentLine(d.name, d.form, d.count, d.required) for d in procedure.documents]


def missing_documents(form: IntakeForm) -> list[DocumentLine]:
    return [d for d in form.documents if d.required and not d.received]


def check_form(form: IntakeForm, today: dt.date | None = None) -> dict[str, str]:
    """Every problem of the form as ``field -> message`` (empty: it can be saved)."""
    _applicant, errors = check_applicant(name=form.name, id_number=form.id_number, dob=form.dob,
                                         phone=form.phone, address=form.address, email=form.email, today=today)
    if not (form.procedure_code or "").strip():
        errors["procedure"] = _("Hãy chọn thủ tục hành chính.")
    if not 1 <= int(form.sets_count) <= MAX_SETS:
        errors["sets_count"] = _("Số bộ hồ sơ từ 1 đến {n}.").format(n=MAX_SETS)
    if form.channel not in CHANNELS:
        errors["channel"] = _("Hình thức nộp không hợp lệ.")
    if form.result_delivery not in DELIVERIES:
        errors["result_delivery"] = _("Nơi nhận kết quả không hợp lệ.")
    if form.time_value is not None and not 1 <= int(form.time_value) <= MAX_DAYS:
        errors["time_value"] = _("Thời hạn giải quyết từ 1 đến {n} ngày.").format(n=MAX_DAYS)
    for fee in form.fees:
        if fee.amount_vnd is not None and not 0 <= fee.amount_vnd <= MAX_FEE_VND:
            errors["fees"] = _("Số tiền phí, lệ phí không hợp lệ: {name}.").format(name=fee.name)
    for doc in form.documents:
        if doc.received and not 1 <= int(doc.count) <= MAX_DOC_COUNT:
            errors["documents"] = _("Số lượng giấy tờ từ 1 đến {n}: {name}.").format(n=MAX_DOC_COUNT, name=doc.name)
    if "procedure" not in errors and not any(d.received for d in form.documents) and form.documents:
        errors["documents"] = _("Hãy đánh dấu các giấy tờ đã nhận.")
    missing = missing_documents(form)
    if missing and "documents" not in errors:
        names = "; ".join(d.name for d in missing[:3]) + ("; …" if len(missing) > 3 else "")
        errors["documents"] = _("Hồ sơ chưa đủ giấy tờ bắt buộc ({names}): không thể tiếp nhận. Hãy lập phiếu "
                                "yêu cầu bổ sung, hoàn thiện hồ sơ hoặc lưu nháp.").format(names=names)
    return errors


def _raise_errors(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors))
        raise ValidationError(errors[first], field=first, errors=list(errors.items()))


@dataclass(frozen=True)
class ReceivedDossier:
    id: uuid.UUID
    code: str
    book_year: int
    book_number: int
    received_at: dt.datetime     # aware UTC
    due_at: dt.datetime          # aware UTC
    procedure_name: str
    applicant_name: str


def next_counter(s: Session, name: str) -> int:
    """Add one to a local counter inside the caller's transaction and return it."""
    value = s.execute(update(SequenceCounter).where(SequenceCounter.name == name)
                      .values(value=SequenceCounter.value + 1).returning(SequenceCounter.value)).scalar()
    if value is None:
        s.add(SequenceCounter(name=name, value=1))
        s.flush()
        value = 1
    return int(value)


def allocate_code(s: Session, office: OfficeInfo, day: dt.date) -> str:
    """The next free dossier code of ``day`` at this reception point (codes.py explains the
    blocks). A code already in the database (a restored backup, an imported row) is skipped."""
    while True:
        try:
            code = codes.dossier_code(office.unit_id, day, office.reception_point,
                                      next_counter(s, f"dossier:{codes.day_key(day)}"))
        except codes.SequenceExhausted as exc:
            raise KnownError(_("Điểm tiếp nhận số {point} đã dùng hết số hồ sơ của ngày {day}.").format(
                point=office.reception_point, day=day.strftime("%d/%m/%Y"))) from exc
        if s.scalar(select(Dossier.id).where(Dossier.code == code)) is None:
            return code


def allocate_book_number(s: Session, office_code: str, year: int) -> int:
    """The next entry of the year's tracking book: continuous from 1 through the year."""
    while True:
        number = next_counter(s, f"book:{year}")
        taken = s.scalar(select(Dossier.id).where(Dossier.office_code == office_code, Dossier.book_year == year,
                                                  Dossier.book_number == number))
        if taken is None:
            return number


RULES_SETTINGS = ("rules.switch_date", "rules.default_set")
SAVE_SETTINGS = RULES_SETTINGS + APPOINTMENT_SETTINGS   # read by a save in one query


def rules_set_for(day: dt.date, s: Session, prefs: dict[str, Any] | None = None) -> str:
    """The 2018 set before the switch date, else the office's default set (``prefs``: the
    RULES_SETTINGS already read with others, in one query)."""
    prefs = prefs or documents.read_settings(s, RULES_SETTINGS)
    return "2018" if day < dt.date.fromisoformat(str(prefs["rules.switch_date"])) else str(prefs["rules.default_set"])


@cache
def _procedure_statement() -> Select:
    """The catalog columns a save needs, by code (plain columns: no ORM object to track),
    with the calendar's fingerprint and the audit chain's head read in the same statement."""
    p = Procedure
    return select(p.id, p.code, p.name, p.field, p.active, p.time_kind, p.time_value, p.cutoff_next_day,
                  p.result, *fingerprint_columns(), *audit.head_columns()).where(p.code == bindparam("code"))


@cache
def _numbers_statements() -> tuple[Update, Select]:
    """Both counters up by one; whether a code and a book number are already taken (built once)."""
    counters = SequenceCounter.__table__
    bump = (update(counters).where(counters.c.name.in_(bindparam("names", expanding=True)))
            .values(value=counters.c.value + 1).returning(counters.c.name, counters.c.value))
    taken = select(exists().where(Dossier.code == bindparam("code")),
                   exists().where(Dossier.office_code == bindparam("office"), Dossier.book_year == bindparam("year"),
                                  Dossier.book_number == bindparam("number")))
    return bump, taken


def allocate_numbers(s: Session, office: OfficeInfo, local_day: dt.date) -> tuple[str, int]:
    """The dossier code of ``local_day`` and the next tracking-book number of its year, as
    :func:`allocate_code` and :func:`allocate_book_number` give them, in two statements
    instead of four: both counters move in one UPDATE, both numbers are checked free in one
    SELECT (a taken one, from a restored backup or an imported row, is skipped)."""
    code_key, book_key = f"dossier:{codes.day_key(local_day)}", f"book:{local_day.year}"
    bump, taken = _numbers_statements()
    conn = s.connection()
    values = dict(conn.execute(bump, {"names": [code_key, book_key]}).all())
    missing = [name for name in (code_key, book_key) if name not in values]
    if missing:  # the first dossier of the day (or of the year)
        conn.execute(insert(SequenceCounter.__table__), [{"name": name, "value": 1} for name in missing])
        values.update(dict.fromkeys(missing, 1))
    sequence, number = int(values[code_key]), int(values[book_key])
    while True:
        try:
            code = codes.dossier_code(office.unit_id, local_day, office.reception_point, sequence)
        except codes.SequenceExhausted as exc:
            raise KnownError(_("Điểm tiếp nhận số {point} đã dùng hết số hồ sơ của ngày {day}.").format(
                point=office.reception_point, day=local_day.strftime("%d/%m/%Y"))) from exc
        code_taken, number_taken = conn.execute(taken, {"code": code, "office": office.office_code,
                                                        "year": local_day.year, "number": number}).one()
        if not code_taken and not number_taken:
            return code, number
        if code_taken:
            sequence = next_counter(s, code_key)
        if number_taken:
            number = next_counter(s, book_key)


def _received_event(ctx: Ctx, dossier: Dossier, data: dict[str, Any]) -> DossierEvent:
    return DossierEvent(dossier_id=dossier.id, kind=RECEIVED, at=dossier.received_at, actor_id=ctx.actor.id,
                        actor_name=ctx.actor.full_name, from_status=None, to_status=RECEIVED, data=data)


def _check_receivable(ctx: Ctx, form: IntakeForm) -> OfficeInfo:
    ctx.require(Perm.DESK)
    office = ctx.db.require_office()
    if office.is_hub:
        raise KnownError(_("Cấp trên không tiếp nhận hồ sơ tại quầy."))
    errors = check_form(form)
    competent = relay.competent_office_problem(office, form.competent_office_code)
    if competent:
        errors["competent_office"] = competent
    _raise_errors(errors)
    return office


@dataclass
class _Pending:
    """A receipt prepared inside the transaction but not yet written."""

    dossier: Dossier
    event_data: dict[str, Any]
    procedure: Any               # the catalog row's columns (:func:`_procedure_statement`)
    received: ReceivedDossier


def _prepare(s: Session, ctx: Ctx, form: IntakeForm, office: OfficeInfo,
             prefs: dict[str, Any] | None = None) -> _Pending:
    """Check the procedure, compute the appointment, take the code and the book number
    (``prefs``: settings read beforehand, SAVE_SETTINGS among them)."""
    applicant, _errors = check_applicant(name=form.name, id_number=form.id_number, dob=form.dob,
                                         phone=form.phone, address=form.address, email=form.email)
    received = form.received_at or utcnow()
    local = to_local(received)
    proc = s.connection().execute(_procedure_statement(), {"code": form.procedure_code.strip()}).first()
    if proc is None or not proc.active:
        raise ValidationError(_("Không có thủ tục mã {code} trong danh mục.").format(code=form.procedure_code),
                              field="procedure")
    rule = due_rule(proc, form.time_value)
    if rule.time_kind != "same_day" and rule.time_value is None:
        raise ValidationError(_("Danh mục chưa có thời hạn giải quyết của thủ tục này: hãy nhập số ngày."),
                              field="time_value")
    audit.take_head(s, proc.audit_installation, proc.audit_office_code, proc.audit_seq, proc.audit_hash)
    prefs = prefs or documents.read_settings(s, SAVE_SETTINGS)
    due = appointment_for(ctx.db, rule, received, session=s, values=prefs,
                          fingerprint=(proc.calendar_count, proc.calendar_changed, proc.calendar_versions))
    rules_set = rules_set_for(local.date(), s, prefs)
    code, book_number = allocate_numbers(s, office, local.date())
    dossier = Dossier(
        id=uuid7(), office_code=office.office_code, code=code, book_year=local.year, book_number=book_number,
        rules_set=rules_set, procedure_id=proc.id, procedure_code=proc.code, procedure_name=proc.name,
        field=proc.field, applicant_name=applicant.name, applicant_folded=fold(applicant.name),
        applicant_id_number=applicant.id_number or None, applicant_dob=applicant.dob,
        applicant_phone=applicant.phone or None, applicant_address=applicant.address or None,
        applicant_email=applicant.email or None,
        documents=[asdict(d) for d in form.documents], sets_count=int(form.sets_count),
        channel=form.channel, fee_vnd=form.fee_total, result_delivery=form.result_delivery,
        received_at=received, due_at=due, original_due_at=due, status=RECEIVED,
        receiver_id=ctx.actor.id, receiver_name=ctx.actor.full_name, note=normalize(form.note) or None,
        competent_office_code=relay.clean_code(form.competent_office_code) or None,
    )
    event_data = {"code": code, "book_year": local.year, "book_number": book_number,
                  "fees": [asdict(f) for f in form.fees], "time_kind": rule.time_kind, "time_value": rule.time_value,
                  "channel": form.channel, "result_delivery": form.result_delivery}
    return _Pending(dossier, event_data, proc, ReceivedDossier(dossier.id, code, local.year, book_number, received,
                                                               due, proc.name, applicant.name))


def _store(s: Session, ctx: Ctx, pending: _Pending, form: IntakeForm) -> None:
    """Write the dossier, its "received" event and drop the draft (change log and audit follow).

    Both rows go in now with Core statements (:func:`audit.add_directly`): the same outbox
    rows and the same "data.change" audit entry a flush would give, without the unit of
    work's cost at the commit; both outbox rows in one statement. The search index follows
    through its SQL triggers."""
    audit.add_directly(s, pending.dossier, _received_event(ctx, pending.dossier, pending.event_data))
    if form.draft_id is not None:
        s.execute(delete(IntakeDraft).where(IntakeDraft.id == form.draft_id))


def receive_dossier(ctx: Ctx, form: IntakeForm) -> ReceivedDossier:
    """Save a complete dossier as received, in one transaction. Bad input raises
    ValidationError (with every field's message) and writes nothing."""
    office = _check_receivable(ctx, form)
    with ctx.db.write() as s:
        pending = _prepare(s, ctx, form, office)
        _store(s, ctx, pending, form)
    return pending.received


@dataclass(frozen=True)
class SavedWithReceipt:
    dossier: ReceivedDossier
    pdf: Path | None           # None: saved, but the receipt could not be made
    problem: str | None = None


def receive_and_print(ctx: Ctx, form: IntakeForm, folder: str | Path) -> SavedWithReceipt:
    """"Save & print": the dossier and its receipt (Form 01) in one transaction.

    Inside the transaction the code and book number are taken, the receipt is written to
    a temporary file beside its final name, and only then is the dossier written with its
    slip marked issued and the print audited; the file takes its real name once the
    transaction has committed. If the PDF cannot be made, the dossier is saved anyway (a
    citizen's dossier must not be lost to a printing problem) and the problem is returned
    so the window can offer to print again. The file is ``folder/giay-tiep-nhan-<code>.pdf``."""
    office = _check_receivable(ctx, form)
    folder = Path(folder)
    tmp = documents.temp_beside(documents.receipt_path(folder, "moi"))
    problem: str | None = None
    try:
        with ctx.db.write() as s:
            prefs = documents.read_settings(s, SAVE_SETTINGS + documents.PRINT_SETTINGS)
            pending = _prepare(s, ctx, form, office, prefs)
            try:
                documents.write_receipt_of(ctx, s, pending.dossier, office, tmp, event_data=pending.event_data,
                                           result_text=pending.procedure.result, prefs=prefs)
                pending.dossier.slip_issued_at = utcnow()
            except Exception as exc:  # noqa: BLE001 - reported to the clerk; the dossier still saves
                problem = str(exc) or type(exc).__name__
            _store(s, ctx, pending, form)
            if problem is None:
                documents.record_print(s, ctx, "receipt", [pending.received.code])
        out = documents.receipt_path(folder, pending.received.code)
        if problem is None:
            try:
                os.replace(tmp, out)
            except OSError as exc:
                problem = _("Không ghi được tệp {path}: {error}").format(path=out, error=exc.strerror)
    finally:
        tmp.unlink(missing_ok=True)
    return SavedWithReceipt(pending.received, None if problem else out, problem)


# -- drafts ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DraftInfo:
    id: uuid.UUID
    updated_at: dt.datetime
    payload: dict[str, Any]

    @property
    def summary(self) -> str:
        name = self.payload.get("name") or _("(chưa có tên)")
        procedure = self.payload.get("procedure_label") or self.payload.get("procedure_code") or ""
        return f"{name} — {procedure}" if procedure else name


def save_draft(ctx: Ctx, payload: dict[str, Any], draft_id: uuid.UUID | None = None) -> uuid.UUID:
    """Create or update the draft of the form in progress (whatever state it is in)."""
    ctx.require(Perm.DESK)
    if len(json.dumps(payload, ensure_ascii=False, default=str)) > DRAFT_MAX_BYTES:
        raise ValidationError(_("Bản nháp quá lớn."), field="draft")
    payload = json.loads(json.dumps(payload, default=str))  # plain JSON, dates as text
    with ctx.db.write() as s:
        row = s.get(IntakeDraft, draft_id) if draft_id else None
        if row is None:
            row = IntakeDraft(id=draft_id or uuid7(), user_id=ctx.actor.id)
            s.add(row)
        row.payload = payload
        row.updated_at = utcnow()
        return row.id


def load_drafts(ctx: Ctx) -> list[DraftInfo]:
    """This user's drafts, newest first (the command line's actor sees every draft)."""
    ctx.require(Perm.DESK)
    with ctx.db.read() as s:
        q = select(IntakeDraft).order_by(IntakeDraft.updated_at.desc())
        if ctx.actor.id is not None:
            q = q.where(IntakeDraft.user_id == ctx.actor.id)
        return [DraftInfo(r.id, r.updated_at, dict(r.payload or {})) for r in s.scalars(q)]


def delete_draft(ctx: Ctx, draft_id: uuid.UUID) -> None:
    ctx.require(Perm.DESK)
    with ctx.db.write() as s:
        s.execute(delete(IntakeDraft).where(IntakeDraft.id == draft_id))
