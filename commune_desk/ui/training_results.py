"""Results and certificates of one course: type a score (or tick pass/fail) per person with
the keyboard, then issue the certificates (numbered from the office's yearly sequence, or
with a number typed for one person) and print them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import local_today
from commune_desk.errors import ValidationError
from commune_desk.i18n import _
from commune_desk.services import training as T
from commune_desk.services import training_print as TP
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task, show_error
from commune_desk.ui.training_common import (
    Col,
    RowsModel,
    dmy,
    from_qdate,
    make_table,
    passed_text,
    position_unit,
    print_pdf,
    score_text,
    select_row,
    selected,
)
from commune_desk.ui.training_forms import RecordDialog, date_edit

SCORE_COL, PASS_COL = 3, 4


def parse_score(text: str) -> float | None:
    """'8,5' or '8.5' -> 8.5; '' -> None; anything else raises ValidationError."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(_("Điểm phải là một số từ 0 đến 10 (ví dụ 8,5)."), field="score") from None


class ResultsModel(RowsModel):
    """The score column is editable; the pass column is a check box. Signals:
        edited(int, object, object): row, score, passed — the view saves it.
    """

    edited = Signal(int, object, object)

    def __init__(self, parent=None) -> None:
        super().__init__([
            Col(_("Họ và tên"), lambda r: r.full_name, width=200),
            Col(_("Chức vụ, đơn vị"), lambda r: position_unit(r.position, r.unit), width=220),
            Col(_("Số tiết dự"), lambda r: f"{r.periods_earned}/{r.periods_scheduled}", Qt.AlignmentFlag.AlignCenter,
                width=80),
            Col(_("Điểm"), lambda r: score_text(r.score), Qt.AlignmentFlag.AlignCenter, width=60),
            Col(_("Kết quả"), lambda r: passed_text(r.passed), Qt.AlignmentFlag.AlignCenter, width=90),
            Col(_("Văn bằng"), lambda r: _(T.CERTIFICATE_LABELS[r.certificate_kind])
                if r.certificate_kind else "", width=110),
            Col(_("Số"), lambda r: r.certificate_number or "", width=120),
            Col(_("Ngày cấp"), lambda r: dmy(r.certificate_date), width=95),
        ], parent)

    def flags(self, index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() == SCORE_COL:
            return base | Qt.ItemFlag.ItemIsEditable
        if index.column() == PASS_COL:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.EditRole and index.column() == SCORE_COL:
            return score_text(row.score)
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == PASS_COL:
            return Qt.CheckState.Checked if row.passed else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(self, index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        row = self.rows[index.row()]
        if index.column() == SCORE_COL and role == Qt.ItemDataRole.EditRole:
            self.edited.emit(index.row(), str(value), None)
            return True
        if index.column() == PASS_COL and role == Qt.ItemDataRole.CheckStateRole:
            passed = Qt.CheckState(value) == Qt.CheckState.Checked
            self.edited.emit(index.row(), row.score, passed)
            return True
        return False


class ResultsPanel(QWidget):
    """Signals:
        changed(): results or certificates changed.
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.course: T.CourseRow | None = None
        self.model = ResultsModel(self)
        self.table = make_table(self.model, object_name="results_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.model.edited.connect(self._edited)
        hint = QLabel(_("Chọn ô “Điểm” rồi gõ điểm (0–10, 5 trở lên là đạt) và Enter; hoặc đánh dấu “Kết quả” "
                        "nếu chỉ xếp loại đạt/không đạt."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.issue_button = QPushButton(_("Cấp chứng nhận cho người đạt…"))
        self.number_button = QPushButton(_("Cấp với số tự ghi…"))
        self.revoke_button = QPushButton(_("Thu hồi"))
        self.print_button = QPushButton(_("In chứng nhận"))
        self.summary_button = QPushButton(_("In báo cáo khóa"))
        self.issue_button.clicked.connect(self.issue_all)
        self.number_button.clicked.connect(self.issue_one)
        self.revoke_button.clicked.connect(self.revoke)
        self.print_button.clicked.connect(self.print_certificates)
        self.summary_button.clicked.connect(self.print_summary)
        buttons = QHBoxLayout()
        for b in (self.issue_button, self.number_button, self.revoke_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.summary_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_course(self, course: T.CourseRow | None) -> None:
        self.course = course
        self.reload()

    def reload(self) -> None:
        if self.course is None:
            self.model.set_rows([])
            return
        course_id = self.course.id
        run_task(lambda _ctl: T.results(self.ctx, course_id), on_success=self._loaded, parent=self)

    def _loaded(self, rows: list[T.ResultRow]) -> None:
        current = self.table.currentIndex()
        self.model.set_rows(rows)
        if current.isValid() and current.row() < len(rows):
            self.table.setCurrentIndex(self.model.index(current.row(), current.column()))

    def _edited(self, row: int, score: Any, passed: bool | None) -> None:
        if self.course is None:
            return
        person = self.model.rows[row]
        try:
            value = parse_score(score) if isinstance(score, str) else score
        except ValidationError as exc:
            show_error(self, exc)
            return
        course_id = self.course.id
        if isinstance(score, str):
            # a typed score decides pass/fail; then the cursor goes to the next person
            work = lambda _ctl: T.set_result(self.ctx, course_id, person.staff_id, score=value)  # noqa: E731
            select_row(self.table, row + 1)
            if row + 1 < self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(row + 1, SCORE_COL))
        else:
            work = lambda _ctl: T.set_result(self.ctx, course_id, person.staff_id, score=value,  # noqa: E731
                                             passed=passed)

        def saved(result: T.ResultRow) -> None:
            at = self.model.row_of(lambda r: r.staff_id == result.staff_id)
            if at >= 0:
                self.model.replace(at, result)
            self.changed.emit()

        run_task(work, on_success=saved, parent=self)

    # -- certificates ----------------------------------------------------------------------------
    def issue_all(self) -> None:
        if self.course is None:
            return
        waiting = [r for r in self.model.rows if r.passed and not r.certificate_number]
        if not waiting:
            QMessageBox.information(self, "commune_desk", _("Không có học viên đạt nào chưa được cấp chứng nhận."))
            return
        dialog = IssueDialog(self.ctx, self.course, len(waiting), self)
        dialog.saved.connect(lambda _rows: (self.reload(), self.changed.emit()))
        self.issue_dialog = dialog
        dialog.open()

    def issue_one(self) -> None:
        person = selected(self.table)
        if self.course is None or person is None:
            QMessageBox.information(self, "commune_desk", _("Hãy chọn một học viên."))
            return
        dialog = NumberDialog(self.ctx, self.course, person, self)
        dialog.saved.connect(lambda _row: (self.reload(), self.changed.emit()))
        self.number_dialog = dialog
        dialog.open()

    def revoke(self) -> None:
        person = selected(self.table)
        if person is None or person.certificate_id is None:
            return
        answer = QMessageBox.question(self, "commune_desk", _("Thu hồi {kind} số {number} của {name}?").format(
            kind=_(T.CERTIFICATE_LABELS[person.certificate_kind]).lower(), number=person.certificate_number,
            name=person.full_name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        cert_id = person.certificate_id
        run_task(lambda _ctl: T.revoke_certificate(self.ctx, cert_id),
                 on_success=lambda _r: (self.reload(), self.changed.emit()), parent=self)

    def print_certificates(self) -> None:
        if self.course is None:
            return
        course_id = self.course.id
        print_pdf(self, lambda path: TP.print_certificates(self.ctx, course_id, path), f"chung-nhan-{self.course.code}",
                  _("Chứng nhận khóa {code}").format(code=self.course.code))

    def print_summary(self) -> None:
        if self.course is None:
            return
        course_id = self.course.id
        print_pdf(self, lambda path: TP.print_course_summary(self.ctx, course_id, path), f"bao-cao-{self.course.code}",
                  _("Báo cáo khóa {code}").format(code=self.course.code))


class IssueDialog(RecordDialog):
    """Issue the certificates of everyone who passed, numbered from the yearly sequence."""

    def __init__(self, ctx: Ctx, course: T.CourseRow, waiting: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Cấp chứng nhận"), parent)
        self.course = course
        self.day = date_edit(max(min(local_today(), course.end), course.start))
        self.first_number = QLabel()
        self.first_number.setObjectName("first_number")
        self.day.dateChanged.connect(self._preview)
        top = QLabel(_("Cấp {kind} cho {n} học viên đạt của khóa {code}.").format(
            kind=_(T.CERTIFICATE_LABELS[course.certificate_kind]).lower(), n=waiting, code=course.code))
        top.setWordWrap(True)
        self.row(_("Ngày cấp"), self.day, "issued_on")
        self.row(_("Số đầu tiên"), self.first_number, "number")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Cấp"))
        self.finish_layout(top)
        self._preview()

    def _preview(self) -> None:
        day, course_id = from_qdate(self.day.date()), self.course.id
        run_task(lambda _ctl: T.next_certificate_number(self.ctx, course_id, day),
                 on_success=self.first_number.setText, parent=self)

    def work(self):
        day, course_id = from_qdate(self.day.date()), self.course.id
        return lambda _ctl: T.issue_certificates(self.ctx, course_id, issued_on=day)


class NumberDialog(RecordDialog):
    """One certificate with the number the office wrote on it (used once per office)."""

    def __init__(self, ctx: Ctx, course: T.CourseRow, person: T.ResultRow, parent: QWidget | None = None) -> None:
        super().__init__(ctx, _("Cấp chứng nhận — {name}").format(name=person.full_name), parent)
        self.course, self.person = course, person
        self.number = QLineEdit()
        self.number.setObjectName("certificate_number")
        self.day = date_edit(max(min(local_today(), course.end), course.start))
        self.row(_("Số chứng nhận"), self.number, "number")
        self.row(_("Ngày cấp"), self.day, "issued_on")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Cấp"))
        self.finish_layout()
        course_id, day = course.id, self.day.date()
        run_task(lambda _ctl: T.next_certificate_number(self.ctx, course_id, from_qdate(day)),
                 on_success=lambda n: self.number.setText(self.number.text() or n), parent=self)

    def work(self):
        number, day = self.number.text(), from_qdate(self.day.date())
        course_id, staff_id = self.course.id, self.person.staff_id
        return lambda _ctl: T.issue_certificate(self.ctx, course_id, staff_id, number=number, issued_on=day)

