"""Printable forms of a dossier: one registry, one way to write a PDF.

``FORMS`` maps a printable kind ("receipt", and the lifecycle's supplement, refusal,
apology, stop, control, book) to a builder::

    def build(ctx: Ctx, codes: list[str], target: Path) -> Callable[[Session], None] | None

The builder checks the role, reads what it needs, writes the PDF to ``target`` (a
temporary file) and may return an ``after(session)`` callback. :func:`print_form` moves the
finished file into place atomically (``os.replace``: a crash never leaves half a PDF under
the real name) and only then opens one write transaction that runs ``after`` (e.g. marking
the slip as issued) and records the print in the audit trail, so nothing is marked printed
that was not.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from commune_desk import settings as settings_registry
from commune_desk.domain import units
from commune_desk.domain.applicant import Applicant
from commune_desk.domain.calendar import to_local
from commune_desk.domain.roles import Perm
from commune_desk.errors import KnownError, NotFound, ValidationError
from commune_desk.i18n import _
from commune_desk.printing.receipt import ReceiptData, ReceiptDocument, ReceiptFee, build_receipts, time_text
from commune_desk.services import audit
from commune_desk.services.context import Ctx, OfficeInfo
from commune_desk.store.base import utcnow
from commune_desk.store.models import Dossier, DossierEvent, Procedure, Setting

T = TypeVar("T")
AfterPrint = Callable[[Session], None]
FormBuilder = Callable[[Ctx, list[str], Path], AfterPrint | None]

DELIVERY_TEXT = {
    "counter": "{unit}",
    "post": "địa chỉ của người nộp hồ sơ, qua dịch vụ bưu chính công ích",
    "online": "tài khoản dịch vụ công trực tuyến của người nộp hồ sơ (bản điện tử)",
}


# -- office wording on the forms -------------------------------------------------------
PRINT_SETTINGS = ("print.place_name", "print.parent_body", "print.book_volume", "print.paper", "print.copies")


@cache
def _settings_statement() -> Select:
    """Built once: a save reads its settings with it (see services/intake.py)."""
    return select(Setting.key, Setting.value).where(Setting.key.in_(bindparam("keys", expanding=True)))


def read_settings(s: Session, keys: tuple[str, ...]) -> dict[str, Any]:
    """Several settings in one query, without flushing the caller's pending writes (on the
    session's connection: a save reads them, and the ORM's execution path costs more than the query)."""
    stored = dict(s.connection().execute(_settings_statement(), {"keys": list(keys)}).all())
    return {key: stored[key] if key in stored else settings_registry.default(key) for key in keys}


def place_name(ctx: Ctx, office: OfficeInfo, s: Session | None = None, *, configured: str | None = None) -> str:
    """The place in "<place>, ngày … tháng … năm …": the setting, else the office's name
    without "Xã"/"Phường" (a unit named by a number keeps it: "Phường 15")."""
    if configured is None:
        configured = ctx.db.setting("print.place_name", s)
    configured = str(configured or "").strip()
    if configured:
        return configured
    name = office.office_name.strip()
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        rest = name[len(prefix):]
        if name.startswith(prefix) and not rest.isdigit():
            return rest
    return name


def parent_body(ctx: Ctx, office: OfficeInfo, s: Session | None = None, *, configured: str | None = None) -> str:
    if configured is None:
        configured = ctx.db.setting("print.parent_body", s)
    return str(configured or "").strip() or f"UBND {office.office_name.upper()}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def unit_names(office: OfficeInfo, rules_set: str) -> tuple[str, str]:
    """(issuing unit for the header, receiving unit for the body) of the rules in force."""
    if rules_set == "2018":
        return ("BỘ PHẬN TIẾP NHẬN\nVÀ TRẢ KẾT QUẢ",
                f"Bộ phận Tiếp nhận và Trả kết quả {_lower_first(office.office_name)}")
    return ("TRUNG TÂM PHỤC VỤ\nHÀNH CHÍNH CÔNG",
            f"Trung tâm Phục vụ hành chính công {_lower_first(office.office_name)}")


# -- loading dossiers by code -----------------------------------------------------------
def dossiers_by_code(s: Session, codes: list[str]) -> list[Dossier]:
    """The dossiers in the order given; an unknown code raises NotFound naming it."""
    wanted = [c.strip() for c in codes if c.strip()]
    if not wanted:
        raise ValidationError(_("Hãy nêu ít nhất một mã hồ sơ."), field="codes")
    rows = {d.code: d for d in s.scalars(select(Dossier).where(Dossier.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in rows]
    if unknown:
        raise NotFound(_("Không có hồ sơ mã {codes}.").format(codes=", ".join(unknown)))
    return [rows[c] for c in wanted]


def receipt_data(ctx: Ctx, s: Session, dossier: Dossier, office: OfficeInfo,
                 prefs: dict[str, Any] | None = None) -> ReceiptData:
    """What Form 01 prints for a saved ``dossier``; ``prefs`` are the PRINT_SETTINGS."""
    prefs = prefs or read_settings(s, PRINT_SETTINGS)
    with s.no_autoflush:
        event_data = s.scalar(select(DossierEvent.data).where(DossierEvent.dossier_id == dossier.id,
                                                              DossierEvent.kind == "received")
                              .order_by(DossierEvent.at).limit(1))
        proc = s.execute(select(Procedure.time_kind, Procedure.time_value, Procedure.result)
                         .where(Procedure.id == dossier.procedure_id)).first()
    info = dict(event_data or {})
    if "time_kind" not in info:  # dossiers made elsewhere: the catalog's current rule
        info["time_kind"] = proc.time_kind if proc else "working_days"
        info["time_value"] = proc.time_value if proc else None
    return receipt_from(ctx, dossier, office, prefs, info, proc.result if proc else None)


def receipt_from(ctx: Ctx, dossier: Dossier, office: OfficeInfo, prefs: dict[str, Any], info: dict[str, Any],
                 proc_result: str | None) -> ReceiptData:
    """Form 01's data from the dossier, its "received" event data and the settings (no queries)."""
    issuing, receiving = unit_names(office, dossier.rules_set)
    applicant = Applicant(dossier.applicant_name, dossier.applicant_id_number or "", dossier.applicant_dob,
                          dossier.applicant_phone or "", dossier.applicant_address or "",
                          dossier.applicant_email or "")
    docs = [ReceiptDocument(d.get("name", ""), d.get("form") or "bản chính", int(d.get("count") or 1))
            for d in dossier.documents or [] if d.get("received", True)]
    fees = [ReceiptFee(f.get("name", ""), f.get("amount_vnd")) for f in info.get("fees") or []]
    return ReceiptData(
        code=dossier.code, parent_body=parent_body(ctx, office, configured=prefs["print.parent_body"]),
        issuing_unit=issuing, receiving_unit=receiving,
        place=place_name(ctx, office, configured=prefs["print.place_name"]), honorific=applicant.honorific,
        applicant_name=dossier.applicant_name, id_number=applicant.id_number, address=applicant.address,
        phone=applicant.phone, email=applicant.email, procedure_name=dossier.procedure_name,
        procedure_code=dossier.procedure_code, documents=docs, sets_count=dossier.sets_count,
        time_text=time_text(info["time_kind"], info.get("time_value")),
        received_local=to_local(dossier.received_at),
        due_local=to_local(dossier.original_due_at or dossier.due_at or dossier.received_at),
        delivery_text=DELIVERY_TEXT.get(dossier.result_delivery, "{unit}").format(unit=receiving),
        fees=fees, fee_total=dossier.fee_vnd, book_volume=int(prefs["print.book_volume"] or 1),
        book_number=dossier.book_number, receiver_name=dossier.receiver_name or "", result_text=proc_result,
        forwarded_to=forwarded_name(dossier.competent_office_code, dossier.office_code),
    )


def forwarded_name(competent_code: str | None, owner_code: str | None) -> str | None:
    """The commune a dossier received here goes to (printed forms are always Vietnamese)."""
    if not competent_code or competent_code == owner_code:
        return None
    unit = units.find_commune(competent_code)
    return f"{unit.name} ({competent_code})" if unit else competent_code


def write_receipts(ctx: Ctx, s: Session, dossiers: list[Dossier], office: OfficeInfo, target: Path) -> None:
    """Form 01 of ``dossiers`` into ``target``, on the paper and in the copies the office set."""
    prefs = read_settings(s, PRINT_SETTINGS)
    receipts = [receipt_data(ctx, s, d, office, prefs) for d in dossiers]
    paper = str(prefs["print.paper"] or "A5").upper()
    copies = int(prefs["print.copies"] or 2)
    build_receipts(receipts, target, paper=paper if paper in ("A4", "A5") else "A5", copies=copies)


def write_receipt_of(ctx: Ctx, s: Session, dossier: Dossier, office: OfficeInfo, target: Path, *,
                     event_data: dict[str, Any], result_text: str | None,
                     prefs: dict[str, Any] | None = None) -> None:
    """Form 01 of a dossier about to be written (the desk's "save & print"); ``prefs``: the
    PRINT_SETTINGS when the caller already read them (with its own, in one query)."""
    prefs = prefs or read_settings(s, PRINT_SETTINGS)
    paper = str(prefs["print.paper"] or "A5").upper()
    build_receipts([receipt_from(ctx, dossier, office, prefs, event_data, result_text)], target,
                   paper=paper if paper in ("A4", "A5") else "A5", copies=int(prefs["print.copies"] or 2))


def mark_slips_issued(dossiers: list[Dossier]) -> None:
    """Through the ORM, so the change is versioned and travels to the hub."""
    now = utcnow()
    for dossier in dossiers:
        if dossier.slip_issued_at is None:
            dossier.slip_issued_at = now


def record_print(s: Session, ctx: Ctx, kind: str, codes: list[str]) -> None:
    """The audit trail keeps who printed which citizen's papers (codes are not personal data)."""
    audit.record(s, ctx.actor, "print", f"{kind}: {', '.join(codes)}"[:200], {"kind": kind, "count": len(codes)})


def build_receipt(ctx: Ctx, codes: list[str], target: Path) -> AfterPrint:
    """Form 01 for each dossier; afterwards the dossiers are marked as having their slip."""
    ctx.require(Perm.DESK)
    office = ctx.db.require_office()
    with ctx.db.read() as s:
        dossiers = dossiers_by_code(s, codes)
        write_receipts(ctx, s, dossiers, office, target)
    ids = [d.id for d in dossiers if d.slip_issued_at is None]

    def mark_issued(s: Session) -> None:
        mark_slips_issued(list(s.scalars(select(Dossier).where(Dossier.id.in_(ids)))))

    return mark_issued


FORMS: dict[str, FormBuilder] = {
    "receipt": build_receipt,
}


def print_form(ctx: Ctx, kind: str, codes: list[str], out_path: str | Path) -> Path:
    """Write the ``kind`` form of the dossiers ``codes`` to ``out_path`` (atomically)."""
    builder = FORMS.get(kind)
    if builder is None:
        raise ValidationError(_("Không có mẫu in \u201c{kind}\u201d. Các mẫu: {kinds}.").format(
            kind=kind, kinds=", ".join(sorted(FORMS))), field="kind")
    out = pdf_target(out_path)
    after = write_beside(out, lambda tmp: builder(ctx, list(codes), tmp))
    with ctx.db.write() as s:
        if after is not None:
            after(s)
        record_print(s, ctx, kind, list(codes))
    return out


def pdf_target(out_path: str | Path) -> Path:
    """``out_path`` with a .pdf suffix, in a folder that exists."""
    out = Path(out_path)
    if out.suffix.lower() != ".pdf":
        out = out.with_suffix(".pdf")
    if not out.parent.is_dir():
        raise KnownError(_("Thư mục {path} không tồn tại.").format(path=out.parent))
    return out


def temp_beside(out: Path) -> Path:
    """A temporary name in the same folder, so ``os.replace`` is atomic."""
    return out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")


def write_beside(out: Path, write: Callable[[Path], T]) -> T:
    """Run ``write`` on a temporary name beside ``out``, then move the file into place
    (``os.replace``: atomic, so a full disk or a pulled stick never leaves half a file under
    the real name). An OSError becomes a message the person can act on."""
    tmp = temp_beside(out)
    try:
        result = write(tmp)
        os.replace(tmp, out)
        return result
    except OSError as exc:
        raise KnownError(_("Không ghi được tệp {path}: {error}").format(path=out, error=exc.strerror)) from exc
    finally:
        tmp.unlink(missing_ok=True)


def save_pdf_copy(ctx: Ctx | None, source: Path, target: Path) -> Path:
    """A copy of a printed form where the person chose (a USB stick, a shared folder):
    written beside its final name and renamed, so a full disk leaves no half file; audited
    as an export, since every form holds someone's personal data. ``ctx`` None: not audited
    (a preview opened without a signed-in office, only in tests)."""
    if target.suffix.lower() != ".pdf":
        target = target.with_suffix(".pdf")
    write_beside(target, lambda tmp: shutil.copyfile(source, tmp))
    if ctx is not None:
        audit.log(ctx, "export", target.name, {"what": "pdf", "source": source.name})
    return target


def receipt_path(folder: Path, code: str) -> Path:
    """Where the window keeps the receipt it previews (one file per dossier)."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"giay-tiep-nhan-{code}.pdf"


# The lifecycle's forms (supplement, refusal, apology, stop, control, book, rating-sheet)
# add themselves to FORMS when their module is imported.
import commune_desk.services.lifecycle_forms  # noqa: E402,F401,I001
