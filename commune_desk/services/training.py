"""The training log: staff registry, courses and sessions, participants, attendance,
results and certificates. Every function checks ``Perm.TRAINING`` and is one transaction;
rows go to the window as frozen dataclasses.

Hours, the yearly minimum and the printed documents live in ``training_hours`` and
``training_print``; the XLSX exchange of the staff registry in ``staff_io``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commune_desk.domain import training as rules
from commune_desk.domain.applicant import (
    clean_id_number,
    clean_phone,
    dob_problem,
    id_number_problem,
    name_problem,
)
from commune_desk.domain.calendar import local_today
from commune_desk.domain.idnumber import mask
from commune_desk.domain.roles import Perm
from commune_desk.domain.text import fold, normalize
from commune_desk.errors import NotFound, ValidationError
from commune_desk.i18n import N_, _
from commune_desk.services.context import Ctx
from commune_desk.store.models import (
    Assessment,
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Staff,
    TrainingSession,
)

# -- labels (Vietnamese source strings; the window shows them through _()) ---------------------
KIND_LABELS = {
    rules.CourseKind.GRADE.value: N_("Theo tiêu chuẩn ngạch công chức"),
    rules.CourseKind.LEADERSHIP.value: N_("Theo tiêu chuẩn chức vụ lãnh đạo, quản lý"),
    rules.CourseKind.JOB_POSITION.value: N_("Theo yêu cầu vị trí việc làm"),
    rules.CourseKind.UPDATE.value: N_("Cập nhật kiến thức, kỹ năng"),
}
KIND_SHORT = {
    rules.CourseKind.GRADE.value: N_("Ngạch"),
    rules.CourseKind.LEADERSHIP.value: N_("Lãnh đạo"),
    rules.CourseKind.JOB_POSITION.value: N_("Vị trí việc làm"),
    rules.CourseKind.UPDATE.value: N_("Cập nhật"),
}
MODE_LABELS = {
    rules.Mode.IN_PERSON.value: N_("Trực tiếp"),
    rules.Mode.ONLINE.value: N_("Trực tuyến"),
    rules.Mode.MIXED.value: N_("Kết hợp"),
}
TOPIC_LABELS = {
    "one_stop": N_("Kỹ năng một cửa"),
    "desk_situations": N_("Xử lý tình huống tại quầy"),
    "digital_services": N_("Dịch vụ công trực tuyến, chuyển đổi số"),
    "communication": N_("Giao tiếp, ứng xử với người dân"),
    "law_update": N_("Cập nhật văn bản pháp luật"),
    "records_archives": N_("Văn thư, lưu trữ"),
    "other": N_("Khác"),
}
STATUS_LABELS = {
    rules.Status.PRESENT.value: N_("Có mặt"),
    rules.Status.ABSENT.value: N_("Vắng"),
    rules.Status.EXCUSED.value: N_("Vắng có phép"),
    rules.Status.LATE.value: N_("Đi muộn"),
}
CERTIFICATE_LABELS = {
    rules.CertificateKind.CERTIFICATE.value: N_("Chứng chỉ"),
    rules.CertificateKind.COMPLETION.value: N_("Giấy chứng nhận"),
}
_PROBLEMS = {
    "code_missing": N_("Hãy nhập mã khóa bồi dưỡng."),
    "code_long": N_("Mã khóa bồi dưỡng tối đa 40 ký tự."),
    "name_missing": N_("Hãy nhập tên khóa bồi dưỡng."),
    "kind_unknown": N_("Hãy chọn loại khóa bồi dưỡng."),
    "mode_unknown": N_("Hãy chọn hình thức tổ chức."),
    "topic_unknown": N_("Chủ đề không có trong danh sách."),
    "start_missing": N_("Hãy nhập ngày bắt đầu."),
    "end_missing": N_("Hãy nhập ngày kết thúc."),
    "end_before_start": N_("Ngày kết thúc phải từ ngày bắt đầu trở đi."),
    "periods_range": N_("Số tiết dự kiến phải lớn hơn 0."),
    "day_missing": N_("Hãy nhập ngày học."),
    "day_outside_course": N_("Ngày học {day} nằm ngoài thời gian của khóa ({course_start} – {course_end})."),
    "time_missing": N_("Hãy nhập giờ bắt đầu và giờ kết thúc."),
    "end_not_after_start": N_("Giờ kết thúc ({end}) phải sau giờ bắt đầu ({start})."),
    "session_periods_range": N_("Số tiết của buổi học phải từ 1 đến {max}."),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def status_label(status: str | None) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else ""


def d(day: dt.date | None) -> str:
    """dd/mm/yyyy, as Vietnamese paperwork writes dates."""
    return day.strftime("%d/%m/%Y") if day else ""


def _problem_message(key: str, **values: object) -> str:
    return _(_PROBLEMS[key]).format(**values)


def _raise_first(problems: list[tuple[str, str]], **values: object) -> None:
    if problems:
        errors = [(f, _problem_message(k, **values)) for f, k in problems]
        raise ValidationError(errors[0][1], field=errors[0][0], errors=errors)


# -- rows handed to the window --------------------------------------------------------------------
@dataclass(frozen=True)
class StaffInput:
    full_name: str
    id_number: str | None = None
    dob: dt.date | None = None
    position: str | None = None
    unit: str | None = None
    job_position: str | None = None
    grade: str | None = None
    phone: str | None = None
    active: bool = True
    left_on: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class StaffRow:
    id: uuid.UUID
    full_name: str
    id_number: str | None
    dob: dt.date | None
    position: str | None
    unit: str | None
    job_position: str | None
    grade: str | None
    phone: str | None
    active: bool
    left_on: dt.date | None
    note: str | None

    @property
    def id_masked(self) -> str:
        return mask(self.id_number)

    @property
    def title(self) -> str:
        return rules.title_from_id(self.id_number)


@dataclass(frozen=True)
class CourseInput:
    code: str
    name: str
    kind: str
    start: dt.date | None
    end: dt.date | None
    planned_periods: int
    mode: str = rules.Mode.IN_PERSON.value
    topics: tuple[str, ...] = ()
    organiser: str | None = None
    trainers: str | None = None
    location: str | None = None
    funding_source: str | None = None
    funding_vnd: int | None = None
    certificate_kind: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class CourseRow:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    topics: tuple[str, ...]
    organiser: str | None
    trainers: str | None
    mode: str
    location: str | None
    start: dt.date
    end: dt.date
    planned_periods: int
    funding_source: str | None
    funding_vnd: int | None
    certificate_kind: str
    note: str | None
    sessions: int = 0
    scheduled_periods: int = 0
    participants: int = 0

    def state(self, today: dt.date) -> str:
        """upcoming | open | finished"""
        if today < self.start:
            return "upcoming"
        return "finished" if today > self.end else "open"


@dataclass(frozen=True)
class SessionInput:
    day: dt.date | None
    start: dt.time | None
    end: dt.time | None
    periods: int
    topic: str | None = None
    trainer: str | None = None


@dataclass(frozen=True)
class SessionRow:
    id: uuid.UUID
    course_id: uuid.UUID
    day: dt.date
    start: dt.time
    end: dt.time
    periods: int
    topic: str | None
    trainer: str | None
    recorded: int = 0      # attendance rows entered
    present: int = 0       # present or late


@dataclass(frozen=True)
class ParticipantRow:
    staff_id: uuid.UUID
    full_name: str
    position: str | None
    unit: str | None
    walk_in: bool


@dataclass(frozen=True)
class AttendanceLine:
    staff_id: uuid.UUID
    full_name: str
    position: str | None
    unit: str | None
    status: str | None
    periods_attended: int | None
    walk_in: bool
    dob: dt.date | None = None


@dataclass(frozen=True)
class AttendanceSheet:
    course: CourseRow
    session: SessionRow
    lines: tuple[AttendanceLine, ...]


@dataclass(frozen=True)
class CourseDetail:
    course: CourseRow
    sessions: tuple[SessionRow, ...]
    participants: tuple[ParticipantRow, ...]


@dataclass(frozen=True)
class ResultRow:
    staff_id: uuid.UUID
    full_name: str
    position: str | None
    unit: str | None
    periods_earned: int
    periods_scheduled: int
    score: float | None
    passed: bool | None
    note: str | None
    certificate_id: uuid.UUID | None = None
    certificate_kind: str | None = None
    certificate_number: str | None = None
    certificate_date: dt.date | None = None


@dataclass(frozen=True)
class CertificateRow:
    id: uuid.UUID
    course_id: uuid.UUID
    staff_id: uuid.UUID
    full_name: str
    kind: str
    number: str
    issued_on: dt.date


@dataclass
class Stats:
    """What a bulk action did (for the status line)."""

    added: int = 0
    skipped: list[str] = field(default_factory=list)


# -- conversions ------------------------------------------------------------------------------------
def staff_row(s: Staff) -> StaffRow:
    return StaffRow(s.id, s.full_name, s.id_number, s.dob, s.position, s.unit, s.job_position, s.grade,
                    s.phone, s.active, s.left_on, s.note)


def course_row(c: Course, *, sessions: int = 0, scheduled: int = 0, participants: int = 0) -> CourseRow:
    return CourseRow(c.id, c.code, c.name, c.kind, tuple(c.topics or ()), c.organiser, c.trainers, c.mode,
                     c.location, c.start_date, c.end_date, c.planned_periods, c.funding_source, c.funding_vnd,
                     c.certificate_kind, c.note, sessions, scheduled, participants)


def session_row(t: TrainingSession, recorded: int = 0, present: int = 0) -> SessionRow:
    return SessionRow(t.id, t.course_id, t.day, t.start_time, t.end_time, t.periods, t.topic, t.trainer,
                      recorded, present)


def _get(s: Session, model, record_id: uuid.UUID, message: str):
    row = s.get(model, record_id)
    if row is None:
        raise NotFound(message)
    return row


def load_course(s: Session, course_id: uuid.UUID) -> Course:
    return _get(s, Course, course_id, _("Không tìm thấy khóa bồi dưỡng."))


def _session(s: Session, session_id: uuid.UUID) -> TrainingSession:
    return _get(s, TrainingSession, session_id, _("Không tìm thấy buổi học."))


def load_staff(s: Session, staff_id: uuid.UUID) -> Staff:
    return _get(s, Staff, staff_id, _("Không tìm thấy cán bộ trong danh sách."))


def _opt(text: str | None, limit: int) -> str | None:
    value = normalize(text)
    return value[:limit] if value else None


# -- staff registry ---------------------------------------------------------------------------------
def clean_staff(data: StaffInput, today: dt.date | None = None) -> tuple[StaffInput, list[tuple[str, str]]]:
    """The cleaned input and every (field, message) problem with it."""
    today = today or local_today()
    cleaned = StaffInput(
        full_name=normalize(data.full_name), id_number=clean_id_number(data.id_number) or None, dob=data.dob,
        position=_opt(data.position, 200), unit=_opt(data.unit, 200), job_position=_opt(data.job_position, 200),
        grade=_opt(data.grade, 200), phone=clean_phone(data.phone) or None, active=bool(data.active),
        left_on=data.left_on if not data.active else None, note=normalize(data.note) or None)
    problems: list[tuple[str, str]] = []
    if not cleaned.full_name:
        problems.append(("full_name", _("Hãy nhập họ và tên.")))
    else:
        bad_name = name_problem(cleaned.full_name)
        if bad_name:
            problems.append(("full_name", bad_name))
    bad_dob = dob_problem(cleaned.dob, today)
    if bad_dob:
        problems.append(("dob", bad_dob))
    if cleaned.id_number:
        bad_id = id_number_problem(cleaned.id_number, None if bad_dob else cleaned.dob, today)
        if bad_id:
            problems.append(("id_number", bad_id))
    if cleaned.phone and not (cleaned.phone.isdigit() and cleaned.phone.startswith("0") and 10 <= len(cleaned.phone) <= 11):
        problems.append(("phone", _("Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0 (ví dụ 0912345678).")))
    return cleaned, problems


def apply_staff(row: Staff, data: StaffInput) -> None:
    row.full_name = data.full_name
    row.name_folded = fold(data.full_name)
    for name in ("id_number", "dob", "position", "unit", "job_position", "grade", "phone", "active", "left_on",
                 "note"):
        setattr(row, name, getattr(data, name))


def _id_taken(s: Session, id_number: str | None, except_id: uuid.UUID | None) -> Staff | None:
    if not id_number:
        return None
    other = s.scalar(select(Staff).where(Staff.id_number == id_number))
    return other if other is not None and other.id != except_id else None


def save_staff_in(s: Session, data: StaffInput, staff_id: uuid.UUID | None = None) -> Staff:
    """Create or update one official inside an open write session (raises on bad input)."""
    cleaned, problems = clean_staff(data)
    if problems:
        raise ValidationError(problems[0][1], field=problems[0][0], errors=problems)
    other = _id_taken(s, cleaned.id_number, staff_id)
    if other is not None:
        raise ValidationError(_("Số định danh {number} đã có trong danh sách: {name}.")
                              .format(number=cleaned.id_number, name=other.full_name), field="id_number")
    row = load_staff(s, staff_id) if staff_id else Staff()
    if staff_id is None:
        s.add(row)
    apply_staff(row, cleaned)
    s.flush()
    return row


def save_staff(ctx: Ctx, data: StaffInput, staff_id: uuid.UUID | None = None) -> StaffRow:
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        return staff_row(save_staff_in(s, data, staff_id))


def list_staff(ctx: Ctx, text: str = "", *, include_left: bool = False) -> list[StaffRow]:
    """The registry sorted by name; ``text`` matches name (accents ignored), ID number or phone."""
    ctx.require(Perm.TRAINING)
    query = select(Staff)
    if not include_left:
        query = query.where(Staff.active.is_(True))
    needle = fold(text)
    if needle:
        digits = re.sub(r"\D", "", text)
        cond = Staff.name_folded.contains(needle)
        if digits and digits == text.strip():
            cond = cond | Staff.id_number.contains(digits) | Staff.phone.contains(digits)
        query = query.where(cond)
    with ctx.db.read() as s:
        rows = [staff_row(r) for r in s.scalars(query)]
    return sorted(rows, key=lambda r: (sort_name(r.full_name), r.full_name))


def sort_name(full_name: str) -> tuple[str, str]:
    """Vietnamese lists sort by the given name (the last word), then the whole name."""
    folded = fold(full_name)
    return (folded.rsplit(" ", 1)[-1], folded)


def get_staff(ctx: Ctx, staff_id: uuid.UUID) -> StaffRow:
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        return staff_row(load_staff(s, staff_id))


# -- courses ----------------------------------------------------------------------------------------
def _clean_course(data: CourseInput) -> CourseInput:
    kind = data.kind
    cert = data.certificate_kind or (rules.default_certificate_kind(kind).value
                                     if kind in {k.value for k in rules.CourseKind} else None)
    return CourseInput(
        code=normalize(data.code).upper(), name=normalize(data.name), kind=kind, start=data.start, end=data.end,
        planned_periods=int(data.planned_periods or 0), mode=data.mode, topics=tuple(dict.fromkeys(data.topics)),
        organiser=_opt(data.organiser, 300), trainers=_opt(data.trainers, 500), location=_opt(data.location, 300),
        funding_source=_opt(data.funding_source, 200), funding_vnd=data.funding_vnd, certificate_kind=cert,
        note=normalize(data.note) or None)


def save_course(ctx: Ctx, data: CourseInput, course_id: uuid.UUID | None = None) -> CourseRow:
    """Create or update a course. Its dates may not leave an existing session outside them."""
    ctx.require(Perm.TRAINING)
    data = _clean_course(data)
    problems = rules.course_problems(rules.CourseSpec(data.code, data.name, data.kind, data.start, data.end,
                                                      data.planned_periods, data.mode, list(data.topics)))
    if data.certificate_kind not in CERTIFICATE_LABELS:
        problems.append(("certificate_kind", "kind_unknown"))
    _raise_first(problems)
    if data.funding_vnd is not None and data.funding_vnd < 0:
        raise ValidationError(_("Kinh phí không thể âm."), field="funding_vnd")
    with ctx.db.write() as s:
        same_code = s.scalar(select(Course).where(Course.code == data.code))
        if same_code is not None and same_code.id != course_id:
            raise ValidationError(_("Mã khóa {code} đã dùng cho khóa “{name}”.")
                                  .format(code=data.code, name=same_code.name), field="code")
        if course_id is None:
            row = Course()
            s.add(row)
        else:
            row = load_course(s, course_id)
            days = s.scalars(select(TrainingSession.day).where(TrainingSession.course_id == course_id))
            outside = rules.sessions_outside(days, data.start, data.end)
            if outside:
                raise ValidationError(
                    _("Không đổi được thời gian khóa: buổi học ngày {days} sẽ nằm ngoài {start} – {end}. "
                      "Hãy dời hoặc xóa các buổi đó trước.").format(
                        days=", ".join(d(x) for x in outside), start=d(data.start), end=d(data.end)),
                    field="start")
        row.code, row.name, row.name_folded, row.kind = data.code, data.name, fold(data.name), data.kind
        row.topics = list(data.topics)
        row.organiser, row.trainers, row.mode, row.location = data.organiser, data.trainers, data.mode, data.location
        row.start_date, row.end_date, row.planned_periods = data.start, data.end, data.planned_periods
        row.funding_source, row.funding_vnd = data.funding_source, data.funding_vnd
        row.certificate_kind, row.note = data.certificate_kind, data.note
        s.flush()
        return course_summary_row(s, row)


def course_summary_row(s: Session, c: Course) -> CourseRow:
    n_sessions, scheduled = s.execute(
        select(func.count(TrainingSession.id), func.coalesce(func.sum(TrainingSession.periods), 0))
        .where(TrainingSession.course_id == c.id)).one()
    participants = s.scalar(select(func.count(Enrolment.id)).where(Enrolment.course_id == c.id)) or 0
    return course_row(c, sessions=n_sessions, scheduled=int(scheduled), participants=participants)


def list_courses(ctx: Ctx, *, year: int | None = None, text: str = "") -> list[CourseRow]:
    """Courses (newest first), optionally those running in ``year`` and matching ``text``."""
    ctx.require(Perm.TRAINING)
    query = select(Course).order_by(Course.start_date.desc(), Course.code)
    if year is not None:
        query = query.where(Course.start_date <= dt.date(year, 12, 31), Course.end_date >= dt.date(year, 1, 1))
    needle = fold(text)
    if needle:
        query = query.where(Course.name_folded.contains(needle) | func.lower(Course.code).contains(needle))
    with ctx.db.read() as s:
        courses = list(s.scalars(query))
        ids = [c.id for c in courses]
        sess = {cid: (n, p) for cid, n, p in s.execute(
            select(TrainingSession.course_id, func.count(TrainingSession.id), func.sum(TrainingSession.periods))
            .where(TrainingSession.course_id.in_(ids)).group_by(TrainingSession.course_id))}
        people = dict(s.execute(select(Enrolment.course_id, func.count(Enrolment.id))
                                .where(Enrolment.course_id.in_(ids)).group_by(Enrolment.course_id)).all())
        return [course_row(c, sessions=sess.get(c.id, (0, 0))[0], scheduled=int(sess.get(c.id, (0, 0))[1] or 0),
                           participants=people.get(c.id, 0)) for c in courses]


def course_detail(ctx: Ctx, course_id: uuid.UUID) -> CourseDetail:
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        course = load_course(s, course_id)
        return CourseDetail(course_summary_row(s, course), tuple(sessions_in(s, course_id)),
                            tuple(participants_in(s, course_id)))


def sessions_in(s: Session, course_id: uuid.UUID) -> list[SessionRow]:
    counts = {sid: (n, p) for sid, n, p in s.execute(
        select(Attendance.session_id, func.count(Attendance.id),
               func.sum(case((Attendance.status.in_([rules.Status.PRESENT.value, rules.Status.LATE.value]), 1),
                             else_=0)))
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.course_id == course_id).group_by(Attendance.session_id))}
    rows = s.scalars(select(TrainingSession).where(TrainingSession.course_id == course_id)
                     .order_by(TrainingSession.day, TrainingSession.start_time))
    out = []
    for t in rows:
        recorded, present = counts.get(t.id, (0, 0))
        out.append(session_row(t, recorded, int(present or 0)))
    return out


def participants_in(s: Session, course_id: uuid.UUID) -> list[ParticipantRow]:
    rows = s.execute(select(Staff, Enrolment.walk_in).join(Enrolment, Enrolment.staff_id == Staff.id)
                     .where(Enrolment.course_id == course_id)).all()
    out = [ParticipantRow(st.id, st.full_name, st.position, st.unit, walk_in) for st, walk_in in rows]
    return sorted(out, key=lambda p: sort_name(p.full_name))


def delete_course(ctx: Ctx, course_id: uuid.UUID) -> None:
    """Remove a course entered by mistake: refused once attendance or a certificate exists."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        course = load_course(s, course_id)
        session_ids = list(s.scalars(select(TrainingSession.id).where(TrainingSession.course_id == course_id)))
        if session_ids and s.scalar(select(func.count(Attendance.id)).where(Attendance.session_id.in_(session_ids))):
            raise ValidationError(_("Khóa “{name}” đã có điểm danh: không xóa được.").format(name=course.name))
        if s.scalar(select(func.count(Certificate.id)).where(Certificate.course_id == course_id)):
            raise ValidationError(_("Khóa “{name}” đã cấp chứng nhận: không xóa được.").format(name=course.name))
        for model in (Assessment, Enrolment, TrainingSession):
            for row in s.scalars(select(model).where(model.course_id == course_id)):
                s.delete(row)
        s.flush()
        s.delete(course)


# -- sessions ---------------------------------------------------------------------------------------
def _check_session(course: Course, data: SessionInput) -> None:
    spec = rules.SessionSpec(data.day, data.start, data.end, int(data.periods or 0))
    problems = rules.session_problems(spec, course.start_date, course.end_date)
    _raise_first(problems, day=d(data.day), course_start=d(course.start_date), course_end=d(course.end_date),
                 start=_hm(data.start), end=_hm(data.end), max=rules.MAX_PERIODS_PER_SESSION)


def _hm(moment: dt.time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def save_session(ctx: Ctx, course_id: uuid.UUID, data: SessionInput, session_id: uuid.UUID | None = None) -> SessionRow:
    """Add (or change) a session of a course: its day inside the course, end after start, periods > 0."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        course = load_course(s, course_id)
        _check_session(course, data)
        if session_id is None:
            row = TrainingSession(course_id=course_id)
            s.add(row)
        else:
            row = _session(s, session_id)
            if row.course_id != course_id:
                raise NotFound(_("Không tìm thấy buổi học."))
        row.day, row.start_time, row.end_time, row.periods = data.day, data.start, data.end, int(data.periods)
        row.topic, row.trainer = _opt(data.topic, 500), _opt(data.trainer, 200) or _opt(course.trainers, 200)
        s.flush()
        return session_row(row)


def delete_session(ctx: Ctx, session_id: uuid.UUID) -> None:
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        row = _session(s, session_id)
        if s.scalar(select(func.count(Attendance.id)).where(Attendance.session_id == session_id)):
            raise ValidationError(_("Buổi học ngày {day} đã có điểm danh: không xóa được.").format(day=d(row.day)))
        s.delete(row)


# -- participants -----------------------------------------------------------------------------------
def enrol(ctx: Ctx, course_id: uuid.UUID, staff_ids: Iterable[uuid.UUID]) -> Stats:
    """Register participants; those already registered are skipped (and named)."""
    ctx.require(Perm.TRAINING)
    stats = Stats()
    with ctx.db.write() as s:
        load_course(s, course_id)
        already = set(s.scalars(select(Enrolment.staff_id).where(Enrolment.course_id == course_id)))
        for staff_id in dict.fromkeys(staff_ids):
            person = load_staff(s, staff_id)
            if staff_id in already:
                stats.skipped.append(person.full_name)
                continue
            if not person.active:
                raise ValidationError(_("{name} đã nghỉ công tác: không ghi danh được.").format(name=person.full_name))
            s.add(Enrolment(course_id=course_id, staff_id=staff_id))
            stats.added += 1
    return stats


def enrol_in_courses(ctx: Ctx, staff_id: uuid.UUID, course_ids: Iterable[uuid.UUID]) -> int:
    """One official into several courses (the ones suggested to close a gap), in one transaction.
    Returns how many registrations were added."""
    ctx.require(Perm.TRAINING)
    added = 0
    with ctx.db.write() as s:
        person = load_staff(s, staff_id)
        if not person.active:
            raise ValidationError(_("{name} đã nghỉ công tác: không ghi danh được.").format(name=person.full_name))
        for course_id in dict.fromkeys(course_ids):
            load_course(s, course_id)
            if not _enrolled(s, course_id, staff_id):
                s.add(Enrolment(course_id=course_id, staff_id=staff_id))
                added += 1
    return added


def unenrol(ctx: Ctx, course_id: uuid.UUID, staff_id: uuid.UUID) -> None:
    """Take a participant off a course: refused once they have attendance, a result or a certificate."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        person = load_staff(s, staff_id)
        row = s.scalar(select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.staff_id == staff_id))
        if row is None:
            raise NotFound(_("{name} không có trong danh sách học viên.").format(name=person.full_name))
        session_ids = select(TrainingSession.id).where(TrainingSession.course_id == course_id)
        has_attendance = s.scalar(select(func.count(Attendance.id)).where(
            Attendance.staff_id == staff_id, Attendance.session_id.in_(session_ids)))
        has_result = s.scalar(select(func.count(Assessment.id)).where(
            Assessment.course_id == course_id, Assessment.staff_id == staff_id))
        if has_attendance or has_result:
            raise ValidationError(_("{name} đã có điểm danh hoặc kết quả trong khóa này: không bỏ khỏi danh sách được.")
                                  .format(name=person.full_name))
        s.delete(row)


# -- attendance -------------------------------------------------------------------------------------
def attendance_sheet(ctx: Ctx, session_id: uuid.UUID) -> AttendanceSheet:
    """Everyone registered for the session's course, with what has been recorded so far."""
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        return sheet_in(s, session_id)


def sheet_in(s: Session, session_id: uuid.UUID) -> AttendanceSheet:
    session = _session(s, session_id)
    course = load_course(s, session.course_id)
    marks = {a.staff_id: a for a in s.scalars(select(Attendance).where(Attendance.session_id == session_id))}
    people = s.execute(select(Staff, Enrolment.walk_in).join(Enrolment, Enrolment.staff_id == Staff.id)
                       .where(Enrolment.course_id == course.id)).all()
    lines = []
    for person, walk_in in people:
        mark = marks.get(person.id)
        lines.append(AttendanceLine(person.id, person.full_name, person.position, person.unit,
                                    mark.status if mark else None, mark.periods_attended if mark else None,
                                    bool(mark.walk_in) if mark else walk_in, person.dob))
    lines.sort(key=lambda line: (line.walk_in, sort_name(line.full_name)))
    recorded = len(marks)
    present = sum(1 for m in marks.values() if m.status in (rules.Status.PRESENT.value, rules.Status.LATE.value))
    return AttendanceSheet(course_summary_row(s, course), session_row(session, recorded, present), tuple(lines))


def _enrolled(s: Session, course_id: uuid.UUID, staff_id: uuid.UUID) -> bool:
    return s.scalar(select(Enrolment.id).where(Enrolment.course_id == course_id,
                                               Enrolment.staff_id == staff_id)) is not None


def _mark_row(s: Session, session: TrainingSession, staff_id: uuid.UUID) -> Attendance | None:
    return s.scalar(select(Attendance).where(Attendance.session_id == session.id, Attendance.staff_id == staff_id))


def set_attendance(ctx: Ctx, session_id: uuid.UUID, staff_id: uuid.UUID, status: str | None) -> AttendanceLine:
    """One key press: record (or change, or clear with ``None``) a participant's status.

    A new status clears a partial attendance recorded before: pressing P means "the whole session".
    """
    ctx.require(Perm.TRAINING)
    if status is not None and status not in STATUS_LABELS:
        raise ValidationError(_("Trạng thái điểm danh không hợp lệ: {status}.").format(status=status))
    with ctx.db.write() as s:
        session = _session(s, session_id)
        person = load_staff(s, staff_id)
        enrolment = s.scalar(select(Enrolment).where(Enrolment.course_id == session.course_id,
                                                     Enrolment.staff_id == staff_id))
        if enrolment is None:
            raise ValidationError(_("{name} chưa có trong danh sách học viên của khóa: hãy thêm người học tại chỗ.")
                                  .format(name=person.full_name))
        row = _mark_row(s, session, staff_id)
        if status is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            row = Attendance(session_id=session_id, staff_id=staff_id, status=status)
            s.add(row)
        elif row.status != status or row.periods_attended is not None:
            row.status, row.periods_attended = status, None
        # the line the sheet shows, built from what is at hand (this runs on every key press)
        walk_in = bool(row.walk_in) if row is not None and status is not None else bool(enrolment.walk_in)
        return AttendanceLine(person.id, person.full_name, person.position, person.unit, status, None, walk_in,
                              person.dob)


def set_many(ctx: Ctx, session_id: uuid.UUID, status: str, *, only_unmarked: bool = True) -> int:
    """"Everyone else present": one transaction for the whole sheet. Returns how many changed."""
    ctx.require(Perm.TRAINING)
    if status not in STATUS_LABELS:
        raise ValidationError(_("Trạng thái điểm danh không hợp lệ: {status}.").format(status=status))
    changed = 0
    with ctx.db.write() as s:
        session = _session(s, session_id)
        marks = {a.staff_id: a for a in s.scalars(select(Attendance).where(Attendance.session_id == session_id))}
        for staff_id in s.scalars(select(Enrolment.staff_id).where(Enrolment.course_id == session.course_id)):
            mark = marks.get(staff_id)
            if mark is None:
                s.add(Attendance(session_id=session_id, staff_id=staff_id, status=status))
                changed += 1
            elif not only_unmarked and (mark.status != status or mark.periods_attended is not None):
                mark.status, mark.periods_attended = status, None
                changed += 1
    return changed


def set_partial(ctx: Ctx, session_id: uuid.UUID, staff_id: uuid.UUID, periods: int | None) -> AttendanceLine:
    """Periods actually attended by someone present or late (``None``: the whole session)."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        session = _session(s, session_id)
        person = load_staff(s, staff_id)
        row = _mark_row(s, session, staff_id)
        if periods is not None and not 0 <= int(periods) <= session.periods:
            raise ValidationError(_("Số tiết dự phải từ 0 đến {max} (số tiết của buổi học).")
                                  .format(max=session.periods), field="periods")
        if row is None or row.status not in (rules.Status.PRESENT.value, rules.Status.LATE.value):
            raise ValidationError(_("Chỉ ghi số tiết dự cho người có mặt hoặc đi muộn ({name}).")
                                  .format(name=person.full_name), field="periods")
        row.periods_attended = None if periods is None or int(periods) == session.periods else int(periods)
        s.flush()
        return _line(s, session, person)


def _line(s: Session, session: TrainingSession, person: Staff) -> AttendanceLine:
    mark = _mark_row(s, session, person.id)
    enrolment = s.scalar(select(Enrolment).where(Enrolment.course_id == session.course_id,
                                                 Enrolment.staff_id == person.id))
    walk_in = bool(mark.walk_in) if mark else bool(enrolment and enrolment.walk_in)
    return AttendanceLine(person.id, person.full_name, person.position, person.unit,
                          mark.status if mark else None, mark.periods_attended if mark else None, walk_in,
                          person.dob)


def add_walk_in(ctx: Ctx, session_id: uuid.UUID, *, staff_id: uuid.UUID | None = None,
                person: StaffInput | None = None, status: str = rules.Status.PRESENT.value) -> AttendanceLine:
    """Someone who turned up without being registered: registered on the spot and marked.

    Either an official of the registry (``staff_id``) or a new one (``person``, added to the
    registry; an ID number already there picks that official). Someone already on this
    session's list is refused: the same person is never twice in one session.
    """
    ctx.require(Perm.TRAINING)
    if (staff_id is None) == (person is None):
        raise ValidationError(_("Hãy chọn một người trong danh sách cán bộ hoặc nhập người mới."), field="person")
    with ctx.db.write() as s:
        session = _session(s, session_id)
        if staff_id is not None:
            member = load_staff(s, staff_id)
        else:
            cleaned, _problems = clean_staff(person)  # type: ignore[arg-type]
            member = _id_taken(s, cleaned.id_number, None) or save_staff_in(s, person)  # type: ignore[arg-type]
        if _mark_row(s, session, member.id) is not None or _enrolled(s, session.course_id, member.id):
            raise ValidationError(_("{name} đã có trong danh sách buổi học này.").format(name=member.full_name),
                                  field="person")
        if not member.active:
            raise ValidationError(_("{name} đã nghỉ công tác: không ghi danh được.").format(name=member.full_name))
        s.add(Enrolment(course_id=session.course_id, staff_id=member.id, walk_in=True))
        s.add(Attendance(session_id=session.id, staff_id=member.id, status=status, walk_in=True))
        try:
            s.flush()
        except IntegrityError as exc:  # a second window added the same person a moment ago
            raise ValidationError(_("{name} đã có trong danh sách buổi học này.").format(name=member.full_name),
                                  field="person") from exc
        return _line(s, session, member)


# -- results ----------------------------------------------------------------------------------------
def _earned_by_person(s: Session, course_id: uuid.UUID) -> tuple[dict[uuid.UUID, int], int]:
    sessions = {t.id: t for t in s.scalars(select(TrainingSession).where(TrainingSession.course_id == course_id))}
    earned: dict[uuid.UUID, int] = {}
    if sessions:
        for a in s.scalars(select(Attendance).where(Attendance.session_id.in_(list(sessions)))):
            credit = rules.credited_periods(a.status, sessions[a.session_id].periods, a.periods_attended)
            earned[a.staff_id] = earned.get(a.staff_id, 0) + credit
    return earned, sum(t.periods for t in sessions.values())


def results(ctx: Ctx, course_id: uuid.UUID) -> list[ResultRow]:
    """Each participant: periods earned, result, certificate."""
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        return results_in(s, course_id)


def results_in(s: Session, course_id: uuid.UUID) -> list[ResultRow]:
    load_course(s, course_id)
    earned, scheduled = _earned_by_person(s, course_id)
    marks = {a.staff_id: a for a in s.scalars(select(Assessment).where(Assessment.course_id == course_id))}
    certs = {c.staff_id: c for c in s.scalars(select(Certificate).where(Certificate.course_id == course_id))}
    out = []
    for p in participants_in(s, course_id):
        a, c = marks.get(p.staff_id), certs.get(p.staff_id)
        out.append(ResultRow(p.staff_id, p.full_name, p.position, p.unit, earned.get(p.staff_id, 0), scheduled,
                             a.score if a else None, a.passed if a else None, a.note if a else None,
                             c.id if c else None, c.kind if c else None, c.number if c else None,
                             c.issued_on if c else None))
    return out


def set_result(ctx: Ctx, course_id: uuid.UUID, staff_id: uuid.UUID, *, score: float | None = None,
               passed: bool | None = None, note: str | None = None) -> ResultRow:
    """A score from 0 to 10 (5 and above passes unless ``passed`` says otherwise) or pass/fail.
    With neither, the result is cleared."""
    ctx.require(Perm.TRAINING)
    if score is not None:
        score = round(float(score), 2)
        if not 0 <= score <= 10:
            raise ValidationError(_("Điểm phải từ 0 đến 10."), field="score")
        if passed is None:
            passed = rules.pass_from_score(score)
    with ctx.db.write() as s:
        person = load_staff(s, staff_id)
        if not _enrolled(s, course_id, staff_id):
            raise ValidationError(_("{name} không có trong danh sách học viên.").format(name=person.full_name))
        cert = s.scalar(select(Certificate).where(Certificate.course_id == course_id, Certificate.staff_id == staff_id))
        if cert is not None and passed is not True:
            raise ValidationError(_("{name} đã được cấp {kind} số {number}: hãy thu hồi trước khi đổi kết quả.")
                                  .format(name=person.full_name, kind=_(CERTIFICATE_LABELS[cert.kind]).lower(),
                                          number=cert.number), field="passed")
        row = s.scalar(select(Assessment).where(Assessment.course_id == course_id, Assessment.staff_id == staff_id))
        if score is None and passed is None:
            if row is not None:
                s.delete(row)
        else:
            if row is None:
                row = Assessment(course_id=course_id, staff_id=staff_id)
                s.add(row)
            row.score, row.passed, row.note = score, passed, normalize(note) or None
        s.flush()
        return next(r for r in results_in(s, course_id) if r.staff_id == staff_id)


# -- certificates -----------------------------------------------------------------------------------
_NUMBER_SEQ = re.compile(r"^(\d+)/(\d{4})/")


def _next_seq(s: Session, year: int) -> int:
    top = 0
    for number in s.scalars(select(Certificate.number).where(Certificate.number.contains(f"/{year}/"))):
        m = _NUMBER_SEQ.match(number)
        if m and int(m.group(2)) == year:
            top = max(top, int(m.group(1)))
    return top + 1


def next_certificate_number(ctx: Ctx, course_id: uuid.UUID, issued_on: dt.date) -> str:
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        course = load_course(s, course_id)
        return rules.certificate_number(_next_seq(s, issued_on.year), issued_on.year, course.certificate_kind)


def _cert_row(c: Certificate, name: str) -> CertificateRow:
    return CertificateRow(c.id, c.course_id, c.staff_id, name, c.kind, c.number, c.issued_on)


def _issue(s: Session, course: Course, person: Staff, number: str, issued_on: dt.date) -> Certificate:
    number = normalize(number)
    if not number:
        raise ValidationError(_("Hãy nhập số chứng nhận."), field="number")
    if len(number) > 40:
        raise ValidationError(_("Số chứng nhận tối đa 40 ký tự."), field="number")
    if issued_on < course.start_date:
        raise ValidationError(_("Ngày cấp ({day}) không thể trước ngày khai giảng ({start}).")
                              .format(day=d(issued_on), start=d(course.start_date)), field="issued_on")
    mark = s.scalar(select(Assessment).where(Assessment.course_id == course.id, Assessment.staff_id == person.id))
    if mark is None or mark.passed is not True:
        raise ValidationError(_("{name} chưa có kết quả đạt: chưa cấp chứng nhận được.").format(name=person.full_name),
                              field="passed")
    held = s.scalar(select(Certificate).where(Certificate.course_id == course.id, Certificate.staff_id == person.id))
    if held is not None:
        raise ValidationError(_("{name} đã được cấp số {number} cho khóa này.")
                              .format(name=person.full_name, number=held.number), field="number")
    taken = s.scalar(select(Certificate).where(func.lower(Certificate.number) == number.lower()))
    if taken is not None:
        owner = s.get(Staff, taken.staff_id)
        other = s.get(Course, taken.course_id)
        raise ValidationError(_("Số {number} đã cấp cho {name} (khóa {code}): mỗi số chỉ dùng một lần.")
                              .format(number=taken.number, name=owner.full_name if owner else "?",
                                      code=other.code if other else "?"), field="number")
    cert = Certificate(course_id=course.id, staff_id=person.id, kind=course.certificate_kind, number=number,
                       issued_on=issued_on)
    s.add(cert)
    try:
        s.flush()
    except IntegrityError as exc:
        raise ValidationError(_("Số {number} đã được dùng: mỗi số chỉ dùng một lần.").format(number=number),
                              field="number") from exc
    return cert


def issue_certificate(ctx: Ctx, course_id: uuid.UUID, staff_id: uuid.UUID, *, number: str,
                      issued_on: dt.date) -> CertificateRow:
    """One certificate with the number the office gives it (a number is used once per office)."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        person = load_staff(s, staff_id)
        return _cert_row(_issue(s, load_course(s, course_id), person, number, issued_on), person.full_name)


def issue_certificates(ctx: Ctx, course_id: uuid.UUID, staff_ids: Sequence[uuid.UUID] | None = None, *,
                       issued_on: dt.date) -> list[CertificateRow]:
    """Certificates numbered from the office's yearly sequence for every passed participant
    (or those of ``staff_ids``) who has none yet; all or nothing."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        course = load_course(s, course_id)
        rows = results_in(s, course_id)
        wanted = set(staff_ids) if staff_ids is not None else None
        targets = [r for r in rows if (wanted is None or r.staff_id in wanted) and r.certificate_number is None]
        if wanted is None:
            targets = [r for r in targets if r.passed]
        if not targets:
            raise ValidationError(_("Không có học viên đạt nào chưa được cấp chứng nhận."))
        seq = _next_seq(s, issued_on.year)
        out = []
        for r in targets:
            number = rules.certificate_number(seq, issued_on.year, course.certificate_kind)
            out.append(_cert_row(_issue(s, course, load_staff(s, r.staff_id), number, issued_on), r.full_name))
            seq += 1
        return out


def revoke_certificate(ctx: Ctx, certificate_id: uuid.UUID) -> None:
    """Take back a certificate issued by mistake (its number may then be given again)."""
    ctx.require(Perm.TRAINING)
    with ctx.db.write() as s:
        s.delete(_get(s, Certificate, certificate_id, _("Không tìm thấy chứng nhận.")))


def certificates(ctx: Ctx, course_id: uuid.UUID) -> list[CertificateRow]:
    ctx.require(Perm.TRAINING)
    with ctx.db.read() as s:
        rows = s.execute(select(Certificate, Staff.full_name).join(Staff, Staff.id == Certificate.staff_id)
                         .where(Certificate.course_id == course_id).order_by(Certificate.number)).all()
        return [_cert_row(c, name) for c, name in rows]
