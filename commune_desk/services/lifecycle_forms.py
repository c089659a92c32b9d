"""The lifecycle's printable forms: what each one reads from the database, and the builders
``services.documents.FORMS`` runs (kinds: supplement, refusal, apology, stop, control,
book, rating-sheet). The wording and layout of each form live in ``printing/forms/<form>``;
here only the data is gathered, for the rules set of each dossier (``dossier.rules_set``,
fixed at intake from ``rules.switch_date``).

``book`` takes a period instead of dossier codes: ``["2026"]`` (a year) or
``["2026-01-01", "2026-03-31"]`` (from, to; DD/MM/YYYY also accepted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commune_desk.domain.applicant import Applicant
from commune_desk.domain.calendar import parse_hhmm, to_local, to_utc
from commune_desk.domain.lifecycle import Action, EventLine, Status, handoff_steps
from commune_desk.domain.roles import Perm
from commune_desk.domain.timeliness import OUTCOME_PRINTED, forwarding_deadline
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.printing.forms import apology, book, control, rating_sheet, refusal, stop, supplement
from commune_desk.printing.forms.common import DossierFacts, OfficeWording
from commune_desk.services import audit, documents, ratings
from commune_desk.services.calendar import load_calendar
from commune_desk.services.context import Ctx, OfficeInfo
from commune_desk.services.lifecycle import events_of
from commune_desk.services.tabular import parse_date
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier, DossierEvent

# What the window calls each printable kind (the receipt is the desk's).
FORM_LABELS: dict[str, str] = {
    "supplement": N_("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": N_("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "apology": N_("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "stop": N_("Thông báo dừng giải quyết hồ sơ"),
    "control": N_("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "book": N_("Sổ theo dõi hồ sơ"),
    "rating-sheet": N_("Phiếu đánh giá (để trống)"),
}
FILE_PREFIX = {"supplement": "phieu-bo-sung", "refusal": "phieu-tu-choi", "apology": "van-ban-xin-loi",
               "stop": "thong-bao-dung", "control": "phieu-kiem-soat", "rating-sheet": "phieu-danh-gia",
               "book": "so-theo-doi", "receipt": "giay-tiep-nhan"}
# The step whose facts each per-dossier form prints.
EVENT_OF_FORM = {"supplement": Action.REQUEST_SUPPLEMENT, "refusal": Action.REFUSE, "apology": Action.EXTEND,
                 "stop": Action.STOP}


def form_path(folder: Path, kind: str, key: str) -> Path:
    """Where the window keeps a form it previews (one file per kind and dossier)."""
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in key)
    return folder / f"{FILE_PREFIX.get(kind, kind)}-{safe}.pdf"


def printable_kinds(status: str, event_kinds: set[str]) -> list[str]:
    """The forms that make sense for a dossier now: the control slip always, each step's form
    once that step happened, and the blank evaluation sheet."""
    kinds = ["control"]
    for kind, action in EVENT_OF_FORM.items():
        if action.value in event_kinds:
            kinds.append(kind)
    kinds.append("rating-sheet")
    del status
    return kinds


# -- wording and facts -------------------------------------------------------------------
def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def office_wording(ctx: Ctx, office: OfficeInfo, rules_set: str, s: Session | None = None) -> OfficeWording:
    issuing, receiving = documents.unit_names(office, rules_set)
    return OfficeWording(parent_body=documents.parent_body(ctx, office, s), issuing_unit=issuing,
                         receiving_unit=receiving, place=documents.place_name(ctx, office, s),
                         authority=f"Ủy ban nhân dân {_lower_first(office.office_name)}",
                         authority_heading=f"ỦY BAN NHÂN DÂN\n{office.office_name.upper()}")


def dossier_facts(d: Dossier) -> DossierFacts:
    applicant = Applicant(d.applicant_name, d.applicant_id_number or "", d.applicant_dob, d.applicant_phone or "",
                          d.applicant_address or "", d.applicant_email or "")
    return DossierFacts(
        code=d.code, honorific=applicant.honorific, applicant_name=d.applicant_name,
        id_number=applicant.id_number, address=applicant.address, phone=applicant.phone, email=applicant.email,
        procedure_name=d.procedure_name, procedure_code=d.procedure_code, received_local=to_local(d.received_at),
        due_local=to_local(d.due_at) if d.due_at else None,
        original_due_local=to_local(d.original_due_at) if d.original_due_at else None,
        receiver_name=d.receiver_name or "")


def _last_event(s: Session, d: Dossier, action: Action) -> DossierEvent:
    event = s.scalar(select(DossierEvent).where(DossierEvent.dossier_id == d.id, DossierEvent.kind == action.value)
                     .order_by(DossierEvent.at.desc()).limit(1))
    if event is None:
        raise KnownError(_("Hồ sơ {code} chưa có bước “{step}” nên chưa có biểu mẫu này.")
                         .format(code=d.code, step=_(TRANSITION_LABEL[action])))
    return event


TRANSITION_LABEL = {Action.REQUEST_SUPPLEMENT: N_("Yêu cầu bổ sung hồ sơ"), Action.REFUSE: N_("Từ chối giải quyết"),
                    Action.EXTEND: N_("Xin lỗi, hẹn lại ngày trả"), Action.STOP: N_("Dừng giải quyết theo đề nghị")}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return to_local(parsed) if parsed.tzinfo else parsed
    return None


# -- one gatherer per form ---------------------------------------------------------------
def supplement_data(ctx: Ctx, s: Session, d: Dossier, office: OfficeInfo) -> supplement.SupplementData:
    ev = _last_event(s, d, Action.REQUEST_SUPPLEMENT)
    data = ev.data or {}
    return supplement.SupplementData(
        rules_set=d.rules_set, office=office_wording(ctx, office, d.rules_set, s), facts=dossier_facts(d),
        items=list(data.get("items") or []), reason=data.get("reason") or "", requested_local=to_local(ev.at),
        guide_name=ev.actor_name or "", contact_name=data.get("contact_name"), contact_phone=data.get("contact_phone"),
        complete_by=_date(data.get("complete_by")),
        close_days=int(ctx.db.setting("lifecycle.supplement_close_days", s)))


def refusal_data(ctx: Ctx, s: Session, d: Dossier, office: OfficeInfo) -> refusal.RefusalData:
    ev = _last_event(s, d, Action.REFUSE)
    return refusal.RefusalData(rules_set=d.rules_set, office=office_wording(ctx, office, d.rules_set, s),
                               facts=dossier_facts(d), reason=(ev.data or {}).get("reason") or "",
                               refused_local=to_local(ev.at), officer_name=ev.actor_name or "")


def apology_data(ctx: Ctx, s: Session, d: Dossier, office: OfficeInfo) -> apology.ApologyData:
    ev = _last_event(s, d, Action.EXTEND)
    data = ev.data or {}
    return apology.ApologyData(
        rules_set=d.rules_set, office=office_wording(ctx, office, d.rules_set, s), facts=dossier_facts(d),
        reason=data.get("reason") or "", old_due_local=_moment(data.get("old_due")) or to_local(d.original_due_at),
        new_due_local=_moment(data.get("new_due")) or to_local(d.due_at), issued_local=to_local(ev.at),
        signer_name=data.get("signer_name") or "", signer_title=data.get("signer_title") or apology.DEFAULT_SIGNER_TITLE)


def stop_data(ctx: Ctx, s: Session, d: Dossier, office: OfficeInfo) -> stop.StopData:
    if d.rules_set not in stop.SETS:
        raise KnownError(_("Hồ sơ {code} theo bộ biểu mẫu {rules} không có thông báo dừng giải quyết "
                           "(mẫu này có từ Thông tư 03/2025).").format(code=d.code, rules=d.rules_set))
    ev = _last_event(s, d, Action.STOP)
    data = ev.data or {}
    return stop.StopData(rules_set=d.rules_set, office=office_wording(ctx, office, d.rules_set, s),
                         facts=dossier_facts(d), reason=data.get("reason") or "",
                         request_date=_date(data.get("request_date")), stopped_local=to_local(ev.at),
                         signer_name=data.get("signer_name"),
                         signer_title=data.get("signer_title") or stop.DEFAULT_SIGNER_TITLE)


def control_data(ctx: Ctx, s: Session, d: Dossier, office: OfficeInfo) -> control.ControlData:
    wording = office_wording(ctx, office, d.rules_set, s)
    cal = load_calendar(ctx.db, s)
    desk_deadline = forwarding_deadline(cal, to_local(d.received_at),
                                        cutoff=parse_hhmm(ctx.db.setting("calendar.cutoff_hour", s)),
                                        work_end=parse_hhmm(ctx.db.setting("calendar.work_end", s)))
    events = [EventLine(ev.kind, ev.at, ev.actor_name, dict(ev.data or {})) for ev in events_of(s, d.id)]
    desk = wording.receiving_unit
    steps = handoff_steps(d.received_at, d.receiver_name or "", desk, desk_deadline, events)
    rows = [control.HandOffRow(giver=st.holder, receiver=st.passed_to or "", at_local=st.end,
                               outcome=OUTCOME_PRINTED[st.outcome] if st.outcome else None,
                               deadline_local=st.deadline, note=st.note)
            for st in steps if st.end is not None and st.passed_to]
    partners = sorted({str(e.data["to_agency"]) for e in events if e.kind == Action.ASSIGN and e.data.get("to_agency")})
    return control.ControlData(rules_set=d.rules_set, office=wording, facts=dossier_facts(d),
                               lead=wording.authority, partners=partners, rows=rows, printed_local=to_local(utcnow()))


GATHER: dict[str, Callable[[Ctx, Session, Dossier, OfficeInfo], Any]] = {
    "supplement": supplement_data, "refusal": refusal_data, "apology": apology_data, "stop": stop_data,
    "control": control_data,
}
BUILD: dict[str, Callable[[list, Path], None]] = {
    "supplement": supplement.build, "refusal": refusal.build, "apology": apology.build, "stop": stop.build,
    "control": control.build,
}


def _dossier_form(kind: str) -> documents.FormBuilder:
    def builder(ctx: Ctx, codes: list[str], target: Path) -> None:
        ctx.require(Perm.DOSSIERS)
        office = ctx.db.require_office()
        with ctx.db.read() as s:
            items = [GATHER[kind](ctx, s, d, office) for d in documents.dossiers_by_code(s, codes)]
        BUILD[kind](items, target)
        return None

    return builder


# -- the tracking book -------------------------------------------------------------------
def book_period(args: list[str]) -> tuple[dt.date, dt.date]:
    """["2026"] -> the year; [from, to] -> that range (inclusive)."""
    words = [a.strip() for a in args if a.strip()]
    if len(words) == 1 and words[0].isdigit() and len(words[0]) == 4:
        year = int(words[0])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(words) == 2:
        start, end = parse_date(words[0]), parse_date(words[1])
        if start is None or end is None:
            raise ValidationError(_("Ngày không hợp lệ (dạng YYYY-MM-DD hoặc DD/MM/YYYY)."), field="period")
        if end < start:
            raise ValidationError(_("Ngày kết thúc trước ngày bắt đầu."), field="period")
        return start, end
    raise ValidationError(_("Sổ theo dõi cần một năm (ví dụ 2026) hoặc hai ngày: từ ngày, đến ngày."),
                          field="period")


def rules_set_on(ctx: Ctx, day: dt.date, s: Session) -> str:
    switch = dt.date.fromisoformat(str(ctx.db.setting("rules.switch_date", s)))
    return "2018" if day < switch else str(ctx.db.setting("rules.default_set", s))


def book_data(ctx: Ctx, start: dt.date, end: dt.date) -> book.BookData:
    ctx.require(Perm.DOSSIERS)
    office = ctx.db.require_office()
    lo = to_utc(dt.datetime.combine(start, dt.time()))
    hi = to_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    with ctx.db.read() as s:
        rules_set = rules_set_on(ctx, start, s)
        wording = office_wording(ctx, office, rules_set, s)
        short_authority = f"UBND {_lower_first(office.office_name)}"   # a narrow column
        dossiers = list(s.scalars(select(Dossier).where(Dossier.received_at >= lo, Dossier.received_at < hi)
                                  .order_by(Dossier.book_year, Dossier.book_number)))
        sent: dict[Any, dt.datetime] = {}
        agency: dict[Any, str] = {}
        if dossiers:
            for ev in s.scalars(select(DossierEvent).where(
                    DossierEvent.dossier_id.in_([d.id for d in dossiers]),
                    DossierEvent.kind == Action.ASSIGN.value).order_by(DossierEvent.at)):
                sent.setdefault(ev.dossier_id, ev.at)
                if (ev.data or {}).get("to_agency"):
                    agency.setdefault(ev.dossier_id, ev.data["to_agency"])
        entries = [book.BookEntry(
            book_year=d.book_year, number=d.book_number, code=d.code, procedure=d.procedure_name, sets=d.sets_count,
            applicant=d.applicant_name,
            contact=", ".join(x for x in (d.applicant_address, d.applicant_phone) if x),
            lead=agency.get(d.id) or short_authority, received=to_local(d.received_at).date(),
            due=to_local(d.due_at).date() if d.due_at else None,
            sent=to_local(sent[d.id]).date() if d.id in sent else None,
            result=to_local(d.result_ready_at).date() if d.result_ready_at else None,
            returned=to_local(d.returned_at).date() if d.returned_at else None,
            note=book_note(d)) for d in dossiers]
        volume = int(ctx.db.setting("print.book_volume", s) or 1)
    return book.BookData(rules_set=rules_set, office=wording, start=start, end=end, volume=volume, entries=entries)


def book_note(d: Dossier) -> str:
    """The "Ghi chú" cell: what a reader of the book must know beyond the dates (Vietnamese)."""
    notes = []
    if d.extension_count and d.original_due_at and d.due_at and d.due_at != d.original_due_at:
        notes.append(f"Hẹn lại: {to_local(d.due_at):%d/%m/%Y}")
    if d.supplement_count:
        notes.append("Có yêu cầu bổ sung")
    printed = {Status.REFUSED: "Từ chối giải quyết", Status.STOPPED: "Dừng giải quyết",
               Status.WITHDRAWN: "Đã rút hồ sơ", Status.CLOSED: "Đóng do không bổ sung"}
    if d.status in printed:
        notes.append(printed[Status(d.status)])
    if d.outcome == "late":
        notes.append("Quá hạn")
    return "; ".join(notes)


def build_book(ctx: Ctx, codes: list[str], target: Path) -> None:
    start, end = book_period(codes)
    book.build(book_data(ctx, start, end), target)
    return None


def export_book_xlsx(ctx: Ctx, start: dt.date, end: dt.date, out: str | Path) -> Path:
    """The tracking book of a period as XLSX (written to a temporary file, then moved in place)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    if not out.parent.is_dir():
        raise KnownError(_("Thư mục {path} không tồn tại.").format(path=out.parent))
    data = book_data(ctx, start, end)
    documents.write_beside(out, lambda tmp: book.write_xlsx(data, tmp))
    audit.log(ctx, "export", out.name, {"what": "book", "from": str(start), "to": str(end)})  # issue 8
    return out


# -- the blank evaluation sheet ---------------------------------------------------------
def build_rating_sheet(ctx: Ctx, codes: list[str], target: Path) -> None:
    """A blank sheet; with dossier codes, one sheet per dossier with its code written in."""
    ctx.require(Perm.DOSSIERS)
    office = ctx.db.require_office()
    with ctx.db.read() as s:
        rules_set = str(ctx.db.setting("rules.default_set", s))
        wording = office_wording(ctx, office, rules_set, s)
        wanted = [c for c in codes if c.strip()]
        dossier_codes = [d.code for d in documents.dossiers_by_code(s, wanted)] if wanted else [None]
    criteria = [rating_sheet.SheetCriterion(c.letter, c.question, [label for _score, label in c.options])
                for c in ratings.CRITERIA]
    items = [rating_sheet.RatingSheetData(office=wording, criteria=criteria, other_letter=ratings.OTHER_LETTER,
                                          other_question=ratings.OTHER_QUESTION, printed_local=to_local(utcnow()),
                                          code=code) for code in dossier_codes]
    rating_sheet.build(items, target)
    return None


LIFECYCLE_FORMS: dict[str, documents.FormBuilder] = {
    **{kind: _dossier_form(kind) for kind in GATHER},
    "book": build_book,
    "rating-sheet": build_rating_sheet,
}
# Registered here (documents imports this module at its end), so either import order works.
documents.FORMS.update(LIFECYCLE_FORMS)
