"""The attendance sheet of one session: the registered participants listed, ONE KEY per person
(P present, A absent, E excused, L late) and the cursor moves to the next row by itself.
A digit records a partial attendance (periods actually attended); Delete clears the mark.
Walk-ins are added on the spot. Each key press is saved at once, off the UI thread.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.text import fold
from commune_desk.errors import KnownError, ValidationError
from commune_desk.i18n import _
from commune_desk.services import training as T
from commune_desk.services import training_print as TP
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task, show_error
from commune_desk.ui.training_common import Col, RowsModel, dmy, hm, make_table, position_unit, print_pdf

KEYS = {Qt.Key.Key_P: "P", Qt.Key.Key_A: "A", Qt.Key.Key_E: "E", Qt.Key.Key_L: "L"}
STATUS_COLOURS = {"P": "#e6f4ea", "L": "#fff4d6", "E": "#e8eefc", "A": "#fde7e9"}


class AttendanceModel(RowsModel):
    def __init__(self, parent=None) -> None:
        super().__init__([
            Col(_("Họ và tên"), lambda r: r.full_name, width=230),
            Col(_("Chức vụ, đơn vị"), lambda r: position_unit(r.position, r.unit), width=420),
            Col(_("Điểm danh"), lambda r: T.status_label(r.status), Qt.AlignmentFlag.AlignCenter, width=130),
            Col(_("Số tiết dự"), lambda r: self._periods(r), Qt.AlignmentFlag.AlignCenter, width=90),
            Col(_("Ghi chú"), lambda r: _("Bổ sung tại lớp") if r.walk_in else "", width=140),
        ], parent)
        self.session_periods = 0

    def _periods(self, line: T.AttendanceLine) -> str:
        if line.status in ("P", "L"):
            return str(line.periods_attended if line.periods_attended is not None else self.session_periods)
        return "0" if line.status in ("A", "E") else ""

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid():
            colour = STATUS_COLOURS.get(self.rows[index.row()].status or "")
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == 2:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class AttendanceTable(QTableView):
    """The keys of the sheet. Signals:
        marked(int, str): row, status key ("" clears);
        partial(int, int): row, periods attended.
    """

    marked = Signal(int, str)
    partial = Signal(int, int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        row = self.currentIndex().row()
        key = Qt.Key(event.key())
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier,
                                      Qt.KeyboardModifier.ShiftModifier)
        if row >= 0 and plain and key in KEYS:
            self.marked.emit(row, KEYS[key])
            self._next(row)
            return
        if row >= 0 and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.marked.emit(row, "")
            return
        if row >= 0 and plain and Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            self.partial.emit(row, int(key) - int(Qt.Key.Key_0))
            return
        super().keyPressEvent(event)

    def _next(self, row: int) -> None:
        if row + 1 < self.model().rowCount():
            target = self.model().index(row + 1, self.currentIndex().column())
            self.setCurrentIndex(target)
            self.scrollTo(target)


class AttendanceDialog(QDialog):
    """The sheet of one session (a window of its own). Signals:
        changed(): attendance was recorded (the course view refreshes its counts).
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, session_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id = session_id
        self.sheet: T.AttendanceSheet | None = None
        self.pending = 0
        self.setWindowTitle(_("Điểm danh buổi học"))
        self.resize(1100, 700)

        self.title = QLabel()
        self.title.setObjectName("attendance_title")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.info = QLabel()
        self.info.setWordWrap(True)
        help_text = QLabel(_("Phím tắt cho từng người: <b>P</b> có mặt · <b>A</b> vắng · <b>E</b> vắng có phép · "
                             "<b>L</b> đi muộn — con trỏ tự xuống dòng sau. Gõ một chữ số để ghi số tiết thực dự "
                             "(đến muộn, về sớm); <b>Delete</b> để bỏ đánh dấu."))
        help_text.setWordWrap(True)
        help_text.setStyleSheet("background: #f4f6f8; padding: 6px; border-radius: 4px;")

        self.model = AttendanceModel(self)
        self.table = AttendanceTable()
        self.table.setObjectName("attendance_table")
        self.table.setModel(self.model)
        base = make_table(self.model)  # copy the usual look onto our subclass
        self.table.setSelectionBehavior(base.selectionBehavior())
        self.table.setSelectionMode(base.selectionMode())
        self.table.setEditTriggers(base.editTriggers())
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for i, col in enumerate(self.model.columns):
            if col.width:
                self.table.setColumnWidth(i, col.width)
        base.deleteLater()
        self.table.marked.connect(self.mark)
        self.table.partial.connect(self.set_partial)

        self.counts = QLabel()
        self.counts.setObjectName("attendance_counts")
        self.walk_in_button = QPushButton(_("Thêm người học tại chỗ…"))
        self.rest_button = QPushButton(_("Những người chưa điểm danh: có mặt"))
        self.print_button = QPushButton(_("In danh sách ký tên"))
        close = QPushButton(_("Đóng"))
        self.walk_in_button.clicked.connect(self.add_walk_in)
        self.rest_button.clicked.connect(self.mark_rest_present)
        self.print_button.clicked.connect(self.print_sheet)
        close.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addWidget(self.walk_in_button)
        buttons.addWidget(self.rest_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addWidget(help_text)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts)
        layout.addLayout(buttons)
        self.load()

    # -- loading -----------------------------------------------------------------------------
    def load(self) -> None:
        session_id = self.session_id
        run_task(lambda _ctl: T.attendance_sheet(self.ctx, session_id), on_success=self._loaded, parent=self)

    def _loaded(self, sheet: T.AttendanceSheet) -> None:
        self.sheet = sheet
        course, session = sheet.course, sheet.session
        self.title.setText(f"{course.code} — {course.name}")
        self.info.setText(_("Buổi học ngày {day}, {start}–{end} ({periods} tiết){topic}{trainer}").format(
            day=dmy(session.day), start=hm(session.start), end=hm(session.end), periods=session.periods,
            topic=f" · {session.topic}" if session.topic else "",
            trainer=f" · {_('Giảng viên')}: {session.trainer}" if session.trainer else ""))
        self.model.session_periods = session.periods
        current = max(0, self.table.currentIndex().row())
        self.model.set_rows(sheet.lines)
        self._update_counts()
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(min(current, self.model.rowCount() - 1), 0))
        self.table.setFocus()

    def _update_counts(self) -> None:
        tally = {k: 0 for k in ("P", "L", "A", "E", "")}
        for line in self.model.rows:
            tally[line.status or ""] += 1
        self.counts.setText(_("{n} người · Có mặt {p} · Đi muộn {l} · Vắng {a} · Vắng có phép {e} · "
                              "Chưa điểm danh {none}").format(n=len(self.model.rows), p=tally["P"], l=tally["L"],
                                                             a=tally["A"], e=tally["E"], none=tally[""]))

    # -- one key per person ------------------------------------------------------------------------
    def mark(self, row: int, status: str) -> None:
        if not 0 <= row < len(self.model.rows):
            return
        before = self.model.rows[row]
        # show it at once; the saved line replaces it (or the old one comes back on an error)
        self.model.replace(row, replace(before, status=status or None, periods_attended=None))
        self._update_counts()
        staff_id, session_id = before.staff_id, self.session_id
        self._save(lambda _ctl: T.set_attendance(self.ctx, session_id, staff_id, status or None), before)

    def set_partial(self, row: int, periods: int) -> None:
        if not 0 <= row < len(self.model.rows):
            return
        before = self.model.rows[row]
        staff_id, session_id = before.staff_id, self.session_id
        self._save(lambda _ctl: T.set_partial(self.ctx, session_id, staff_id, periods), before)

    def _save(self, work, before: T.AttendanceLine) -> None:
        self.pending += 1

        def saved(line: T.AttendanceLine) -> None:
            row = self.model.row_of(lambda r: r.staff_id == line.staff_id)
            if row >= 0:
                self.model.replace(row, line)
            self._update_counts()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            row = self.model.row_of(lambda r: r.staff_id == before.staff_id)
            if row >= 0:
                self.model.replace(row, before)
            self._update_counts()
            show_error(self, exc)

        def finished() -> None:
            self.pending -= 1

        run_task(work, on_success=saved, on_failure=failed, on_finished=finished, parent=self)

    def mark_rest_present(self) -> None:
        session_id = self.session_id
        run_task(lambda _ctl: T.set_many(self.ctx, session_id, "P"),
                 on_success=lambda _n: (self.load(), self.changed.emit()), parent=self)

    # -- walk-ins and printing -----------------------------------------------------------------------
    def add_walk_in(self) -> None:
        on_list = {line.staff_id for line in self.model.rows}
        run_task(lambda _ctl: T.list_staff(self.ctx), parent=self,
                 on_success=lambda staff: self._open_walk_in([p for p in staff if p.id not in on_list]))

    def _open_walk_in(self, candidates: list[T.StaffRow]) -> None:
        dialog = WalkInDialog(self.ctx, self.session_id, candidates, self)
        dialog.added.connect(self._walked_in)
        self.walk_in_dialog = dialog
        dialog.open()

    def _walked_in(self, line: T.AttendanceLine) -> None:
        self.model.set_rows([*self.model.rows, line])
        self.table.setCurrentIndex(self.model.index(len(self.model.rows) - 1, 0))
        self._update_counts()
        self.changed.emit()

    def print_sheet(self) -> None:
        session_id = self.session_id
        day = dmy(self.sheet.session.day) if self.sheet else ""
        print_pdf(self, lambda path: TP.print_attendance_sheet(self.ctx, session_id, path), "diem-danh",
                  _("Danh sách ký tên buổi học {day}").format(day=day))


class WalkInDialog(QDialog):
    """Someone who turned up unregistered: picked from the registry, or typed in as new.
    Signals:
        added(AttendanceLine): saved and marked present.
    """

    added = Signal(object)

    def __init__(self, ctx: Ctx, session_id: uuid.UUID, candidates: list[T.StaffRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.session_id, self.candidates = ctx, session_id, candidates
        self.setWindowTitle(_("Thêm người học tại chỗ"))
        self.resize(560, 520)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Tìm theo tên (không cần dấu)…"))
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        for person in candidates:
            item = QListWidgetItem(f"{person.full_name} — {position_unit(person.position, person.unit)}")
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.list.addItem(item)
        self.new_box = QCheckBox(_("Người chưa có trong danh sách cán bộ (nhập mới)"))
        self.name = QLineEdit()
        self.position = QLineEdit()
        self.unit = QLineEdit()
        self.id_number = QLineEdit()
        form = QFormLayout()
        form.addRow(_("Họ và tên"), self.name)
        form.addRow(_("Chức vụ"), self.position)
        form.addRow(_("Đơn vị"), self.unit)
        form.addRow(_("Số định danh cá nhân"), self.id_number)
        self.new_fields = QWidget()
        self.new_fields.setLayout(form)
        self.new_fields.setEnabled(False)
        self.new_box.toggled.connect(self._toggle)
        self.error = QLabel()
        self.error.setObjectName("walk_in_error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Thêm và ghi có mặt"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Chọn trong danh sách cán bộ:")))
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.new_box)
        layout.addWidget(self.new_fields)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _toggle(self, on: bool) -> None:
        self.new_fields.setEnabled(on)
        self.list.setEnabled(not on)
        self.search.setEnabled(not on)

    def _filter(self, text: str) -> None:
        needle = fold(text)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in fold(item.text()))

    def choose(self, staff_id: uuid.UUID) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == staff_id:
                self.list.setCurrentRow(i)

    def save(self) -> None:
        self.error.clear()
        session_id = self.session_id
        if self.new_box.isChecked():
            person = T.StaffInput(self.name.text(), self.id_number.text() or None, None, self.position.text(),
                                  self.unit.text())
            work = lambda _ctl: T.add_walk_in(self.ctx, session_id, person=person)  # noqa: E731
        else:
            item = self.list.currentItem()
            if item is None:
                self.error.setText(_("Hãy chọn một người trong danh sách hoặc nhập người mới."))
                return
            staff_id = item.data(Qt.ItemDataRole.UserRole)
            work = lambda _ctl: T.add_walk_in(self.ctx, session_id, staff_id=staff_id)  # noqa: E731

        def done(line: T.AttendanceLine) -> None:
            self.added.emit(line)
            self.accept()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError | KnownError):
                self.error.setText(str(exc))
            else:
                show_error(self, exc)

        run_task(work, on_success=done, on_failure=failed, parent=self)

