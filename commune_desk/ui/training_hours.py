""""Chưa đủ giờ": who is below the yearly minimum, by how much, and the upcoming or running
courses that would close the gap (one click registers the person in them). "Hiện tất cả"
shows everyone's periods of the year by type of course."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import local_today
from commune_desk.i18n import _
from commune_desk.services import training as T
from commune_desk.services import training_hours as H
from commune_desk.services import training_print as TP
from commune_desk.services.context import Ctx
from commune_desk.ui.tasks import run_task
from commune_desk.ui.training_common import (
    Col,
    RowsModel,
    dmy,
    make_table,
    position_unit,
    print_pdf,
    selected,
)

KINDS = list(T.KIND_LABELS)


def offers_text(row: H.ShortfallRow) -> str:
    if not row.suggestions:
        return _("Chưa có khóa nào sắp mở")
    parts = [_("{code} ({periods} tiết, từ {start}){enrolled}").format(
        code=o.code, periods=o.remaining_periods, start=dmy(o.start),
        enrolled=" ✓" if o.enrolled else "") for o in row.suggestions]
    text = "; ".join(parts)
    return text if row.closes_gap else text + " — " + _("vẫn thiếu {n} tiết").format(n=row.missing - row.covered)


def periods_of(kind: str):
    return lambda row: row.by_kind.get(kind) or ""


class HoursPanel(QWidget):
    """Signals:
        changed(): people were registered in suggested courses.
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(local_today().year)
        self.year.setPrefix(_("Năm") + " ")
        self.year.valueChanged.connect(self.reload)
        self.everyone = QCheckBox(_("Hiện tất cả cán bộ (số tiết theo loại khóa)"))
        self.everyone.toggled.connect(self._switch)
        self.minimum = QLabel()
        self.minimum.setObjectName("minimum_label")

        self.gaps = RowsModel([
            Col(_("Họ và tên"), lambda r: r.full_name, width=180),
            Col(_("Chức vụ, đơn vị"), lambda r: position_unit(r.position, r.unit), width=260),
            Col(_("Đã học"), lambda r: r.done, Qt.AlignmentFlag.AlignCenter, width=60),
            Col(_("Còn thiếu"), lambda r: r.missing, Qt.AlignmentFlag.AlignCenter, width=70),
            Col(_("Khóa có thể bù (số tiết còn lại)"), offers_text),
        ], self)
        self.gap_table = make_table(self.gaps, object_name="shortfall_table")
        self.gap_table.horizontalHeader().setStretchLastSection(True)
        kind_cols = [Col(_(T.KIND_SHORT[k]), periods_of(k), Qt.AlignmentFlag.AlignCenter, width=95) for k in KINDS]
        self.all = RowsModel([
            Col(_("Họ và tên"), lambda r: r.full_name, width=180),
            Col(_("Chức vụ, đơn vị"), lambda r: position_unit(r.position, r.unit), width=260),
            *kind_cols,
            Col(_("Tổng"), lambda r: r.total, Qt.AlignmentFlag.AlignCenter, width=55),
            Col(_("Còn thiếu"), lambda r: r.missing or _("Đủ"), Qt.AlignmentFlag.AlignCenter),
        ], self)
        self.all_table = make_table(self.all, object_name="hours_table")
        self.all_table.horizontalHeader().setStretchLastSection(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.gap_table)
        self.stack.addWidget(self.all_table)

        self.enrol_button = QPushButton(_("Ghi danh vào khóa gợi ý"))
        self.history_button = QPushButton(_("In quá trình bồi dưỡng"))
        self.enrol_button.clicked.connect(self.enrol_suggested)
        self.history_button.clicked.connect(self.print_history)
        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addWidget(self.minimum, 1)
        top.addWidget(self.everyone)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.history_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.reload()

    def _switch(self, on: bool) -> None:
        self.stack.setCurrentIndex(1 if on else 0)
        self.enrol_button.setEnabled(not on)

    def reload(self) -> None:
        year = self.year.value()

        def work(_ctl):
            return H.below_minimum(self.ctx, year), H.hours_for_year(self.ctx, year), H.yearly_minimum(self.ctx)

        run_task(work, on_success=self._loaded, parent=self)

    def _loaded(self, result) -> None:
        gaps, hours, minimum = result
        self.gaps.set_rows(gaps)
        self.all.set_rows(hours)
        self.minimum.setText(_("Mức tối thiểu: {n} tiết/năm (sửa trong Cài đặt). {below} trên {total} người "
                               "chưa đủ.").format(n=minimum, below=len(gaps), total=len(hours)))

    def enrol_suggested(self) -> None:
        row = selected(self.gap_table)
        if row is None:
            QMessageBox.information(self, "commune_desk", _("Hãy chọn một người."))
            return
        courses = [o for o in row.suggestions if not o.enrolled]
        if not courses:
            QMessageBox.information(self, "commune_desk", _("{name} đã được ghi danh vào các khóa gợi ý.")
                                    .format(name=row.full_name))
            return
        staff_id = row.staff_id

        def work(_ctl):
            return T.enrol_in_courses(self.ctx, staff_id, [offer.course_id for offer in courses])

        def done(n: int) -> None:
            QMessageBox.information(self, "commune_desk", _("Đã ghi danh {name} vào {n} khóa: {codes}.").format(
                name=row.full_name, n=n, codes=", ".join(o.code for o in courses)))
            self.reload()
            self.changed.emit()

        run_task(work, on_success=done, parent=self)

    def print_history(self) -> None:
        row = selected(self.all_table if self.everyone.isChecked() else self.gap_table)
        if row is None:
            QMessageBox.information(self, "commune_desk", _("Hãy chọn một người."))
            return
        staff_id = row.staff_id
        print_pdf(self, lambda path: TP.print_person_history(self.ctx, staff_id, path), "qua-trinh-boi-duong",
                  _("Quá trình bồi dưỡng — {name}").format(name=row.full_name))
