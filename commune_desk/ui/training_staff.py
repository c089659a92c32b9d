"""The staff registry: the commune's officials, with import from and export to XLSX (a
trainer arrives with a spreadsheet) and each person's training history as a PDF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commune_desk.errors import ValidationError
from commune_desk.i18n import _
from commune_desk.services import personal_exports, staff_io
from commune_desk.services import training as T
from commune_desk.services import training_print as TP
from commune_desk.services.context import Ctx
from commune_desk.ui import personal_data
from commune_desk.ui.tasks import run_task, show_error
from commune_desk.ui.training_common import Col, RowsModel, dmy, make_table, print_pdf, select_row, selected
from commune_desk.ui.training_forms import StaffDialog


class StaffPanel(QWidget):
    """Signals:
        changed(): the registry changed.
    """

    changed = Signal()

    def __init__(self, ctx: Ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Tìm theo tên (không cần dấu), số định danh hoặc số điện thoại…"))
        self.search.textChanged.connect(self.reload)
        self.left_box = QCheckBox(_("Hiện cả người đã nghỉ"))
        self.left_box.toggled.connect(self.reload)
        self.model = RowsModel([
            Col(_("Họ và tên"), lambda p: p.full_name, width=175),
            Col(_("Số định danh"), lambda p: p.id_masked, width=105),
            Col(_("Ngày sinh"), lambda p: dmy(p.dob), width=85),
            Col(_("Chức vụ"), lambda p: p.position or ""),
            Col(_("Đơn vị"), lambda p: p.unit or "", width=165),
            Col(_("Vị trí việc làm"), lambda p: p.job_position or "", width=135),
            Col(_("Ngạch"), lambda p: p.grade or "", width=90),
            Col(_("Điện thoại"), lambda p: p.phone or "", width=95),
            Col(_("Tình trạng"), lambda p: _("Đang công tác") if p.active else _("Đã nghỉ"), width=105),
        ], self)
        self.table = make_table(self.model, stretch=3, object_name="staff_table")
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.count = QLabel()
        self.add_button = QPushButton(_("Thêm…"))
        self.edit_button = QPushButton(_("Sửa…"))
        self.import_button = QPushButton(_("Nhập từ Excel…"))
        self.export_button = QPushButton(_("Xuất ra Excel…"))
        self.history_button = QPushButton(_("In quá trình bồi dưỡng"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.import_button.clicked.connect(self.choose_import)
        self.export_button.clicked.connect(self.choose_export)
        self.history_button.clicked.connect(self.print_history)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.left_box)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.history_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        text, left = self.search.text(), self.left_box.isChecked()
        run_task(lambda _ctl: T.list_staff(self.ctx, text, include_left=left), on_success=self._loaded, parent=self)

    def _loaded(self, people: list[T.StaffRow]) -> None:
        current = selected(self.table)
        self.model.set_rows(people)
        self.count.setText(_("{n} người").format(n=len(people)))
        if current is not None:
            select_row(self.table, self.model.row_of(lambda p: p.id == current.id))

    def _changed(self, *_args) -> None:
        self.reload()
        self.changed.emit()

    def add(self) -> None:
        self._open(StaffDialog(self.ctx, None, self))

    def edit(self) -> None:
        person = selected(self.table)
        if person is not None:
            self._open(StaffDialog(self.ctx, person, self))

    def _open(self, dialog: StaffDialog) -> None:
        dialog.saved.connect(self._changed)
        self.staff_dialog = dialog
        dialog.open()

    # -- XLSX ------------------------------------------------------------------------------------------
    def choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Nhập danh sách cán bộ"), str(Path.home()),
                                                    _("Tệp Excel (*.xlsx)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError) and any(field != "file" for field, _m in exc.errors):
                self.report = ImportReportDialog(path, exc, self)
                self.report.open()
            else:
                show_error(self, exc)

        def done(result: staff_io.ImportResult) -> None:
            self.last_import = result
            self._changed()
            QMessageBox.information(self, _("Nhập danh sách cán bộ"), staff_io.describe(result))

        run_task(lambda _ctl: staff_io.import_staff_xlsx(self.ctx, path), on_success=done, on_failure=failed,
                 parent=self, progress=_("Đang nhập danh sách cán bộ…"), cancellable=False)

    def choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Xuất danh sách cán bộ"),
                                                    str(Path.home() / "danh-sach-can-bo.xlsx"), _("Tệp Excel (*.xlsx)"))
        if path:
            self.export_file(Path(path))

    def export_file(self, path: Path) -> None:
        if not personal_data.confirm_plain_export(self, personal_exports.STAFF, path):
            return  # nothing written, nothing audited
        run_task(lambda _ctl: staff_io.export_staff_xlsx(self.ctx, path), parent=self,
                 progress=_("Đang xuất danh sách cán bộ…"), cancellable=False,
                 on_success=lambda n: QMessageBox.information(
                     self, _("Xuất danh sách cán bộ"), _("Đã xuất {n} người ra {path}.").format(n=n, path=path)))

    def print_history(self) -> None:
        person = selected(self.table)
        if person is None:
            QMessageBox.information(self, "commune_desk", _("Hãy chọn một người."))
            return
        staff_id = person.id
        print_pdf(self, lambda path: TP.print_person_history(self.ctx, staff_id, path), "qua-trinh-boi-duong",
                  _("Quá trình bồi dưỡng — {name}").format(name=person.full_name))


class ImportReportDialog(QDialog):
    """Every bad row of a refused file, by its spreadsheet row number."""

    def __init__(self, path: Path, exc: ValidationError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Tệp chưa nhập được — {name}").format(name=path.name))
        self.resize(760, 460)
        head = QLabel(_("Tệp có {n} dòng lỗi nên <b>chưa nhập dòng nào</b>. Hãy sửa trong Excel rồi nhập lại.")
                      .format(n=len(exc.errors)))
        head.setWordWrap(True)
        self.table = QTableWidget(len(exc.errors), 2)
        self.table.setObjectName("import_errors")
        self.table.setHorizontalHeaderLabels([_("Dòng"), _("Lỗi")])
        self.table.verticalHeader().setVisible(False)
        for r, (row, message) in enumerate(exc.errors):
            number = QTableWidgetItem(str(row))
            number.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(r, 0, number)
            self.table.setItem(r, 1, QTableWidgetItem(message))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 60)
        self.table.setWordWrap(True)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
