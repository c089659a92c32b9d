"""The training documents as PDFs: the services gather plain data (read-only, one session)
and ``printing.training_docs`` lays it out. Printed forms are Vietnamese whatever the
interface language, so labels go to the printer as their Vietnamese source strings."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import select

from commune_desk.domain import training as rules
from commune_desk.domain.calendar import local_today
from commune_desk.domain.roles import Perm
from commune_desk.errors import ValidationError
from commune_desk.i18n import _
from commune_desk.printing import training_docs as docs
from commune_desk.services import audit
from commune_desk.services.context import Ctx
from commune_desk.services.documents import parent_body, place_name
from commune_desk.services.training import (
    CERTIFICATE_LABELS,
    KIND_LABELS,
    KIND_SHORT,
    MODE_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
    course_summary_row,
    load_course,
    load_staff,
    results_in,
    sessions_in,
    sheet_in,
)
from commune_desk.services.training_hours import person_history
from commune_desk.store.models import Staff

KIND_ORDER = [k.value for k in rules.CourseKind]


def letterhead(ctx: Ctx, s=None) -> docs.Letterhead:
    """The commune's People's Committee issues training papers (no parent line, Decree 30)."""
    office = ctx.db.require_office()
    return docs.Letterhead(parent_body="", issuing_unit=parent_body(ctx, office, s), place=place_name(ctx, office, s),
                           signer_title=str(ctx.db.setting("training.signer_title", s) or ""),
                           signer_name=str(ctx.db.setting("training.signer_name", s) or ""))


def _position_unit(position: str | None, unit: str | None) -> str:
    return ", ".join(x for x in (position, unit) if x)


def print_attendance_sheet(ctx: Ctx, session_id: uuid.UUID, target: Path) -> Path:
    """The paper sheet participants sign: one row per registered participant."""
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        sheet = sheet_in(s, session_id)
        head = letterhead(ctx, s)
    notes = {rules.Status.ABSENT.value: STATUS_LABELS["A"], rules.Status.EXCUSED.value: STATUS_LABELS["E"]}
    people = []
    for line in sheet.lines:
        note = notes.get(line.status or "", "")
        if line.walk_in:
            note = ", ".join(x for x in (note, "Bổ sung tại lớp") if x)
        people.append(docs.SheetPerson(line.full_name, line.dob.year if line.dob else None,
                                       _position_unit(line.position, line.unit), note))
    t = sheet.session
    out = docs.attendance_sheet_pdf(docs.AttendanceSheetDoc(
        course_code=sheet.course.code, course_name=sheet.course.name, location=sheet.course.location or "",
        day=t.day, start=t.start, end=t.end, periods=t.periods, topic=t.topic or "",
        trainer=t.trainer or sheet.course.trainers or "", people=people, prepared_by=ctx.actor.full_name
        if ctx.actor.id else ""), head, target)
    audit.log(ctx, "print", Path(target).name, {"kind": "attendance_sheet", "count": len(people)})  # issue 8
    return out


def print_certificates(ctx: Ctx, course_id: uuid.UUID, target: Path,
                       staff_ids: list[uuid.UUID] | None = None) -> Path:
    """The issued certificates of a course (or of some participants), one landscape page each."""
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        course = load_course(s, course_id)
        summary = course_summary_row(s, course)
        rows = [r for r in results_in(s, course_id) if r.certificate_number
                and (staff_ids is None or r.staff_id in staff_ids)]
        if not rows:
            raise ValidationError(_("Chưa có chứng nhận nào được cấp để in."))
        head = letterhead(ctx, s)
        people = {p.id: p for p in s.scalars(select(Staff).where(Staff.id.in_([r.staff_id for r in rows])))}
    certs = []
    for r in sorted(rows, key=lambda r: r.certificate_number or ""):
        person = people[r.staff_id]
        periods = r.periods_scheduled or summary.planned_periods
        certs.append(docs.CertificateDoc(
            kind=r.certificate_kind or course.certificate_kind, number=r.certificate_number or "",
            issued_on=r.certificate_date or local_today(), honorific=rules.title_from_id(person.id_number),
            name=person.full_name, dob=person.dob, position_unit=_position_unit(person.position, person.unit),
            course_name=course.name, course_kind_label=KIND_LABELS[course.kind].lower(), start=course.start_date,
            end=course.end_date, periods=periods, mode_label=MODE_LABELS.get(course.mode, ""),
            location=course.location or "", organiser=course.organiser or "",
            result=docs.score_text(r.score, r.passed)))
    out = docs.certificates_pdf(certs, head, target)
    audit.log(ctx, "print", Path(target).name, {"kind": "certificates", "count": len(certs)})  # issue 8
    return out


def print_course_summary(ctx: Ctx, course_id: uuid.UUID, target: Path, today: dt.date | None = None) -> Path:
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        course = load_course(s, course_id)
        sessions = sessions_in(s, course_id)
        rows = results_in(s, course_id)
        head = letterhead(ctx, s)
    funding = ", ".join(x for x in (course.funding_source or "",
                                    f"{course.funding_vnd:,} đồng".replace(",", ".") if course.funding_vnd else "")
                        if x)
    doc = docs.CourseSummaryDoc(
        code=course.code, name=course.name, kind_label=KIND_LABELS[course.kind],
        topics=", ".join(TOPIC_LABELS.get(t, t) for t in course.topics or []), organiser=course.organiser or "",
        trainers=course.trainers or "", mode_label=MODE_LABELS.get(course.mode, ""), location=course.location or "",
        start=course.start_date, end=course.end_date, planned_periods=course.planned_periods, funding=funding,
        sessions=[docs.SummarySession(x.day, x.start, x.end, x.periods, x.topic or "", x.trainer or "", x.present)
                  for x in sessions],
        people=[docs.SummaryPerson(r.full_name, _position_unit(r.position, r.unit), r.periods_earned,
                                   docs.score_text(r.score, r.passed),
                                   f"{r.certificate_number} ({docs.dmy(r.certificate_date)})"
                                   if r.certificate_number else "") for r in rows],
        today=today or local_today(), prepared_by=ctx.actor.full_name if ctx.actor.id else "",
        certificate_label=CERTIFICATE_LABELS[course.certificate_kind].lower())
    out = docs.course_summary_pdf(doc, head, target)
    audit.log(ctx, "print", Path(target).name, {"kind": "course_summary", "count": len(rows)})  # issue 8
    return out


def print_person_history(ctx: Ctx, staff_id: uuid.UUID, target: Path, today: dt.date | None = None) -> Path:
    ctx.require(Perm.TRAINING)
    history = person_history(ctx, staff_id, today)
    with ctx.db.read() as s:
        load_staff(s, staff_id)
        head = letterhead(ctx, s)
    p = history.staff
    doc = docs.HistoryDoc(
        name=p.full_name, dob=p.dob, position=p.position or "", unit=p.unit or "", job_position=p.job_position or "",
        grade=p.grade or "",
        courses=[docs.HistoryCourse(c.code, c.name, KIND_SHORT[c.kind], c.start, c.end, c.earned,
                                    docs.score_text(c.score, c.passed),
                                    f"{c.certificate_number} ({docs.dmy(c.certificate_date)})"
                                    if c.certificate_number else "") for c in history.courses],
        years=[docs.HistoryYear(y.year, [y.by_kind.get(k, 0) for k in KIND_ORDER], y.total, y.minimum)
               for y in history.years],
        kind_labels=[KIND_SHORT[k] for k in KIND_ORDER], today=today or local_today(),
        prepared_by=ctx.actor.full_name if ctx.actor.id else "")
    out = docs.person_history_pdf(doc, head, target)
    audit.log(ctx, "print", Path(target).name, {"kind": "person_history", "count": 1})  # issue 8
    return out
