"""Citizens' personal data (Law 91/2025, FACTS.md 8.1): the audited view of a full ID
number, anonymisation of records kept past their retention period, and the answer to a
citizen's request to see what the office holds on them."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from commune_desk.domain.applicant import clean_id_number
from commune_desk.domain.calendar import LOCAL_TZ
from commune_desk.domain.idnumber import mask
from commune_desk.domain.lifecycle import STATUS_LABELS, TERMINAL, TRANSITIONS, Action, Status
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import fold
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import _
from commune_desk.services import audit
from commune_desk.services.context import Ctx
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier, DossierEvent, Procedure, Rating

# What an anonymised dossier shows instead of the applicant's name (stored data, Vietnamese).
ANONYMISED_NAME = "[đã ẩn danh]"
# Keys of event data that may carry the applicant's details (never the staff's names).
_PERSONAL_KEYS = frozenset({"name", "applicant_name", "id_number", "applicant_id_number", "dob", "phone",
                            "applicant_phone", "address", "applicant_address", "email", "applicant_email",
                            "recipient", "recipient_name", "receiver_person", "representative"})


# -- the full ID number -----------------------------------------------------------------

def reveal_id_number(ctx: Ctx, dossier_id: uuid.UUID) -> str:
    """The unmasked ID number of a dossier's applicant; the view itself is an audit entry."""
    ctx.require(Perm.VIEW_FULL_ID)
    with ctx.db.write() as s:
        dossier = s.get(Dossier, dossier_id)
        if dossier is None:
            raise NotFound(_("Không tìm thấy hồ sơ."))
        audit.record(s, ctx.actor, "id.reveal", dossier.code,
                     {"dossier_id": str(dossier.id), "masked": mask(dossier.applicant_id_number)})
        return dossier.applicant_id_number or ""


# -- retention and anonymisation ---------------------------------------------------------

def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionRow:
    id: uuid.UUID
    code: str
    procedure_name: str
    finished_on: dt.date          # local date of the last interaction
    retention_months: int


def _last_interaction(d: Dossier) -> dt.datetime | None:
    moments = [m for m in (d.returned_at, d.finished_at) if m is not None]
    return max(moments) if moments else None


def _past_retention(s, now: dt.datetime, default_months: int) -> list[tuple[Dossier, int]]:
    months_of = {p.id: (p.retention_months or default_months)
                 for p in s.scalars(select(Procedure))}
    terminal = [str(t) for t in TERMINAL]
    out = []
    query = (select(Dossier).where(Dossier.anonymised_at.is_(None), Dossier.status.in_(terminal))
             .order_by(Dossier.received_at))
    for dossier in s.scalars(query):
        months = months_of.get(dossier.procedure_id, default_months)
        last = _last_interaction(dossier)
        if last is not None and last <= months_before(now, months):
            out.append((dossier, months))
    return out


def past_retention(ctx: Ctx, now: dt.datetime | None = None) -> list[RetentionRow]:
    """Closed dossiers whose retention period (the procedure's, else the office default) has
    run out since the last interaction, not yet anonymised: what :func:`anonymise` would do."""
    ctx.require(Perm.ANONYMISE)
    now = now or utcnow()
    default = int(ctx.db.setting("privacy.default_retention_months"))
    with ctx.db.read() as s:
        return [RetentionRow(d.id, d.code, d.procedure_name,
                             (_last_interaction(d) or d.received_at).astimezone(LOCAL_TZ).date(), months)
                for d, months in _past_retention(s, now, default)]


@dataclass(frozen=True)
class AnonymiseResult:
    count: int
    codes: list[str]


def _scrub(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: (None if k in _PERSONAL_KEYS else _scrub(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_scrub(v) for v in data]
    return data


def anonymise(ctx: Ctx, now: dt.datetime | None = None, *, expected: int | None = None) -> AnonymiseResult:
    """Blank the personal data of every dossier past retention, in ONE audited transaction.

    What statistics need stays: procedure, field, dates, status, outcome, fees, counts.
    ``expected`` (the count the leader confirmed) guards against anonymising more than was shown."""
    ctx.require(Perm.ANONYMISE)
    now = now or utcnow()
    default = int(ctx.db.setting("privacy.default_retention_months"))
    with ctx.db.write() as s:
        rows = _past_retention(s, now, default)
        if expected is not None and expected != len(rows):
            raise KnownError(_("Danh sách hồ sơ quá hạn lưu đã thay đổi ({n} hồ sơ); hãy xem lại trước khi ẩn danh.")
                             .format(n=len(rows)))
        for dossier, _months in rows:
            dossier.applicant_name = ANONYMISED_NAME
            dossier.applicant_folded = fold(ANONYMISED_NAME)
            dossier.applicant_id_number = None
            dossier.applicant_dob = None
            dossier.applicant_phone = None
            dossier.applicant_address = None
            dossier.applicant_email = None
            dossier.note = None
            dossier.anonymised_at = now
            for event in s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)):
                event.note = None
                event.data = _scrub(dict(event.data or {}))
        ids = [d.id for d, _m in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for rating in s.scalars(select(Rating).where(Rating.dossier_id.in_(chunk), Rating.comment.is_not(None))):
                rating.comment = None
        codes = [d.code for d, _m in rows]
        audit.record(s, ctx.actor, "privacy.anonymise", _("{n} hồ sơ").format(n=len(rows)),
                     {"count": len(rows), "codes": codes[:200], "default_months": default})
    return AnonymiseResult(len(rows), codes)


def purge_old_drafts(ctx: Ctx, days: int = 30) -> int:
    """Intake drafts nobody finished keep a citizen's details too: drop those older than ``days``."""
    from sqlalchemy import delete

    from commune_desk.store.models import IntakeDraft

    ctx.require(Perm.ANONYMISE)
    cutoff = utcnow() - dt.timedelta(days=days)
    with ctx.db.write() as s:
        result = s.execute(delete(IntakeDraft).where(IntakeDraft.updated_at < cutoff))
        return int(result.rowcount or 0)


# -- a citizen's request for their data ---------------------------------------------------

def _valid_id(id_number: str) -> str:
    number = clean_id_number(id_number)
    if not number.isdigit() or len(number) not in (9, 12):
        raise ValidationError(_("Số định danh cá nhân gồm 12 chữ số (hoặc 9 chữ số với CMND cũ)."),
                              field="id_number")
    return number


def _step_label(kind: str) -> str:
    try:
        return TRANSITIONS[Action(kind)].label
    except (ValueError, KeyError):
        try:
            return STATUS_LABELS[Status(kind)]
        except ValueError:
            return kind


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment else None


def _fmt(moment: dt.datetime | None) -> str:
    local = _local(moment)
    return local.strftime("%H:%M %d/%m/%Y") if local else ""


def print_citizen_data(ctx: Ctx, id_number: str, out_path: str | Path) -> Path:
    """Write the PDF of everything held under ``id_number``; audited (masked number only)."""
    from commune_desk.printing.citizen_data import (
        CitizenData,
        DossierData,
        EventLine,
        build_citizen_data,
        fee_text,
    )
    from commune_desk.services.documents import parent_body, place_name

    ctx.require(Perm.VIEW_FULL_ID)
    ctx.require(Perm.DOSSIERS)
    number = _valid_id(id_number)
    out = Path(out_path)
    if not out.parent.is_dir():
        raise KnownError(_("Không có thư mục {folder}.").format(folder=out.parent))
    office = ctx.db.require_office()
    with ctx.db.read() as s:
        dossiers = list(s.scalars(select(Dossier).where(Dossier.applicant_id_number == number)
                                  .order_by(Dossier.received_at)))
        items = []
        for d in dossiers:
            events = s.scalars(select(DossierEvent).where(DossierEvent.dossier_id == d.id)
                               .order_by(DossierEvent.at))
            fields = [("Họ và tên", d.applicant_name), ("Số định danh cá nhân", d.applicant_id_number or ""),
                      ("Ngày sinh", d.applicant_dob.strftime("%d/%m/%Y") if d.applicant_dob else ""),
                      ("Số điện thoại", d.applicant_phone or ""), ("Địa chỉ", d.applicant_address or ""),
                      ("Thư điện tử", d.applicant_email or ""), ("Ngày tiếp nhận", _fmt(d.received_at)),
                      ("Hẹn trả kết quả", _fmt(d.due_at)), ("Trạng thái", _step_label(d.status)),
                      ("Ngày trả kết quả", _fmt(d.returned_at)),
                      ("Giấy tờ đã nộp", "; ".join(str(doc.get("name", "")) for doc in d.documents or []
                                                   if doc.get("received", True))),
                      ("Phí, lệ phí", fee_text(d.fee_vnd)), ("Ghi chú", d.note or "")]
            items.append(DossierData(d.code, d.procedure_name, fields,
                                     [EventLine(_local(e.at), _step_label(e.kind), e.actor_name or "", e.note or "")
                                      for e in events]))
        ratings = [("Đánh giá", f"Hồ sơ {d.code}: có phiếu đánh giá") for d in dossiers
                   for _r in s.scalars(select(Rating.id).where(Rating.dossier_id == d.id))]
        data = CitizenData(number, parent_body(ctx, office, s), "TRUNG TÂM PHỤC VỤ\nHÀNH CHÍNH CÔNG",
                           place_name(ctx, office, s), office.office_name,
                           dt.datetime.now(LOCAL_TZ).replace(tzinfo=None), ctx.actor.full_name, items, ratings)
    partial = out.with_name(out.name + ".partial")
    try:
        build_citizen_data(data, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    with ctx.db.write() as s:
        audit.record(s, ctx.actor, "privacy.data_request", mask(number),
                     {"dossiers": len(items), "file": out.name})
    return out


def anonymised_count(ctx: Ctx) -> int:
    ctx.require(Perm.ANONYMISE)
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Dossier).where(Dossier.anonymised_at.is_not(None))) or 0)

