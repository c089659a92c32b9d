"""Settings › Dữ liệu cá nhân (leaders): anonymise the dossiers kept past their retention
period in one audited action, and print everything the office holds on a citizen who asks."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
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

from commune_desk.errors import KnownError
from commune_desk.i18n import N_, _
from commune_desk.services import privacy
from commune_desk.services.context import Ctx
from commune_desk.services.privacy import AnonymiseResult, RetentionRow
from commune_desk.ui.tasks import run_task, show_error


class PrivacyTab(QWidget):
    COLUMNS = (N_("Mã hồ sơ"), N_("Thủ tục"), N_("Kết thúc ngày"), N_("Thời hạn lưu (tháng)"))

    def __init__(self, ctx: Ctx, window) -> None:  # noqa: ARG002
        super().__init__()
        self.ctx = ctx
        self.rows: list[RetentionRow] = []
        self.last_pdf: Path | None = None

        retention = QGroupBox(_("Hồ sơ đã quá thời hạn lưu dữ liệu cá nhân"))
        self.intro = intro = QLabel()
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("retention")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.refresh_button = QPushButton(_("Xem lại danh sách"))
        self.refresh_button.clicked.connect(self.refresh)
        self.anonymise_button = QPushButton(_("Ẩn danh các hồ sơ này…"))
        self.anonymise_button.setObjectName("anonymise")
        self.anonymise_button.clicked.connect(self.ask_anonymise)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.anonymise_button)
        box = QVBoxLayout(retention)
        box.addWidget(intro)
        box.addWidget(self.table, 1)
        box.addLayout(row)

        request = QGroupBox(_("Công dân yêu cầu xem dữ liệu của mình"))
        self.id_edit = QLineEdit()
        self.id_edit.setObjectName("id_number")
        self.id_edit.setPlaceholderText(_("Số định danh cá nhân (12 số) hoặc CMND (9 số)"))
        self.id_edit.setMaxLength(20)
        self.print_button = QPushButton(_("Lập bản dữ liệu đang lưu…"))
        self.print_button.clicked.connect(self.print_request)
        line = QHBoxLayout(request)
        line.addWidget(QLabel(_("Số định danh:")))
        line.addWidget(self.id_edit, 1)
        line.addWidget(self.print_button)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(retention, 1)
        layout.addWidget(request)
        layout.addWidget(self.message)
        self.refresh()

    def refresh(self) -> None:
        run_task(lambda _ctl: (privacy.past_retention(self.ctx),
                               self.ctx.db.setting("privacy.default_retention_months")),
                 on_success=lambda got: self._fill(*got), parent=self)

    def _fill(self, rows: list[RetentionRow], default_months: int) -> None:
        self.intro.setText(_("Hồ sơ đã kết thúc quá thời hạn lưu (theo từng thủ tục, mặc định {n} tháng) được ẩn "
                             "danh: xóa họ tên, số định danh, ngày sinh, điện thoại, địa chỉ, thư điện tử và ghi chú; "
                             "giữ thủ tục, ngày tháng, kết quả, phí để thống kê vẫn đúng. Việc này không hoàn tác "
                             "được.").format(n=default_months))
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate((row.code, row.procedure_name, row.finished_on.strftime("%d/%m/%Y"),
                                      str(row.retention_months))):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.anonymise_button.setEnabled(bool(rows))
        self.anonymise_button.setText(_("Ẩn danh {n} hồ sơ…").format(n=len(rows)) if rows
                                      else _("Không có hồ sơ nào quá hạn lưu"))

    def confirm(self, count: int) -> bool:
        answer = QMessageBox.warning(
            self, _("Ẩn danh hồ sơ?"),
            _("Xóa vĩnh viễn dữ liệu cá nhân của {n} hồ sơ đã quá thời hạn lưu? Số liệu thống kê được giữ nguyên. "
              "Việc này được ghi vào nhật ký và không hoàn tác được.").format(n=count),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def ask_anonymise(self) -> None:
        count = len(self.rows)
        if not count or not self.confirm(count):
            return

        def done(result: AnonymiseResult) -> None:
            self.message.setText(_("Đã ẩn danh {n} hồ sơ.").format(n=result.count))
            self.refresh()

        run_task(lambda _ctl: privacy.anonymise(self.ctx, expected=count), on_success=done,
                 on_failure=self._failed, parent=self, progress=_("Đang ẩn danh…"), cancellable=False)

    def print_request(self) -> None:
        number = self.id_edit.text()
        target = Path(tempfile.mkdtemp(prefix="commune_desk-")) / "du-lieu-ca-nhan.pdf"

        def done(path: Path) -> None:
            self.last_pdf = path
            self.message.setText(_("Đã lập bản dữ liệu đang lưu: {path}").format(path=path))
            from commune_desk.ui.pdf_preview import show_pdf

            show_pdf(path, self, title=_("Dữ liệu cá nhân đang lưu"), ctx=self.ctx)

        run_task(lambda _ctl: privacy.print_citizen_data(self.ctx, number, target), on_success=done,
                 on_failure=self._failed, parent=self, progress=_("Đang lập bản dữ liệu…"))

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, KnownError):
            self.message.setText(str(exc))
        else:
            show_error(self, exc)


def create_tab(ctx: Ctx, window) -> QWidget:
    return PrivacyTab(ctx, window)
