"""Courses: the list on the left; on the right the chosen course with its sessions (and the
attendance sheet of each), its participants, and its results and certificates."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import local_today
from commune_desk.domain.text import fold
from commune_desk.i18n import _
from commune_desk.services import training as T
from commune_desk.services import training_print as TP
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task
from commune_desk.ui.training_attendance import AttendanceDialog
from commune_desk.ui.training_common import (
    Col,
    RowsModel,
    dmy,
    hm,
    make_table,
    position_unit,
    print_pdf,
    select_row,
    selected,
)
from commune_desk.ui.training_forms import CourseDialog, SessionDialog
from commune_desk.ui.training_results import ResultsPanel


def state_label(course: T.CourseRow) -> str:
    return {"upcoming": _("Sắp mở"), "open": _("Đang học"), "finished": _("Đã kết thúc")}[course.state(local_today())]


class CoursesPanel(QWidget):
    """Signals:
        changed(): something of the training log changed (other tabs refresh).
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Tìm khóa theo mã hoặc tên…"))
        self.search.textChanged.connect(self.reload)
        self.year = QComboBox()
        this_year = local_today().year
        self.year.addItem(_("Mọi năm"), None)
        for y in range(this_year + 1, this_year - 6, -1):
            self.year.addItem(str(y), y)
        self.year.setCurrentIndex(2)
        self.year.currentIndexChanged.connect(self.reload)
        self.model = RowsModel([
            Col(_("Mã khóa"), lambda c: c.code, width=110),
            Col(_("Tên khóa"), lambda c: c.name, width=420),
            Col(_("Loại"), lambda c: _(T.KIND_SHORT[c.kind]), width=110),
            Col(_("Thời gian"), lambda c: f"{dmy(c.start)} – {dmy(c.end)}", width=170),
            Col(_("Buổi"), lambda c: c.sessions, Qt.AlignmentFlag.AlignCenter, width=50),
            Col(_("Học viên"), lambda c: c.participants, Qt.AlignmentFlag.AlignCenter, width=70),
            Col(_("Trạng thái"), state_label, width=100),
        ], self)
        self.table = make_table(self.model, stretch=1, object_name="courses_table")
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        self.new_button = QPushButton(_("Khóa mới…"))
        self.edit_button = QPushButton(_("Sửa…"))
        self.delete_button = QPushButton(_("Xóa"))
        self.new_button.clicked.connect(self.new_course)
        self.edit_button.clicked.connect(self.edit_course)
        self.delete_button.clicked.connect(self.delete_course)
        self.table.doubleClicked.connect(lambda _i: self.edit_course())

        left = QWidget()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.year)
        for b in (self.new_button, self.edit_button, self.delete_button):
            filters.addWidget(b)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)

        self.view = CourseView(ctx, self)
        self.view.changed.connect(self._course_changed)
        # the list on top, the chosen course below at full width (its tables are wide)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(left)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 500])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.reload()

    def reload(self) -> None:
        year, text = self.year.currentData(), self.search.text()
        run_task(lambda _ctl: T.list_courses(self.ctx, year=year, text=text), on_success=self._loaded, parent=self)

    def _loaded(self, courses: list[T.CourseRow]) -> None:
        current = self.view.course.id if self.view.course else None
        self.model.set_rows(courses)
        row = self.model.row_of(lambda c: c.id == current) if current else -1
        select_row(self.table, row if row >= 0 else 0)
        if not courses:
            self.view.show_course(None)

    def _chosen(self, current, _previous) -> None:
        if current.isValid():
            course = self.model.rows[current.row()]
            if self.view.course is None or self.view.course.id != course.id:
                self.view.show_course(course)
            else:
                self.view.course = course
                self.view.show_heading()

    def select_course(self, course_id: uuid.UUID) -> None:
        row = self.model.row_of(lambda c: c.id == course_id)
        if row >= 0:
            select_row(self.table, row)

    def _course_changed(self) -> None:
        self.reload()
        self.changed.emit()

    def new_course(self) -> None:
        dialog = CourseDialog(self.ctx, None, self)
        dialog.saved.connect(self._saved)
        self.course_dialog = dialog
        dialog.open()

    def edit_course(self) -> None:
        course = selected(self.table)
        if course is None:
            return
        dialog = CourseDialog(self.ctx, course, self)
        dialog.saved.connect(self._saved)
        self.course_dialog = dialog
        dialog.open()

    def _saved(self, course: T.CourseRow) -> None:
        self.view.course = course
        self.view.show_course(course)
        if self.year.currentData() not in (None, course.start.year):
            self.year.setCurrentIndex(0)  # show every year, so the saved course is in the list
        self.reload()
        self.changed.emit()

    def delete_course(self) -> None:
        course = selected(self.table)
        if course is None:
            return
        if QMessageBox.question(self, "commune_desk", _("Xóa khóa {code} — {name}?").format(
                code=course.code, name=course.name)) != QMessageBox.StandardButton.Yes:
            return
        course_id = course.id
        self.view.course = None
        run_task(lambda _ctl: T.delete_course(self.ctx, course_id), on_success=lambda _r: self._course_changed(),
                 parent=self)


class CourseView(QWidget):
    """One course. Signals:
        changed(): the course, its sessions, participants or results changed.
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.course: T.CourseRow | None = None
        self.heading = QLabel(_("Chọn một khóa bồi dưỡng trong danh sách, hoặc tạo khóa mới."))
        self.heading.setObjectName("course_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget()

        # sessions
        self.sessions = RowsModel([
            Col(_("Ngày"), lambda s: dmy(s.day), width=95),
            Col(_("Giờ"), lambda s: f"{hm(s.start)}–{hm(s.end)}", width=100),
            Col(_("Tiết"), lambda s: s.periods, Qt.AlignmentFlag.AlignCenter, width=45),
            Col(_("Nội dung"), lambda s: s.topic or "", width=420),
            Col(_("Giảng viên"), lambda s: s.trainer or "", width=200),
            Col(_("Điểm danh"), lambda s: _("{present}/{total} có mặt").format(present=s.present,
                                                                             total=self._participants())
                if s.recorded else _("Chưa điểm danh"), width=120),
        ], self)
        self.session_table = make_table(self.sessions, stretch=3, object_name="sessions_table")
        self.session_table.horizontalHeader().setStretchLastSection(True)
        self.session_table.doubleClicked.connect(lambda _i: self.open_attendance())
        self.add_session_button = QPushButton(_("Thêm buổi…"))
        self.edit_session_button = QPushButton(_("Sửa buổi…"))
        self.delete_session_button = QPushButton(_("Xóa buổi"))
        self.attendance_button = QPushButton(_("Điểm danh…"))
        self.attendance_button.setDefault(True)
        self.sheet_button = QPushButton(_("In danh sách ký tên"))
        self.add_session_button.clicked.connect(self.add_session)
        self.edit_session_button.clicked.connect(self.edit_session)
        self.delete_session_button.clicked.connect(self.delete_session)
        self.attendance_button.clicked.connect(self.open_attendance)
        self.sheet_button.clicked.connect(self.print_sheet)
        self.tabs.addTab(self._tab(self.session_table, [self.add_session_button, self.edit_session_button,
                                                        self.delete_session_button, None, self.sheet_button,
                                                        self.attendance_button]), _("Buổi học"))

        # participants
        self.people = RowsModel([
            Col(_("Họ và tên"), lambda p: p.full_name, width=200),
            Col(_("Chức vụ, đơn vị"), lambda p: position_unit(p.position, p.unit), width=300),
            Col(_("Ghi chú"), lambda p: _("Bổ sung tại lớp") if p.walk_in else ""),
        ], self)
        self.people_table = make_table(self.people, stretch=1, object_name="participants_table")
        self.enrol_button = QPushButton(_("Thêm học viên…"))
        self.unenrol_button = QPushButton(_("Bỏ khỏi khóa"))
        self.enrol_button.clicked.connect(self.enrol)
        self.unenrol_button.clicked.connect(self.unenrol)
        self.tabs.addTab(self._tab(self.people_table, [self.enrol_button, self.unenrol_button]), _("Học viên"))

        # results and certificates
        self.results = ResultsPanel(ctx, self)
        self.results.changed.connect(self.changed)
        self.tabs.addTab(self.results, _("Kết quả, chứng nhận"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self._enable(False)

    def _tab(self, table, buttons: list) -> QWidget:
        box = QWidget()
        row = QHBoxLayout()
        for b in buttons:
            if b is None:
                row.addStretch(1)
            else:
                row.addWidget(b)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        return box

    def _participants(self) -> int:
        return len(self.people.rows)

    def _enable(self, on: bool) -> None:
        self.tabs.setEnabled(on)

    def show_heading(self) -> None:
        c = self.course
        if c is None:
            return
        topics = ", ".join(_(T.TOPIC_LABELS[t]) for t in c.topics if t in T.TOPIC_LABELS)
        self.heading.setText(
            f"<b style='font-size:15px'>{c.code} — {c.name}</b><br>"
            + _("{kind} · {mode} · {start}–{end} · {planned} tiết dự kiến, {scheduled} tiết đã xếp lịch").format(
                kind=T.kind_label(c.kind), mode=_(T.MODE_LABELS.get(c.mode, c.mode)), start=dmy(c.start),
                end=dmy(c.end), planned=c.planned_periods, scheduled=c.scheduled_periods)
            + (f"<br>{topics}" if topics else "")
            + (f"<br>{_('Giảng viên')}: {c.trainers}" if c.trainers else ""))

    def show_course(self, course: T.CourseRow | None) -> None:
        self.course = course
        self._enable(course is not None)
        if course is None:
            self.heading.setText(_("Chọn một khóa bồi dưỡng trong danh sách, hoặc tạo khóa mới."))
            self.sessions.set_rows([])
            self.people.set_rows([])
            self.results.show_course(None)
            return
        self.show_heading()
        self.reload()

    def reload(self) -> None:
        if self.course is None:
            return
        course_id = self.course.id
        run_task(lambda _ctl: T.course_detail(self.ctx, course_id), on_success=self._loaded, parent=self)

    def _loaded(self, detail: T.CourseDetail) -> None:
        if self.course is None or detail.course.id != self.course.id:
            return
        self.course = detail.course
        self.show_heading()
        current = self.session_table.currentIndex().row()
        self.people.set_rows(detail.participants)
        self.sessions.set_rows(detail.sessions)
        select_row(self.session_table, current if current >= 0 else 0)
        self.results.show_course(detail.course)

    def _after_change(self, *_args) -> None:
        self.reload()
        self.changed.emit()

    # -- sessions ------------------------------------------------------------------------------
    def add_session(self) -> None:
        if self.course is None:
            return
        last = self.sessions.rows[-1].day + dt.timedelta(days=1) if self.sessions.rows else self.course.start
        dialog = SessionDialog(self.ctx, self.course, None, min(last, self.course.end), self)
        dialog.saved.connect(self._after_change)
        self.session_dialog = dialog
        dialog.open()

    def edit_session(self) -> None:
        session = selected(self.session_table)
        if self.course is None or session is None:
            return
        dialog = SessionDialog(self.ctx, self.course, session, None, self)
        dialog.saved.connect(self._after_change)
        self.session_dialog = dialog
        dialog.open()

    def delete_session(self) -> None:
        session = selected(self.session_table)
        if session is None:
            return
        if QMessageBox.question(self, "commune_desk", _("Xóa buổi học ngày {day}?").format(
                day=dmy(session.day))) != QMessageBox.StandardButton.Yes:
            return
        session_id = session.id
        run_task(lambda _ctl: T.delete_session(self.ctx, session_id), on_success=self._after_change, parent=self)

    def open_attendance(self) -> AttendanceDialog | None:
        session = selected(self.session_table)
        if session is None:
            QMessageBox.information(self, "commune_desk", _("Hãy thêm hoặc chọn một buổi học."))
            return None
        dialog = AttendanceDialog(self.ctx, session.id, self)
        dialog.changed.connect(self._attendance_changed)
        dialog.finished.connect(lambda _r: self._after_change())
        self.attendance_dialog = dialog
        dialog.open()
        return dialog

    def _attendance_changed(self) -> None:
        self.changed.emit()

    def print_sheet(self) -> None:
        session = selected(self.session_table)
        if session is None:
            return
        session_id = session.id
        print_pdf(self, lambda path: TP.print_attendance_sheet(self.ctx, session_id, path), "diem-danh",
                  _("Danh sách ký tên buổi học {day}").format(day=dmy(session.day)))

    # -- participants ------------------------------------------------------------------------------
    def enrol(self) -> None:
        if self.course is None:
            return
        already = {p.staff_id for p in self.people.rows}
        run_task(lambda _ctl: T.list_staff(self.ctx), parent=self,
                 on_success=lambda staff: self._open_enrol([p for p in staff if p.id not in already]))

    def _open_enrol(self, candidates: list[T.StaffRow]) -> None:
        dialog = EnrolDialog(candidates, self)
        course_id = self.course.id if self.course else None
        dialog.chosen.connect(lambda ids: run_task(lambda _ctl: T.enrol(self.ctx, course_id, ids),
                                                   on_success=self._after_change, parent=self))
        self.enrol_dialog = dialog
        dialog.open()

    def unenrol(self) -> None:
        person = selected(self.people_table)
        if self.course is None or person is None:
            return
        course_id, staff_id = self.course.id, person.staff_id
        run_task(lambda _ctl: T.unenrol(self.ctx, course_id, staff_id), on_success=self._after_change, parent=self)


class EnrolDialog(QDialog):
    """Tick the officials who take part. Signals:
        chosen(list): their ids.
    """

    chosen = Signal(list)

    def __init__(self, candidates: list[T.StaffRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Thêm học viên vào khóa"))
        self.resize(620, 600)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Tìm theo tên, chức vụ, đơn vị (không cần dấu)…"))
        self.search.textChanged.connect(self._filter)
        self.all_box = QCheckBox(_("Chọn tất cả những người đang hiện"))
        self.all_box.toggled.connect(self._tick_all)
        self.list = QListWidget()
        for person in candidates:
            item = QListWidgetItem(f"{person.full_name} — {position_unit(person.position, person.unit)}")
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.count = QLabel()
        self.list.itemChanged.connect(self._count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Thêm vào khóa"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.all_box)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        if not candidates:
            self.count.setText(_("Mọi người trong danh sách cán bộ đã có trong khóa."))
        self._count()

    def _filter(self, text: str) -> None:
        needle = fold(text)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in fold(item.text()))

    def _tick_all(self, on: bool) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def ids(self) -> list[uuid.UUID]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _count(self, *_args) -> None:
        if self.list.count():
            self.count.setText(_("Đã chọn {n} người.").format(n=len(self.ids())))

    def _accept(self) -> None:
        ids = self.ids()
        if ids:
            self.chosen.emit(ids)
        self.accept()
