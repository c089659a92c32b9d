"""Settings › Lịch làm việc: the year's table of holidays, days off and make-up working days.

Legal holidays come from the holidays library; the office adds its announced swaps (a day
off, a make-up Saturday), deletes its own rows, and imports or exports the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.domain.calendar import OFF, WORK, DayEntry, local_today
from commune_desk.errors import KnownError
from commune_desk.i18n import N_, _
from commune_desk.services import calendar as cal_service
from commune_desk.services.context import Ctx
from commune_desk.ui.qdates import qtoday
from commune_desk.ui.tasks import run_task, show_error

WEEKDAYS = (N_("Thứ Hai"), N_("Thứ Ba"), N_("Thứ Tư"), N_("Thứ Năm"), N_("Thứ Sáu"), N_("Thứ Bảy"), N_("Chủ nhật"))
KIND_LABELS = {OFF: N_("Nghỉ"), WORK: N_("Làm việc bù")}
SOURCE_LABELS = {"law": N_("Theo luật"), "office": N_("Của đơn vị")}
FILE_FILTER = N_("Bảng tính (*.csv *.xlsx)")


@dataclass(frozen=True)
class YearView:
    year: int
    entries: list[DayEntry]
    working_days: int


def load_year(ctx: Ctx, year: int) -> YearView:
    cal = cal_service.load_calendar(ctx.db)
    return YearView(year, cal.entries(year), cal.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)))


class DayDialog(QDialog):
    def __init__(self, kind: str, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Thêm ngày nghỉ") if kind == OFF else _("Thêm ngày làm việc bù"))
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        today = qtoday()
        self.day.setDate(today if today.year() == year else QDate(year, 1, 1))
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("ví dụ: Nghỉ Tết Dương lịch (hoán đổi)") if kind == OFF
                                     else _("ví dụ: Làm bù cho ngày 02/01"))
        form = QFormLayout()
        form.addRow(_("Ngày:"), self.day)
        form.addRow(_("Ghi chú:"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Thêm"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def value(self) -> tuple[date, str]:
        return self.day.date().toPython(), self.note.text().strip()


class CalendarTab(QWidget):
    COLUMNS = (N_("Ngày"), N_("Thứ"), N_("Loại"), N_("Tên ngày, ghi chú"), N_("Nguồn"))

    def __init__(self, ctx: Ctx, window) -> None:
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.view: YearView | None = None
        self.year = QSpinBox()
        self.year.setRange(2000, 2099)
        self.year.setValue(local_today().year)
        self.year.setPrefix(_("Năm "))
        self.year.valueChanged.connect(self.refresh)
        self.summary = QLabel()

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.add_off = QPushButton(_("Thêm ngày nghỉ…"))
        self.add_work = QPushButton(_("Thêm ngày làm bù…"))
        self.delete_button = QPushButton(_("Xóa ngày của đơn vị"))
        self.import_button = QPushButton(_("Nhập tệp…"))
        self.export_button = QPushButton(_("Xuất tệp…"))
        self.add_off.clicked.connect(lambda: self._ask_day(OFF))
        self.add_work.clicked.connect(lambda: self._ask_day(WORK))
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)

        top = QHBoxLayout()
        top.addWidget(self.year)
        top.addWidget(self.summary, 1)
        for b in (self.add_off, self.add_work, self.delete_button, self.import_button, self.export_button):
            top.addWidget(b)
        self.message = QLabel()
        self.message.setWordWrap(True)
        hint = QLabel(_("Ngày lễ theo Bộ luật Lao động được tính sẵn. Đơn vị thêm các ngày nghỉ hoán đổi và "
                        "ngày làm việc bù theo thông báo hằng năm; bảng của đơn vị luôn được ưu tiên."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._selection_changed()
        self.refresh()

    # -- showing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        year = self.year.value()
        run_task(lambda _ctl: load_year(self.ctx, year), on_success=self._fill, parent=self)

    def _fill(self, view: YearView) -> None:
        if view.year != self.year.value():
            return  # an older answer arriving after the year changed
        self.view = view
        off_weekdays = sum(1 for e in view.entries if e.kind == OFF and e.day.weekday() < 5)
        self.summary.setText(_("{n} ngày làm việc; {off} ngày nghỉ rơi vào ngày thường").format(
            n=view.working_days, off=off_weekdays))
        self.table.setRowCount(len(view.entries))
        for row, e in enumerate(view.entries):
            cells = (e.day.strftime("%d/%m/%Y"), _(WEEKDAYS[e.day.weekday()]), _(KIND_LABELS[e.kind]), e.name,
                     _(SOURCE_LABELS[e.source]))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if e.kind == WORK:
                    item.setForeground(QColor("#1b5e20"))
                self.table.setItem(row, col, item)
        self._selection_changed()

    def selected_entry(self) -> DayEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.view is None or rows[0].row() >= len(self.view.entries):
            return None
        return self.view.entries[rows[0].row()]

    def select_day(self, day: date) -> None:
        for row, e in enumerate(self.view.entries if self.view else []):
            if e.day == day:
                self.table.selectRow(row)
                return

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        self.delete_button.setEnabled(entry is not None and entry.source == "office")

    def _changed(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.refresh()
        if hasattr(self.window_, "data_changed"):
            self.window_.data_changed.emit("calendar")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(str(exc))
        else:
            show_error(self, exc)

    # -- editing -----------------------------------------------------------------------------
    def _ask_day(self, kind: str) -> None:
        dialog = DayDialog(kind, self.year.value(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            day, note = dialog.value()
            self.add_day(day, kind, note)

    def add_day(self, day: date, kind: str, note: str = "") -> None:
        label = _("ngày nghỉ") if kind == OFF else _("ngày làm việc bù")
        run_task(lambda _ctl: cal_service.set_day(self.ctx, day, kind, note),
                 on_success=lambda _r: self._changed(_("Đã thêm {what} {day}.").format(
                     what=label, day=day.strftime("%d/%m/%Y"))),
                 on_failure=self._failed, parent=self)

    def delete_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None or entry.source != "office":
            return
        run_task(lambda _ctl: cal_service.delete_day(self.ctx, entry.day),
                 on_success=lambda _r: self._changed(_("Đã xóa ngày {day} khỏi lịch của đơn vị.").format(
                     day=entry.day.strftime("%d/%m/%Y"))),
                 on_failure=self._failed, parent=self)

    def _ask_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Nhập lịch làm việc"), "", _(FILE_FILTER))
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        def done(summary) -> None:
            self._changed(_("Đã nhập {file}: {created} ngày mới, {updated} cập nhật, {unchanged} không đổi.")
                          .format(file=path.name, created=summary.created, updated=summary.updated,
                                  unchanged=summary.unchanged))

        run_task(lambda _ctl: cal_service.import_file(self.ctx, path), on_success=done,
                 on_failure=self._failed, parent=self, progress=_("Đang nhập lịch…"))

    def _ask_export(self) -> None:
        default = f"lich-lam-viec-{self.year.value()}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(self, _("Xuất lịch làm việc"), default, _(FILE_FILTER))
        if path:
            self.export_path(Path(path), self.year.value())

    def export_path(self, path: Path, year: int | None = None) -> None:
        run_task(lambda _ctl: cal_service.export_file(self.ctx, path, year),
                 on_success=lambda n: self.message.setText(_("Đã xuất {n} ngày ra {file}.").format(
                     n=n, file=path)), on_failure=self._failed, parent=self)


def create_tab(ctx: Ctx, window) -> QWidget:
    return CalendarTab(ctx, window)
