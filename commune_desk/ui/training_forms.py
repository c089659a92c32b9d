"""Dialogs that edit one record of the training log: a course, a session, an official.
Each saves through its service off the UI thread and shows a refused input next to the
field; nothing is saved until the service accepts it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain import training as rules
from commune_desk.domain.calendar import local_today
from commune_desk.domain.text import digits_only
from commune_desk.errors import ValidationError
from commune_desk.i18n import _
from commune_desk.services import training as T
from commune_desk.services.context import Ctx
from commune_desk.ui.forms import ERROR_STYLE, FieldErrors
from commune_desk.ui.tasks import run_task, show_error
from commune_desk.ui.training_common import from_qdate, from_qtime, to_qdate, to_qtime

NO_DATE = dt.date(1900, 1, 1)


def date_edit(day: dt.date | None = None, *, optional: bool = False) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    if optional:
        edit.setMinimumDate(to_qdate(NO_DATE))
        edit.setSpecialValueText(" ")  # the minimum shows as empty: "not known"
    edit.setDate(to_qdate(day or (NO_DATE if optional else local_today())))
    return edit


def date_of(edit: QDateEdit) -> dt.date | None:
    day = from_qdate(edit.date())
    return None if day == NO_DATE else day


class RecordDialog(QDialog):
    """Save through ``work`` off the UI thread; a refused input is shown by its field.
    Signals:
        saved(object): the row the service returned.
    """

    saved = Signal(object)

    def __init__(self, ctx: Ctx, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.general = QLabel()
        self.general.setObjectName("dialog_error")
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Lưu"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.busy = False

    def finish_layout(self, top: QWidget | None = None) -> None:
        layout = QVBoxLayout(self)
        if top is not None:
            layout.addWidget(top)
        layout.addLayout(self.form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def row(self, label: str, widget: QWidget, field: str) -> QWidget:
        self.errors.add_row(self.form, label, widget, field)
        return widget

    def work(self) -> Callable[[Any], Any]:
        raise NotImplementedError

    def save(self) -> None:
        if self.busy:
            return
        self.errors.clear()
        self.general.hide()
        try:
            work = self.work()
        except ValidationError as exc:
            self._refused(exc)
            return
        self.busy = True

        def done(row: Any) -> None:
            self.saved.emit(row)
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self._refused(exc)
            else:
                show_error(self, exc)

        run_task(work, on_success=done, on_failure=failed, on_finished=lambda: setattr(self, "busy", False),
                 parent=self)

    def _refused(self, exc: ValidationError) -> None:
        rest = self.errors.show_exception(exc)
        if rest:
            self.general.setText("\n".join(message for _f, message in rest))
            self.general.show()


# -- a course ---------------------------------------------------------------------------------------
class CourseDialog(RecordDialog):
    def __init__(self, ctx: Ctx, course: T.CourseRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Sửa khóa bồi dưỡng") if course else _("Khóa bồi dưỡng mới"), parent)
        self.course = course
        self.resize(720, 640)
        self.code = QLineEdit()
        self.name = QLineEdit()
        self.kind = QComboBox()
        for key, label in T.KIND_LABELS.items():
            self.kind.addItem(_(label), key)
        self.topics = QListWidget()
        self.topics.setMaximumHeight(110)
        for key, label in T.TOPIC_LABELS.items():
            item = QListWidgetItem(_(label))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.topics.addItem(item)
        self.organiser = QLineEdit()
        self.trainers = QLineEdit()
        self.mode = QComboBox()
        for key, label in T.MODE_LABELS.items():
            self.mode.addItem(_(label), key)
        self.location = QLineEdit()
        self.start = date_edit()
        self.end = date_edit()
        self.periods = QSpinBox()
        self.periods.setRange(0, rules.MAX_COURSE_PERIODS)
        self.periods.setValue(40)
        self.periods.setSuffix(" " + _("tiết"))
        self.funding_source = QLineEdit()
        self.funding = QLineEdit()
        self.funding.setPlaceholderText(_("đồng, ví dụ 15.000.000"))
        self.certificate = QComboBox()
        for key, label in T.CERTIFICATE_LABELS.items():
            self.certificate.addItem(_(label), key)
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(60)
        self.kind.currentIndexChanged.connect(self._kind_changed)

        self.row(_("Mã khóa"), self.code, "code")
        self.row(_("Tên khóa"), self.name, "name")
        self.row(_("Loại khóa"), self.kind, "kind")
        self.row(_("Chủ đề"), self.topics, "topics")
        self.row(_("Đơn vị tổ chức"), self.organiser, "organiser")
        self.row(_("Giảng viên"), self.trainers, "trainers")
        self.row(_("Hình thức"), self.mode, "mode")
        self.row(_("Địa điểm"), self.location, "location")
        self.row(_("Từ ngày"), self.start, "start")
        self.row(_("Đến ngày"), self.end, "end")
        self.row(_("Số tiết dự kiến"), self.periods, "planned_periods")
        self.row(_("Nguồn kinh phí"), self.funding_source, "funding_source")
        self.row(_("Kinh phí"), self.funding, "funding_vnd")
        self.row(_("Văn bằng cấp"), self.certificate, "certificate_kind")
        self.row(_("Ghi chú"), self.note, "note")
        self.finish_layout()
        if course:
            self._fill(course)
        else:
            self._kind_changed()

    def _kind_changed(self) -> None:
        default = rules.default_certificate_kind(self.kind.currentData()).value
        self.certificate.setCurrentIndex(self.certificate.findData(default))

    def _fill(self, c: T.CourseRow) -> None:
        self.code.setText(c.code)
        self.name.setText(c.name)
        self.kind.setCurrentIndex(self.kind.findData(c.kind))
        for i in range(self.topics.count()):
            item = self.topics.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in c.topics
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.organiser.setText(c.organiser or "")
        self.trainers.setText(c.trainers or "")
        self.mode.setCurrentIndex(self.mode.findData(c.mode))
        self.location.setText(c.location or "")
        self.start.setDate(to_qdate(c.start))
        self.end.setDate(to_qdate(c.end))
        self.periods.setValue(c.planned_periods)
        self.funding_source.setText(c.funding_source or "")
        self.funding.setText(f"{c.funding_vnd:,}".replace(",", ".") if c.funding_vnd else "")
        self.certificate.setCurrentIndex(self.certificate.findData(c.certificate_kind))
        self.note.setPlainText(c.note or "")

    def data(self) -> T.CourseInput:
        funding_text = self.funding.text().strip()
        funding = int(digits_only(funding_text)) if digits_only(funding_text) else None
        if funding_text and (funding is None or not all(ch.isdigit() or ch in ". ,đ" for ch in funding_text)):
            raise ValidationError(_("Kinh phí ghi bằng số đồng, ví dụ 15.000.000."), field="funding_vnd")
        topics = tuple(self.topics.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.topics.count())
                       if self.topics.item(i).checkState() == Qt.CheckState.Checked)
        return T.CourseInput(
            code=self.code.text(), name=self.name.text(), kind=self.kind.currentData(),
            start=from_qdate(self.start.date()), end=from_qdate(self.end.date()), planned_periods=self.periods.value(),
            mode=self.mode.currentData(), topics=topics, organiser=self.organiser.text(),
            trainers=self.trainers.text(), location=self.location.text(), funding_source=self.funding_source.text(),
            funding_vnd=funding, certificate_kind=self.certificate.currentData(), note=self.note.toPlainText())

    def work(self):
        data = self.data()
        course_id = self.course.id if self.course else None
        return lambda _ctl: T.save_course(self.ctx, data, course_id)


# -- a session ---------------------------------------------------------------------------------------
class SessionDialog(RecordDialog):
    def __init__(self, ctx: Ctx, course: T.CourseRow, session: T.SessionRow | None = None,
                 suggested_day: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Sửa buổi học") if session else _("Thêm buổi học"), parent)
        self.course, self.session = course, session
        self.resize(520, 360)
        self.day = date_edit(session.day if session else suggested_day or course.start)
        self.start = QTimeEdit(to_qtime(session.start if session else dt.time(7, 30)))
        self.end = QTimeEdit(to_qtime(session.end if session else dt.time(11, 0)))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.periods = QSpinBox()
        self.periods.setRange(0, 24)
        self.periods.setValue(session.periods if session else 4)
        self.periods.setSuffix(" " + _("tiết"))
        self.topic = QLineEdit(session.topic or "" if session else "")
        self.trainer = QLineEdit(session.trainer or "" if session else course.trainers or "")
        hint = QLabel(_("Khóa {code}: từ {start} đến {end}").format(
            code=course.code, start=course.start.strftime("%d/%m/%Y"), end=course.end.strftime("%d/%m/%Y")))
        hint.setStyleSheet("color: #555;")
        self.row(_("Ngày học"), self.day, "day")
        self.row(_("Từ giờ"), self.start, "start")
        self.row(_("Đến giờ"), self.end, "end")
        self.row(_("Số tiết"), self.periods, "periods")
        self.row(_("Nội dung"), self.topic, "topic")
        self.row(_("Giảng viên"), self.trainer, "trainer")
        self.finish_layout(hint)

    def data(self) -> T.SessionInput:
        return T.SessionInput(from_qdate(self.day.date()), from_qtime(self.start.time()), from_qtime(self.end.time()),
                              self.periods.value(), self.topic.text(), self.trainer.text())

    def work(self):
        data = self.data()
        course_id = self.course.id
        session_id = self.session.id if self.session else None
        return lambda _ctl: T.save_session(self.ctx, course_id, data, session_id)


# -- an official -------------------------------------------------------------------------------------
class StaffDialog(RecordDialog):
    def __init__(self, ctx: Ctx, person: T.StaffRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Sửa thông tin cán bộ") if person else _("Thêm cán bộ, công chức"), parent)
        self.person = person
        self.resize(560, 520)
        self.full_name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(12)
        self.dob = date_edit(optional=True)
        self.position = QLineEdit()
        self.unit = QLineEdit()
        self.job_position = QLineEdit()
        self.grade = QLineEdit()
        self.phone = QLineEdit()
        self.active = QCheckBox(_("Đang công tác"))
        self.active.setChecked(True)
        self.left_on = date_edit(optional=True)
        self.note = QLineEdit()
        self.row(_("Họ và tên"), self.full_name, "full_name")
        self.row(_("Số định danh cá nhân"), self.id_number, "id_number")
        self.row(_("Ngày sinh"), self.dob, "dob")
        self.row(_("Chức vụ"), self.position, "position")
        self.row(_("Đơn vị"), self.unit, "unit")
        self.row(_("Vị trí việc làm"), self.job_position, "job_position")
        self.row(_("Ngạch công chức"), self.grade, "grade")
        self.row(_("Số điện thoại"), self.phone, "phone")
        self.row(_("Tình trạng"), self.active, "active")
        self.row(_("Ngày nghỉ"), self.left_on, "left_on")
        self.row(_("Ghi chú"), self.note, "note")
        self.finish_layout()
        if person:
            self.full_name.setText(person.full_name)
            self.id_number.setText(person.id_number or "")
            self.dob.setDate(to_qdate(person.dob or NO_DATE))
            for edit, value in ((self.position, person.position), (self.unit, person.unit),
                                (self.job_position, person.job_position), (self.grade, person.grade),
                                (self.phone, person.phone), (self.note, person.note)):
                edit.setText(value or "")
            self.active.setChecked(person.active)
            self.left_on.setDate(to_qdate(person.left_on or NO_DATE))

    def data(self) -> T.StaffInput:
        return T.StaffInput(self.full_name.text(), self.id_number.text(), date_of(self.dob), self.position.text(),
                            self.unit.text(), self.job_position.text(), self.grade.text(), self.phone.text(),
                            self.active.isChecked(), date_of(self.left_on), self.note.text())

    def work(self):
        data = self.data()
        staff_id: uuid.UUID | None = self.person.id if self.person else None
        return lambda _ctl: T.save_staff(self.ctx, data, staff_id)
